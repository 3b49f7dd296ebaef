"""The one clock of the learning loop: every due date and every review time comes from `now()`.

Tests move it with `study.clock.frozen(at)`; nothing else in `study` calls `timezone.now()`.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, aware, in UTC (what FSRS requires)."""
    return (_frozen or timezone.now()).astimezone(UTC)


@contextlib.contextmanager
def frozen(at: datetime):
    """Within the block, `now()` is `at` (aware). Nestable; restores the previous value."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
