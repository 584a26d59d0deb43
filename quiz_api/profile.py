"""The province profile (profile.yaml in settings.profile_dir): read once, used everywhere.

Everything that changes when another province adopts the platform lives there: the province's
name printed on certificates, the programme, the operator who answers learners' data requests, and
the time zone every date people see and every report's year and month are in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from quiz_api import localtime
from quiz_api.labels import LANGS, t

# How a message names the default zone's time, when the profile does not say
DEFAULT_TIMEZONE_NAME = {lang: t("timezone.default_name", lang) for lang in LANGS}


@dataclass(frozen=True)
class Operator:
    name: dict[str, str]
    email: str
    phone: str

    @property
    def is_set(self) -> bool:
        return bool(any(self.name.values()) or self.email or self.phone)


@dataclass(frozen=True)
class Profile:
    province: dict[str, str]
    programme: dict[str, str]
    operator: Operator
    unit_kinds: tuple[str, ...] = ()  # empty: any kind is accepted
    timezone: str = localtime.DEFAULT_TIMEZONE  # IANA name, with one fixed UTC offset (localtime.py)
    timezone_name: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TIMEZONE_NAME))

    @property
    def tz(self) -> ZoneInfo:
        return localtime.zone(self.timezone)

    def zone_name(self, lang: str) -> str:
        """How messages name local time: 'giờ Việt Nam'."""
        return self.timezone_name.get(lang) or self.timezone_name.get("vi", "") or self.timezone

    def province_name(self, lang: str) -> str:
        return self.province.get(lang) or self.province.get("vi", "")

    def programme_name(self, lang: str) -> str:
        return self.programme.get(lang) or self.programme.get("vi", "")


def _texts(value: object) -> dict[str, str]:
    """A {vi, en} mapping from the YAML; a bare string counts for both languages."""
    if isinstance(value, dict):
        return {str(k): str(v or "") for k, v in value.items()}
    text = str(value or "")
    return {"vi": text, "en": text}


@lru_cache
def load_profile(profile_dir: Path) -> Profile:
    """The profile in profile_dir (cached: it is read once per process)."""
    data = yaml.safe_load((Path(profile_dir) / "profile.yaml").read_text("utf-8")) or {}
    operator = data.get("operator") or {}
    return Profile(
        province=_texts(data.get("province")),
        programme=_texts(data.get("programme")),
        operator=Operator(name=_texts(operator.get("name")), email=str(operator.get("email") or ""),
                          phone=str(operator.get("phone") or "")),
        unit_kinds=tuple(str(kind) for kind in data.get("unit_kinds") or ()),
        **_timezone(data),
    )


def _timezone(data: dict) -> dict[str, object]:
    """The zone (checked now: an unknown zone, or one with daylight saving time, fails at start) and
    its name in messages; a zone other than the default without a name is named by its offset."""
    name = str(data.get("timezone") or localtime.DEFAULT_TIMEZONE)
    tz = localtime.zone(name)  # ValueError: unknown, or no fixed offset
    if data.get("timezone_name"):
        return {"timezone": name, "timezone_name": _texts(data["timezone_name"])}
    if name == localtime.DEFAULT_TIMEZONE:
        return {"timezone": name}
    offset = "UTC" + localtime.offset_text(localtime.fixed_offset(tz))
    return {"timezone": name, "timezone_name": {lang: t("timezone.offset_name", lang, offset=offset) for lang in LANGS}}
