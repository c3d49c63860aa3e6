"""Cases of one large group of linked questions, without walking its answer sets one by one.

When every condition reads one group of questions (the bench's generator: each item asks about
two neighbours in a ring) splitting cannot help, and 40 yes/no questions have 2⁴⁰ answer sets.
But what the questions not yet answered can still lead to depends only on the answers some later
condition reads (the "live" answers) and on the conditions already decided. So:

- the count is a sum over levels, one entry per distinct live answers (``count``);
- cases are met in the order of the exhaustive walk, skipping a question's subtree when the same
  live answers and decided conditions were met before at that question: every case below it was
  found already, with an earlier first answer set (``first_cases``);
- the fullest case is found the same way, also skipping subtrees whose bound on items, materials
  and days cannot beat the best so far (``fullest``).

Each search gives up after a budget of visited questions (the caller then samples, as before).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from configurator.language import conditions as lang
from configurator.language import graph
from configurator.model import Bundle
from configurator.planning.plan import Planner
from configurator.planning.walk import answer_domains

_UNANSWERED = object()  # a question not asked, in a key of live answers
Predicate = Callable[[Mapping[str, Any]], bool]


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class Deep:
    """The bundle's questions in file order, each condition placed at the question after which it
    is decided."""

    def __init__(self, bundle: Bundle, planner: Planner) -> None:
        self.bundle, self.planner = bundle, planner
        situations = bundle.situations
        count = len(situations)
        position = {s.id: index for index, s in enumerate(situations)}
        self.domains = answer_domains(bundle)

        def level(expr: lang.Expr) -> tuple[int, list[int]]:
            read = [position[n.name] for n in lang.names(expr) if n.name in position]
            return max(read, default=-1) + 1, read

        # per level i (questions 0..i-1 answered): the rules and the conditions decided there
        self.rules: list[list[Predicate]] = [[] for _ in range(count + 1)]
        self.slots: list[list[tuple[int, Predicate]]] = [[] for _ in range(count + 1)]
        needed_until = [0] * count  # per question, the last level at which some condition reads it
        for rule in bundle.eligibility:
            at, read = level(rule.require.expr)
            self.rules[at].append(lang.compile_predicate(rule.require.expr))
            for index in read:
                needed_until[index] = max(needed_until[index], at)
        for slot, expr in enumerate(planner.expressions):
            if expr is None:
                continue
            at, read = level(expr)
            self.slots[at].append((slot, lang.compile_predicate(expr)))
            for index in read:
                needed_until[index] = max(needed_until[index], at)
        self.asked: list[Predicate | None] = []
        for index, situation in enumerate(situations):
            if situation.when is None:
                self.asked.append(None)
                continue
            _, read = level(situation.when.expr)
            self.asked.append(lang.compile_predicate(situation.when.expr))
            for earlier in read:
                needed_until[earlier] = max(needed_until[earlier], index)
        # live[i]: the questions before i whose answers a condition decided at level i or later reads
        self.live = [[situations[j].id for j in range(i) if needed_until[j] >= i] for i in range(count + 1)]
        self.ids = [s.id for s in situations]
        self.base = list(planner.vector({}))  # slot 0 and constant conditions
        self.visited = 0

    def _key(self, index: int, answers: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(_frozen(answers.get(q, _UNANSWERED)) for q in self.live[index])

    def count(self, budget: int) -> int | None:
        """Reachable, eligible answer sets (None: more than ``budget`` distinct live answers met)."""
        self.visited = 0
        states: dict[tuple[Any, ...], tuple[dict[str, Any], int]] = {(): ({}, 1)}
        for index in range(len(self.ids) + 1):
            merged: dict[tuple[Any, ...], tuple[dict[str, Any], int]] = {}
            for answers, ways in states.values():
                if not all(rule(answers) for rule in self.rules[index]):
                    continue
                if index == len(self.ids):
                    merged[()] = ({}, merged.get((), ({}, 0))[1] + ways)
                    continue
                asked = self.asked[index]
                values = self.domains[self.ids[index]] if asked is None or asked(answers) else [_UNANSWERED]
                for value in values:
                    after = dict(answers)
                    if value is not _UNANSWERED:
                        after[self.ids[index]] = value
                    key = self._key(index + 1, after)
                    kept = {q: after[q] for q in self.live[index + 1] if q in after}
                    merged[key] = (kept, merged.get(key, (kept, 0))[1] + ways)
            self.visited += len(merged)
            if self.visited > budget:
                return None
            states = merged
        return sum(ways for _, ways in states.values())

    def search(self, leaf: Callable[[dict[str, Any], tuple[bool, ...]], bool], budget: int,
               bound: Callable[[list[bool], int], bool] | None = None) -> bool:
        """Visit answer sets in the walk's order, each distinct outcome once: ``leaf(answers,
        truth)`` for each, stopping when it returns True; ``bound(truth so far, level)`` True
        skips a subtree. False when more than ``budget`` questions were visited."""
        self.visited = 0
        seen: set[tuple[Any, ...]] = set()
        truth = list(self.base)
        answers: dict[str, Any] = {}
        decided: list[bool] = []  # the conditions decided so far, in the order decided
        count = len(self.ids)

        def visit(index: int) -> bool | None:  # True: stop; None: over budget
            self.visited += 1
            if self.visited > budget:
                return None
            if not all(rule(answers) for rule in self.rules[index]):
                return False
            mark = len(decided)
            for slot, predicate in self.slots[index]:
                truth[slot] = value = predicate(answers)
                decided.append(value)
            try:
                key = (index, self._key(index, answers), tuple(decided))
                if key in seen or (bound is not None and bound(truth, index)):
                    return False
                seen.add(key)
                if index == count:
                    return leaf(dict(answers), tuple(truth))
                question = self.ids[index]
                asked = self.asked[index]
                if asked is not None and not asked(answers):
                    return visit(index + 1)
                for value in self.domains[question]:
                    answers[question] = value
                    outcome = visit(index + 1)
                    if outcome is not False:
                        del answers[question]
                        return outcome
                del answers[question]
                return False
            finally:
                del decided[mark:]

        return visit(0) is not None


def bounds(bundle: Bundle, planner: Planner, deep: Deep) -> Callable[[list[bool], int], tuple[int, int, int]]:
    """A bound on the fullest case's rank below a level: the items decided to apply and every item
    not yet decided, their materials, and their longest time limits (summed when items wait for each
    other, else the longest)."""
    decided_at = {slot: at for at, slots in enumerate(deep.slots) for slot, _ in slots}
    bits: dict[str, int] = {}
    for position, material in enumerate(bundle.materials):
        bits[material.id] = bits.get(material.id, 0) | 1 << position
    items = []
    for item in bundle.items:
        slot = planner.slot_of(item.when)
        materials = 0
        for material_id in item.materials:
            materials |= bits.get(material_id, 0)
        days = max([item.promised_days, *(case.value for v in item.varies if v.attribute == "promised_days"
                                          for case in v.cases)])
        items.append((slot, decided_at.get(slot, 0), materials, days))
    add = bool(graph.dependencies(bundle)) or any(item.combined_with for item in bundle.items)

    def bound(truth: Sequence[bool], index: int) -> tuple[int, int, int]:
        count = materials = days = 0
        for slot, at, item_materials, item_days in items:
            if at > index or truth[slot]:
                count += 1
                materials |= item_materials
                days = days + item_days if add else max(days, item_days)
        return count, materials.bit_count(), days

    return bound
