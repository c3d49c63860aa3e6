"""The artifacts work in a JavaScript portal, unchanged: ajv (2020-12, strict) compiles every
form schema and agrees with our validator; json-logic-js evaluates every rule of routing.json
as our evaluator does. Runs Node on tests/js/check_portal.mjs (`make test` installs its packages)."""

import json
import random
import shutil
import subprocess

import jsonschema
import pytest

from configurator.language import conditions as lang
from configurator.planning.cases import scenarios
from configurator.workspace.output import write_bundle
from configurator.writers.form_schema import form_schema
from configurator.writers.form_wtforms import application_from_form
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.helpers import ROOT, shipped_catalogues
from tests.test_form_agreement import JUNK_VALUES, valid_post

NODE = shutil.which("node")
SCRIPT = ROOT / "tests" / "js" / "check_portal.mjs"


def _holds(condition, answers):
    return condition is None or lang.evaluate(condition.expr, answers)


def expected_rules(bundle, answers):
    """Our evaluator's verdict for every rule routing.json holds, under the names the script uses."""
    verdicts = {f"eligibility {r.id}": _holds(r.require, answers) for r in bundle.eligibility}
    verdicts.update({f"task {i.id}": _holds(i.when, answers) for i in bundle.items})
    for department in {i.department for i in bundle.items}:
        own = [i for i in bundle.items if i.department == department]
        for kind, entries in (("field", bundle.fields), ("material", bundle.materials)):
            for entry in entries:
                users = [i for i in own if entry.id in (i.fields if kind == "field" else i.materials)]
                if users:
                    verdicts[f"{department} {kind} {entry.id}"] = _holds(entry.when, answers) and (
                        any(i.when is None for i in users) or any(_holds(i.when, answers) for i in users))
    return verdicts


def random_answer(situation, rng):
    options = [o.value for o in situation.options]
    if situation.type == "boolean":
        return rng.random() < 0.5
    if situation.type == "choice":
        return rng.choice(options)
    if situation.type == "multi_choice":
        return rng.sample(options, rng.randint(1, len(options)))
    if situation.type == "number":
        return rng.choice([0, 5, 6, 299, 300, 300.5, 301, 300000, 300001, 10**9])
    return rng.choice(["2023-12-31", "2024-05-01", "2025-01-01"])


def random_answers(bundle, rng):
    return {s.id: random_answer(s, rng) for s in bundle.situations if rng.random() >= 0.2}


@pytest.mark.skipif(NODE is None and not __import__("os").environ.get("CI"), reason="Node.js not installed")
def test_artifacts_work_unchanged_with_ajv_and_json_logic_js(tmp_path):
    assert NODE, "Node.js is needed for the portal checks"
    assert (ROOT / "tests/js/node_modules/ajv").exists(), "run: npm ci --prefix tests/js"
    rng = random.Random(20261124)
    cases = {"dist": str(tmp_path), "routing_schema": str(ROOT / "schemas/routing.schema.json"), "bundles": []}
    for bundle_id in SHIPPED_IDS:
        c = compiled(bundle_id)
        write_bundle(tmp_path, c.bundle, shipped_catalogues())
        validator = jsonschema.Draft202012Validator(form_schema(c))
        answer_sets = [case.answers for case in scenarios(c.bundle)[0]]
        answer_sets += [random_answers(c.bundle, rng) for _ in range(60)]
        applications = []
        for index in range(40):
            posted = valid_post(bundle_id, index)
            if index % 2:  # break one entry with a value a regex dialect may read differently
                name = rng.choice(sorted(posted))
                posted[name] = [rng.choice(JUNK_VALUES)]
            data = application_from_form(c, posted)
            applications.append({"data": data, "valid": validator.is_valid(data)})
        assert {a["valid"] for a in applications} == {True, False}
        cases["bundles"].append({
            "id": bundle_id,
            "answer_cases": [{"answers": a, "expected": expected_rules(c.bundle, a)} for a in answer_sets],
            "applications": applications,
        })
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([NODE, str(SCRIPT), str(cases_file)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [], report["errors"]
    assert report["mismatches"] == [], report["mismatches"][:3]
    assert report["compiled"] == SHIPPED_IDS
    assert report["rules"] > 1000 and report["applications"] == 40 * len(SHIPPED_IDS)
    assert [b["bundle"] for b in report["bpmn"]] == SHIPPED_IDS  # bpmn-moddle reads every process.bpmn
    assert all(b["warnings"] == [] and b["tasks"] > 2 and b["shapes"] > 10 for b in report["bpmn"]), report["bpmn"]


@pytest.mark.skipif(NODE is None and not __import__("os").environ.get("CI"), reason="Node.js not installed")
def test_every_exported_process_passes_bpmnlint_recommended(tmp_path):
    lint = ROOT / "tests/js/node_modules/.bin/bpmnlint"
    assert lint.exists(), "run: npm ci --prefix tests/js"
    (tmp_path / ".bpmnlintrc").write_text('{"extends": "bpmnlint:recommended"}', encoding="utf-8")
    files = []
    for bundle_id in SHIPPED_IDS:
        write_bundle(tmp_path, compiled(bundle_id).bundle, shipped_catalogues())
        files.append(str(tmp_path / bundle_id / "process.bpmn"))
    done = subprocess.run([str(lint), *files], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
