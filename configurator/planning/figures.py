"""The four reduction figures (减材料、减环节、减时间、减跑动), overall and per case.

Definitions (docs/metrics.md has them with examples):

- materials: before, every applicable item applied for on its own, the applicant brings every
  document that item lists; after, only the distinct documents with ``source: applicant``
  (shared, produced and generated ones are not handed in);
- steps: before, the sum of each item's own steps; after, the steps of the bundle the
  applicant takes part in (application, intake, delivery);
- days: before, the items one after another (sum of promised limits); after, the longest
  chain of dependent items (promised limits along the dependency graph). Special stages
  (public notice, expert review...) count in neither and are listed apart;
- visits: before, the sum of each item's visits; after, the bundle's declared ``visits``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from configurator.model import BundleMaterial, Item
from configurator.planning.cases import Scenario, fullest_of
from configurator.planning.compiled import Compiled
from configurator.planning.plan import Plan

APPLICANT_STEP_KINDS = ("application", "intake", "delivery")


def _figure(before: float, after: float | None) -> dict[str, Any]:
    figure: dict[str, Any] = {"before": before, "after": after}
    if after is not None:
        figure["saved"] = before - after
        figure["reduction_percent"] = round(100 * (before - after) / before, 2) if before else 0.0
    return figure


def figures(compiled: Compiled, items: Sequence[Item], needed: Sequence[BundleMaterial], days_after: int,
            handed_in: Sequence[BundleMaterial] | None = None) -> dict[str, Any]:
    """The four figures; ``handed_in``: the needed materials the applicant brings, when known."""
    bundle = compiled.bundle
    needed_ids = {m.id for m in needed}
    handed = steps = days = visits = 0  # one pass over the items (figures are computed per case)
    for item in items:
        for material_id in item.materials:
            if material_id in needed_ids:
                handed += 1
        steps += item.steps
        days += item.promised_days
        visits += item.visits
    steps_after = compiled.once("planning.figures.steps", lambda: sum(s.kind in APPLICANT_STEP_KINDS for s in bundle.steps))
    return {
        "materials": _figure(handed, len(handed_in if handed_in is not None else
                                         [m for m in needed if m.source == "applicant"])),
        "steps": _figure(steps, steps_after),
        "days": _figure(days, days_after),
        "visits": _figure(visits, bundle.visits),
    }


def _special_stages(items: list[Item]) -> list[dict[str, Any]]:
    return [{"item": item.id, "kind": s.kind, "days": s.days, "day_kind": s.day_kind}
            for item in items for s in item.special_stages]


def baseline(compiled: Compiled) -> dict[str, Any]:
    """The published figures and their source, as given (shown beside the computed ones)."""
    given = compiled.bundle.baseline
    assert given is not None
    entry: dict[str, Any] = {"source": compiled.text(given.source)}
    entry.update({key: value for key, value in (("date", given.date), ("link", given.link)) if value})
    if given.note:
        entry["note"] = compiled.text(given.note)
    entry["figures"] = {key: _figure(before, after) for key, (before, after) in given.figures.items()
                        if before is not None}
    return entry


def illustrative_values(compiled: Compiled) -> dict[str, Any]:
    """The values the bundle marks as not taken from its cited source: how many, and where (each
    marked mapping as a JSON pointer with its listed keys), so a province sees what to confirm."""
    marks = compiled.bundle.illustrative
    return {"count": compiled.bundle.illustrative_count,
            "marked": [{"path": "/" + "/".join(str(part) for part in mark.path), "keys": list(mark.keys)}
                       for mark in marks]}


def plan_figures(compiled: Compiled, plan: Plan) -> dict[str, Any]:
    return figures(compiled, plan.items, plan.materials, plan.days, plan.applicant_materials)


def fullest(cases: list[Scenario]) -> Scenario | None:
    """The real case in which the most items apply (then the most materials): the figures a
    bundle is judged by, since items that exclude each other never all apply together."""
    return fullest_of(cases)


def metrics(compiled: Compiled) -> dict[str, Any]:
    bundle = compiled.bundle
    cases, complete = compiled.scenarios
    combinations = compiled.case_search.combinations
    widest = compiled.case_search.fullest  # among every case, also those a long list leaves out
    if widest is not None:
        overall = {"description": "the real case in which the most items apply", "answers": widest.answers,
                   "items": [i.id for i in widest.plan.items], **plan_figures(compiled, widest.plan),
                   "special_stages": _special_stages(list(widest.plan.items))}
    else:  # no eligible case at all: the checker reports contradictory eligibility rules
        overall = {"description": "no eligible case", "answers": {}, "items": [],
                   **figures(compiled, [], [], 0), "special_stages": []}

    serial = [
        {"item": item.id, "after": entry.item, "reason": compiled.text(entry.reason)}
        for item in bundle.items for entry in item.after
    ]
    return {
        "bundle": {"id": bundle.id, "name": compiled.text(bundle.name), "version": bundle.version},
        "overall": overall,
        "scenarios": [
            {"answers": case.answers, "items": [i.id for i in case.plan.items],
             "applicant_materials": [m.id for m in case.plan.applicant_materials],
             **plan_figures(compiled, case.plan)}
            for case in cases
        ],
        "scenarios_complete": complete,
        # a count past 64 bits (a product over many groups) is written as a float: JSON readers lose it otherwise
        "case_search": {"answer_sets": combinations if combinations < 2 ** 63 else float(combinations),
                        "exact": not compiled.case_search.sampled,
                        "distinct_cases": len(cases), "warnings": compiled.case_search.warnings},
        **({"baseline": baseline(compiled)} if bundle.baseline else {}),
        "illustrative_values": illustrative_values(compiled),
        "flags": {
            "serial_without_data_flow": serial,
            "more_than_one_visit": bundle.visits is not None and bundle.visits > 1,
            "visits_not_declared": bundle.visits is None,
        },
    }
