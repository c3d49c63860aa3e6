"""Every consumer of the artifacts agrees with the plan on a bounded sample of the corpus.

The corpus (configurator/conformance/corpus.py) holds, for each bundle and region, cases with the
facts the library's plan resolves for them and applications with the verdict a pre-check must
reach; each consumer's runner reads the same files. Here: up to SAMPLE complete cases per
target (seeded), with their ineligible and partial cases and applications, through explain,
form.schema.json (jsonschema), form.ui.json and routing.json (JsonLogic), metrics.json,
SpiffWorkflow, the pre-check over HTTP (and the regional one), and with Node ajv, json-logic-js
and feelin. The full run is `make conformance` (docs/conformance.md).

Disagreements found and not yet fixed are listed in ONE place, KNOWN_DISAGREEMENTS below: the
test fails on any disagreement not listed there, and on a listed one that no longer occurs
(then delete its entry: the fix has landed).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import shutil

import pytest

from bench.conformance import DEFAULT_BUNDLES, NODE_SCRIPT, more_regions, serve_workspace
from configurator.conformance.browser import chromium_path
from configurator.conformance.report import ConsumerResult, Disagreement
from configurator.conformance.run import run_all
from configurator.conformance.targets import load_targets
from configurator.workspace.files import Workspace
from tests.helpers import ROOT

SAMPLE = 8
BROWSER_SAMPLE = 2  # cases of each kind per target in Chromium (a page per case)
RECEIVED = dt.date(2026, 3, 2)  # a Monday: a same-day (0-day) item is due that day

# (consumer, target, fact, case kind) as fnmatch patterns, and why: the one list to shorten as fixes land.
# The fact is the disagreement's ``what`` ("verdict", "uploads required", "timer of <item>"); the case kind
# is the case's (complete, ineligible, partial) or the application's (valid, missing-field...).
KNOWN_DISAGREEMENTS: list[tuple[str, str, str, str, str]] = []  # none: the full run agrees everywhere

needs_node = pytest.mark.skipif(shutil.which("node") is None and not os.environ.get("CI"), reason="Node.js not installed")
needs_chromium = pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"), reason="chromium not installed")


def _kind(d: Disagreement) -> str:
    """The case kind (complete, ineligible, partial) or the application kind (valid, missing-field...)."""
    return d.case.split("/")[-1] if "/" in d.case else d.case.rsplit("-", 1)[0]


def known(d: Disagreement) -> bool:
    return any(fnmatch.fnmatchcase(d.consumer, consumer) and fnmatch.fnmatchcase(d.target, target)
               and fnmatch.fnmatchcase(d.what, fact) and fnmatch.fnmatchcase(_kind(d), kind)
               for consumer, target, fact, kind, _ in KNOWN_DISAGREEMENTS)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[ConsumerResult]:
    scratch = tmp_path_factory.mktemp("conformance")
    paths = sorted(p for pattern in DEFAULT_BUNDLES for p in ROOT.glob(pattern))
    workspace = Workspace.find(ROOT)
    loaded = load_targets(workspace, paths, regions=True, received=RECEIVED, more_regions=more_regions())
    assert loaded.invalid == []
    url, server = serve_workspace(workspace.root, paths, scratch)
    try:
        return run_all(loaded.targets, scratch / "corpus", sample=SAMPLE, pre_check_url=url,
                       node_script=NODE_SCRIPT if shutil.which("node") else None, browser=chromium_path() is not None,
                       browser_sample=BROWSER_SAMPLE)
    finally:
        server.shutdown()  # type: ignore[attr-defined]


PYTHON_CONSUMERS = ["explain", "form.schema.json (jsonschema)", "form.ui.json (JsonLogic)", "routing.json (JsonLogic)",
                    "metrics.json", "notice (tailored)", "process.bpmn (SpiffWorkflow)", "pre-check (HTTP)",
                    "regional pre-check (HTTP)", "form.html post (HTTP)"]
NODE_CONSUMERS = ["form.schema.json (ajv)", "routing.json (json-logic-js)", "form.ui.json (json-logic-js)",
                  "process.camunda8.bpmn (feelin)"]


def _check(results: list[ConsumerResult], consumer: str) -> None:
    ran = [r for r in results if r.consumer == consumer and r.skipped is None]
    assert ran, [r.skipped for r in results if r.consumer == consumer]
    assert sum(r.checked for r in ran) > 0
    unknown = [d.reproducer() for r in ran for d in r.disagreements if not known(d)]
    assert not unknown, f"{len(unknown)} disagreements, e.g.:\n" + "\n".join(unknown[:5])


@pytest.mark.parametrize("consumer", PYTHON_CONSUMERS)
def test_every_consumer_agrees_with_the_plan_on_the_sample(results, consumer):
    _check(results, consumer)


@needs_node
@pytest.mark.parametrize("consumer", NODE_CONSUMERS)
def test_every_javascript_consumer_agrees_with_the_plan_on_the_sample(results, consumer):
    _check(results, consumer)


@needs_chromium
@pytest.mark.parametrize("consumer", ["form.html (Chromium)", "portal/rjsf (Chromium)", "portal/formcreate (Chromium)"])
def test_the_forms_in_chromium_agree_with_the_plan_on_the_sample(results, consumer):
    _check(results, consumer)


def test_the_sample_covers_every_bundle_region_and_kind_of_case(results):
    targets = {r.target for r in results}
    assert {"newborn", "restaurant", "retirement", "disability", "field-rules", "features"} <= targets
    assert {"newborn@330100", "newborn@330106"} <= targets  # the shipped regions bind newborn
    assert "features@330200" in targets  # local values combined with case-dependent ones
    explain = [r for r in results if r.consumer == "explain"]
    assert sum(r.checked for r in explain) >= 6 * SAMPLE


def test_every_listed_disagreement_still_occurs(results):
    """An entry whose disagreement is gone is a fix that landed: delete the entry."""
    found = [d for r in results for d in r.disagreements]
    ran = {r.consumer for r in results if r.skipped is None}
    stale = [entry for entry in KNOWN_DISAGREEMENTS
             if any(fnmatch.fnmatchcase(c, entry[0]) for c in ran)
             and not any(fnmatch.fnmatchcase(d.consumer, entry[0]) and fnmatch.fnmatchcase(d.target, entry[1])
                         and fnmatch.fnmatchcase(d.what, entry[2]) and fnmatch.fnmatchcase(_kind(d), entry[3]) for d in found)]
    assert not stale, stale


def test_a_disagreement_is_reported_with_a_reproducer(tmp_path):
    """A consumer that gets a fact wrong is caught: the same corpus, a routing.json whose task
    condition is changed, and the runner names the bundle, the case's answers and both values."""
    import json

    from configurator.conformance.corpus import corpus
    from configurator.conformance.runners import run_routing

    loaded = load_targets(Workspace.find(ROOT), [ROOT / "bundles" / "restaurant.yaml"], received=RECEIVED)
    target, artifacts = loaded.targets[0]
    routing = json.loads(artifacts["routing.json"])
    fire = next(t for t in routing["tasks"] if t["id"] == "fire_safety_inspection")
    fire["when"] = True  # as if the writer dropped the area and investment condition
    result = run_routing(target, {**artifacts, "routing.json": json.dumps(routing)}, corpus(target, SAMPLE))
    wrong = [d for d in result.disagreements if d.what == "tasks"]
    assert wrong and all("fire_safety_inspection" in d.got and "fire_safety_inspection" not in d.expected for d in wrong)
    reproducer = json.loads(wrong[0].reproducer())
    assert reproducer["bundle"] == "restaurant" and reproducer["consumer"] == "routing.json (JsonLogic)"
    assert reproducer["input"]["floor_area_sqm"] <= 300


