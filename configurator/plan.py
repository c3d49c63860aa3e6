"""What applies to one case: the answers to the situation questions decide it.

Every generated artifact and every command that talks about a case (the notice, routing,
metrics, ``explain``, the HTML form, the pre-check) uses this one module, so they cannot
disagree about which items, materials and fields apply.

Rules (also in docs/bundle-format.md):

- a situation is asked when its ``when`` holds; answers to questions not asked are ignored;
- the case is eligible when every ``require`` holds, otherwise it goes to the fallback;
- an item applies when its ``when`` holds;
- a material is needed, and a field asked, when its own ``when`` holds and at least one
  applicable item uses it;
- an item starts when every applicable item it depends on has finished (working days).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import conditions, graph
from .model import Bundle, BundleField, BundleMaterial, Condition, EligibilityRule, Item, Situation


def holds(condition: Condition | None, answers: Mapping[str, Any]) -> bool:
    return condition is None or conditions.evaluate(condition.expr, answers)


def asked_answers(bundle: Bundle, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that count: those to questions actually asked, in question order."""
    kept: dict[str, Any] = {}
    for situation in bundle.situations:
        if holds(situation.when, kept) and situation.id in answers and answers[situation.id] is not None:
            kept[situation.id] = answers[situation.id]
    return kept


def situations_asked(bundle: Bundle, answers: Mapping[str, Any]) -> list[Situation]:
    kept = asked_answers(bundle, answers)
    return [s for s in bundle.situations if holds(s.when, kept)]


@dataclass(frozen=True)
class Task:
    """One applicable item, scheduled: it starts when its dependencies have finished."""

    item: Item
    after: tuple[str, ...]  # ids of applicable items it waits for
    start_day: int
    end_day: int


@dataclass(frozen=True)
class Plan:
    bundle: Bundle
    answers: Mapping[str, Any]  # only answers to questions asked
    failed_rules: tuple[EligibilityRule, ...]
    items: tuple[Item, ...]
    materials: tuple[BundleMaterial, ...]
    fields: tuple[BundleField, ...]
    tasks: tuple[Task, ...]

    @property
    def eligible(self) -> bool:
        return not self.failed_rules

    @property
    def days(self) -> int:
        """Working days along the longest chain of applicable items (special stages excluded)."""
        return max((task.end_day for task in self.tasks), default=0)

    @property
    def applicant_materials(self) -> tuple[BundleMaterial, ...]:
        """What the applicant hands in: everything else is shared, produced or generated."""
        return tuple(m for m in self.materials if m.source == "applicant")

    def items_using(self, entry_id: str, kind: str) -> list[Item]:
        return [item for item in self.items if entry_id in getattr(item, kind)]


def make_plan(bundle: Bundle, answers: Mapping[str, Any]) -> Plan:
    kept = asked_answers(bundle, answers)
    failed = tuple(rule for rule in bundle.eligibility if not holds(rule.require, kept))
    items = [item for item in bundle.items if holds(item.when, kept)]
    applicable = {item.id for item in items}
    materials = tuple(m for m in bundle.materials
                      if holds(m.when, kept) and any(m.id in item.materials for item in items))
    fields = tuple(f for f in bundle.fields
                   if holds(f.when, kept) and any(f.id in item.fields for item in items))
    edges = [e for e in graph.dependencies(bundle) if e.before in applicable and e.after in applicable]
    return Plan(bundle, kept, failed, tuple(items), materials, fields, schedule(items, edges))


def schedule(items: list[Item], edges: list[graph.Dependency]) -> tuple[Task, ...]:
    """Earliest start and end of each item, in dependency order (working days from intake)."""
    by_id = {item.id: item for item in items}
    waits: dict[str, list[str]] = {item.id: [] for item in items}
    for edge in edges:
        if edge.before not in waits[edge.after]:
            waits[edge.after].append(edge.before)
    ends: dict[str, int] = {}
    tasks: list[Task] = []
    for item_id in graph.topological_order(list(by_id), edges):
        start = max((ends[before] for before in waits[item_id]), default=0)
        ends[item_id] = start + by_id[item_id].promised_days
        tasks.append(Task(by_id[item_id], tuple(waits[item_id]), start, ends[item_id]))
    return tuple(tasks)


def parse_answer(situation: Situation, text: str) -> Any:
    """An answer typed as text (command line, HTML form) in the situation's type.

    Raises ValueError with a message for the user when the text does not fit.
    """
    text = text.strip()
    if situation.type == "boolean":
        truth = {"true": True, "yes": True, "是": True, "1": True, "false": False, "no": False, "否": False, "0": False}
        if text.lower() not in truth:
            raise ValueError(f"“{situation.id}”要回答 true（是）或 false（否），不是“{text}”")
        return truth[text.lower()]
    if situation.type == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"“{situation.id}”要回答一个数字，不是“{text}”") from None
        return int(number) if number.is_integer() else number
    options = [option.value for option in situation.options]
    if situation.type == "multi_choice":
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        wrong = [c for c in chosen if c not in options]
        if wrong:
            raise ValueError(f"“{situation.id}”没有选项 {', '.join(wrong)}；可选：{', '.join(options)}")
        return chosen
    if situation.type == "choice" and text not in options:
        raise ValueError(f"“{situation.id}”没有选项“{text}”；可选：{', '.join(options)}")
    return text
