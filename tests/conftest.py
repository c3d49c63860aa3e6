import os

import pytest

from tests.helpers import ROOT


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a test from the repository root, as a user running `configurator check` would."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(autouse=True)
def _chinese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFIGURATOR_LANG", raising=False)
    assert os.environ.get("CONFIGURATOR_LANG") is None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output instead of comparing")
