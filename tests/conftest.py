import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import ROOT


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one per test module (tests/browser.py launches it)."""
    from tests.browser import chromium

    with chromium() as launched:
        yield launched


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


def pytest_sessionstart(session: pytest.Session) -> None:
    """The admin's compiled catalogues (configurator/web/translations/*/LC_MESSAGES/messages.mo) are
    built by make from the .po files; a test run started without make (or after a pull that changed
    a .po) compiles the stale ones the same way, so English tests never run against an old catalogue."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "configurator" / "web" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)
