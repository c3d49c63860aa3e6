"""routing.json: who does what, in which order, with which data. See schemas/routing.schema.json.

Conditions are JsonLogic over the situation answers (the object under "situations" in the
application). Each department is given only the fields and materials its own items use.
"""

from __future__ import annotations

import bisect
import itertools
from typing import Any

from configurator.jsontext import dump_json
from configurator.language import graph
from configurator.model import Condition, Item, SpecialStage, Varies
from configurator.planning.compiled import Compiled
from configurator.writers.field_rules import routing_entries

ROUTING_SCHEMA_ID = "urn:configurator:schema:routing"


def _rule(compiled: Compiled, condition: Condition | None) -> Any:
    return True if condition is None else compiled.jsonlogic(condition.expr)


def parallel_groups(compiled: Compiled) -> list[list[str]]:
    """Items that run at the same time in some real case: per case, the applicable items at
    one dependency depth. Alternatives (never applicable together) never share a group; a
    group contained in another of the same depth is left out."""
    bundle = compiled.bundle
    order = {item.id: index for index, item in enumerate(bundle.items)}
    depths = compiled.planner.chains.depths  # each chain's depths found once per state, not per case
    found: dict[int, dict[frozenset[str], None]] = {}  # per depth: the groups, in order found
    for case in compiled.scenarios[0]:
        applicable = [item.id for item in case.plan.items]
        if not case.plan.edges:  # everything at depth 0
            if applicable:
                found.setdefault(0, {}).setdefault(frozenset(applicable), None)
            continue
        for depth, members in depths(case.plan.items).items():
            found.setdefault(depth, {}).setdefault(frozenset(members), None)
    groups = []
    for depth in sorted(found):
        # the largest first: a group inside another is usually found at the first try; only the
        # groups larger than it are tried at all (groups of one size never contain each other, and
        # passing over them one by one made thousands of equal-sized cases quadratic)
        largest_first = sorted(found[depth], key=len, reverse=True)
        smaller_first = [-len(g) for g in largest_first]  # ascending, for bisect
        kept = [g for g in found[depth]
                if not any(g < other for other in itertools.islice(largest_first, bisect.bisect_left(smaller_first, -len(g))))]
        groups += sorted((sorted(g, key=order.__getitem__) for g in kept), key=lambda g: [order[i] for i in g])
    return groups


def _cases(compiled: Compiled, varies: tuple[Varies, ...], attribute: str) -> list[dict[str, Any]]:
    return [{"when": _rule(compiled, case.when), "value": case.value}
            for v in varies if v.attribute == attribute for case in v.cases]


def _stage(compiled: Compiled, stage: SpecialStage) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": stage.kind, "name": compiled.text(stage.name), "days": stage.days,
                             "day_kind": stage.day_kind}
    if stage.varies:
        entry["days_cases"] = _cases(compiled, stage.varies, "days")
    return entry


