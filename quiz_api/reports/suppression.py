"""Small-cell suppression: aggregate counts small enough to single a person out are hidden.

A count n with 0 < n < threshold is hidden (zero is shown: it describes nobody). A figure derived
from a hidden count (a rate, a mean, a gap) is hidden with it. When cells are published with their
total, one hidden cell could be recovered by subtraction, so a second cell is hidden too
(complementary suppression).
"""

from __future__ import annotations

from collections.abc import Sequence

from quiz_api.reports.formats import Suppressed


def is_small(count: int | None, threshold: int) -> bool:
    return count is not None and 0 < count < threshold


def hide_small(count: int | None, threshold: int) -> int | Suppressed | None:
    return Suppressed(threshold) if is_small(count, threshold) else count


def complementary(counts: Sequence[int | None], threshold: int) -> list[bool]:
    """Which cells of a group published with its total to hide (primary + complementary).

    If exactly one cell would be hidden, the smallest other non-zero cell is hidden too, so the
    total minus the shown cells gives only the sum of two hidden cells. (If every other cell is
    zero, the total equals the hidden cell and is itself small, so the total is hidden by the
    primary rule.)
    """
    hidden = [is_small(c, threshold) for c in counts]
    if sum(hidden) == 1:
        others = [(c, i) for i, c in enumerate(counts) if not hidden[i] and c]
        if others:
            hidden[min(others)[1]] = True
    return hidden


def shown(value: object, hidden: bool, threshold: int) -> object:
    """value, or the suppression marker when hidden."""
    return Suppressed(threshold) if hidden else value
