"""The HTML quiz pages: a person registers, answers in a plain form and reads the result, no JavaScript."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quiz_api.learners.models import Learner

MODULE = "mau-thu"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def register(client, name="Lê Thị <b>Hoa</b>", lang="vi"):
    page = client.get(f"/quiz/{MODULE}" + ("?lang=en" if lang == "en" else ""))
    assert page.status_code == 200
    form = {"csrf_token": csrf(page.text), "lang": lang, "full_name": name, "group": "public_servant",
            "unit_code": "TN-S-so-y-te", "consent": "yes"}
    return client.post(f"/quiz/{MODULE}/learner", data=form)


def test_the_profile_form_asks_for_consent_without_pre_ticking_it(client):
    html = client.get(f"/quiz/{MODULE}").text
    consent = re.search(r'<input type="checkbox" name="consent"[^>]*>', html).group(0)
    assert "checked" not in consent
    assert "tháng" in html and "Dữ liệu của tôi" in html  # retention and rights in the notice
    assert 'lang="vi"' in html


def test_a_person_registers_takes_the_quiz_and_sees_the_result(client, banks):
    response = register(client)
    assert response.status_code == 200
    code = re.search(r'id="learner-code">([^<]+)<', response.text).group(1)
    assert "kns_learner" in response.cookies or client.cookies.get("kns_learner")
    assert "Lê Thị &lt;b&gt;Hoa&lt;/b&gt;" in response.text and "<b>Hoa</b>" not in response.text
    start = client.post(f"/quiz/{MODULE}/start", data={"csrf_token": csrf(response.text), "lang": "vi"},
                        follow_redirects=False)
    assert start.status_code == 303
    quiz = client.get(start.headers["location"])
    assert quiz.status_code == 200 and "<script" not in quiz.text
    qids = re.findall(r'name="q_([^"]+)" value="', quiz.text)
    assert len(set(qids)) == 5
    bank = banks[MODULE]
    form = {"csrf_token": csrf(quiz.text)}
    for qid in dict.fromkeys(qids):
        form[f"q_{qid}"] = sorted(bank.questions[qid].correct)
    done = client.post(start.headers["location"], data=form, follow_redirects=False)
    assert done.status_code == 303
    result = client.get(done.headers["location"])
    assert "5/5" in result.text and "Đạt" in result.text
    assert "/mau-thu/bai-" in result.text  # links to the lesson sections
    assert code


def test_forms_without_the_csrf_token_are_refused(client, database):
    client.get(f"/quiz/{MODULE}")
    response = client.post(f"/quiz/{MODULE}/learner", data={"csrf_token": "forged", "full_name": "X",
                                                             "group": "citizen", "unit_code": "TN", "consent": "yes"})
    assert response.status_code == 403
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Learner)) == 0


@pytest.mark.parametrize("field, value, message", [
    ("consent", "", "đánh dấu đồng ý"),
    ("full_name", "  ", "họ và tên"),
    ("unit_code", "XYZ", "Không có đơn vị"),
])
def test_form_mistakes_are_shown_on_the_form_in_the_learners_language(client, field, value, message):
    page = client.get(f"/quiz/{MODULE}")
    form = {"csrf_token": csrf(page.text), "lang": "vi", "full_name": "Phạm Văn Cường", "group": "citizen",
            "unit_code": "TN-X-tan-thanh-25534", "consent": "yes"}
    form[field] = value
    response = client.post(f"/quiz/{MODULE}/learner", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert "Phạm Văn Cường" in response.text or field == "full_name"  # what was typed is kept


def test_english_pages_are_english(client):
    html = register(client, name="Jane", lang="en").text
    assert "Your learner code" in html and 'lang="en"' in html


def test_resume_with_a_code_on_another_device(client, app):
    code = re.search(r'id="learner-code">([^<]+)<', register(client).text).group(1)
    client.cookies.clear()
    page = client.get(f"/learner/resume?next=/quiz/{MODULE}")
    typo = code[:-1] + ("1" if code[-1] == "0" else "0")  # one wrong character: the check character catches it
    bad = client.post("/learner/resume", data={"csrf_token": csrf(page.text), "code": typo,
                                              "next": f"/quiz/{MODULE}"})
    assert bad.status_code == 404 and "gõ nhầm" in bad.text
    ok = client.post("/learner/resume", data={"csrf_token": csrf(page.text), "code": code.lower(),
                                             "next": f"/quiz/{MODULE}"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == f"/quiz/{MODULE}"
    assert "Bạn đang học với tên" in client.get(f"/quiz/{MODULE}").text


def test_resume_never_redirects_to_another_site(client):
    page = client.get("/learner/resume")
    response = client.post("/learner/resume", data={"csrf_token": csrf(page.text), "code": "x",
                                                   "next": "//evil.example"}, follow_redirects=False)
    assert "evil.example" not in response.headers.get("location", "")


def test_unknown_module_page_is_a_friendly_404(client):
    response = client.get("/quiz/khong-co")
    assert response.status_code == 404 and "khong-co" in response.text


def test_the_cooldown_is_explained_on_the_quiz_page_in_the_forms_language(client):
    registered = register(client, name="Trần Văn Bảy")
    start = client.post(f"/quiz/{MODULE}/start", data={"csrf_token": csrf(registered.text), "lang": "vi"},
                        follow_redirects=False)
    quiz = client.get(start.headers["location"])
    failed = client.post(start.headers["location"], data={"csrf_token": csrf(quiz.text), "allow_unanswered": "yes"},
                         follow_redirects=False)
    assert failed.status_code == 303  # nothing answered, submitted anyway: a failed attempt
    again = client.post(f"/quiz/{MODULE}/start", data={"csrf_token": csrf(quiz.text), "lang": "vi"},
                        headers={"accept-language": "en"}, follow_redirects=False)
    assert again.status_code == 429 and int(again.headers["retry-after"]) > 0
    assert "đọc lại bài học" in again.text and "Bắt đầu làm bài" in again.text


def started_quiz(client, name="Võ Thị Sáu"):
    """A registered learner's open attempt: (its URL, the quiz page, question ids in the order shown)."""
    registered = register(client, name=name)
    start = client.post(f"/quiz/{MODULE}/start", data={"csrf_token": csrf(registered.text), "lang": "vi"},
                        follow_redirects=False)
    quiz = client.get(start.headers["location"])
    return start.headers["location"], quiz, list(dict.fromkeys(re.findall(r'name="q_([^"]+)" value="', quiz.text)))