def routing(compiled: Compiled) -> dict[str, Any]:
    bundle = compiled.bundle
    edges = graph.dependencies(bundle)
    step_of = {item_id: step.id for step in bundle.steps if step.kind == "handling" for item_id in step.items}
    intake = next(step for step in bundle.steps if step.kind == "intake")

    waited_for: dict[str, list[graph.Dependency]] = {}  # per item, its edges in order (one pass, not one per item)
    for edge in edges:
        waited_for.setdefault(edge.after, []).append(edge)
    tasks = []
    for item in bundle.items:
        waits = []
        for edge in waited_for.get(item.id, []):
            entry: dict[str, Any] = {"task": edge.before}
            if edge.is_data_flow:
                entry["because"] = "data_flow"
                entry["material"] = edge.material
            else:
                entry["because"] = "explicit"
                reason = next(a.reason for a in item.after if a.item == edge.before)
                entry["reason"] = compiled.text(reason)
            waits.append(entry)
        task: dict[str, Any] = {
            "id": item.id,
            "name": compiled.text(item.name),
            "department": item.department,
            "when": _rule(compiled, item.when),
            "after": waits,
            "time_limit": {"promised_days": item.promised_days, "statutory_days": item.statutory_days},
            "visits": item.visits,
            "special_stages": [_stage(compiled, s) for s in item.special_stages],
            "fields": list(item.fields),
            "materials": list(item.materials),
            "produces": list(item.result.materials) if item.result else [],
        }
        for attribute, key in (("promised_days", "promised_cases"), ("statutory_days", "statutory_cases")):
            if _cases(compiled, item.varies, attribute):
                task["time_limit"][key] = _cases(compiled, item.varies, attribute)
        if _cases(compiled, item.varies, "visits"):
            task["visits_cases"] = _cases(compiled, item.varies, "visits")
        if item.combined_with:
            task["combined_with"] = item.combined_with
        if item.code:
            task["code"] = item.code
        if item.id in step_of:
            task["step"] = step_of[item.id]
        tasks.append(task)

    departments: dict[str, Any] = {}
    involved = [bundle.lead_department, *bundle.cooperating_departments]
    involved += [i.department for i in bundle.items] + [s.owner for s in bundle.steps if s.owner != "applicant"]
    for department in dict.fromkeys(involved):
        own = [item for item in bundle.items if item.department == department]
        fields = list(dict.fromkeys(f for item in own for f in item.fields))
        materials = list(dict.fromkeys(m for item in own for m in item.materials))
        departments[department] = {
            "name": compiled.department_name(department),
            "role": "lead" if department == bundle.lead_department else "cooperating",
            "tasks": [item.id for item in own],
            "steps": [step.id for step in bundle.steps if step.owner == department],
            "fields": [_field_entry(compiled, f, department) for f in fields],
            "materials": [_material_entry(compiled, m, department) for m in materials],
        }

    extra: dict[str, Any] = {}
    if bundle.field_rules:  # JsonLogic over the whole application; see writers/field_rules.py
        extra["field_rules"] = routing_entries(compiled)
    return {
        "$schema": ROUTING_SCHEMA_ID,
        "bundle": {"id": bundle.id, "name": compiled.text(bundle.name), "version": bundle.version},
        "answers": [s.id for s in bundle.situations],
        "intake": {"department": intake.owner, "department_name": compiled.department_name(intake.owner),
                   "step": intake.id, "time_limit_days": intake.time_limit},
        "eligibility": [{"id": r.id, "rule": compiled.jsonlogic(r.require.expr), "message": compiled.text(r.message)}
                        for r in bundle.eligibility],
        "fallback": {"department": bundle.fallback.department,
                     "department_name": compiled.department_name(bundle.fallback.department),
                     "window": compiled.text(bundle.fallback.window) or None,
                     "message": compiled.text(bundle.fallback.message)},
        "tasks": tasks,
        "parallel_groups": parallel_groups(compiled),
        "steps": [{"id": s.id, "name": compiled.text(s.name), "kind": s.kind, "owner": s.owner,
                   "time_limit_days": s.time_limit, "tasks": list(s.items)} for s in bundle.steps],
        "departments": departments,
        **extra,
    }


def _field_entry(compiled: Compiled, field_id: str, department: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": field_id, "when": _field_rule(compiled, field_id, department)}
    field = compiled.field_entry(field_id)
    if field.from_situation:
        entry["from_situation"] = field.from_situation  # the value is that answer, under "situations"
    return entry


def _field_rule(compiled: Compiled, field_id: str, department: str) -> Any:
    """When the department receives the field: its own when, and one of its items using it applies."""
    field = compiled.field_entry(field_id)
    users = [i for i in compiled.users(field_id, "fields") if i.department == department]
    return _needed_rule(compiled, field.when, users)


def _material_entry(compiled: Compiled, material_id: str, department: str) -> dict[str, Any]:
    material = compiled.material_entry(material_id)
    assert material is not None
    users = [i for i in compiled.users(material_id, "materials") if i.department == department]
    entry: dict[str, Any] = {"id": material.id, "name": compiled.material_name(material),
                             "source": material.source, "when": _needed_rule(compiled, material.when, users)}
    if material.shared_from:
        entry["shared_from"] = material.shared_from
    if material.produced_by:
        entry["produced_by"] = list(material.produced_by)
    return entry


def _needed_rule(compiled: Compiled, own: Condition | None, users: list[Item]) -> Any:
    condition = compiled.needed(own, users)
    return True if condition is None else compiled.jsonlogic(condition)


def write_routing(compiled: Compiled) -> str:
    return dump_json(routing(compiled))
