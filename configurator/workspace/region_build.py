"""Building per-region artifacts and the cross-region report from a workspace.

    DIR/regions/<code>/<bundle-id>/form.schema.json … notice.md, notice.html, region.json
    DIR/regions/index.json  every region built: its chain and each artifact's SHA-256
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from configurator.diagnostics import Diagnostic
from configurator.jsontext import dump_json
from configurator.language.regions import Resolved
from configurator.model import Bundle
from configurator.present.region_report import region_cells, render
from configurator.workspace.files import Workspace, WorkspaceError, process_files
from configurator.workspace.regions import RegionSet, load_regions, region_files
from configurator.writers.regional import render_region

ALL = "all"


class RegionBuildError(WorkspaceError):
    """A usage problem: no regions/ folder, or a region code with no valid file."""


def workspace_regions(workspace: Workspace) -> tuple[dict[str, Bundle], RegionSet, list[Diagnostic]]:
    """The valid bundles, the checked region files, and the bundles' own problems."""
    catalogues = workspace.catalogue_check.catalogues
    outcomes = process_files(workspace.bundle_files(), catalogues, keep_models=True)
    bundles = {o.check.bundle.id: o.check.bundle for o in outcomes if o.check.bundle is not None}
    problems = workspace.catalogue_check.diagnostics + [d for o in outcomes for d in o.check.diagnostics]
    return bundles, load_regions(region_files(workspace.root), bundles, catalogues), problems


def build_regions(workspace: Workspace, out_dir: Path, codes: list[str], lang: str) -> tuple[int, list[Diagnostic]]:
    """Write every valid bundle for each region named (or all); regions with errors are not built."""
    bundles, regions, problems = workspace_regions(workspace)
    known = {f.region.code for f in regions.files if f.region is not None}
    if not known:
        raise RegionBuildError("工作区没有地区文件（regions/<代码>.yaml）", "the workspace has no region files (regions/<code>.yaml)")
    wanted = sorted(known) if ALL in codes else list(dict.fromkeys(codes))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise RegionBuildError(f"没有地区“{unknown[0]}”的文件；已有：{', '.join(sorted(known))}",
                               f"no region file for \"{unknown[0]}\"; known: {', '.join(sorted(known))}")
    valid = set(regions.valid_codes())
    target_root = out_dir / "regions"
    target_root.mkdir(parents=True, exist_ok=True)
    built, index = 0, []
    for code in wanted:
        if code not in valid:
            continue  # its problems are printed; it is not built
        resolved = regions.resolved(code)
        entry = {"code": code, "name": resolved.region.name.get(lang), "inherits": [r.code for r in resolved.chain[:-1]],
                 "bundles": {}}
        for bundle_id, bundle in sorted(bundles.items()):
            artifacts = render_region(bundle, workspace.catalogue_check.catalogues, resolved, lang)
            entry["bundles"][bundle_id] = _write_atomically(target_root / code / bundle_id, artifacts)  # type: ignore[index]
            built += 1
        index.append(entry)
    temporary = target_root / ".index.json.tmp"
    temporary.write_text(dump_json({"language": lang, "regions": index}), encoding="utf-8")
    temporary.replace(target_root / "index.json")
    return built, problems + regions.diagnostics


def _write_atomically(target: Path, artifacts: dict[str, str]) -> dict[str, str]:
    """The folder is written beside its place and renamed in: a reader never sees half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    hashes = {}
    try:
        for name, text in artifacts.items():
            data = text.encode("utf-8")
            (staging / name).write_bytes(data)
            hashes[name] = hashlib.sha256(data).hexdigest()
        os.chmod(staging, 0o755)
        old = target.parent / f".{target.name}.old"
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return hashes


def workspace_region(workspace: Workspace, code: str) -> Resolved:
    """Region ``code`` with what it inherits (to resolve a case for it); RegionBuildError when unusable."""
    _, regions, _ = workspace_regions(workspace)
    if code not in regions.valid_codes():
        raise RegionBuildError(f"没有可用的地区“{code}”（没有地区文件，或文件有错误：请运行 configurator check）",
                               f"no usable region \"{code}\" (no region file, or it has errors: run configurator check)")
    return regions.resolved(code)


def region_report(workspace: Workspace, output_format: str, lang: str) -> tuple[str, int]:
    """The report's text and the number of violations (forbidden deviations)."""
    bundles, regions, _ = workspace_regions(workspace)
    resolved = [regions.resolved(code) for code in regions.valid_codes(allow_deviations=True)]
    cells = region_cells(resolved, bundles)
    return render(cells, output_format, lang), sum(len(c.violations) for c in cells)
