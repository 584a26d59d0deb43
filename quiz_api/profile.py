"""The province profile (profile.yaml in settings.profile_dir): read once, used everywhere.

Everything that changes when another province adopts the platform lives there: the province's
name printed on certificates, the programme, and the operator who answers learners' data requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml


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
    )
