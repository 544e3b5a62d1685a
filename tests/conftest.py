"""Every lockaudit the tests start, in this process or as a child, uses one fresh fact cache
for the session, never the user's own; and the hypothesis profiles."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# CI runs the property tests derandomised and without deadlines, so they cannot be flaky;
# a developer's run explores new examples each time.
settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite each fixture's golden from what lockaudit reports now, and show the diff to read.",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["LOCKAUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("lockaudit-cache"))
