"""process.camunda8.bpmn deploys on Camunda 8 as generated: Camunda's own linter (bpmnlint with
bpmnlint-plugin-camunda-compat, newest Camunda 8 profile) reports nothing, zeebe-bpmn-moddle reads
it without a warning, and every FEEL condition evaluated by a FEEL interpreter (feelin) agrees with
the Python evaluator and with json-logic-js on every enumerated case. Runs Node on
tests/js/check_camunda8.mjs; the shipped bundles and a bundle written here for the test."""

import datetime
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from configurator.language import conditions as lang
from configurator.language.feel import literal, to_feel
from configurator.language.jsonlogic import to_jsonlogic
from configurator.model import Bundle
from configurator.planning.cases import scenarios
from configurator.writers.bpmn import instant_condition, promised_values
from configurator.writers.camunda8 import PLATFORM_VERSION, write_process_camunda8
from configurator.writers.form_schema import form_schema
from configurator.writers.form_wtforms import application_from_form
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.helpers import ROOT, base_with, check_text
from tests.test_form_agreement import valid_post
from tests.test_portal_js import random_answers

NODE = shutil.which("node")
SCRIPT = ROOT / "tests" / "js" / "check_camunda8.mjs"
PLUGIN = ROOT / "tests" / "js" / "node_modules" / "bpmnlint-plugin-camunda-compat"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ZEEBE = "{http://camunda.org/schema/zeebe/1.0}"
needs_node = pytest.mark.skipif(NODE is None and not os.environ.get("CI"), reason="Node.js not installed")

UNSEEN_ID = "twins_birth"
# A bundle this project has not shipped: three departments, a chain and a join, a number, a
# several-choice answer and situations named like FEEL keywords (read through `get value`).
UNSEEN = base_with("""  - id: register_with""", """  - id: then
    label: 是否双胞胎？
    type: boolean
  - id: date
    label: 孕周
    type: number
  - id: list
    label: 需要哪些服务？
    type: multi_choice
    options:
      - value: vaccine
        label: 接种
      - value: insurance
        label: 参保
  - id: register_with""").replace("""steps:
  - id: apply""", """  - id: enrol_insurance
    name: 参保登记
    department: medical_insurance
    when: list contains "insurance" and (date >= 28 or not then)
    after:
      - item: birth_registration
        reason: 参保需要户籍
    time_limit: {promised: 2, statutory: 10}
    visits: 0
    steps: 2
    fields: [child_name]
    materials: []
  - id: vaccination
    name: 预防接种
    department: health
    when: '"vaccine" in list and register_with != "father"'
    after:
      - item: issue_certificate
        reason: 凭出生医学证明建档
      - item: enrol_insurance
        reason: 接种费用走医保
    time_limit: {promised: 0, statutory: 5}
    visits: 1
    steps: 1
    fields: [child_name]
    materials: []
steps:
  - id: apply""").replace("""    items: [birth_registration]""", """    items: [birth_registration]
  - id: insurance_handling
    name: 医保办理
    kind: handling
    owner: medical_insurance
    time_limit: 2
    items: [enrol_insurance]
  - id: health_more
    name: 接种
    kind: handling
    owner: health
    time_limit: 1
    items: [vaccination]""").replace("cooperating_departments: [police]",
                                     "cooperating_departments: [police, medical_insurance]").replace(
    "id: base\n", f"id: {UNSEEN_ID}\n", 1)


