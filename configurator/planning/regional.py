"""The standard bundle as one region carries it out: its allowed deviations applied.

Only deviations towards citizens are applied (shorter limits, fewer materials, fewer trips,
more delivery channels); a region with a forbidden one is not built (``check`` reports it).

A region's value is its promise for every case (docs/bundle-format.md, 地区绑定): where the
standard's value depends on the case, each case gets the more favourable of the region's value
and the case's own, so a case the standard treats better keeps its value (a 0-day case stays
0 days under a region's 2) and every other case gets the region's. The result is again a bundle
with values by case, so the plan, the notice, routing, metrics and both BPMN files read it as
they read the standard.

Items handled together (``combined_with``) finish together, when the longer of them does. A
region's shorter limit for one of them is a promise too: when the other applies and is handled
with it, the combined handling finishes within that limit, so the other item gets the region's
limit in exactly those cases (a case added to its limit, with the condition that both apply).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from configurator.language import conditions
from configurator.language.region_rules import STRICTNESS, differences
from configurator.language.regions import BundleBinding
from configurator.model import Bundle, BundleMaterial, Condition, Item, ValueCase, Varies

_Entry = TypeVar("_Entry", Item, BundleMaterial)


def _fewer(standard: Any, local: Any) -> Any:
    return min(standard, local)


def _laxer(standard: Any, local: Any) -> Any:
    return standard if STRICTNESS[standard] <= STRICTNESS[local] else local


def _favoured(entry: _Entry, attribute: str, local: Any, better: Callable[[Any, Any], Any]) -> _Entry:
    """``entry`` with ``attribute`` set to the better of its value and ``local`` in every case.

    Cases left giving the default are dropped from the end (the first case that holds decides,
    so only trailing ones can go without changing any case): what no longer depends on the case
    is not listed by case in the notice, routing or BPMN."""
    default = better(getattr(entry, attribute), local)
    varies = []
    for v in entry.varies:
        if v.attribute != attribute:
            varies.append(v)
            continue
        cases = [dataclasses.replace(case, value=better(case.value, local)) for case in v.cases]
        while cases and cases[-1].value == default:
            cases.pop()
        if cases:
            varies.append(dataclasses.replace(v, cases=tuple(cases)))
    return dataclasses.replace(entry, **{attribute: default}, varies=tuple(varies))


def _item(item: Item, binding: BundleBinding, forbidden: set[tuple[str, str]]) -> Item:
    local = binding.items.get(item.id)
    if local is None:
        return item
    if local.promised_days is not None and ("time", item.id) not in forbidden:
        item = _favoured(item, "promised_days", local.promised_days, _fewer)
    if local.visits is not None and ("trips", item.id) not in forbidden:
        item = _favoured(item, "visits", local.visits, _fewer)
    return item


def _both(first: Condition | None, second: Condition | None) -> Condition | None:
    """Both conditions (None: always), as written and as expanded."""
    if first is None or second is None:
        return first or second
    expanded = (f"({first.expanded or first.text}) and ({second.expanded or second.text})"
                if first.expanded or second.expanded else None)
    return Condition(f"({first.text}) and ({second.text})", first.path, expanded)


def _partners(item: Item, items: list[Item]) -> list[tuple[str, Condition | None]]:
    """The items ``item`` is handled together with, each with when that happens (given that
    ``item`` applies): a member is with its host when the host applies, and with the host's other
    members when they and the host apply; a host is with each member that applies."""
    host = next((i for i in items if i.id == item.combined_with), None)
    found: list[tuple[str, Condition | None]] = []
    if host is not None:
        found.append((host.id, host.when))
        found += [(i.id, _both(i.when, host.when)) for i in items if i.combined_with == host.id and i.id != item.id]
    found += [(i.id, i.when) for i in items if i.combined_with == item.id]
    return found


def _conjuncts(expr: conditions.Expr) -> set[str]:
    if isinstance(expr, conditions.BoolOp) and expr.op == "and":
        return {text for operand in expr.operands for text in _conjuncts(operand)}
    return {conditions.to_text(expr)}


def _beyond(together: Condition, when: Condition | None) -> Condition | None:
    """``together`` without what the item's own ``when`` already says (None: nothing is left, it
    holds whenever the item applies): ``indoor and size == "mass"`` for an item applying when
    ``indoor`` is ``size == "mass"``. Named conditions are kept as written."""
    if when is None:
        return together
    own = _conjuncts(when.expr)
    expr = together.expr
    parts = list(expr.operands) if isinstance(expr, conditions.BoolOp) and expr.op == "and" else [expr]
    left = [p for p in parts if not _conjuncts(p) <= own]
    if not left:
        return None
    if len(left) == len(parts) or together.expanded or when.expanded:
        return together
    rest = conditions.all_of(left)
    assert rest is not None
    return Condition(conditions.to_text(rest), together.path)


def _within(item: Item, days: int, together: Condition | None) -> Item:
    """``item`` finishing within ``days`` whenever ``together`` holds (None: always); only what
    its own ``when`` does not already say is a condition of the case (nothing left: the limit
    itself changes, not a case of it)."""
    together = _beyond(together, item.when) if together is not None else None
    if together is None:
        return _favoured(item, "promised_days", days, _fewer)
    own = [case for v in item.varies if v.attribute == "promised_days" for case in v.cases]
    cases: list[ValueCase] = []
    for case in own:  # the first case that holds decides: each own case, first when handled together
        joined = _both(case.when, together)
        if case.value > days and joined is not None:
            cases.append(ValueCase(joined, days, case.path))
        cases.append(case)
    path = item.path + ("time_limit", "promised")
    if item.promised_days > days:
        cases.append(ValueCase(together, days, path))
    if cases == own:
        return item
    others = tuple(v for v in item.varies if v.attribute != "promised_days")
    return dataclasses.replace(item, varies=(*others, Varies("promised_days", tuple(cases), path)))


def _held_together(items: list[Item], promises: dict[str, int]) -> list[Item]:
    """Each item that may be handled with one the region promises a shorter limit for, held to it."""
    if not promises or all(item.combined_with is None for item in items):
        return items
    held = []
    for item in items:
        for partner, together in _partners(item, items):
            if partner in promises:
                item = _within(item, promises[partner], together)
        held.append(item)
    return held


def regional_bundle(bundle: Bundle, binding: BundleBinding) -> Bundle:
    found = list(differences(bundle, binding))
    forbidden = {(d.aspect, d.subject) for d in found if not d.allowed}
    waived = {d.subject for d in found if d.allowed and d.aspect == "materials" and binding.materials[d.subject] == "waived"}
    promises = {item_id: local.promised_days for item_id, local in binding.items.items()
                if local.promised_days is not None and ("time", item_id) not in forbidden and bundle.item(item_id)}
    items = tuple(dataclasses.replace(item, materials=tuple(m for m in item.materials if m not in waived))
                  for item in _held_together([_item(item, binding, forbidden) for item in bundle.items], promises))
    materials = tuple(
        _favoured(m, "requirement", binding.materials[m.id], _laxer)
        if m.id in binding.materials and m.source == "applicant" and ("materials", m.id) not in forbidden else m
        for m in bundle.materials if m.id not in waived)
    visits = next((int(d.local) for d in found if d.allowed and d.aspect == "trips" and d.subject == bundle.id), bundle.visits)
    delivery = next((binding.delivery for d in found if d.allowed and d.aspect == "delivery" and binding.delivery),
                    bundle.delivery)
    return dataclasses.replace(bundle, items=items, materials=materials, visits=visits, delivery=delivery)

