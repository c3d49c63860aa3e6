"""process.bpmn: the routing as an executable BPMN 2.0 process, with diagram layout (BPMN DI).

One pool, a lane per department. The lead department's intake is followed by an exclusive
gateway on eligibility (the other way leads to the fallback window). Each item is a user task
in its department's lane, behind an exclusive gateway on its condition (a bypass when it does
not apply), between parallel gateways that follow the dependency graph: an item starts when
every item it depends on has finished or been bypassed, and items without a dependency between
them run in parallel. A non-interrupting timer on each item (its promised limit in working days,
as calendar-day duration) escalates to the lead department. Results are delivered by the lead.

An item done on the spot (a promised limit of 0) has no timer: nothing can be late. An item whose
limit is 0 in some cases only gets a second user task, ``instant_<item>``, without a timer: its
gateway sends the cases whose limit resolves to 0 there and the others to ``task_<item>``, whose
timer then always has the case's positive limit (so no case is chased the moment it arrives).

Gateway conditions are Python expressions over the data ``answers`` (the situation answers),
generated from the type-checked condition tree: names and literals only, never text from the
bundle author, and no script tasks at all.

The layout, lanes and diagram are drawn once for every engine; a ``Dialect`` says what differs
(the condition language, user-task settings, timers). ``PYTHON`` is SpiffWorkflow's, for this
file; writers/camunda8.py gives Zeebe's, for process.camunda8.bpmn.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from configurator.language import conditions as lang
from configurator.language import graph
from configurator.model import Item
from configurator.planning.compiled import Compiled
from configurator.writers.bpmn_diagram import NAMESPACES, diagram_text
from configurator.writers.phrases import say
from configurator.writers.xmltext import to_text

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
for prefix, uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("xsi", XSI)):
    ET.register_namespace(prefix, uri)



def python_condition(expr: lang.Expr) -> str:
    """A condition as a Python expression over ``answers``, with our semantics (an unanswered
    question compares false)."""
    def value(name: str) -> str:
        return f"answers.get({name!r})"

    if isinstance(expr, lang.Name):
        return f"bool({value(expr.name)})"
    if isinstance(expr, lang.Literal):
        return repr(bool(expr.value))
    if isinstance(expr, lang.Ticked):
        return f"bool({value(expr.name.name)})"  # a list: empty and None are false
    if isinstance(expr, lang.Not):
        return f"(not {python_condition(expr.operand)})"
    if isinstance(expr, lang.BoolOp):
        return "(" + f" {expr.op} ".join(python_condition(o) for o in expr.operands) + ")"
    assert isinstance(expr, lang.Compare)
    op, left, right = expr.op, expr.left, expr.right
    if op == "contains" or (op in ("in", "not in") and isinstance(right, lang.Name)):
        name, option = (left, right) if op == "contains" else (right, left)
        assert isinstance(name, lang.Name) and isinstance(option, lang.Literal)
        contained = f"({option.value!r} in ({value(name.name)} or []))"
        return contained if op != "not in" else f"({value(name.name)} is not None and not {contained})"
    if isinstance(right, lang.Name):
        left, right = right, left
        op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
    assert isinstance(left, lang.Name)
    constant = [v.value for v in right.values] if isinstance(right, lang.ListLiteral) else right.value  # type: ignore[union-attr]
    if op in ("==", "in"):
        return f"({value(left.name)} {op} {constant!r})"
    return f"({value(left.name)} is not None and {value(left.name)} {op} {constant!r})"


@dataclass(frozen=True)
class Task:
    """A user task as the layout made it: its role (intake, fallback, item, escalate, deliver),
    the department doing it and, for item and escalate tasks, the item."""
    role: str
    department: str
    item: Item | None = None
    timed: bool = True  # False: the task of an item's 0-day cases, without a timer or a due date


def _python_timer(definition: ET.Element, item: Item) -> None:
    """The promised limit; a limit that depends on the case is chosen by the same conditions
    over the answers (first case that holds, else the default)."""
    duration = ET.SubElement(definition, f"{{{BPMN}}}timeDuration", {f"{{{XSI}}}type": "bpmn:tFormalExpression"})
    text = f'"P{item.promised_days}D"'
    cases = [case for v in item.varies if v.attribute == "promised_days" for case in v.cases]
    for case in reversed(cases):
        text = f'("P{case.value}D" if {python_condition(case.when.expr)} else {text})'
    duration.text = text


def promised_values(item: Item) -> list[int]:
    """Every promised limit the item can have: its default and each case's."""
    return [item.promised_days, *(int(case.value) for v in item.varies if v.attribute == "promised_days"
                                  for case in v.cases)]


