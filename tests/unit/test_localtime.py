"""Local time (quiz_api/localtime.py): stored UTC times as Vietnam's, year and month bounds, and the
guarantee the exports rest on: the zone's offset never changes over the years served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz_api import localtime
from quiz_api.profile import load_profile

VIETNAM = localtime.zone("Asia/Ho_Chi_Minh")
NEW_YEAR_0630 = datetime(2026, 12, 31, 23, 30)  # 06:30 on 1 January 2027 in Vietnam
LAST_SECOND = datetime(2026, 12, 31, 16, 59, 59)  # 23:59:59 on 31 December 2026 in Vietnam
served = st.datetimes(min_value=datetime(localtime.YEARS_SERVED[0], 1, 1),
                      max_value=datetime(localtime.YEARS_SERVED[1], 12, 31, 16, 59, 59))


def test_vietnam_has_one_offset_all_through_the_years_served():
    """Checked every 12 hours from 2000 to 2100, independently of fixed_offset's weekly steps: no
    daylight saving time, no change of zone. Exported times rest on this (reports/service.dt_text)."""
    first, last = localtime.YEARS_SERVED
    moment, end = datetime(first, 1, 1, tzinfo=UTC), datetime(last + 1, 1, 1, tzinfo=UTC)
    offsets = set()
    while moment < end:
        offsets.add(moment.astimezone(VIETNAM).utcoffset())
        moment += timedelta(hours=12)
    assert offsets == {timedelta(hours=7)}
    assert localtime.fixed_offset(VIETNAM) == timedelta(hours=7)


def test_a_zone_with_daylight_saving_time_or_an_unknown_zone_is_refused():
    with pytest.raises(ValueError, match="changes its UTC offset"):
        localtime.zone("Europe/Paris")
    with pytest.raises(ValueError, match="unknown time zone"):
        localtime.zone("Asia/Tay_Ninh")
    assert localtime.zone("Asia/Bangkok").key == "Asia/Bangkok"  # also one fixed offset, +07:00


def test_the_profile_names_the_zone_and_defaults_to_vietnam(tmp_path):
    profile = load_profile(Path(localtime.__file__).parent / "profiles" / "tay-ninh")
    assert profile.timezone == "Asia/Ho_Chi_Minh" and profile.zone_name("vi") == "giờ Việt Nam"
    (tmp_path / "profile.yaml").write_text("province: X\n", "utf-8")
    bare = load_profile(tmp_path)
    assert bare.tz.key == "Asia/Ho_Chi_Minh" and bare.zone_name("en") == "Vietnam time"
    other = tmp_path / "other"
    other.mkdir()
    (other / "profile.yaml").write_text("timezone: Asia/Bangkok\n", "utf-8")
    assert load_profile(other).zone_name("vi") == "giờ UTC+07:00"
    dst = tmp_path / "dst"
    dst.mkdir()
    (dst / "profile.yaml").write_text("timezone: Europe/Paris\n", "utf-8")
    with pytest.raises(ValueError):
        load_profile(dst)


def test_new_years_morning_in_vietnam_is_still_the_old_year_in_utc():
    assert localtime.to_local(NEW_YEAR_0630, VIETNAM).isoformat() == "2027-01-01T06:30:00+07:00"
    assert localtime.local_date(NEW_YEAR_0630, VIETNAM).isoformat() == "2027-01-01"
    assert localtime.local_date(LAST_SECOND, VIETNAM).isoformat() == "2026-12-31"
    assert localtime.iso(LAST_SECOND, VIETNAM) == "2026-12-31T23:59:59+07:00"
    assert localtime.short(NEW_YEAR_0630, VIETNAM) == "01/01/2027 06:30"
    assert localtime.day(NEW_YEAR_0630, VIETNAM) == "01/01/2027" and localtime.day(None, VIETNAM) == "—"
    assert localtime.local_today(VIETNAM, now=NEW_YEAR_0630).year == 2027


def test_a_local_year_starts_at_17_00_utc_the_day_before():
    assert localtime.local_year_bounds(2027, VIETNAM) == (datetime(2026, 12, 31, 17), datetime(2027, 12, 31, 17))
    starts = localtime.local_month_starts(2027, VIETNAM)
    assert len(starts) == 13 and starts[0] == datetime(2026, 12, 31, 17) and starts[1] == datetime(2027, 1, 31, 17)
    assert starts[12] == datetime(2027, 12, 31, 17)


@settings(max_examples=300, deadline=None)
@given(served)
def test_year_bounds_and_month_starts_put_every_time_in_its_local_year_and_month(stored):
    local = localtime.to_local(stored, VIETNAM)
    start, end = localtime.local_year_bounds(local.year, VIETNAM)
    assert start <= stored < end
    starts = localtime.local_month_starts(local.year, VIETNAM)
    assert starts[local.month - 1] <= stored < starts[local.month]


def test_a_stored_time_in_a_message_is_shown_in_local_time_with_the_zone_named():
    params = localtime.localise({"expires_at": NEW_YEAR_0630, "minutes": 10}, tz=VIETNAM, zone_name="giờ Việt Nam")
    assert params["minutes"] == 10
    assert f"{params['expires_at']}" == "06:30 01/01/2027 (giờ Việt Nam)"
    assert f"{params['expires_at']:%d/%m/%Y}" == "01/01/2027"  # a strftime spec picks the local parts


def test_offsets_are_written_as_iso_8601():
    assert localtime.offset_text(timedelta(hours=7)) == "+07:00"
    assert localtime.offset_text(timedelta(hours=-3, minutes=-30)) == "-03:30"
    assert localtime.offset_text(timedelta(hours=5, minutes=45)) == "+05:45"
