from __future__ import annotations

from collections.abc import Iterator

import pytest

from opencpf.search import runtime


@pytest.fixture(autouse=True)
def _fresh_index(frozen_clock) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Each test builds its own index from its own catalogue (dates frozen at 2026-03-02)."""
    runtime.reset(None)
    yield
    runtime.reset(None)