def ticked(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for qid, cid in re.findall(r'name="q_([^"]+)" value="([^"]+)" checked', html):
        found.setdefault(qid, []).append(cid)
    return {qid: sorted(cids) for qid, cids in found.items()}


def test_a_quiz_sent_with_questions_unanswered_comes_back_with_the_answers_kept(client, banks, database):
    url, quiz, qids = started_quiz(client)
    bank = banks[MODULE]
    # all right, one multiple-answer question with both its answers, but two questions left blank
    multiple = next((q for q in qids if bank.questions[q].type == "multiple"), qids[0])
    blank = [q for q in qids if q != multiple][-2:]
    given = {q: sorted(bank.questions[q].correct) for q in qids if q not in blank}
    form = {"csrf_token": csrf(quiz.text)} | {f"q_{q}": chosen for q, chosen in given.items()}
    back = client.post(url, data=form, follow_redirects=False)
    assert back.status_code == 422
    html = back.text
    assert ticked(html) == given  # what was ticked is ticked again, nothing else
    # listed at the top, in the order shown, linking to each question
    listed = re.search(r'<div class="admonition warning kns-unanswered" role="alert".*?</div>', html, re.DOTALL).group(0)
    numbers = [qids.index(q) + 1 for q in blank]
    assert re.findall(r'<a href="#q-([^"]+)">Câu (\d+)</a>', listed) == [(q, str(n)) for q, n in zip(blank, numbers)]
    assert "Còn 2 câu chưa trả lời" in listed
    for q in qids:  # each blank question marked, with a label a screen reader reads with it
        fieldset = re.search(rf'<fieldset class="([^"]+)" id="q-{re.escape(q)}"([^>]*)>', html)
        assert fieldset, q
        if q in blank:
            assert "is-unanswered" in fieldset.group(1)
            note = re.search(r'aria-describedby="([^"]+)"', fieldset.group(2)).group(1)
            assert re.search(rf'<p class="kns-unanswered-note" id="{note}">Chưa trả lời</p>', html)
        else:
            assert "is-unanswered" not in fieldset.group(1) and "aria-describedby" not in fieldset.group(2)
    assert 'name="allow_unanswered" value="yes"' in html
    assert client.get(f"{url}/result", follow_redirects=False).status_code == 303  # nothing recorded: still open
    # answered now: graded
    form |= {f"q_{q}": sorted(bank.questions[q].correct) for q in blank}
    done = client.post(url, data=form, follow_redirects=False)
    assert done.status_code == 303
    assert "5/5" in client.get(done.headers["location"]).text


def test_submit_anyway_grades_the_questions_answered(client, banks):
    url, quiz, qids = started_quiz(client)
    bank = banks[MODULE]
    form = {"csrf_token": csrf(quiz.text)} | {f"q_{q}": sorted(bank.questions[q].correct) for q in qids[:3]}
    back = client.post(url, data=form, follow_redirects=False)
    assert back.status_code == 422 and "Vẫn nộp bài" in back.text
    done = client.post(url, data=form | {"allow_unanswered": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    result = client.get(done.headers["location"]).text
    assert "3/5" in result and "Chưa đạt" in result


def test_an_unanswered_quiz_in_english_says_so_in_english(client, banks):
    registered = register(client, name="Jane", lang="en")
    start = client.post(f"/quiz/{MODULE}/start", data={"csrf_token": csrf(registered.text), "lang": "en"},
                        follow_redirects=False)
    quiz = client.get(start.headers["location"])
    back = client.post(start.headers["location"], data={"csrf_token": csrf(quiz.text)}, follow_redirects=False)
    assert back.status_code == 422
    assert "Question 1</a>" in back.text and "Not answered yet" in back.text and "Submit anyway" in back.text
    assert "Chưa trả lời" not in back.text
