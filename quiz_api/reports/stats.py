"""Question statistics (classical item analysis on first attempts), as pure formulas.

For each question, over the learners' first attempts at the module (attempt_no = 1) that drew it:

- x = 1 if the learner answered the question right, else 0;
- y = the learner's score on the *other* questions of that attempt: (correct_count − x) / (question_count − 1).

Facility index   FI = Σx / n          — the share who got it right (Moodle's "facility index").
Discrimination   DI = Pearson correlation of x and y
                    = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)),  with Σx² = Σx as x is 0 or 1
                 — do learners who do well on the rest of the test get this question right more
                   often than those who do badly? (Moodle's "discrimination index", on a −1…1 scale.)

Non-functioning distractors: the wrong options no first-attempt learner picked (counted per
chosen answer by the database), flagged once enough learners answered.

The sums are computed by the database (GROUP BY question); only these formulas run in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TOO_EASY = 0.90  # more than 90% right: it checks nothing
TOO_HARD = 0.30  # fewer than 30% right: unclear, or not taught
WEAK_DISCRIMINATION = 0.20  # below this it hardly tells stronger from weaker learners


@dataclass(frozen=True)
class Sums:
    n: int
    sx: float  # Σx = number right
    sy: float  # Σy
    sxy: float  # Σxy
    syy: float  # Σy²


def facility(s: Sums) -> float | None:
    return s.sx / s.n if s.n else None


def discrimination(s: Sums) -> float | None:
    """Pearson r between x and y; None when either never varies (everyone right, or equal rest scores)."""
    if s.n < 2:
        return None
    vx = s.n * s.sx - s.sx * s.sx
    vy = s.n * s.syy - s.sy * s.sy
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    r = (s.n * s.sxy - s.sx * s.sy) / math.sqrt(vx * vy)
    return max(-1.0, min(1.0, r))


def unused_options(picks: dict[str, int], wrong: list[str]) -> list[str]:
    """The wrong options nobody picked: a distractor that does not function makes the question
    easier to guess (with one left, a true/false question in disguise)."""
    return [choice for choice in wrong if not picks.get(choice)]


def flags(n: int, fi: float | None, di: float | None, min_responses: int,
          unused: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Plain-language warnings for authors, most urgent first (their words: `flag.<name>` in the catalogue)."""
    if n < min_responses:
        return ["few_responses"]
    out = []
    if di is not None and di < 0:
        out.append("misleading")
    if fi is not None and fi > TOO_EASY:
        out.append("too_easy")
    if fi is not None and fi < TOO_HARD:
        out.append("too_hard")
    if di is not None and 0 <= di < WEAK_DISCRIMINATION:
        out.append("not_discriminating")
    if unused:
        out.append("unused_distractors")
    return out
