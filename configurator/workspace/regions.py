"""The workspace's region files (``regions/``) and calendar files (``calendars/``) on disk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from configurator.diagnostics import Diagnostic, has_errors
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
    """Read and check region files against the (valid) bundles and the catalogues."""
    files = []
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as error:
            name = display_name(path)
            files.append(RegionFile(name, None, None, [Diagnostic("E120", name, 0, 0, (), {"reason": error.strerror or ""})]))
            continue
        files.append(read_region(raw, display_name(path), path.stem))
    diagnostics = [d for f in files for d in f.diagnostics]
    diagnostics += parent_problems(files)
    diagnostics += check_regions(files, bundles, catalogues)
    return RegionSet(files, diagnostics)
