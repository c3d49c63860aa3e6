"""Test helpers: inline YAML in, diagnostics out, asserted by code and place."""

from __future__ import annotations

import functools
import textwrap
from pathlib import Path

from configurator.diagnostics import Diagnostic
from configurator.language.check import BundleCheck, check_bundle
from configurator.model import Catalogues
from configurator.workspace.files import Workspace

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
BASE_BUNDLE = (CORPUS / "base.yaml").read_text(encoding="utf-8")


@functools.cache
def shipped_catalogues() -> Catalogues:
    check = Workspace.find(ROOT).catalogue_check
    assert not check.diagnostics, check.diagnostics
    return check.catalogues


def check_text(text: str, filename: str = "bundles/base.yaml") -> BundleCheck:
    return check_bundle(textwrap.dedent(text).encode("utf-8"), filename, shipped_catalogues())


def base_with(old: str, new: str) -> str:
    """The base bundle of the corpus with one edit (which must apply exactly once)."""
    assert BASE_BUNDLE.count(old) == 1, f"{old!r} occurs {BASE_BUNDLE.count(old)} times"
    return BASE_BUNDLE.replace(old, new)


def codes(check: BundleCheck) -> list[str]:
    return [d.code for d in check.diagnostics]


def only(check: BundleCheck, code: str) -> Diagnostic:
    """The one diagnostic with ``code``, failing with all diagnostics shown otherwise."""
    found = [d for d in check.diagnostics if d.code == code]
    assert len(found) == 1, f"expected one {code}, got: " + "; ".join(
        f"{d.code}@{d.line}:{d.column} {d.message('en')}" for d in check.diagnostics)
    return found[0]


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")
