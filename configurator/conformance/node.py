"""The JavaScript consumers (ajv, json-logic-js, feelin): one Node process over every target.

The script and its packages are the project's development tools (tests/js, installed by
``make tests/js/node_modules/.installed``); without Node or them, these consumers are reported
as skipped with that note rather than failing the run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from configurator.conformance.corpus import Target
from configurator.conformance.report import ConsumerResult, Disagreement

NODE_CONSUMERS = ("form.schema.json (ajv)", "routing.json (json-logic-js)", "form.ui.json (json-logic-js)",
                  "process.camunda8.bpmn (feelin)")


def _skipped(targets: Sequence[Target], why: str) -> list[ConsumerResult]:
    return [ConsumerResult(name, target.name, skipped=why) for target in targets for name in NODE_CONSUMERS]


def run_node(script: Path, runs: Sequence[tuple[Target, Mapping[str, str], dict[str, Any]]],
             folder: Path, timeout: float = 1800) -> list[ConsumerResult]:
    """Writes each target's artifacts and corpus under ``folder`` and runs ``script`` on them."""
    targets = [target for target, _, _ in runs]
    node = shutil.which("node")
    if node is None:
        return _skipped(targets, "Node.js is not installed")
    if not (script.parent / "node_modules" / "ajv").exists():
        return _skipped(targets, f"the JavaScript tools are not installed (npm ci --prefix {script.parent})")
    listed = []
    for index, (target, artifacts, data) in enumerate(runs):
        where = folder / f"{index}-{target.name}"
        where.mkdir(parents=True, exist_ok=True)
        for name, text in artifacts.items():
            (where / name).write_text(text, encoding="utf-8")
        (where / "corpus.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        listed.append({"name": target.name, "dir": str(where), "corpus": str(where / "corpus.json")})
    (folder / "run.json").write_text(json.dumps({"targets": listed}, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([node, str(script), str(folder / "run.json")], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        return _skipped(targets, f"the Node script failed: {done.stderr.strip()[-500:]}")
    results = []
    for found in json.loads(done.stdout)["results"]:
        result = ConsumerResult(found["consumer"], found["target"], found["checked"], skipped=found["skipped"])
        result.disagreements = [Disagreement(found["consumer"], found["target"], d["case"], d["input"], d["what"],
                                             d["expected"], d["got"]) for d in found["disagreements"]]
        results.append(result)
    return results