def instant_condition(item: Item) -> lang.Expr | None:
    """When the item's promised limit resolves to 0: a case giving 0 holds and none before it
    does, or no case holds and the default is 0 (None: always)."""
    ways: list[lang.Expr | None] = []
    earlier: list[lang.Expr] = []
    for case in (case for v in item.varies if v.attribute == "promised_days" for case in v.cases):
        if int(case.value) == 0:
            ways.append(lang.all_of([*(lang.Not(e, 0) for e in earlier), case.when.expr]))
        earlier.append(case.when.expr)
    if item.promised_days == 0:
        ways.append(lang.all_of([lang.Not(e, 0) for e in earlier]))
    if any(way is None for way in ways):
        return None
    return lang.any_of([way for way in ways if way is not None])


@dataclass(frozen=True)
class Dialect:
    """What differs between engines; the layout, lanes and DI are shared. ``condition`` compiles a
    condition tree (None: always) to the engine's expression, ``negate`` and ``all_of`` combine
    them, ``written`` is the text put in the XML; ``task`` adds engine settings to a user task
    and ``timer`` fills the escalation timer of an item."""
    condition: Callable[[lang.Expr | None], str]
    negate: Callable[[str], str]
    all_of: Callable[[list[str]], str]
    written: Callable[[str], str] = lambda text: text
    task: Callable[[ET.Element, Task, Compiled], None] = lambda element, task, compiled: None
    timer: Callable[[ET.Element, Item], None] = _python_timer
    attributes: dict[str, str] = field(default_factory=dict)


PYTHON = Dialect(
    condition=lambda expr: "True" if expr is None else python_condition(expr),
    negate=lambda text: f"not ({text})",
    all_of=lambda texts: " and ".join(texts) if texts else "True",
)


class _Builder:
    def __init__(self, compiled: Compiled, dialect: Dialect) -> None:
        self.compiled = compiled
        self.dialect = dialect
        bundle = compiled.bundle
        self.definitions = ET.Element(f"{{{BPMN}}}definitions", {
            "id": f"definitions_{_xml_id(bundle.id)}", "targetNamespace": f"urn:configurator:bundle:{bundle.id}",
            "exporter": "configurator", "exporterVersion": "1", **dialect.attributes})
        self.collaboration = ET.SubElement(self.definitions, f"{{{BPMN}}}collaboration", {"id": "collaboration"})
        self.process_id = f"process_{_xml_id(bundle.id)}"
        ET.SubElement(self.collaboration, f"{{{BPMN}}}participant", {
            "id": "pool", "name": compiled.text(bundle.name), "processRef": self.process_id})
        self.process = ET.SubElement(self.definitions, f"{{{BPMN}}}process", {
            "id": self.process_id, "name": compiled.text(bundle.name), "isExecutable": "true"})
        self.lane_set = ET.SubElement(self.process, f"{{{BPMN}}}laneSet", {"id": "lanes"})
        self.nodes: dict[str, tuple[str, str, int, int]] = {}  # id → (kind, lane, column, row)
        self.elements: dict[str, ET.Element] = {}  # id → the node's element
        self.flows: list[tuple[str, str, str]] = []  # (id, source, target)
        self.lanes: list[str] = []

    def user_task(self, node_id: str, task: Task, column: int, row: int, name: str,
                  documentation: str = "") -> ET.Element:
        element = self.node("userTask", node_id, task.department, column, row, name)
        if documentation:
            ET.SubElement(element, f"{{{BPMN}}}documentation").text = documentation
        self.dialect.task(element, task, self.compiled)
        return element

    def node(self, tag: str, node_id: str, lane: str, column: int, row: int, name: str = "",
             **attributes: str) -> ET.Element:
        attrib = {"id": node_id}
        if name:
            attrib["name"] = name
        if attributes:
            attrib.update(attributes)
        element = ET.SubElement(self.process, _TAGS.get(tag) or f"{{{BPMN}}}{tag}", attrib)
        kind = "task" if tag.endswith("Task") else "gateway" if tag.endswith("Gateway") else "event"
        if lane not in self.lanes:
            self.lanes.append(lane)
        self.nodes[node_id] = (kind, lane, column, row)
        self.elements[node_id] = element
        return element

    def flow(self, source: str, target: str, condition: str | None = None, name: str = "") -> str:
        flow_id = f"flow_{len(self.flows) + 1}"
        attrib = {"id": flow_id, "sourceRef": source, "targetRef": target}
        if name:
            attrib["name"] = name
        element = ET.SubElement(self.process, _SEQUENCE_FLOW, attrib)
        if condition is not None:
            expression = ET.SubElement(element, _CONDITION, {_XSI_TYPE: "bpmn:tFormalExpression"})
            expression.text = self.dialect.written(condition)
        self.flows.append((flow_id, source, target))
        return flow_id


