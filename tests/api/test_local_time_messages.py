"""Messages give times in Vietnam's time and say so: an attempt that expired at 23:30 UTC on
31 December 2025 expired at 06:30 on 1 January 2026 for the learner."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from quiz_api.attempts.models import Attempt
from tests.api.test_api import start
from tests.conftest import new_learner


@pytest.mark.parametrize(("lang", "shown"), [("vi", "lúc 06:30 01/01/2026 (giờ Việt Nam)."),
                                             ("en", "at 06:30 01/01/2026 (Vietnam time).")])
def test_the_expiry_message_gives_the_local_time(client, database, lang, shown):
    attempt = start(client, new_learner(client))
    with database.writing() as db:
        db.execute(update(Attempt).values(expires_at=datetime(2025, 12, 31, 23, 30)))
    response = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit?lang={lang}", json={"answers": {}})
    assert response.status_code == 410 and response.json()["code"] == "attempt_expired"
    assert shown in response.json()["detail"] and "UTC" not in response.json()["detail"]


def test_the_quiz_form_says_it_in_local_time_too(client, database):
    attempt = start(client, new_learner(client))
    with database.writing() as db:
        db.execute(update(Attempt).values(expires_at=datetime(2025, 12, 31, 16, 59)))
    page = client.get(f"/quiz/attempt/{attempt['attempt_id']}")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(f"/quiz/attempt/{attempt['attempt_id']}", data={"csrf_token": token})
    assert response.status_code == 410 and "23:59 31/12/2025 (giờ Việt Nam)" in response.text
