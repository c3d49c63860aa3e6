"""Every department named has a duty, every step an owner with enough time, every case a
receiver. A case must never wait on nobody."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.diagnostics import Diagnostic
from configurator.language.rules.context import RuleContext
from configurator.model import Item, Path


def _values(item: Item, attribute: str) -> list[tuple[int, Path]]:
    """Every value an item's figure takes (its default and each case), with where it is written."""
    default_path = item.path + ({"promised_days": ("time_limit", "promised"),
                                 "statutory_days": ("time_limit", "statutory")}[attribute])
    found: list[tuple[int, Path]] = []
    for varies in item.varies:
        if varies.attribute == attribute:
            default_path = varies.path + ("default",)
            found += [(case.value, case.path + ("value",)) for case in varies.cases]
    value = getattr(item, attribute)
    return [(value, default_path), *found] if value is not None else found


def check_time_limits(context: RuleContext) -> Iterable[Diagnostic]:
    """The promised limit never exceeds the statutory one, in any case (the longest promised
    against the shortest statutory, so no combination of cases can break it)."""
    for item in context.bundle.items:
        statutory = _values(item, "statutory_days")
        if not statutory:
            continue
        shortest = min(value for value, _ in statutory)
        for promised, path in _values(item, "promised_days"):
            if promised > shortest:
                yield context.at("E503", path, promised=promised, statutory=shortest)


def _duties(context: RuleContext) -> set[str]:
    bundle = context.bundle
    return {item.department for item in bundle.items} | {step.owner for step in bundle.steps}


def check_cooperating_have_duties(context: RuleContext) -> Iterable[Diagnostic]:
    duties = _duties(context)
    for index, department in enumerate(context.bundle.cooperating_departments):
        if department not in duties:
            yield context.at("E504", ("cooperating_departments", index), department=department)


def check_lead_has_duty(context: RuleContext) -> Iterable[Diagnostic]:
    lead = context.bundle.lead_department
    if lead not in _duties(context):
        yield context.at("E505", ("lead_department",), department=lead)


def check_intake_exists(context: RuleContext) -> Iterable[Diagnostic]:
    if not any(step.kind == "intake" for step in context.bundle.steps):
        yield context.at_key("E513", ("steps",))


def check_handling_steps(context: RuleContext) -> Iterable[Diagnostic]:
    bundle = context.bundle
    handled: set[str] = set()
    for step in bundle.steps:
        for index, item_id in enumerate(step.items):
            item = bundle.item(item_id)
            if item is None:
                continue  # unknown item: reported by the references rules
            handled.add(item_id)
            known_department = item.department in context.catalogues.departments
            if step.kind == "handling" and known_department and step.owner != item.department:
                yield context.at("E506", step.path + ("items", index), step=step.id, owner=step.owner,
                                 item=item.id, department=item.department)
            longest = max(value for value, _ in _values(item, "promised_days"))
            if step.time_limit < longest:
                yield context.at("E512", step.path + ("time_limit",), step=step.id,
                                 step_days=step.time_limit, item=item.id, item_days=longest)
    for item in bundle.items:
        if item.id not in handled:
            yield context.at("W507", item.path + ("id",), item=item.id)


RULES = [check_time_limits, check_cooperating_have_duties, check_lead_has_duty, check_intake_exists,
         check_handling_steps]
