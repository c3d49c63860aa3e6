"""Writing the artifacts of many bundles to a folder, with an index portals can trust.

    DIR/<bundle-id>/form.schema.json, form.ui.json, form.html, form.formcreate.json, notice.md,
                    notice.html, routing.json, metrics.json, process.bpmn, process.camunda8.bpmn
    DIR/index.json  every bundle built: version, lead department, each artifact's SHA-256,
                    and the source commit when the workspace is a git repository

Same input, byte-identical output: nothing time- or machine-dependent is written. Each
bundle's folder is written next to its final place and renamed into it, so a reader never
sees half a bundle.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from configurator import __version__
from configurator.jsontext import dump_json
from configurator.model import Bundle, Catalogues
from configurator.workspace.git import source_commit
from configurator.writers import render

INDEX = "index.json"


@dataclass(frozen=True)
class BuiltBundle:
    """What the index says of a built bundle (small: it travels back from worker processes)."""

    id: str
    name: str
    version: str
    lead_department: str
    hashes: dict[str, str]


def write_bundle(out_dir: Path, bundle: Bundle, catalogues: Catalogues, lang: str = "zh-CN") -> BuiltBundle:
    artifacts = render(bundle, catalogues, lang)
    target = out_dir / bundle.id
    staging = Path(tempfile.mkdtemp(prefix=f".{bundle.id}.", dir=out_dir))
    try:
        hashes = {}
        for name, text in artifacts.items():
            data = text.encode("utf-8")
            (staging / name).write_bytes(data)
            hashes[name] = hashlib.sha256(data).hexdigest()
        os.chmod(staging, 0o755)
        previous = None
        if target.exists():
            previous = out_dir / f".{bundle.id}.old"
            shutil.rmtree(previous, ignore_errors=True)
            target.rename(previous)
        staging.rename(target)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuiltBundle(bundle.id, bundle.name.get(lang), bundle.version, bundle.lead_department, hashes)


def write_index(out_dir: Path, built: Iterable[BuiltBundle], *, workspace_root: Path, lang: str = "zh-CN",
                source: dict[str, Any] | None = None) -> None:
    index = {
        "generator": f"configurator {__version__}",
        "language": lang,
        "source": source if source is not None else source_commit(workspace_root),
        "bundles": [
            {
                "id": b.id,
                "name": b.name,
                "version": b.version,
                "lead_department": b.lead_department,
                "artifacts": {name: {"path": f"{b.id}/{name}", "sha256": digest} for name, digest in b.hashes.items()},
            }
            for b in sorted(built, key=lambda b: b.id)
        ],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    temporary = out_dir / f".{INDEX}.tmp"
    temporary.write_text(dump_json(index), encoding="utf-8")
    temporary.replace(out_dir / INDEX)
