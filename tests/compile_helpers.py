"""Compiling the shipped bundles once per test session."""

from __future__ import annotations

import functools

from configurator.writers import Compiled
from tests.helpers import ROOT, check_text, shipped_catalogues

SHIPPED_IDS = sorted(p.stem for p in (ROOT / "bundles").glob("*.yaml"))


@functools.cache
def compiled(bundle_id: str) -> Compiled:
    path = ROOT / "bundles" / f"{bundle_id}.yaml"
    result = check_text(path.read_text(encoding="utf-8"), f"bundles/{bundle_id}.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    return Compiled(result.bundle, shipped_catalogues())