def test_the_command_prints_the_report_and_exits_1_exactly_when_something_disagrees():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "bench" / "conformance.py"), "tests/conformance/features.yaml",
                           "--sample", "3", "--no-http", "--no-node", "--no-browser"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.stderr == ""
    assert done.stdout.startswith("consumer ") and "explain " in done.stdout and "1 targets" in done.stdout
    assert done.returncode == (0 if "no disagreements" in done.stdout else 1), done.stdout


def _mutated(artifacts, name, change):
    import json

    data = json.loads(artifacts[name])
    change(data)
    return {**artifacts, name: json.dumps(data, ensure_ascii=False)}


def _drop_first_item(metrics):
    metrics["scenarios"][0]["items"] = metrics["scenarios"][0]["items"][1:]


def _show_signboard_always(ui):
    del ui["fields"]["signboard_size"]["ui:options"]["when"]


def _drop_required_field(schema):
    schema["properties"]["fields"]["required"] = []


@pytest.mark.parametrize("name, change, runner, fact", [
    ("metrics.json", _drop_first_item, "run_metrics", "items"),
    ("form.ui.json", _show_signboard_always, "run_form_ui", "fields shown"),
    ("form.schema.json", _drop_required_field, "run_form_schema", "verdict"),
])
def test_each_runner_reports_an_artifact_that_gets_a_fact_wrong(name, change, runner, fact):
    """The runners can fail: the same corpus against an artifact changed in one place."""
    from configurator.conformance import runners
    from configurator.conformance.corpus import corpus

    loaded = load_targets(Workspace.find(ROOT), [ROOT / "bundles" / "restaurant.yaml"], received=RECEIVED)
    target, artifacts = loaded.targets[0]
    data = corpus(target)  # every case: the changed one is among them
    assert getattr(runners, runner)(target, artifacts, data).disagreements == []
    result = getattr(runners, runner)(target, _mutated(artifacts, name, change), data)
    assert result.disagreements and {d.what for d in result.disagreements} == {fact}


def test_spiffworkflow_reports_an_escalation_timer_that_is_not_the_case_limit():
    from configurator.conformance.corpus import corpus
    from configurator.conformance.engines import run_spiffworkflow

    loaded = load_targets(Workspace.find(ROOT), [ROOT / "tests" / "conformance" / "features.yaml"], received=RECEIVED)
    target, artifacts = loaded.targets[0]
    data = corpus(target, SAMPLE)
    assert run_spiffworkflow(target, artifacts, data).disagreements == []
    late = artifacts["process.bpmn"].replace('"P2D"</bpmn:timeDuration>', '"P9D"</bpmn:timeDuration>')  # licence_update
    found = run_spiffworkflow(target, {**artifacts, "process.bpmn": late}, data).disagreements
    assert found and {(d.what, d.expected, d.got) for d in found} == {("timer of licence_update", "P2D", "P9D")}
