"""Bundle and catalogue files on disk: where they are, reading them, checking many at once.

A workspace is a folder holding ``bundles/`` (one ``<id>.yaml`` per bundle) and
``catalogues/`` (``*.yaml`` files of departments, materials and fields).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from configurator.diagnostics import Diagnostic
from configurator.language.check import BundleCheck, CatalogueCheck, check_bundle, check_catalogues
from configurator.language.loader import read_limited
from configurator.model import Catalogues

if TYPE_CHECKING:
    from configurator.workspace.output import BuiltBundle

BUNDLES_DIR = "bundles"
CATALOGUES_DIR = "catalogues"
# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64


class WorkspaceError(Exception):
    """A usage problem: a path that does not exist, no catalogues to check against."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def display_name(path: Path) -> str:
    """How a file is named to the user: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Workspace:
    root: Path
    catalogues_dir: Path

    @classmethod
    def find(cls, start: Path, catalogues_dir: Path | None = None) -> Workspace:
        """The workspace around ``start``: the nearest folder upwards that has catalogues/."""
        if catalogues_dir is not None:
            if not catalogues_dir.is_dir():
                raise WorkspaceError(f"找不到目录文件夹 {catalogues_dir}", f"no catalogues folder at {catalogues_dir}")
            return cls(catalogues_dir.resolve().parent, catalogues_dir)
        here = start.resolve()
        for folder in [here, *here.parents] if here.is_dir() else list(here.parents):
            if (folder / CATALOGUES_DIR).is_dir():
                return cls(folder, folder / CATALOGUES_DIR)
        raise WorkspaceError(
            f"在 {start} 及其上级目录中找不到 {CATALOGUES_DIR}/ 目录；请在工作区中运行，或用 --catalogues 指定",
            f"no {CATALOGUES_DIR}/ folder in {start} or above it; run inside a workspace or pass --catalogues")

    @property
    def bundles_dir(self) -> Path:
        return self.root / BUNDLES_DIR

    def catalogue_files(self) -> list[Path]:
        return sorted(self.catalogues_dir.glob("*.yaml"))

    def bundle_files(self) -> list[Path]:
        return sorted(self.bundles_dir.glob("*.yaml"))

    @cached_property
    def catalogue_check(self) -> CatalogueCheck:
        return check_catalogues(_read_all(self.catalogue_files()))


def _read_all(files: Iterable[Path]) -> list[tuple[str, bytes]]:
    return [(display_name(path), read_limited(path)) for path in files]


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named, and the .yaml files inside folders named (recursively), each once, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml") if not p.is_dir()))
        elif path.exists():
            found.append(path)
        else:
            raise WorkspaceError(f"找不到 {path}", f"{path} does not exist")
    unique: dict[Path, None] = dict.fromkeys(found)
    return list(unique)


def _unreadable(path: Path, error: OSError) -> BundleCheck:
    name = display_name(path)
    reason = error.strerror or type(error).__name__
    return BundleCheck(name, None, [Diagnostic("E120", name, 0, 0, (), {"reason": reason})])


def check_file(path: Path, catalogues: Catalogues) -> BundleCheck:
    try:
        raw = read_limited(path)  # the size limit holds before the file is in memory
    except OSError as error:
        return _unreadable(path, error)
    name = display_name(path)
    try:
        return check_bundle(raw, name, catalogues)
    except Exception as error:  # a bug of ours: report it like any problem, never a traceback
        return _internal_error(name, error)


def _internal_error(name: str, error: Exception) -> BundleCheck:
    return BundleCheck(name, None, [Diagnostic("E900", name, 0, 0, (), {"error": f"{type(error).__name__}: {error}"})])


@dataclass(frozen=True)
class Outcome:
    """One file: its check, and what was written for it when building."""

    check: BundleCheck
    built: BuiltBundle | None = None


@dataclass(frozen=True)
class _Job:
    catalogues: Catalogues
    out_dir: Path | None
    lang: str
    keep_models: bool


def _process(path: Path, job: _Job) -> Outcome:
    check = check_file(path, job.catalogues)
    built = None
    if job.out_dir is not None and check.bundle is not None:
        try:
            from configurator.workspace.output import write_bundle  # only a build loads the writers

            built = write_bundle(job.out_dir, check.bundle, job.catalogues, job.lang)
        except Exception as error:  # never a traceback: the bundle is reported and not built
            return Outcome(_internal_error(check.filename, error))
    if not job.keep_models:
        # Models stay in the worker: sending them back costs more than checking did.
        check = BundleCheck(check.filename, None, check.diagnostics)
    return Outcome(check, built)


# Worker processes receive the job once, when they start.
_worker_job: _Job | None = None


def _start_worker(job: _Job, cwd: str) -> None:
    global _worker_job
    _worker_job = job
    os.chdir(cwd)


def _process_batch(paths: list[Path]) -> list[Outcome]:
    assert _worker_job is not None
    return [_process(path, _worker_job) for path in paths]


def process_files(paths: Sequence[Path], catalogues: Catalogues, *, jobs: int | None = None,
                  out_dir: Path | None = None, lang: str = "zh-CN", keep_models: bool = False,
                  on_progress: Callable[[int], None] | None = None) -> list[Outcome]:
    """Check many bundle files, and write the artifacts of the valid ones when ``out_dir`` is
    given; in several processes when there are enough files to be worth it."""
    job = _Job(catalogues, out_dir, lang, keep_models)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD or keep_models:
        outcomes = []
        for path in paths:
            outcomes.append(_process(path, job))
            if on_progress:
                on_progress(1)
        return outcomes
    from concurrent.futures import ProcessPoolExecutor  # only here: a serial check skips its import

    chunk = max(8, len(paths) // (jobs * 8))
    batches = [list(paths[i:i + chunk]) for i in range(0, len(paths), chunk)]
    outcomes = []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(job, os.getcwd())) as pool:
        for batch in pool.map(_process_batch, batches):
            outcomes.extend(batch)
            if on_progress:
                on_progress(len(batch))
    return outcomes
