from __future__ import annotations

from collections.abc import Iterator

import pytest

from jiesu.hotspots import live


@pytest.fixture(autouse=True)
def _fresh_live_index() -> Iterator[None]:
    """Each test's database is rolled back: the per-process index must not outlive it."""
    live.forget()
    yield
    live.forget()
