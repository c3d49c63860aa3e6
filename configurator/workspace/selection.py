"""The files a command is given, each read as what it is.

A workspace holds four kinds of YAML file, told apart by their folder: bundles, catalogues,
regions and calendars. ``configurator check regions/`` or ``check catalogues/fields.yaml`` must
check those files as region and catalogue files (read as bundles, each gave some twenty
meaningless errors), and ``build WS`` builds the bundles of the workspace folder, not its
catalogues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from configurator.diagnostics import Diagnostic, sort_diagnostics
from configurator.language.check import BundleCheck, check_catalogues
from configurator.language.loader import read_limited
from configurator.planning.calendar_files import read_calendars
from configurator.workspace.files import (
    CATALOGUES_DIR,
    Workspace,
    display_name,
    expand_paths,
    process_files,
)
from configurator.workspace.regions import CALENDARS_DIR, REGIONS_DIR, calendar_files, load_regions, region_files


@dataclass(frozen=True)
class Selection:
    bundles: list[Path]
    regions: list[Path]
    calendars: list[Path]
    catalogues: list[Path]


def select_files(workspace: Workspace, paths: Sequence[Path]) -> Selection:
    """The files named (the .yaml files in folders named), sorted by kind. No paths, or the
    workspace folder itself, mean its bundles, regions and calendars (its catalogues are read by
    every command anyway)."""
    root = workspace.root.resolve()
    named: list[Path] = []
    whole: list[Path] = []
    for path in paths or [workspace.root]:
        if path.is_dir() and path.resolve() == root:
            # listed, not looked up: a broken link among them is E120 when read, as in bundles/
            whole += [*expand_paths([workspace.bundles_dir]), *region_files(root), *calendar_files(root)]
        else:
            named.append(path)
    files = list(dict.fromkeys(whole + expand_paths(named)))
    catalogues_dir = workspace.catalogues_dir.resolve()
    kinds: dict[str, list[Path]] = {"bundles": [], "regions": [], "calendars": [], "catalogues": []}
    for file in files:
        folder = file.resolve().parent
        if folder == catalogues_dir or folder.name == CATALOGUES_DIR:
            kinds["catalogues"].append(file)
        elif folder.name == REGIONS_DIR:
            kinds["regions"].append(file)
        elif folder.name == CALENDARS_DIR:
            kinds["calendars"].append(file)
        else:
            kinds["bundles"].append(file)
    return Selection(**kinds)


@dataclass(frozen=True)
class Checked:
    """What `check` found: one entry per file given (bundles with their own diagnostics) and
    every diagnostic to show."""

    files: list[BundleCheck]
    diagnostics: list[Diagnostic]


def check_selection(workspace: Workspace, selection: Selection, jobs: int | None = None) -> Checked:
    """Bundles as bundles; region files against the workspace's bundles and all its regions (a
    region inherits from its parents); calendar files together with the workspace's; catalogue
    files as catalogues. Only the problems of the files given are shown."""
    catalogue_check = workspace.catalogue_check
    catalogues = catalogue_check.catalogues
    results = [o.check for o in process_files(selection.bundles, catalogues, jobs=jobs,
                                               keep_models=bool(selection.regions))]
    diagnostics = catalogue_check.diagnostics + [d for r in results for d in r.diagnostics]
    named = {display_name(p) for p in selection.regions + selection.calendars}
    if selection.regions:
        bundles = {r.bundle.id: r.bundle for r in results if r.bundle is not None}
        given = {p.resolve() for p in selection.bundles}
        others = [p for p in workspace.bundle_files() if p.resolve() not in given]
        for outcome in process_files(others, catalogues, keep_models=True):  # what regions refer to
            if outcome.check.bundle is not None:
                bundles.setdefault(outcome.check.bundle.id, outcome.check.bundle)
        found = load_regions(_union(region_files(workspace.root), selection.regions), bundles, catalogues)
        diagnostics += [d for d in found.diagnostics if d.file in named]
    if selection.calendars:
        readable, unreadable = _read(_union(calendar_files(workspace.root), selection.calendars))
        _, problems = read_calendars(readable)
        diagnostics += [d for d in problems + unreadable if d.file in named]
    ours = {p.resolve() for p in workspace.catalogue_files()}
    foreign = [p for p in selection.catalogues if p.resolve() not in ours]
    if foreign:  # catalogue files of another folder, checked on their own
        readable, unreadable = _read(foreign)
        diagnostics += check_catalogues(readable).diagnostics + unreadable
    results += [BundleCheck(display_name(p), None, []) for p in selection.regions + selection.calendars
                + selection.catalogues]
    return Checked(results, sort_diagnostics(diagnostics))


def _read(paths: list[Path]) -> tuple[list[tuple[str, bytes]], list[Diagnostic]]:
    """(name, bytes) of the files that can be read, and E120 for those that cannot."""
    readable, unreadable = [], []
    for path in paths:
        try:
            readable.append((display_name(path), read_limited(path)))
        except OSError as error:
            name = display_name(path)
            unreadable.append(Diagnostic("E120", name, 0, 0, (), {"reason": error.strerror or type(error).__name__}))
    return readable, unreadable


def _union(first: list[Path], second: list[Path]) -> list[Path]:
    seen = {p.resolve() for p in first}
    return first + [p for p in second if p.resolve() not in seen]