def unseen_bundle() -> Bundle:
    result = check_text(UNSEEN, f"bundles/{UNSEEN_ID}.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    return result.bundle


def newest_profile() -> str:
    """The newest camunda-cloud profile the installed plugin knows, read from the plugin itself."""
    done = subprocess.run([NODE or "node", "-e", "console.log(Object.keys(require(process.argv[1]).configs).join())",
                           str(PLUGIN)], capture_output=True, text=True, check=True)
    clouds = [name for name in done.stdout.strip().split(",") if name.startswith("camunda-cloud-")]
    return max(clouds, key=lambda name: tuple(int(part) for part in name.split("-")[2:]))


def flow_conditions(bundle: Bundle, xml: str) -> dict[str, lang.Expr | None]:
    """The condition each conditional flow of the process must mean, found from the flow's ends:
    eligibility on the flows out of "eligible", an item's ``when`` on its "applies_" gateway (and,
    for an item with an ``instant_`` twin, whether its limit is 0); None means "always". A negated
    flow carries lang.Not."""
    process = ET.fromstring(xml).find(f"{BPMN}process")
    assert process is not None
    rules = [r.require.expr for r in bundle.eligibility]
    eligible: lang.Expr | None = rules[0] if len(rules) == 1 else lang.BoolOp("and", tuple(rules), 0) if rules else None
    whens = {f"applies_{i.id}": i.when.expr if i.when else None for i in bundle.items}
    flows = list(process.iter(f"{BPMN}sequenceFlow"))
    # an item whose limit is 0 in some cases only: "applies_" splits into task_ (not 0) and instant_ (0)
    twins = {f.get("targetRef", "")[len("instant_"):] for f in flows if f.get("targetRef", "").startswith("instant_")}
    instant = {f"{kind}_{i.id}": lang.Not(zero, 0) if kind == "task" else zero
               for i in bundle.items if i.id in twins and (zero := instant_condition(i)) is not None
               for kind in ("task", "instant")}
    found: dict[str, lang.Expr | None] = {}
    for flow in flows:
        if flow.find(f"{BPMN}conditionExpression") is None:
            continue
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        expr = eligible if source == "eligible" else whens[source]
        if target in instant:
            parts = [e for e in (expr, instant[target]) if e is not None]
            expr = parts[0] if len(parts) == 1 else lang.BoolOp("and", tuple(parts), 0)
        negated = target == "fallback" or target.startswith("done_")
        found[flow.get("id", "")] = (lang.Not(expr, 0) if expr is not None else lang.Literal(False, 0)) if negated else expr
    return found


def _rule(expr: lang.Expr | None) -> object:
    return True if expr is None else to_jsonlogic(expr)


def _holds(expr: lang.Expr | None, answers: dict[str, object]) -> bool:
    return expr is None or lang.evaluate(expr, answers)


def due_dates(bundle: Bundle) -> dict[str, str]:
    """The process variable due_dates as the operator passes it (docs/portals.md)."""
    dates = {item.id: f"2026-12-{10 + n:02d}T23:59:59+08:00" for n, item in enumerate(bundle.items)}
    return {**dates, "case": "2026-12-31T23:59:59+08:00"}


def marked_application(bundle: Bundle) -> dict[str, object]:
    """An application whose every value names its key, so a payload shows what it was given."""
    # a field that is a situation's answer (from_situation) is read from "situations"
    return {"situations": {f.from_situation: f"<{f.id}>" for f in bundle.fields if f.from_situation},
            "fields": {f.id: f"<{f.id}>" for f in bundle.fields if not f.from_situation},
            "uploads": {m.id: [f"{m.id}.pdf"] for m in bundle.materials if m.source == "applicant"}}


def bundle_case(bundle_id: str, bundle: Bundle, xml: str, path: str, rng: random.Random) -> dict[str, object]:
    conditions = flow_conditions(bundle, xml)
    answer_sets = [case.answers for case in scenarios(bundle)[0]]
    answer_sets += [random_answers(bundle, rng) for _ in range(40)]
    return {"id": bundle_id, "file": path, "rules": {f: _rule(e) for f, e in conditions.items()},
            "variables": {"due_dates": due_dates(bundle), "application": marked_application(bundle)},
            "answer_cases": [{"answers": a, "expected": {f: _holds(e, a) for f, e in conditions.items()}}
                             for a in answer_sets]}


def build(tmp_path: Path) -> Path:
    """`configurator build` on the shipped bundles and the unseen one: the artifacts as deployed."""
    (tmp_path / f"{UNSEEN_ID}.yaml").write_text(UNSEEN, encoding="utf-8")
    files = [*(str(ROOT / "bundles" / f"{b}.yaml") for b in SHIPPED_IDS), str(tmp_path / f"{UNSEEN_ID}.yaml")]
    done = subprocess.run([str(Path(sys.executable).parent / "configurator"), "build", *files, "--out", str(tmp_path / "dist"),
                           "--catalogues", str(ROOT / "catalogues"), "--jobs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path / "dist"


@needs_node
def test_camunda8_process_lints_clean_parses_and_feel_agrees(tmp_path):
    assert NODE, "Node.js is needed for the Camunda 8 checks"
    assert PLUGIN.exists(), "run: npm ci --prefix tests/js"
    dist = build(tmp_path)
    index = json.loads((dist / "index.json").read_text(encoding="utf-8"))
    rng = random.Random(20261130)
    bundles = [compiled(bundle_id).bundle for bundle_id in SHIPPED_IDS] + [unseen_bundle()]
    cases = {"profile": newest_profile(), "bundles": []}
    for bundle in bundles:
        path = dist / bundle.id / "process.camunda8.bpmn"
        xml = path.read_text(encoding="utf-8")
        listed = next(b for b in index["bundles"] if b["id"] == bundle.id)
        assert "process.camunda8.bpmn" in json.dumps(listed), listed  # index.json lists it with its hash
        cases["bundles"].append(bundle_case(bundle.id, bundle, xml, str(path), rng))
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([NODE, str(SCRIPT), str(cases_file)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert cases["profile"] == f"camunda-cloud-{PLATFORM_VERSION.rsplit('.', 1)[0].replace('.', '-')}"
    assert report["errors"] == [], report["errors"]
    assert report["lint"] == [], report["lint"][:5]  # 0 errors and 0 warnings
    assert report["warnings"] == [], report["warnings"][:5]
    assert report["mismatches"] == [], report["mismatches"][:3]
    assert [p["bundle"] for p in report["processes"]] == [b.id for b in bundles]
    for bundle, process in zip(bundles, report["processes"], strict=True):
        assert process["user_tasks"] == process["zeebe_user_tasks"] > len(bundle.items), process
        # every gateway flow evaluated: two per item, one more for an item with an instant_ twin
        twins = sum(1 for i in bundle.items if 0 in promised_values(i) and max(promised_values(i)) > 0)
        assert len(process["conditions"]) == 2 + 2 * len(bundle.items) + twins, process
        check_tasks(bundle, process)
    assert report["evaluations"] > 2000


def check_tasks(bundle: Bundle, process: dict[str, Any]) -> None:
    """What Zeebe would give each task, as feelin computed it from the start variables: the
    department, the due date, and only the item's own fields and uploads."""
    dates, application = due_dates(bundle), marked_application(bundle)
    late = [item for item in bundle.items if item.promised_days > 0]
    assert process["timers"] == {f"late_{item.id}": dates[item.id] for item in late}
    tasks = process["tasks"]
    for item in bundle.items:
        task = tasks[f"task_{item.id}"]
        uploads = application["uploads"]
        assert task == {
            "candidate_groups": item.department,
            "due_date": dates[item.id] if item.promised_days > 0 else None,
            "inputs": {"item": item.id, "application": None, "payload": {
                "fields": {f: f"<{f}>" for f in item.fields},
                "uploads": {m: uploads[m] for m in item.materials if m in uploads}}},  # type: ignore[operator,index]
            "outputs": [["=result", f"task_{item.id}_result"]],
        }, item.id
    for item in late:
        assert tasks[f"escalate_{item.id}"]["candidate_groups"] == bundle.lead_department
        assert tasks[f"escalate_{item.id}"]["inputs"] == {"item": item.id, "application": None}
    assert tasks["deliver"]["due_date"] == dates["case"]
    assert tasks["intake"]["inputs"] == {} and tasks["intake"]["outputs"] == [["=result", "intake_result"]]


@needs_node
def test_a_wrong_process_is_caught(tmp_path):
    """The checks can fail: a quoted duration (what process.bpmn writes), a flipped condition and
    a job-worker user task are each reported."""
    c = compiled("newborn")
    xml = write_process_camunda8(c)
    conditions = flow_conditions(c.bundle, xml)
    flow = next(f for f, e in conditions.items() if isinstance(e, lang.Not) and e.operand is not None
                and not isinstance(e.operand, lang.Literal))
    root = ET.fromstring(xml)
    for element in root.iter(f"{BPMN}sequenceFlow"):
        if element.get("id") == flow:
            expression = element.find(f"{BPMN}conditionExpression")
            assert expression is not None and expression.text
            expression.text = expression.text.replace("=not(", "=(", 1)
    timer = next(root.iter(f"{BPMN}timeDate"))
    timer.tag, timer.text = f"{BPMN}timeDuration", '"P1D"'
    task = next(t for t in root.iter(f"{BPMN}userTask"))
    extensions = task.find(f"{BPMN}extensionElements")
    assert extensions is not None
    extensions.remove(extensions.find(f"{ZEEBE}userTask"))
    path = tmp_path / "broken.bpmn"
    path.write_text(ET.tostring(root, encoding="unicode"), encoding="utf-8")
    case = bundle_case("newborn", c.bundle, xml, str(path), random.Random(1))
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps({"profile": newest_profile(), "bundles": [case]}, ensure_ascii=False))
    done = subprocess.run([NODE or "node", str(SCRIPT), str(cases_file)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    rules = {entry["rule"] for entry in report["lint"]}
    assert {"camunda-compat/timer", "camunda-compat/zeebe-user-task"} <= rules, report["lint"]
    assert {m["flow"] for m in report["mismatches"]} == {flow}


def test_feel_conditions_are_compiled_from_the_tree_with_the_zeebe_prefix():
    xml = write_process_camunda8(compiled("newborn"))
    root = ET.fromstring(xml)
    texts = [e.text or "" for e in root.iter(f"{BPMN}conditionExpression")]
    assert texts and all(t.startswith("=") for t in texts)
    item = next(i for i in compiled("newborn").bundle.items if i.when)
    assert item.when is not None
    assert f"={to_feel(item.when.expr, 'application.situations')}" in texts
    assert "answers.get" not in xml and '"P' not in xml  # no Python, no quoted durations


def test_each_item_task_gets_only_its_own_fields_and_uploads():
    c = compiled("newborn")
    root = ET.fromstring(write_process_camunda8(c))
    form_uploads = set(form_schema(c)["properties"]["uploads"]["properties"])
    for item in c.bundle.items:
        task = next(t for t in root.iter(f"{BPMN}userTask") if t.get("id") == f"task_{item.id}")
        group = task.find(f".//{ZEEBE}assignmentDefinition")
        assert group is not None and group.get("candidateGroups") == item.department
        inputs = [(i.get("target"), i.get("source") or "") for i in task.iter(f"{ZEEBE}input")]
        assert [target for target, _ in inputs] == ["item", "payload", "application"]
        payload = inputs[1][1]
        read = {part.split('"')[1] for part in payload.split("get value(")[1:]}
        uploaded = {m for m in item.materials if m in form_uploads}  # what the application can hold
        assert read == set(item.fields) | uploaded
        assert inputs[2][1] == "=null"  # the full application is hidden from the task
        outputs = [(o.get("source"), o.get("target")) for o in task.iter(f"{ZEEBE}output")]
        assert outputs == [("=result", f"task_{item.id}_result")]


def documented_jq_filter() -> list[str]:
    """The command docs/portals.md gives operators for building the start variables."""
    text = (ROOT / "docs" / "portals.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"^```sh\n(.*?)^```", text, re.DOTALL | re.MULTILINE) if "due_dates:" in b)
    return shlex.split(block.replace("\\\n", " ").split(">")[0])


@pytest.mark.skipif(shutil.which("jq") is None and not os.environ.get("CI"), reason="jq not installed")
def test_the_documented_jq_command_builds_the_start_variables(tmp_path):
    """Run the operator's steps from the docs: explain a full case (received before the National
    Day holidays), then the documented jq command; the variables hold the application and a due
    date-time for every item the timers and task schedules of this case read, and for the case."""
    c = compiled("newborn")
    case = max(scenarios(c.bundle)[0], key=lambda s: len(s.plan.items))
    application = application_from_form(c, valid_post("newborn", 0))
    (tmp_path / "answers.json").write_text(json.dumps(case.answers, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "application.json").write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    explain = subprocess.run([str(Path(sys.executable).parent / "configurator"), "explain", "newborn", "--answers",
                              str(tmp_path / "answers.json"), "--received", "2026-09-30", "--format", "json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert explain.returncode == 0, explain.stderr
    (tmp_path / "check.json").write_text(explain.stdout, encoding="utf-8")
    done = subprocess.run(documented_jq_filter(), cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    variables = json.loads(done.stdout)
    assert variables["application"] == application
    dates = variables["due_dates"]
    assert dates == json.loads(explain.stdout)["due_dates"]
    assert set(dates) == {item.id for item in case.plan.items} | {"case"}
    for value in dates.values():
        moment = datetime.datetime.fromisoformat(value)
        assert moment.utcoffset() == datetime.timedelta(hours=8) and (moment.hour, moment.minute) == (23, 59)


@pytest.mark.parametrize("value, text", [
    (True, "true"), (300, "300"), (300.5, "300.5"), (1e-7, "0.0000001"), (10**20, "100000000000000000000"),
    (2.5e20, "250000000000000000000"), ('say "hi" \\ 你好', '"say \\"hi\\" \\\\ 你好"'), (["a", 1], '["a", 1]'),
])
def test_feel_literals_have_no_exponent_and_escape_strings(value, text):
    assert literal(value) == text
