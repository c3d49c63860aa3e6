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


@pytest.mark.skipif(NODE is None and not __import__("os").environ.get("CI"), reason="Node.js not installed")
def test_cross_field_rules_allow_none_and_from_situation_get_the_same_verdict_in_js(tmp_path):
    """The pre-check API's verdict (accepted, and which cross-field rules are broken) equals what a
    JavaScript portal reaches with ajv on form.schema.json and json-logic-js on routing.json, for
    applications around every rule boundary (exactly 100, 99.99, 100.01, 10⁻⁷ off, a field
    missing, the rule's when false), random near-100 decimal shares, and the allow_none and
    from_situation cases of the same bundle."""
    import shutil as files

    from tests.field_rule_cases import BUNDLE, allow_none_and_from_situation_cases, boundary_cases, fuzz_cases, ill_typed_cases
    from tests.helpers import check_text
    from tests.web_helpers import make_site

    assert NODE, "Node.js is needed for the portal checks"
    source = ROOT / "tests/corpus/good" / f"{BUNDLE}.yaml"
    checked = check_text(source.read_text(encoding="utf-8"), f"bundles/{BUNDLE}.yaml")
    assert checked.bundle is not None and checked.diagnostics == []
    (tmp_path / "dist").mkdir()
    write_bundle(tmp_path / "dist", checked.bundle, shipped_catalogues())
    site = make_site(tmp_path / "site")
    files.copy(source, site.workspace / "bundles" / f"{BUNDLE}.yaml")
    client = site.app.test_client()
    named = boundary_cases() + allow_none_and_from_situation_cases() + ill_typed_cases() + fuzz_cases(20261130, 240)
    verdicts = []
    for name, data in named:
        response = client.post(f"/api/bundles/{BUNDLE}/check", json=data)
        assert response.status_code in (200, 422), (name, response.get_data(as_text=True))
        broken = sorted({e["rule"] for e in response.json.get("errors", []) if "rule" in e})
        verdicts.append({"name": name, "application": data, "accepted": response.status_code == 200,
                         "broken": broken})
    by_name = {v["name"]: v for v in verdicts}
    # the boundaries are where the test says they are (else agreement would prove little)
    assert by_name["three [33.33, 33.33, 33.34]"]["accepted"] and by_name["three [10.1, 64.1, 25.8]"]["accepted"]
    assert by_name["three [0.01, 70.68, 29.31]"]["accepted"]  # binary sums 99.99999999999999 and 100.00000000000001
    assert by_name["three [33.33, 33.33, 33.33]"]["broken"] == ["three_shares_add_up"]
    assert by_name["two [50, 50.0000005]"]["accepted"] and not by_name["two [50, 50.000002]"]["accepted"]
    assert by_name["first share 0"]["broken"] == ["first_share_positive"]
    assert by_name["usable 100.01 / floor 100"]["broken"] == ["usable_within_floor_area"]
    assert by_name["rule's when false: joint ownership"]["accepted"]
    assert by_name["allow_none: no utility ticked"]["accepted"]
    assert not by_name["no allow_none: nothing ticked is refused"]["accepted"]
    assert not by_name["from_situation: the field is not on the form"]["accepted"]
    assert by_name["from_situation: the rule reads the situation's answer"]["broken"] == ["usable_within_floor_area"]
    assert all(not v["accepted"] and v["broken"] == [] for v in verdicts if v["name"].startswith("ill-typed"))
    outcomes = {(v["accepted"], tuple(v["broken"])) for v in verdicts}
    assert len(outcomes) >= 5, outcomes
    cases_file = tmp_path / "verdicts.json"
    cases_file.write_text(json.dumps({"dist": str(tmp_path / "dist"), "routing_schema": str(ROOT / "schemas/routing.schema.json"),
                                      "bundles": [], "verdicts": [{"id": BUNDLE, "cases": verdicts}]},
                                     ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([NODE, str(SCRIPT), str(cases_file)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [], report["errors"]
    assert report["mismatches"] == [], report["mismatches"][:3]
    assert report["verdicts"] == len(verdicts)


_RULES_SCRIPT = """
import { askedAnswers, prune } from %s;
const ui = (allowNone) => ({ situations: {
  "ui:order": ["services", "water_meter"],
  services: { "ui:options": allowNone ? { allowNone: true } : {} },
  water_meter: { "ui:options": { when: { in: ["water", { var: "services" }] } } } } });
const out = [];
for (const allowNone of [false, true]) {
  for (const services of [[], [""], "", ["water"], ["gas"]]) {
    const answers = { services, water_meter: true };
    const { kept, unknown } = askedAnswers(ui(allowNone), answers);
    out.push({ allowNone, services, kept, unknown: [...unknown].sort(),
               pruned: prune({ situations: answers }, ui(allowNone)).situations });
  }
}
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(NODE is None and not __import__("os").environ.get("CI"), reason="Node.js not installed")
def test_the_rjsf_rules_read_an_empty_multi_choice_as_the_form_and_the_application_do():
    """portal/rjsf/rules.js: nothing ticked (an empty list, or only empty entries) answers a "none of
    these" question and no other; the questions asked after an unanswered one wait for it; a real
    answer is kept and decides what follows — the same in the form's display (askedAnswers) and in
    the application it sends (prune)."""
    assert NODE, "Node.js is needed for the portal checks"
    script = _RULES_SCRIPT % json.dumps((ROOT / "portal" / "rjsf" / "rules.js").as_uri())
    done = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = {(row["allowNone"], json.dumps(row["services"])): row for row in json.loads(done.stdout)}
    for row in found.values():
        assert row["pruned"] == row["kept"], row  # what the form shows is what it sends
    for empty in ("[]", '[""]', '""'):
        assert found[(False, empty)]["kept"] == {} and found[(False, empty)]["unknown"] == ["services", "water_meter"]
    for empty in ("[]", '[""]'):
        assert found[(True, empty)]["kept"] == {"services": []} and found[(True, empty)]["unknown"] == []
    for allow_none in (False, True):
        assert found[(allow_none, '["water"]')]["kept"] == {"services": ["water"], "water_meter": True}
        assert found[(allow_none, '["gas"]')]["kept"] == {"services": ["gas"]}
        assert found[(allow_none, '["gas"]')]["unknown"] == []
