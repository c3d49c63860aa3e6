"""The escalation timers of both BPMN files follow each case's resolved promised limit.

tests/corpus/good/large-event.yaml has limits that are 0 (即办) in some cases and positive in
others, standard and as region 460105 carries it out (tests/regions_by_case/). For every case: a
case whose limit resolves to 0 is done without a timer, like an item that is always 0 days (no
chasing the moment it arrives); a case with a positive limit gets a timer of that limit. Run on
SpiffWorkflow (process.bpmn) and evaluated with feelin plus Camunda's linter (process.camunda8.bpmn)."""

import datetime
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.util.task import TaskState

from configurator.language import conditions as lang
from configurator.language.jsonlogic import to_jsonlogic
from configurator.model import Bundle
from configurator.planning.calendar import WorkingCalendar
from configurator.planning.compiled import Compiled
from configurator.planning.duedates import due_dates
from configurator.planning.plan import Plan, make_plan
from configurator.planning.regional import regional_bundle
from configurator.writers.bpmn import process_xml
from configurator.writers.camunda8 import write_process_camunda8
from tests.helpers import ROOT, check_text, shipped_catalogues
from tests.test_camunda8 import NODE, SCRIPT, marked_application, needs_node, newest_profile
from tests.test_regional_cases import REGION, every_case, make_workspace

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
RECEIVED = datetime.date(2026, 12, 1)


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """The standard bundle and the regional one, with the answers of every case of either."""
    from configurator.workspace.files import Workspace
    from configurator.workspace.region_build import workspace_regions

    text = (ROOT / "tests" / "corpus" / "good" / "large-event.yaml").read_text(encoding="utf-8")
    result = check_text(text, "bundles/large-event.yaml")
    assert result.bundle is not None
    _, regions, _ = workspace_regions(Workspace.find(make_workspace(tmp_path_factory.mktemp("ws"))))
    local = regional_bundle(result.bundle, regions.resolved(REGION).binding("large-event"))
    answers = every_case(result.bundle, local)
    return [("standard", result.bundle, answers), (REGION, local, answers)]


def spiff_run(bundle: Bundle, answers: dict) -> tuple[list[str], dict[str, str]]:
    """The user tasks run, and each timer armed with the duration it evaluated to."""
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(process_xml(Compiled(bundle, shipped_catalogues())).encode()), filename="p.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("process_large_event"))
    done, timers = [], {}
    for _ in range(100):
        workflow.do_engine_steps()
        for waiting in workflow.get_tasks(state=TaskState.WAITING):
            definition = getattr(waiting.task_spec, "event_definition", None)
            if definition is not None and getattr(definition, "expression", None):
                timers[waiting.task_spec.name] = workflow.script_engine.evaluate(waiting, definition.expression)
        ready = [t for t in workflow.get_tasks(state=TaskState.READY) if type(t.task_spec).__name__ == "UserTask"]
        if not ready:
            break
        for task in ready:
            task.data.setdefault("answers", answers)
            task.run()
            done.append(task.task_spec.name)
    assert workflow.is_completed()
    return done, timers


def test_spiffworkflow_arms_a_timer_exactly_for_the_items_of_a_case_with_a_positive_limit(variants):
    checked_zero = checked_positive = 0
    for name, bundle, answer_sets in variants:
        for answers in answer_sets:
            plan = make_plan(bundle, answers)
            done, timers = spiff_run(bundle, answers)
            for item in plan.items:
                if item.promised_days == 0:
                    checked_zero += 1
                    assert f"late_{item.id}" not in timers, (name, answers, item.id, timers)
                    assert f"escalate_{item.id}" not in done, (name, answers, done)  # never chased
                    assert f"instant_{item.id}" in done or f"task_{item.id}" in done, (name, answers, done)
                else:
                    checked_positive += 1
                    assert timers.get(f"late_{item.id}") == f"P{item.promised_days}D", (name, answers, item.id, timers)
                    assert f"task_{item.id}" in done, (name, answers, done)
            ran = {n.split("_", 1)[1] for n in done if n.startswith(("task_", "instant_"))}
            assert ran == {item.id for item in plan.items}, (name, answers, done)
    assert checked_zero and checked_positive


def _meaning(bundle: Bundle, plan: Plan, source: str, target: str) -> bool:
    """What a conditional flow must do for the case, from the plan: eligibility, or per item
    whether it applies and whether its limit is 0 in this case."""
    if source == "eligible":
        return plan.eligible == (target != "fallback")
    item_id = source[len("applies_"):]
    resolved = next((i for i in plan.items if i.id == item_id), None)
    if target.startswith("done_"):
        return resolved is None
    if target.startswith("instant_"):
        return resolved is not None and resolved.promised_days == 0
    fixed_zero = max([bundle.item(item_id).promised_days]  # type: ignore[union-attr]
                     + [int(c.value) for v in bundle.item(item_id).varies  # type: ignore[union-attr]
                        if v.attribute == "promised_days" for c in v.cases]) == 0
    return resolved is not None and (resolved.promised_days > 0 or fixed_zero)


