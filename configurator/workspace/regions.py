"""The workspace's region files (``regions/``) and calendar files (``calendars/``) on disk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from configurator.diagnostics import Diagnostic, has_errors
from configurator.language.naming import bundle_names, merged_names, named
from configurator.language.region_rules import check_regions
from configurator.language.regions import RegionFile, Resolved, parent_problems, read_region, resolve
from configurator.model import Bundle, Catalogues
from configurator.planning.calendar import WorkingCalendar
from configurator.planning.calendar_files import read_calendars
from configurator.workspace.files import display_name

REGIONS_DIR = "regions"
CALENDARS_DIR = "calendars"


def calendar_files(root: Path) -> list[Path]:
    return sorted((root / CALENDARS_DIR).glob("*.yaml"))


def region_files(root: Path) -> list[Path]:
    return sorted((root / REGIONS_DIR).glob("*.yaml"))


def load_calendar(root: Path) -> tuple[WorkingCalendar, list[Diagnostic]]:
    return read_calendars((display_name(p), p.read_bytes()) for p in calendar_files(root))


@dataclass(frozen=True)
class RegionSet:
    files: list[RegionFile]
    diagnostics: list[Diagnostic]

    def valid_codes(self, *, allow_deviations: bool = False) -> list[str]:
        """Regions whose own file and whose parents' files have no errors, in code order
        (with ``allow_deviations``: no errors but forbidden deviations, which the report shows)."""
        bad = {d.file for d in self.diagnostics if has_errors([d]) and not (allow_deviations and d.code == "E604")}
        by_code = {f.region.code: f for f in self.files if f.region is not None}
        good = []
        for code in sorted(by_code):
            chain: list[RegionFile] = []
            current = code
            while current in by_code and len(chain) < 3:
                chain.append(by_code[current])
                current = by_code[current].region.parent or ""  # type: ignore[union-attr]
            if current == "" and all(f.filename not in bad for f in chain):
                good.append(code)
        return good

    def resolved(self, code: str) -> Resolved:
        return resolve({f.region.code: f.region for f in self.files if f.region is not None}, code)


def load_regions(paths: list[Path], bundles: Mapping[str, Bundle], catalogues: Catalogues) -> RegionSet:
    """Read and check region files on disk against the (valid) bundles and the catalogues."""
    files: list[tuple[str, bytes]] = []
    unreadable: list[RegionFile] = []
    for path in paths:
        try:
            files.append((display_name(path), path.read_bytes()))
        except OSError as error:
            name = display_name(path)
            unreadable.append(RegionFile(name, None, None, [Diagnostic("E120", name, 0, 0, (), {"reason": error.strerror or ""})]))
    found = check_region_sources(files, bundles, catalogues)
    return RegionSet(unreadable + found.files, [d for f in unreadable for d in f.diagnostics] + found.diagnostics)


def check_region_sources(files: list[tuple[str, bytes]], bundles: Mapping[str, Bundle], catalogues: Catalogues) -> RegionSet:
    """Region files given as (name, bytes), e.g. read from a git tree; each name ends in <code>.yaml."""
    read = [read_region(raw, name, name.rsplit("/", 1)[-1].removesuffix(".yaml")) for name, raw in files]
    diagnostics = [d for f in read for d in f.diagnostics]
    diagnostics += parent_problems(read)
    names = merged_names([bundle_names(bundle, catalogues) for bundle in bundles.values()]
                         + [{b.id: {"zh-CN": b.name.get("zh-CN"), "en": b.name.get("en")} for b in bundles.values()}])
    diagnostics += named(check_regions(read, bundles, catalogues), names)
    return RegionSet(read, diagnostics)


def check_region_tree(files: Mapping[str, bytes], bundles: Mapping[str, Bundle], catalogues: Catalogues) -> list[Diagnostic]:
    """The problems of the region and calendar files among a tree's files (path → bytes)."""
    regions = [(n, b) for n, b in sorted(files.items()) if n.startswith(f"{REGIONS_DIR}/") and n.endswith(".yaml")]
    calendars = [(n, b) for n, b in sorted(files.items()) if n.startswith(f"{CALENDARS_DIR}/") and n.endswith(".yaml")]
    return check_region_sources(regions, bundles, catalogues).diagnostics + read_calendars(calendars)[1]

