"""process.bpmn runs on a real BPMN engine (SpiffWorkflow) and does exactly what the plan says."""

import xml.etree.ElementTree as ET

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.util.task import TaskState

from configurator.language import conditions as lang
from configurator.language import graph
from configurator.planning.cases import scenarios
from configurator.planning.plan import make_plan
from configurator.writers.bpmn import instant_condition, process_xml, python_condition
from configurator.writers.camunda8 import write_process_camunda8
from tests.compile_helpers import SHIPPED_IDS, compiled

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def execute(bundle_id, answers):
    """Run the exported process, completing user tasks as they come; the task ids run, in order."""
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(process_xml(compiled(bundle_id)).encode()), filename=f"{bundle_id}.bpmn")
    workflow = BpmnWorkflow(parser.get_spec(f"process_{bundle_id}"))
    done = []
    for _ in range(1000):
        workflow.do_engine_steps()
        ready = [t for t in workflow.get_tasks(state=TaskState.READY) if type(t.task_spec).__name__ == "UserTask"]
        if not ready:
            break
        for task in ready:
            task.data.setdefault("answers", answers)
            task.run()
            done.append(task.task_spec.name)
    assert workflow.is_completed()
    return done


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_every_case_runs_exactly_the_planned_items_in_an_allowed_order(bundle_id):
    bundle = compiled(bundle_id).bundle
    edges = graph.dependencies(bundle)
    cases = scenarios(bundle)[0]
    assert cases
    for case in cases:
        done = execute(bundle_id, case.answers)
        # an item whose limit is 0 in this case runs as its timer-less twin, instant_<item>
        ran = [name.split("_", 1)[1] for name in done if name.startswith(("task_", "instant_"))]
        assert sorted(ran) == sorted(i.id for i in case.plan.items), case.answers
        instant = {i.id for i in case.plan.items if i.promised_days == 0 and instant_condition(bundle.item(i.id))}
        assert {name[len("instant_"):] for name in done if name.startswith("instant_")} == instant, case.answers
        for edge in edges:
            if edge.before in ran and edge.after in ran:
                assert ran.index(edge.before) < ran.index(edge.after), (edge, ran)
        assert done[0] == "intake" and done[-1] == "deliver"


def test_an_ineligible_case_goes_from_intake_to_the_fallback():
    answers = {"born_in_province_hospital": True, "child_age_months": 9, "parents_province_household": True}
    assert not make_plan(compiled("newborn").bundle, answers).eligible
    assert execute("newborn", answers) == ["intake", "fallback"]


@pytest.mark.parametrize("write", [process_xml, write_process_camunda8], ids=["process.bpmn", "process.camunda8.bpmn"])
@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_lanes_diagram_and_no_author_code(bundle_id, write):
    root = ET.fromstring(write(compiled(bundle_id)).encode())
    process = root.find(f"{BPMN}process")
    assert process.find(f"{BPMN}scriptTask") is None  # no script code at all
    lanes = {lane.get("name") for lane in process.iter(f"{BPMN}lane")}
    c = compiled(bundle_id)
    assert {c.department_name(i.department) for i in c.bundle.items} <= lanes
    ids = {e.get("id") for e in process if e.get("id")}
    shapes = {s.get("bpmnElement") for s in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")}
    edges = {s.get("bpmnElement") for s in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
    flows = {f.get("id") for f in process.iter(f"{BPMN}sequenceFlow")}
    assert (ids - flows - {"lanes"}) <= shapes and flows == edges  # every node and flow is drawn
    timers = list(process.iter(f"{BPMN}timerEventDefinition"))
    assert len(timers) == sum(1 for i in c.bundle.items if i.promised_days > 0)


@pytest.mark.parametrize("text, answers, expected", [
    ('area > 300 or kinds contains "hot"', {"area": 300.5}, True),
    ('area > 300 or kinds contains "hot"', {"area": 300, "kinds": ["cold"]}, False),
    ('not b and c != "x"', {"c": "y"}, True),
    ('not b and c != "x"', {}, False),
    ('c not in ["x", "y"]', {"c": "z"}, True),
    ('"hot" not in kinds', {}, False),
])
def test_gateway_expressions_mean_what_the_condition_means(text, answers, expected):
    expr = lang.parse(text)
    result = eval(python_condition(expr), {"__builtins__": {"bool": bool}}, {"answers": answers})  # noqa: S307
    assert result is expected is lang.evaluate(expr, answers)