def _zero(default: int, cases: list[tuple[lang.Expr, int]]) -> lang.Expr | None:
    """When the first case that holds gives 0, or none holds and the default is 0 (None: the
    limit is never 0 or always 0, and no flow asks)."""
    if all(value == 0 for _, value in cases) and default == 0 or all(value > 0 for _, value in cases) and default > 0:
        return None
    ways: list[lang.Expr] = []
    for index, (when, value) in enumerate(cases):
        if value == 0:
            ways.append(lang.BoolOp("and", (*(lang.Not(e, 0) for e, _ in cases[:index]), when), 0) if index else when)
    if default == 0:
        ways.append(lang.BoolOp("and", tuple(lang.Not(e, 0) for e, _ in cases), 0) if len(cases) > 1
                    else lang.Not(cases[0][0], 0))
    return ways[0] if len(ways) == 1 else lang.BoolOp("or", tuple(ways), 0)


def _rule(bundle: Bundle, source: str, target: str) -> object:
    """The same meaning as JsonLogic (json-logic-js is the third opinion beside feelin)."""
    if source == "eligible":
        rules = [r.require.expr for r in bundle.eligibility]
        expr = lang.all_of(rules)
        expr = expr if target != "fallback" else (lang.Not(expr, 0) if expr is not None else lang.Literal(False, 0))
        return True if expr is None else to_jsonlogic(expr)
    item = bundle.item(source[len("applies_"):])
    assert item is not None
    applies = item.when.expr if item.when else lang.Literal(True, 0)
    if target.startswith("done_"):
        return to_jsonlogic(lang.Not(applies, 0))
    zero = _zero(item.promised_days, [(c.when.expr, int(c.value)) for v in item.varies
                                      if v.attribute == "promised_days" for c in v.cases])
    if zero is None:
        return to_jsonlogic(applies)
    return to_jsonlogic(lang.BoolOp("and", (applies, zero if target.startswith("instant_") else lang.Not(zero, 0)), 0))


@needs_node
def test_camunda8_routes_each_case_to_a_timer_of_its_due_date_or_to_no_timer_at_all(variants, tmp_path):
    entries, expected_dates = [], []
    for name, bundle, answer_sets in variants:
        xml = write_process_camunda8(Compiled(bundle, shipped_catalogues()))
        path = tmp_path / f"{name}.bpmn"
        path.write_text(xml, encoding="utf-8")
        root = ET.fromstring(xml)
        attached = {e.get("attachedToRef"): e.get("id") for e in root.iter(f"{BPMN}boundaryEvent")}
        assert not any(task.startswith("instant_") for task in attached)  # 0-day cases: never a timer
        flows = [(f.get("id"), f.get("sourceRef"), f.get("targetRef")) for f in root.iter(f"{BPMN}sequenceFlow")
                 if f.find(f"{BPMN}conditionExpression") is not None]
        for answers in answer_sets:
            plan = make_plan(bundle, answers)
            # the case's due dates; an item not in the case is never reached (its date is never read)
            dates = {**dict.fromkeys((i.id for i in bundle.items), "2099-12-31T23:59:59+08:00"),
                     **due_dates(plan, WorkingCalendar(), RECEIVED).timer_context()}
            entries.append({"id": f"{name} {answers}", "file": str(path),
                            "rules": {f: _rule(bundle, s, t) for f, s, t in flows},
                            "variables": {"due_dates": dates, "application": marked_application(bundle)},
                            "answer_cases": [{"answers": answers,
                                              "expected": {f: _meaning(bundle, plan, s, t) for f, s, t in flows}}]})
            expected_dates.append((plan, dates, attached))
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps({"profile": newest_profile(), "bundles": entries}, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([NODE or "node", str(SCRIPT), str(cases_file)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [] and report["lint"] == [] and report["warnings"] == [], report
    assert report["mismatches"] == [], report["mismatches"][:3]
    for process, (plan, dates, attached) in zip(report["processes"], expected_dates, strict=True):
        for item in plan.items:
            if item.promised_days > 0:  # the task it is routed to waits for the case's own due date
                assert process["timers"][attached[f"task_{item.id}"]] == dates[item.id]
                assert process["tasks"][f"task_{item.id}"]["due_date"] == dates[item.id]
            elif f"instant_{item.id}" in process["tasks"]:
                assert process["tasks"][f"instant_{item.id}"]["due_date"] is None
