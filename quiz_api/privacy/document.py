"""The learner's data as one document (API answer and JSON download): the stored rows plus labels."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from quiz_api.banks import Bank
from quiz_api.certificates import service as certificates
from quiz_api.config import Settings
from quiz_api.db import utcnow
from quiz_api.labels import GROUPS, t


def data_document(export: dict[str, Any], *, banks: dict[str, Bank], settings: Settings, lang: str,
                  base_url: str | None = None) -> dict[str, Any]:
    """privacy.export() with what a person needs to read it: group, unit and module names,
    certificate status and links, and when the data will be erased if the learner stays away.
    base_url: the address the request came to (links use it when no public URL is configured)."""
    profile = export["profile"]
    base = settings.public_base(base_url)
    attempts = [{**a, "module_title": banks[a["module_id"]].title[lang] if a["module_id"] in banks else None}
                for a in export["attempts"]]
    certs = [{
        **c,
        "status": "revoked" if c["revoked_at"] else "valid",
        "title": certificates.title(kind=c["kind"], subject=c["subject"], banks=banks, lang=lang),
        "certificate_url": f"{base}/certificates/{c['code']}",
        "verify_url": certificates.verify_url(base, c["code"]),
    } for c in export["certificates"]]
    return {
        "about": t("export_about", lang),
        "exported_at": utcnow(),
        "profile": {**profile, "group_name": GROUPS.get(profile["group"], {}).get(lang),
                    "unit_name": export["unit_name"]},
        "consent": export["consent"],
        "retention": {
            "days": settings.retention_days,
            "erased_if_inactive_until": profile["last_seen_at"] + timedelta(days=settings.retention_days),
        },
        "attempts": attempts,
        "certificates": certs,
        "classes": export.get("classes", []),
    }
