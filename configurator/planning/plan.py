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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from configurator.language import conditions, graph
from configurator.model import Bundle, BundleField, BundleMaterial, Condition, EligibilityRule, Item, Situation


def holds(condition: Condition | None, answers: Mapping[str, Any]) -> bool:
    return condition is None or conditions.evaluate(condition.expr, answers)


def needed_condition(own: Condition | None, users: Sequence[Item]) -> conditions.Expr | None:
    """When a field or material is needed: its own condition, and one of the items using it
    applies (None: always). Writers translate this one expression into each target language."""
    parts: list[conditions.Expr] = [own.expr] if own else []
    if users and all(item.when is not None for item in users):
        any_user = conditions.any_of([item.when.expr for item in users if item.when is not None])
        assert any_user is not None
        parts.append(any_user)
    return conditions.all_of(parts)


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


class Planner:
    """A bundle prepared for computing many plans: conditions compiled, the graph derived once."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        # Each distinct condition is compiled and, per answer set, evaluated once: items and
        # materials often share conditions, and a large bundle has hundreds of entries.
        self._predicates: list[conditions.Predicate] = [lambda answers: True]
        self._slots: dict[str, int] = {}
        self._situations = [(s.id, _predicate(s.when)) for s in bundle.situations]
        self._rules = [(rule, _predicate(rule.require)) for rule in bundle.eligibility]
        self._items = [(item, self._slot(item.when)) for item in bundle.items]
        self._materials = [(m, self._slot(m.when), frozenset(i.id for i in bundle.items if m.id in i.materials))
                           for m in bundle.materials]
        self._fields = [(f, self._slot(f.when), frozenset(i.id for i in bundle.items if f.id in i.fields))
                        for f in bundle.fields]
        self._edges = graph.dependencies(bundle)

    def _slot(self, condition: Condition | None) -> int:
        if condition is None:
            return 0
        if condition.text not in self._slots:
            self._slots[condition.text] = len(self._predicates)
            self._predicates.append(conditions.compile_predicate(condition.expr))
        return self._slots[condition.text]

    def asked(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for situation_id, asked in self._situations:
            if asked(kept) and answers.get(situation_id) is not None:
                kept[situation_id] = answers[situation_id]
        return kept

    def failed_rules(self, kept: Mapping[str, Any]) -> tuple[EligibilityRule, ...]:
        return tuple(rule for rule, holds_for in self._rules if not holds_for(kept))

    def outline(self, answers: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[EligibilityRule, ...],
                                                           list[Item], list[BundleMaterial], list[BundleField]]:
        """Everything of a plan but the schedule (cheap: used to tell cases apart)."""
        kept = self.asked(answers)
        failed = self.failed_rules(kept)
        truth = [predicate(kept) for predicate in self._predicates]
        items = [item for item, slot in self._items if truth[slot]]
        applicable = {item.id for item in items}
        materials = [m for m, slot, users in self._materials if truth[slot] and not users.isdisjoint(applicable)]
        fields = [f for f, slot, users in self._fields if truth[slot] and not users.isdisjoint(applicable)]
        return kept, failed, items, materials, fields

    def plan(self, answers: Mapping[str, Any]) -> Plan:
        kept, failed, items, materials, fields = self.outline(answers)
        applicable = {item.id for item in items}
        edges = [e for e in self._edges if e.before in applicable and e.after in applicable]
        return Plan(self.bundle, kept, failed, tuple(items), tuple(materials), tuple(fields), schedule(items, edges))


def _predicate(condition: Condition | None) -> conditions.Predicate:
    return (lambda answers: True) if condition is None else conditions.compile_predicate(condition.expr)


def make_plan(bundle: Bundle, answers: Mapping[str, Any]) -> Plan:
    """The plan for one case (prepare a ``Planner`` instead when computing many)."""
    return Planner(bundle).plan(answers)


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
