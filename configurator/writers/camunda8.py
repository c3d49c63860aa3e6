"""process.camunda8.bpmn: the routing of process.bpmn for Camunda 8 (Zeebe), deployable as written.

The same layout, lanes and diagram as process.bpmn (writers/bpmn.py draws both); what differs
is the dialect:

- gateway conditions are FEEL (language/feel.py) with Zeebe's ``=`` prefix, over the situation
  answers in the process variable ``application`` (the application as the pre-check takes it:
  ``{"situations": …, "fields": …, "uploads": …}``);
- every user task is a Camunda user task (``zeebe:userTask``) with its department as candidate
  group. Job-worker user tasks are deprecated since 8.6 and camunda-compat warns on them;
- data minimisation as in routing.json: an item's task gets a local ``payload`` holding only the
  fields and uploads that item uses, and local ``application`` set to null, which hides the full
  application from the task (Zeebe reads the innermost scope first). What the department
  completes the task with under ``result`` is kept as ``task_<item>_result``, nothing else
  reaches the process;
- the overdue timer of an item fires at ``due_dates[item id]`` (working-day due dates computed
  outside and passed in at start), non-interrupting, and opens a chasing task for the lead
  department; the same date is the user task's due date, and ``due_dates.case`` is the delivery's.
  The task of an item's 0-day cases (``instant_<item>``) has neither: it is done on the spot.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from configurator.language import conditions as lang
from configurator.language.feel import answer, literal, to_feel
from configurator.model import Item
from configurator.planning.compiled import Compiled
from configurator.planning.duedates import CASE_KEY
from configurator.writers.bpmn import BPMN, XSI, Dialect, Task, process_xml, promised_values

ZEEBE = "http://camunda.org/schema/zeebe/1.0"
MODELER = "http://camunda.org/schema/modeler/1.0"
for _prefix, _uri in (("zeebe", ZEEBE), ("modeler", MODELER)):
    ET.register_namespace(_prefix, _uri)

# The newest Camunda 8 version bpmnlint-plugin-camunda-compat knows (its camunda-cloud-8-10 profile);
# Camunda Modeler reads it to pick the lint rules and the properties panel.
PLATFORM_VERSION = "8.10.0"
APPLICATION = "application"
ANSWERS = f"{APPLICATION}.situations"
DUE_DATES = "due_dates"  # the context planning/duedates.py computes (DueDates.timer_context)


def condition(expr: lang.Expr | None) -> str:
    """A gateway condition in FEEL, without the ``=`` (true when there is none)."""
    return "true" if expr is None else to_feel(expr, ANSWERS)


def due_date(key: str) -> str:
    """The FEEL date and time of a due date the caller passed in ``due_dates``."""
    return f"date and time({answer(key, DUE_DATES)})"


def result_variable(node_id: str) -> str:
    return f"{node_id}_result"


def payload(item: Item, compiled: Compiled) -> str:
    """A context of the item's own fields and uploads, read from the application. Materials the
    applicant does not upload (shared, produced) are not in the application: routing.json says
    where the department gets them."""
    def group(name: str, ids: list[str]) -> str:
        source = f"{APPLICATION}.{name}"
        return "{" + ", ".join(f"{literal(i)}: {answer(i, source)}" for i in ids) + "}"

    def field_value(field_id: str) -> str:
        entry = compiled.field_entry(field_id)
        if entry.from_situation:  # the answer to a situation, asked once
            return answer(entry.from_situation, f"{APPLICATION}.situations")
        return answer(field_id, f"{APPLICATION}.fields")

    uploads = [m for m in item.materials if (found := compiled.material_entry(m)) and found.source == "applicant"]
    fields = "{" + ", ".join(f"{literal(f)}: {field_value(f)}" for f in item.fields) + "}"
    return "{" + f'"fields": {fields}, "uploads": {group("uploads", uploads)}' + "}"


def form_reference(task: Task, compiled: Compiled) -> str:
    """What the task's form shows, as a reference into the bundle's own artifacts (a custom task
    app resolves it): the whole application for the lead's intake, fallback and delivery, the
    item's entry in routing.json (its fields, materials and time limit) for item and chasing tasks."""
    if task.item is None:
        return "form.schema.json"
    return f"routing.json#/tasks/{compiled.item_positions[task.item.id]}"


def _task(element: ET.Element, task: Task, compiled: Compiled) -> None:
    extensions = ET.Element(f"{{{BPMN}}}extensionElements")
    ET.SubElement(extensions, f"{{{ZEEBE}}}userTask")
    ET.SubElement(extensions, f"{{{ZEEBE}}}formDefinition", {"externalReference": form_reference(task, compiled)})
    ET.SubElement(extensions, f"{{{ZEEBE}}}assignmentDefinition", {"candidateGroups": task.department})
    inputs: list[tuple[str, str]] = []
    if task.item is not None:
        inputs.append((literal(task.item.id), "item"))
        if task.role == "item":
            inputs.append((payload(task.item, compiled), "payload"))
        # Last, after payload has read it: hide the full application from this task's scope.
        inputs.append(("null", APPLICATION))
    if task.role == "item" and task.timed and task.item is not None and max(promised_values(task.item)) > 0:
        ET.SubElement(extensions, f"{{{ZEEBE}}}taskSchedule", {"dueDate": "=" + due_date(task.item.id)})
    if task.role == "deliver":
        ET.SubElement(extensions, f"{{{ZEEBE}}}taskSchedule", {"dueDate": "=" + due_date(CASE_KEY)})
    mapping = ET.SubElement(extensions, f"{{{ZEEBE}}}ioMapping")
    for source, target in inputs:
        ET.SubElement(mapping, f"{{{ZEEBE}}}input", {"source": "=" + source, "target": target})
    ET.SubElement(mapping, f"{{{ZEEBE}}}output", {"source": "=result", "target": result_variable(element.get("id", ""))})
    # extensionElements come after documentation and before anything else (BPMN 2.0 schema order)
    position = len(element.findall(f"{{{BPMN}}}documentation"))
    element.insert(position, extensions)


def _timer(definition: ET.Element, item: Item) -> None:
    date = ET.SubElement(definition, f"{{{BPMN}}}timeDate", {f"{{{XSI}}}type": "bpmn:tFormalExpression"})
    date.text = "=" + due_date(item.id)


ZEEBE_DIALECT = Dialect(
    condition=condition,
    negate=lambda text: f"not({text})",
    all_of=lambda texts: " and ".join(f"({t})" for t in texts) if texts else "true",
    written=lambda text: "=" + text,
    task=_task,
    timer=_timer,
    attributes={f"{{{MODELER}}}executionPlatform": "Camunda Cloud",
                f"{{{MODELER}}}executionPlatformVersion": PLATFORM_VERSION},
)


def write_process_camunda8(compiled: Compiled) -> str:
    return process_xml(compiled, ZEEBE_DIALECT)


__all__ = ["ANSWERS", "APPLICATION", "CASE_KEY", "DUE_DATES", "PLATFORM_VERSION", "ZEEBE_DIALECT", "condition",
           "due_date", "form_reference", "payload", "result_variable", "write_process_camunda8"]
