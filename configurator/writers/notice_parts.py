"""The notice's statements that depend on the case: a case-dependent value told by condition
(「纳税信用等级」是以下之一：“A 级”、“B 级”：即办。其他情形：10 个工作日), and which items run in
parallel and which wait for which, as the plan schedules them.

Conditions are told in words by language/describe.py (the situations' and options' labels), so a
citizen reads the condition that applies to them, never condition source text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from configurator.language import conditions, graph
from configurator.language.describe import describe
from configurator.model import Condition, Item, Varies
from configurator.planning.compiled import Compiled
from configurator.planning.schedule import units
from configurator.writers.phrases import plural, say


def varies(entry_varies: tuple[Varies, ...], attribute: str) -> bool:
    return any(v.attribute == attribute and v.cases for v in entry_varies)


def by_case(compiled: Compiled, entry_varies: tuple[Varies, ...], attribute: str, default: Any,
            show: Callable[[Any], str]) -> str:
    """The value in words: each case under its condition, in the bundle's order, then the default
    under 其他情形. A case whose condition can hold together with an earlier one's is told as
    "否则，…": the first case that holds gives the value, and the reader must not take both."""
    cases = [case for v in entry_varies if v.attribute == attribute for case in v.cases]
    if not cases:
        return show(default)
    lang = compiled.lang
    told = []
    for index, case in enumerate(cases):
        key = "case.otherwise_if" if index and _may_overlap(compiled, [c.when for c in cases[:index]], case.when) \
            else "case.if"
        told.append(say(lang, key, when=describe(case.when.written, compiled.bundle, lang), value=show(case.value)))
    told.append(say(lang, "case.default", value=show(default)))
    return say(lang, "case.sep").join(told)


def _may_overlap(compiled: Compiled, earlier: Sequence[Condition], condition: Condition) -> bool:
    """Whether some answers make ``condition`` and one of ``earlier`` hold at once (True when the
    combinations are too many to try: then "否则" is the safe word)."""
    before = conditions.any_of([c.expr for c in earlier])
    both = conditions.all_of([before, condition.expr]) if before is not None else None
    if both is None:
        return False
    seen = conditions.truth_table(both, compiled.variables)
    return seen is None or True in seen


def days_text(compiled: Compiled, days: int) -> str:
    return say(compiled.lang, "immediately") if days == 0 else say(compiled.lang, "days", days=days, plural=plural(days))


def stage_days_text(compiled: Compiled, days: int, day_kind: str) -> str:
    unit = say(compiled.lang, "working_days" if day_kind == "working" else "calendar_days")
    return say(compiled.lang, "stage_days", days=days, unit=unit)


def visits_text(compiled: Compiled, visits: int) -> str:
    return say(compiled.lang, "visits.none") if visits == 0 else say(compiled.lang, "visits.some", visits=visits,
                                                                     plural=plural(visits))


def order_lines(compiled: Compiled, items: Sequence[Item], edges: Sequence[graph.Dependency],
                every_case: bool = False) -> list[str]:
    """Which items start together on acceptance and run in parallel, which are handled together,
    and which wait for which (and why): the order routing.json and the plan's schedule follow.
    Empty when nothing waits and nothing is handled together, so "各部门并联办理" is then true.
    ``every_case``: the items and edges of the bundle, not of one case (items handled together
    are so only when both apply)."""
    lang = compiled.lang
    unit = units(list(items))
    names = {item.id: say(lang, "quoted", name=compiled.text(item.name)) for item in items}
    present = [item.id for item in items]
    waits: dict[str, dict[Any, list[str]]] = {}  # waiting item → (material | item waited for) → items
    for edge in edges:
        if edge.before in unit and edge.after in unit and unit[edge.before] != unit[edge.after]:
            group = waits.setdefault(edge.after, {}).setdefault(("material", edge.material) if edge.is_data_flow
                                                                 else ("after", edge.before), [])
            if edge.before not in group:
                group.append(edge.before)
    # each unit's members in one pass (units in order of their first member, as the items come)
    members: dict[str, list[str]] = {}
    for member in present:
        members.setdefault(unit[member], []).append(member)
    combined = [group for group in members.values() if len(group) > 1]
    if not waits and not combined:
        return []
    lines = []
    by_id = {item.id: item for item in items}
    # items handled together are told as one line of their own and start when their unit does; in
    # the notice for every case one that may apply without the other starts on acceptance then
    alone = {i for group in combined if every_case and _apart(group, by_id) for i in group}
    first = [item_id for item_id in present if item_id not in waits
             and (item_id in alone or not any(item_id in group for group in combined))]
    if first:
        # "in parallel" only of items that can apply together (not of alternatives such as two kinds of retirement)
        parallel = _together(compiled, [by_id[i] for i in first])
        lines.append(say(lang, "order.together" if parallel else "order.alone", s="" if len(first) > 1 else "s",
                         names=say(lang, "list_sep").join(names[i] for i in first)))
    lines += [say(lang, "order.combined_when" if every_case and _apart(group, by_id) else "order.combined",
                  names=say(lang, "list_sep").join(names[i] for i in group)) for group in combined]
    for item_id in present:
        if item_id not in waits:
            continue
        told = []
        for (kind, key), befores in waits[item_id].items():
            # producers of one material are alternatives when they never apply together: wait for whichever does
            joiner = "or" if kind == "material" and not _together(compiled, [by_id[b] for b in befores]) else "order.and"
            who = say(lang, joiner).join(names[b] for b in befores)
            if kind == "material":
                material = compiled.material_entry(key)
                told.append(say(lang, "order.needs", names=who,
                                material=compiled.material_name(material) if material else key))
            else:
                reason = next((a.reason for a in by_id[item_id].after if a.item == key), None)
                told.append(say(lang, "order.reason", names=who, reason=compiled.text(reason)) if reason else who)
        lines.append(say(lang, "order.waits", item=names[item_id], waits=say(lang, "order.and").join(told)))
    return lines


def _together(compiled: Compiled, items: Sequence[Item]) -> bool:
    """Whether two of the items can apply in the same case."""
    if len(items) < 2:
        return False
    whens = [item.when for item in items]
    if any(when is None for when in whens):
        return True
    return any(_may_overlap(compiled, [w for w in whens[:index] if w is not None], when)
               for index, when in enumerate(whens) if index and when is not None)


def _apart(group: list[str], by_id: dict[str, Item]) -> bool:
    """Whether items handled together may apply one without the other (their conditions differ)."""
    return len({when.text if (when := by_id[i].when) else None for i in group}) > 1