# qualified names made once (the builder makes thousands of elements)
_TAGS = {tag: f"{{{BPMN}}}{tag}" for tag in ("startEvent", "endEvent", "userTask", "exclusiveGateway",
                                             "parallelGateway", "boundaryEvent")}
_SEQUENCE_FLOW, _CONDITION, _FLOW_NODE_REF = (f"{{{BPMN}}}sequenceFlow", f"{{{BPMN}}}conditionExpression",
                                              f"{{{BPMN}}}flowNodeRef")
_XSI_TYPE = f"{{{XSI}}}type"


_NOT_ID = re.compile(r"\W")  # re's \w is exactly str.isalnum() or "_"


def _xml_id(text: str) -> str:
    return _NOT_ID.sub("_", text)


def process_xml(compiled: Compiled, dialect: Dialect = PYTHON) -> str:
    b = _Builder(compiled, dialect)
    eligible = _intake(b)
    layout = _layout(compiled)
    entry, exit_, late = _items(b, layout)
    _escalations(b, layout, late)
    _wire(b, layout, eligible, entry, exit_)
    _lanes_and_incoming(b)
    # The diagram is the root's last child: its text (drawn once per compile) goes before the end tag.
    diagram = diagram_text(compiled, b.nodes, b.flows, b.lanes)
    return to_text(b.definitions, NAMESPACES, head='<?xml version="1.0" encoding="UTF-8"?>\n',
                   before_end="  " + diagram + "\n", tail="\n", indent="  ")  # indented as ET.indent does


def _intake(b: _Builder) -> str:
    """Start, intake and the eligibility gateway, with the way to the fallback window; the
    condition (in the dialect) under which a case goes on to the items."""
    compiled, dialect, bundle = b.compiled, b.dialect, b.compiled.bundle
    lead = bundle.lead_department
    intake = next(step for step in bundle.steps if step.kind == "intake")
    b.node("startEvent", "start", lead, 0, 0, say(compiled.lang, "bpmn.start"))
    b.user_task("intake", Task("intake", intake.owner), 1, 0, compiled.text(intake.name))
    b.flow("start", "intake")
    b.node("exclusiveGateway", "eligible", lead, 2, 0, say(compiled.lang, "bpmn.eligible"))
    b.flow("intake", "eligible")
    fallback_lane = bundle.fallback.department
    b.user_task("fallback", Task("fallback", fallback_lane), 3, 1,
                compiled.text(bundle.fallback.window) or say(compiled.lang, "fallback.window"))
    b.node("endEvent", "end_fallback", fallback_lane, 4, 1, say(compiled.lang, "bpmn.to_fallback"))
    eligible = dialect.all_of([dialect.condition(rule.require.expr) for rule in bundle.eligibility])
    b.flow("eligible", "fallback", dialect.negate(eligible), say(compiled.lang, "bpmn.not_eligible"))
    b.flow("fallback", "end_fallback")
    return eligible


@dataclass(frozen=True)
class _Layout:
    """Where each item goes: its column (level: after everything it waits for) and row in its lane."""

    order: list[str]  # items in dependency order
    by_id: dict[str, Item]
    waits: dict[str, list[str]]  # item → the items it waits for
    successors: dict[str, list[str]]  # item → the items waiting for it
    level: dict[str, int]
    rows: dict[str, int]
    mixed: set[str]  # items whose limit is 0 in some cases only: their 0-day task goes in the row below

    def base(self, item_id: str) -> int:
        return 4 + self.level[item_id] * 5


