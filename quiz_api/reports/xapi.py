"""xAPI statements for a learning record store.

One `passed` or `failed` statement per submitted attempt, plus `completed` for the attempt that
first passed the module. The actor is an account {homePage: public_url, name: pseudonym}: the
pseudonym is a random id with no link to a name or an email. Statement ids are UUIDv5 of the
pseudonym, module, attempt number and verb, so exporting twice gives the same ids and an LRS keeps
one copy; erasure replaces the pseudonym, so nothing exported afterwards links to what was before.
The attempt id never appears: it is the learner's secret (enough to submit the attempt).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from quiz_api.labels import LANGS, PRODUCT, t

TAGS = {"vi": "vi-VN", "en": "en-US"}  # the language tags of xAPI's language maps
VERBS = {
    verb: {"id": f"http://adlnet.gov/expapi/verbs/{verb}",
           "display": {TAGS[lang]: t(f"xapi.{verb}", lang) for lang in LANGS}}
    for verb in ("passed", "failed", "completed")
}
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
MODULE = "http://adlnet.gov/expapi/activities/module"
_NAMESPACE = uuid.UUID("6f0e9a53-8c1e-4d2b-9a55-3f7f0d1c2b10")


def iso_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def timestamp(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"  # stored as naive UTC


def statements(
    *, public_url: str, attempt_no: int, pseudonym: str, group: str, module_id: str, module_title: dict[str, str],
    lang: str, started_at: datetime, submitted_at: datetime, score: float, correct_count: int,
    question_count: int, passed: bool, first_pass: bool,
) -> list[dict[str, Any]]:
    """The statements one submitted attempt gives (passed or failed, and completed on the first pass)."""
    base = public_url.rstrip("/")
    quiz = {
        "objectType": "Activity",
        "id": f"{base}/quiz/{module_id}",
        "definition": {"type": ASSESSMENT,
                       "name": {TAGS[lang]: t("xapi.quiz_name", lang, title=module_title.get(lang, module_id))
                                for lang in LANGS}},
    }
    module = {
        "objectType": "Activity",
        "id": f"{base}/modules/{module_id}",
        "definition": {"type": MODULE, "name": {"vi-VN": module_title.get("vi", module_id),
                                                "en-US": module_title.get("en", module_id)}},
    }
    actor = {"objectType": "Agent", "account": {"homePage": base, "name": pseudonym}}
    extensions = {f"{base}/xapi/ext/learner-group": group, f"{base}/xapi/ext/attempt-number": attempt_no}
    language = TAGS.get(lang, TAGS["vi"])
    result = {
        "score": {"scaled": round(max(-1.0, min(1.0, float(score))), 4), "raw": correct_count, "min": 0,
                  "max": question_count},
        "success": bool(passed),
        "completion": True,
        "duration": iso_duration((submitted_at - started_at).total_seconds()),
    }
    out = []
    verbs = ["passed" if passed else "failed"] + (["completed"] if passed and first_pass else [])
    for verb in verbs:
        on_module = verb == "completed"  # the module is complete; the quiz was passed or failed
        context: dict[str, Any] = {"platform": PRODUCT, "language": language, "extensions": extensions}
        if not on_module:
            context["contextActivities"] = {"parent": [{"objectType": "Activity", "id": module["id"]}]}
        out.append({
            "id": str(uuid.uuid5(_NAMESPACE, f"{pseudonym}:{module_id}:{attempt_no}:{verb}")),
            "timestamp": timestamp(submitted_at),
            "actor": actor,
            "verb": VERBS[verb],
            "object": module if on_module else quiz,
            "result": result,
            "context": context,
            "version": "1.0.3",
        })
    return out
