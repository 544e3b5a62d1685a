"""Every lockaudit the tests start, in this process or as a child, uses one fresh fact cache
for the session, never the user's own."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["LOCKAUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("lockaudit-cache"))
