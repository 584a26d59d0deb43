"""Classes and open statistics in a real browser: a learner scans the join sheet and joins from a
phone; axe-core finds nothing serious on the class pages and the public statistics page."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from quiz_api.localtime import now_local
from tests.browser.conftest import ORGANISER
from tests.browser.test_journeys import (
    DESKTOP,
    PHONE,
    api_attempt,
    broken_header_links,
    dom_problems,
    serious,
    shot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def training_class(server, answer_key) -> dict:
    """A class with six members who passed a module (so the live page, the sheet and the public
    statistics have rows to show)."""
    token = httpx.post(f"{server.url}/api/v1/auth/token", data={"username": ORGANISER[0], "password": ORGANISER[1]},
                       timeout=30).json()["access_token"]
    start = (now_local() + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0, tzinfo=None)
    made = httpx.post(f"{server.url}/api/v1/classes", headers={"Authorization": f"Bearer {token}"}, json={
        "title": "Tập huấn an toàn thông tin cho cán bộ xã", "starts_at": start.isoformat(timespec="minutes"),
        "place": "Hội trường UBND xã", "unit_code": "TN", "modules": ["du-lieu-ca-nhan", "ung-cuu-su-co"],
        "trainer_name": "Trần Thị Bình", "expected_headcount": 40}, timeout=30)
    assert made.status_code == 201, made.text
    for i in range(6):
        joined = httpx.post(f"{server.url}/api/v1/learners", json={
            "full_name": f"Học viên lớp {i}", "group": "public_servant", "unit_code": "TN", "consent": True,
            "class_code": made.json()["code"]}, timeout=30)
        assert joined.status_code == 201, joined.text
        api_attempt(server, answer_key, joined.json()["learner_code"], "du-lieu-ca-nhan", right=True)
    return made.json()


def login(page) -> None:
    page.goto("/organiser/login")
    page.locator("#username").fill(ORGANISER[0])
    page.locator("#password").fill(ORGANISER[1])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/organiser$"))


def test_a_learner_joins_a_class_from_a_phone(browser, server, artifacts, training_class):
    context = browser.new_context(base_url=server.url, locale="vi-VN", **PHONE)
    page = context.new_page()
    try:
        page.goto(training_class["join_url"].removeprefix(server.url))
        assert page.locator("#unit_code").input_value() == "TN"  # the class's unit, already chosen
        page.locator("#full_name").fill("Lê Thị Hồng")
        page.get_by_label("Người dân").check()
        page.locator("input[name=consent]").check()
        page.get_by_role("button", name="Lưu và tham gia lớp").click()
        assert page.locator("#joined").is_visible()
        assert page.locator("#learner-code").inner_text().strip()
        shot(page, artifacts, "class-joined-phone")
        page.get_by_role("link", name=re.compile("dữ liệu cá nhân", re.IGNORECASE)).first.click()
        page.wait_for_url(re.compile(r"/quiz/du-lieu-ca-nhan"))
    finally:
        context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_axe_finds_nothing_serious_on_the_class_and_statistics_pages(browser, server, artifacts, training_class,
                                                                    device):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright",
                              reason="axe-playwright-python is not installed").Axe()
    code = training_class["code"]
    context = browser.new_context(base_url=server.url, locale="vi-VN", **(PHONE if device == "phone" else DESKTOP))
    page = context.new_page()
    found: dict[str, list[str]] = {}
    pages = [("statistics", "/thong-ke"), ("statistics-en", "/en/statistics"), ("class-code", "/lop"),
             ("class-join", f"/lop/{code}"), ("LOGIN", None), ("classes", "/organiser/classes"),
             ("class-live", f"/organiser/classes/{code}"), ("class-still", f"/organiser/classes/{code}?live=0"),
             ("join-sheet", f"/organiser/classes/{code}/join-sheet"), ("class-sheet", f"/organiser/classes/{code}/sheet")]
    # axe flags every timed refresh; WCAG 2.2.1 allows one the reader can turn off before it matters,
    # which the live page's first link does (checked in tests/classes); the page without it is checked whole.
    plain = {"resultTypes": ["violations"]}
    live_options = {**plain, "rules": {"meta-refresh": {"enabled": False}}}
    try:
        for name, path in pages:
            if path is None:
                login(page)
                continue
            response = page.goto(path)
            assert response is not None and response.ok, f"{path}: {response and response.status}"
            results = axe.run(page, options=live_options if name == "class-live" else plain).response
            problems = serious(results) + dom_problems(page) + broken_header_links(page)
            if problems:
                found[name] = problems
            shot(page, artifacts, f"{device}-{name}")
    finally:
        context.close()
    assert not found, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)