def _layout(compiled: Compiled) -> _Layout:
    bundle = compiled.bundle
    edges = graph.dependencies(bundle)
    order = graph.topological_order([i.id for i in bundle.items], edges)
    # one pass over the edges each (a big bundle has hundreds of items and edges)
    before_of: dict[str, set[str]] = {item.id: set() for item in bundle.items}
    successors: dict[str, list[str]] = {item.id: [] for item in bundle.items}
    for edge in edges:
        before_of[edge.after].add(edge.before)
        successors[edge.before].append(edge.after)
    waits = {item_id: sorted(before) for item_id, before in before_of.items()}
    level: dict[str, int] = {}
    for item_id in order:
        level[item_id] = max((level[before] + 1 for before in waits[item_id]), default=0)
    by_id = {item.id: item for item in bundle.items}
    mixed = {item.id for item in bundle.items if min(promised_values(item)) == 0 < max(promised_values(item))}
    rows: dict[str, int] = {}
    placed: dict[str, int] = {}  # per department: its items placed so far (the next one's row)
    for item_id in order:
        department = by_id[item_id].department
        rows[item_id] = placed.get(department, 0)
        placed[department] = rows[item_id] + (2 if item_id in mixed else 1)
    return _Layout(order, by_id, waits, successors, level, rows, mixed)


