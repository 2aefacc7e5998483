"""An injectable clock. Code asks `clock.now()` / `clock.today()`; tests freeze and move it.

A frozen time can also come from the environment (OPENCPF_FROZEN_NOW, ISO 8601) so that
subprocesses started by tests share the test's clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def now() -> dt.datetime:
    if _frozen is not None:
        return _frozen
    env_value = os.environ.get("OPENCPF_FROZEN_NOW")
    if env_value:
        return _aware(dt.datetime.fromisoformat(env_value))
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def freeze(at: dt.datetime | dt.date) -> None:
    global _frozen
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(10, 0))
    _frozen = _aware(at)


def move(delta: dt.timedelta) -> dt.datetime:
    """Move a frozen clock forward (or back); freezes at now() first if needed."""
    moved = now() + delta
    freeze(moved)
    return moved


def unfreeze() -> None:
    global _frozen
    _frozen = None


@contextlib.contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    previous = _frozen
    freeze(at)
    try:
        yield
    finally:
        globals()["_frozen"] = previous
