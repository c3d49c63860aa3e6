"""What a conformance run covers: bundle files checked against a workspace's catalogues, and
with ``regions`` every region that binds one of them (its regional bundle, artifacts and
working-day calendar)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from configurator.conformance.corpus import Target
from configurator.planning.compiled import Compiled
from configurator.planning.regional import regional_bundle
from configurator.workspace.files import Workspace, check_file
from configurator.workspace.regions import load_calendar, load_regions, region_files
from configurator.writers import render_compiled
from configurator.writers.regional import render_region


@dataclass(frozen=True)
class Loaded:
    targets: list[tuple[Target, dict[str, str]]]  # each with its artifacts
    invalid: list[str]  # bundle files that did not pass the check (not run)


def load_targets(workspace: Workspace, paths: Sequence[Path], *, regions: bool = False, received: dt.date | None = None,
                 lang: str = "zh-CN", more_regions: Sequence[Path] = ()) -> Loaded:
    """``more_regions``: region files read beside the workspace's (regions written for test bundles)."""
    catalogues = workspace.catalogue_check.catalogues
    calendar, _ = load_calendar(workspace.root)
    targets: list[tuple[Target, dict[str, str]]] = []
    invalid = []
    bundles = {}
    for path in paths:
        checked = check_file(path, catalogues)
        if checked.bundle is None:
            invalid.append(str(path))
            continue
        bundles[checked.bundle.id] = checked.bundle
        compiled = Compiled(checked.bundle, catalogues, lang)
        targets.append((Target(compiled, None, calendar, received), render_compiled(compiled)))
    if regions:
        found = load_regions([*region_files(workspace.root), *more_regions], bundles, catalogues)
        for code in found.valid_codes():
            resolved = found.resolved(code)
            for bundle_id, bundle in bundles.items():
                if bundle_id not in resolved.bindings:
                    continue
                compiled = Compiled(regional_bundle(bundle, resolved.binding(bundle_id)), catalogues, lang)
                targets.append((Target(compiled, code, calendar.for_region(code), received),
                                render_region(bundle, catalogues, resolved, lang)))
    return Loaded(targets, invalid)