def _items(b: _Builder, layout: _Layout) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Each item's gateways and tasks; the node each item is entered by and left from, and the
    items with a time limit (they get an escalation). A parallel gateway only where flows really
    split or join (bpmnlint: no superfluous gateways)."""
    compiled, dialect = b.compiled, b.dialect
    entry: dict[str, str] = {}
    exit_: dict[str, str] = {}
    late: list[str] = []
    for item_id in layout.order:
        item = layout.by_id[item_id]
        key = _xml_id(item_id)
        base = layout.base(item_id)
        lane, row = item.department, layout.rows[item_id]
        if len(layout.waits[item_id]) > 1:
            b.node("parallelGateway", f"join_{key}", lane, base, row, say(compiled.lang, "bpmn.join"))
            b.flow(f"join_{key}", f"applies_{key}")
            entry[item_id] = f"join_{key}"
        else:
            entry[item_id] = f"applies_{key}"
        b.node("exclusiveGateway", f"applies_{key}", lane, base + 1, row, say(compiled.lang, "bpmn.applies"))
        values = [v for v in promised_values(item) if v > 0 or item_id not in layout.mixed]
        shown = f"{min(values)}–{max(values)}" if min(values) != max(values) else str(values[0])
        code = say(compiled.lang, "bpmn.code", code=item.code) if item.code else ""
        b.user_task(f"task_{key}", Task("item", lane, item), base + 2, row, compiled.text(item.name),
                    say(compiled.lang, "bpmn.promised", days=shown) + code)
        b.node("exclusiveGateway", f"done_{key}", lane, base + 3, row, say(compiled.lang, "bpmn.merge"))
        condition = dialect.condition(item.when.expr if item.when else None)
        if item_id in layout.mixed:
            _instant_branch(b, item, key, base, row, condition, code)
        else:
            b.flow(f"applies_{key}", f"task_{key}", condition, say(compiled.lang, "bpmn.yes"))
        b.flow(f"applies_{key}", f"done_{key}", dialect.negate(condition), say(compiled.lang, "bpmn.no"))
        b.flow(f"task_{key}", f"done_{key}")
        if len(layout.successors[item_id]) > 1:
            b.node("parallelGateway", f"out_{key}", lane, base + 4, row, say(compiled.lang, "bpmn.fork_next"))
            b.flow(f"done_{key}", f"out_{key}")
            exit_[item_id] = f"out_{key}"
        else:
            exit_[item_id] = f"done_{key}"
        if max(promised_values(item)) > 0:
            late.append(item_id)
    return entry, exit_, late


def _instant_branch(b: _Builder, item: Item, key: str, base: int, row: int, condition: str, code: str) -> None:
    """An item whose limit is 0 in some cases only: those cases go to a task without a timer."""
    compiled, dialect = b.compiled, b.dialect
    instant = dialect.condition(instant_condition(item))
    b.user_task(f"instant_{key}", Task("item", item.department, item, timed=False), base + 2, row + 1,
                compiled.text(item.name), say(compiled.lang, "bpmn.instant") + code)
    b.flow(f"applies_{key}", f"task_{key}", dialect.all_of([condition, dialect.negate(instant)]),
           say(compiled.lang, "bpmn.yes"))
    b.flow(f"applies_{key}", f"instant_{key}", dialect.all_of([condition, instant]),
           say(compiled.lang, "bpmn.yes_instant"))
    b.flow(f"instant_{key}", f"done_{key}")


def _escalations(b: _Builder, layout: _Layout, late: list[str]) -> None:
    """A timer on each timed task, escalating to the lead department: below everything else in its lane."""
    compiled, lead = b.compiled, b.compiled.bundle.lead_department
    lead_rows = 1 + max((row for _, lane_id, _, row in b.nodes.values() if lane_id == lead), default=0)
    per_level: dict[int, int] = {}
    for item_id in late:
        item, key = layout.by_id[item_id], _xml_id(item_id)
        base = layout.base(item_id)
        row = lead_rows + per_level.get(layout.level[item_id], 0)
        per_level[layout.level[item_id]] = per_level.get(layout.level[item_id], 0) + 1
        timer = b.node("boundaryEvent", f"late_{key}", item.department, base + 2, layout.rows[item_id],
                       say(compiled.lang, "bpmn.late"), attachedToRef=f"task_{key}", cancelActivity="false")
        b.dialect.timer(ET.SubElement(timer, f"{{{BPMN}}}timerEventDefinition"), item)
        b.user_task(f"escalate_{key}", Task("escalate", lead, item), base + 3, row,
                    say(compiled.lang, "bpmn.escalate", name=compiled.text(item.name)))
        b.node("endEvent", f"escalated_{key}", lead, base + 4, row, say(compiled.lang, "bpmn.escalated"))
        b.flow(f"late_{key}", f"escalate_{key}")
        b.flow(f"escalate_{key}", f"escalated_{key}")


def _wire(b: _Builder, layout: _Layout, eligible: str, entry: dict[str, str], exit_: dict[str, str]) -> None:
    """Eligible cases to the first items (forking when there are several), each item to those
    waiting for it, the last ones (joined) to delivery and the end."""
    compiled, bundle, lead = b.compiled, b.compiled.bundle, b.compiled.bundle.lead_department
    order = layout.order
    sources = [item_id for item_id in order if not layout.waits[item_id]]
    start_node = "eligible"
    if len(sources) > 1:
        b.node("parallelGateway", "fork", lead, 3, 0, say(compiled.lang, "bpmn.fork"))
        b.flow("eligible", "fork", eligible, say(compiled.lang, "bpmn.eligible_yes"))
        start_node = "fork"
    for item_id in sources:
        if start_node == "fork":
            b.flow("fork", entry[item_id])
        else:
            b.flow("eligible", entry[item_id], eligible, say(compiled.lang, "bpmn.eligible_yes"))
    final_column = 4 + (max(layout.level.values(), default=0) + 1) * 5
    for item_id in order:
        for after in layout.successors[item_id]:
            b.flow(exit_[item_id], entry[after])
    sinks = [item_id for item_id in order if not layout.successors[item_id]]
    after_items = "deliver"
    if len(sinks) > 1:
        b.node("parallelGateway", "finish", lead, final_column, 0, say(compiled.lang, "bpmn.finish"))
        b.flow("finish", "deliver")
        after_items = "finish"
    for item_id in sinks:
        b.flow(exit_[item_id], after_items)
    delivery = next((step for step in bundle.steps if step.kind == "delivery"), None)
    b.user_task("deliver", Task("deliver", delivery.owner if delivery else lead), final_column + 1, 0,
                compiled.text(delivery.name) if delivery else say(compiled.lang, "bpmn.deliver"))
    b.node("endEvent", "end", lead, final_column + 2, 0, say(compiled.lang, "bpmn.end"))
    b.flow("deliver", "end")


def _lanes_and_incoming(b: _Builder) -> None:
    members: dict[str, list[str]] = {}
    for node_id, (_, node_lane, _, _) in b.nodes.items():
        members.setdefault(node_lane, []).append(node_id)
    for index, department in enumerate(b.lanes):
        lane = ET.SubElement(b.lane_set, f"{{{BPMN}}}lane", {"id": f"lane_{index}",
                                                              "name": b.compiled.department_name(department)})
        for node_id in members.get(department, []):
            ET.SubElement(lane, _FLOW_NODE_REF).text = node_id
    # incoming/outgoing references, as modelers write them (indexed: a big bundle has thousands of flows)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow_id, source, target in b.flows:
        incoming.setdefault(target, []).append(flow_id)
        outgoing.setdefault(source, []).append(flow_id)
    sub_element, incoming_tag, outgoing_tag = ET.SubElement, f"{{{BPMN}}}incoming", f"{{{BPMN}}}outgoing"
    for node_id, element in b.elements.items():  # the nodes only, not every flow of the process
        for flow_id in incoming.get(node_id, ()):
            sub_element(element, incoming_tag).text = flow_id
        for flow_id in outgoing.get(node_id, ()):
            sub_element(element, outgoing_tag).text = flow_id


def write_process_bpmn(compiled: Compiled) -> str:
    return process_xml(compiled)


__all__ = ["PYTHON", "Dialect", "Task", "instant_condition", "process_xml", "python_condition", "write_process_bpmn"]
