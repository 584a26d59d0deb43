"""A learner with something of everything stored: full profile, a passed and an open attempt, a certificate."""

from __future__ import annotations

from tests.certificates.helpers import pass_module
from tests.conftest import new_learner

PERSON = {
    "full_name": "Hoàng Thị Xuyến Quỳnh",
    "email": "xuyen.quynh.hoang@example.vn",
    "phone": "0987 654 321",
    "organisation": "Hợp tác xã Bánh tráng Trảng Bàng",
    "group": "business",
    "unit_code": "TN-P-long-an",
}


def learner_with_history(client, banks, **overrides) -> tuple[str, str]:
    """(learner code, certificate code); the learner also has an attempt started but not submitted."""
    code = new_learner(client, **{**PERSON, **overrides})
    certificate = pass_module(client, banks, code)["certificate_code"]
    started = client.post("/api/v1/attempts", json={"learner_code": code, "module_id": "mau-thu"})
    assert started.status_code == 201, started.text
    return code, certificate
