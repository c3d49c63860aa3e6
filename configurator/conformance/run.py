"""A whole run: the corpus of every target, read by every consumer that can run here."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from configurator.conformance.corpus import Target, corpus
from configurator.conformance.engines import form_post_runner, pre_check_runner, run_spiffworkflow
from configurator.conformance.node import run_node
from configurator.conformance.report import ConsumerResult
from configurator.conformance.runners import PYTHON_RUNNERS, Runner


def first_cases(data: dict[str, Any], count: int | None) -> dict[str, Any]:
    """The corpus with at most ``count`` cases of each kind, and their applications."""
    if count is None:
        return data
    seen: dict[str, int] = {}
    cases = []
    for case in data["cases"]:
        seen[case["kind"]] = seen.get(case["kind"], 0) + 1
        if seen[case["kind"]] <= count:
            cases.append(case)
    kept = {case["id"] for case in cases}
    return {**data, "cases": cases, "applications": [a for a in data["applications"] if a["case"] in kept]}


def run_all(targets: Sequence[tuple[Target, dict[str, str]]], folder: Path, *, sample: int | None = None,
            pre_check_url: str | None = None, node_script: Path | None = None, browser: bool = False,
            browser_sample: int | None = None, timings: dict[str, float] | None = None) -> list[ConsumerResult]:
    """Every consumer on every target; ``folder`` receives the corpus files (one per target) and
    the JavaScript run's files. The pre-check runs when ``pre_check_url`` (a served app) is given,
    the JavaScript consumers when ``node_script`` is, form.html in Chromium with ``browser`` (and
    portal/rjsf and portal/formcreate when ``node_script``'s folder has their harnesses); ``browser_sample``: the browser
    reads at most that many cases of each kind (a page per case is the slow part)."""
    timings = timings if timings is not None else {}
    runners: dict[str, Runner] = {**PYTHON_RUNNERS, "process.bpmn (SpiffWorkflow)": run_spiffworkflow}
    if pre_check_url is not None:
        runners["pre-check (HTTP)"] = pre_check_runner(pre_check_url)
        runners["form.html post (HTTP)"] = form_post_runner(pre_check_url)
    results: list[ConsumerResult] = []
    runs: list[tuple[Target, dict[str, str], dict[str, Any]]] = []
    folder.mkdir(parents=True, exist_ok=True)
    for target, artifacts in targets:
        started = time.perf_counter()
        data = corpus(target, sample)
        timings["corpus"] = timings.get("corpus", 0) + time.perf_counter() - started
        (folder / f"{target.name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        runs.append((target, artifacts, data))
        for runner in runners.values():
            started = time.perf_counter()
            result = runner(target, artifacts, data)
            results.append(result)
            timings[result.consumer] = timings.get(result.consumer, 0) + time.perf_counter() - started
    if node_script is not None:
        started = time.perf_counter()
        results += run_node(node_script, runs, folder / "node")
        timings["JavaScript consumers (one Node process)"] = time.perf_counter() - started
    if browser:
        from configurator.conformance.browser import run_browser

        started = time.perf_counter()
        harnesses = node_script.parent if node_script is not None else None
        results += run_browser([(target, artifacts, first_cases(data, browser_sample)) for target, artifacts, data in runs],
                               harnesses)
        timings["form.html, portal/rjsf and portal/formcreate (Chromium)"] = time.perf_counter() - started
    return results
