"""Exact cases without walking every answer set: the questions fall into independent groups.

Two questions are in one group when one condition reads both (a question's ``when``, an
eligibility rule, or the condition of an item, material, field or case-dependent value). A
group's questions are asked, answered and checked for eligibility by its own conditions only, so
the reachable, eligible answer sets are every combination of each group's own (their number is
the product of the groups' numbers), and a case's truth vector is made of its groups' partial
truth vectors. Each group is walked alone and keeps its distinct partial truths ("parts"), each
with the first answer set that gives it; cases are then found among combinations of parts, which
are far fewer than answer sets (two groups of 30 parts: 900 combinations, not 900 times the
answer sets behind each part).

Order: the exhaustive walk (questions in file order, answers in domain order) lists each case
with the first answer set leading to it, in the order first found. The first answer set of a
combination of parts is the combination of each part's first answer set (the first element of a
product is the product of the firsts), so visiting combinations as the groups' parts interleave in
file order (``Visit``) meets cases in the same order with the same answers: the output is that of
the exhaustive walk, without it.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from configurator.language import conditions as lang
from configurator.language import graph
from configurator.model import Bundle, EligibilityRule, Situation
from configurator.planning.plan import Planner
from configurator.planning.walk import Walk, answer_domains, at_most, more_than

# What the fullest case is ranked by: items, then materials, then days (figures.fullest).
Rank = tuple[int, int, int]


@dataclass(frozen=True)
class Part:
    """One distinct partial truth of a group."""

    answers: dict[str, Any]  # the first of the group's answer sets giving it
    truths: tuple[tuple[int, bool], ...]  # (slot, truth) for each of the group's conditions


@dataclass(frozen=True)
class Node:
    """A trie over a group's parts by their first answer sets: a leaf is one part; a branch splits
    its parts at the first question (``position`` in file order) where their answers differ, its
    children in answer order. Each node bounds what its parts can add to the fullest case."""

    position: int  # -1: a leaf
    children: tuple[Node, ...]
    part: int  # the leaf's part (-1: a branch)
    items: int  # at most this many items
    materials: int  # the bits of every material its items may use
    days: int  # at most this many days (a maximum or a sum, as the schedule adds them)


@dataclass(frozen=True)
class Groups:
    """The bundle's questions split into independent groups, each walked."""

    parts: tuple[tuple[Part, ...], ...]  # per group
    roots: tuple[Node, ...]  # per group (tries only when two groups or more have several parts)
    varying: tuple[int, ...]  # the groups with several parts
    base: tuple[bool, ...]  # every slot: constant conditions' truth (others replaced per combination)
    count: int  # reachable, eligible answer sets of the bundle: the product of the groups'
    order: tuple[int, ...]  # per situation in file order, its group
    days_add: bool  # days along dependencies: bounds add up (else every item starts at once: the maximum)
    # answer_domains(bundle), as the groups were walked (read-only; a dict: left out of eq and hash)
    domains: dict[str, list[Any]] = field(compare=False)

    def truth(self, chosen: Sequence[int]) -> tuple[bool, ...]:
        """The full truth vector of a combination (one part per group)."""
        truth = list(self.base)
        for group, part in zip(self.parts, chosen, strict=True):
            for slot, value in group[part].truths:
                truth[slot] = value
        return tuple(truth)

    @functools.cached_property
    def at_first_parts(self) -> tuple[Node, ...]:
        """Per group, a leaf holding it at its first part (what a search of other groups visits)."""
        return tuple(Node(-1, (), 0, 0, 0, 0) for _ in self.parts)

    def set_beside(self, truth: list[bool], chosen: Sequence[int], groups: Collection[int]) -> list[bool]:
        """``truth`` made ``truth(chosen)`` in place, where only ``groups`` may differ from the
        combination whose truth it holds (each of their parts sets every slot of its group, so a
        list reused leaf after leaf needs no copy): the cost of those groups, not of the bundle's."""
        for group in groups:
            for slot, value in self.parts[group][chosen[group]].truths:
                truth[slot] = value
        return truth

    def answers(self, bundle: Bundle, chosen: Sequence[int]) -> dict[str, Any]:
        """The combination's first answer set, questions in file order."""
        owns = [parts[part].answers for parts, part in zip(self.parts, chosen, strict=True)]
        return {name: owns[group][name] for name, group in self._placed(bundle) if name in owns[group]}

    def _placed(self, bundle: Bundle) -> list[tuple[str, int]]:
        """Each question in file order with its group (made once: ``answers`` runs once per case listed)."""
        placed: list[tuple[str, int]] | None = self.__dict__.get("_placed_questions")
        if placed is None:
            placed = [(situation.id, group) for situation, group in zip(bundle.situations, self.order, strict=True)]
            object.__setattr__(self, "_placed_questions", placed)
        return placed

    def first_cases(self, key_of: Callable[[tuple[bool, ...]], int], limit: int,
                    budget: int) -> tuple[dict[int, tuple[int, ...]], bool]:
        """Up to ``limit`` + 1 distinct cases (by ``key_of`` a truth vector), each with its first
        combination, in the order of the exhaustive walk; and whether every combination that
        could add a case was visited (False: more than ``budget`` visited first)."""
        found: dict[int, tuple[int, ...]] = {}
        visited = 0
        if len(self.varying) < 2:  # the parts of one group are already in the walk's order
            for chosen in self.one_by_one():
                found.setdefault(key_of(self.truth(chosen)), chosen)
                if len(found) > limit:
                    break
            return found, True

        # one truth vector kept and changed where the visit changed a group since the last leaf
        # (a leaf differs from the one before in a group or two, its truth in their slots only)
        truth = list(self.truth([0] * len(self.parts)))
        last = [0] * len(self.parts)

        def leaf(chosen: list[int]) -> bool:
            nonlocal visited
            visited += 1
            changed = [group for group, part in enumerate(chosen) if part != last[group]]
            self.set_beside(truth, chosen, changed)
            last[:] = chosen
            key = key_of(tuple(truth))
            if key not in found:
                found[key] = tuple(chosen)
            return len(found) > limit or visited > budget

        Visit(self.roots, leaf, None).run()
        return found, len(found) > limit or visited <= budget

    def one_by_one(self) -> Iterator[tuple[int, ...]]:
        """Every combination when at most one group has several parts: its parts, in order."""
        chosen = [0] * len(self.parts)
        for group in self.varying:
            for part in range(len(self.parts[group])):
                chosen[group] = part
                yield tuple(chosen)
        if not self.varying:
            yield tuple(chosen)


class Visit:
    """Combinations of the groups' parts in the order of their first answer sets: at each step
    the group whose trie splits at the earliest question branches, its children in answer order."""

    def __init__(self, roots: Sequence[Node], leaf: Callable[[list[int]], bool],
                 beaten: Callable[[list[Node]], bool] | None) -> None:
        self.nodes = list(roots)
        # each group's node's part, kept as the nodes change: a leaf is handed this list (read it,
        # copy what is kept) instead of one made from every group's node per leaf
        self.chosen = [node.part for node in self.nodes]
        self.leaf = leaf
        self.beaten = beaten

    def run(self) -> None:
        pending = sorted((node.position, group) for group, node in enumerate(self.nodes) if node.part < 0)
        self._visit(pending)

    def _visit(self, pending: list[tuple[int, int]]) -> bool:
        """True: stop (the caller has what it needs)."""
        if self.beaten is not None and self.beaten(self.nodes):
            return False
        if not pending:
            return self.leaf(self.chosen)
        group = pending[0][1]
        rest = pending[1:]
        node = self.nodes[group]
        chosen = self.chosen
        for child in node.children:
            self.nodes[group] = child
            chosen[group] = child.part
            after = rest
            if child.part < 0:
                after = rest.copy()
                bisect.insort(after, (child.position, group))
            if self._visit(after):
                self.nodes[group], chosen[group] = node, node.part
                return True
        self.nodes[group], chosen[group] = node, node.part
        return False


# The visit recurses once per question where parts differ: a bundle with more such questions
# than this is sampled instead (no real bundle comes near).
MAX_DEPTH = 600


@dataclass(frozen=True)
class _Partition:
    order: tuple[int, ...]  # per situation in file order, its group
    members: list[list[Situation]]  # per group, its questions
    slots: list[list[int]]  # per group, the conditions reading its questions
    rules: list[list[EligibilityRule]]  # per group, its eligibility rules
    fails: bool  # a rule reading no question fails: no case at all


class _Questions:
    """Union-find over the questions: two are in one group when a condition reads both."""

    def __init__(self, bundle: Bundle) -> None:
        self.parent = {s.id: s.id for s in bundle.situations}

    def root(self, name: str) -> str:
        parent = self.parent
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    def read(self, expr: lang.Expr | None) -> list[str]:
        """The questions ``expr`` reads (named conditions and constants are not questions)."""
        return [] if expr is None else [n.name for n in lang.names(expr) if n.name in self.parent]

    def join(self, names: list[str]) -> None:
        for name in names[1:]:
            self.parent[self.root(name)] = self.root(names[0])


def _joined(bundle: Bundle, expressions: tuple[lang.Expr | None, ...]) -> _Questions:
    """The questions joined by every condition of the bundle: when a question is asked, each
    eligibility rule, and each condition the planner evaluates."""
    questions = _Questions(bundle)
    for situation in bundle.situations:
        if situation.when is not None:
            questions.join([situation.id, *questions.read(situation.when.expr)])
    for rule in bundle.eligibility:
        questions.join(questions.read(rule.require.expr))
    for expr in expressions:
        questions.join(questions.read(expr))
    return questions


def _partition(bundle: Bundle, planner: Planner) -> _Partition:
    expressions = planner.expressions
    questions = _joined(bundle, expressions)
    index: dict[str, int] = {}
    order = tuple(index.setdefault(questions.root(s.id), len(index)) for s in bundle.situations)
    members: list[list[Situation]] = [[] for _ in index]
    for situation, group in zip(bundle.situations, order, strict=True):
        members[group].append(situation)
    slots: list[list[int]] = [[] for _ in index]
    for slot, expr in enumerate(expressions):
        names = questions.read(expr)
        if names:  # else a condition reading no question: the same in every case (Groups.base)
            slots[index[questions.root(names[0])]].append(slot)
    rules: list[list[EligibilityRule]] = [[] for _ in index]
    fails = False
    for rule in bundle.eligibility:
        names = questions.read(rule.require.expr)
        if names:
            rules[index[questions.root(names[0])]].append(rule)
        elif not lang.evaluate(rule.require.expr, {}):
            fails = True
    return _Partition(order, members, slots, rules, fails)


def linked(bundle: Bundle, planner: Planner) -> bool:
    """Whether the conditions read the questions of one group at most: splitting cannot help
    (the caller walks the bundle's answer sets as they are)."""
    return sum(1 for slots in _partition(bundle, planner).slots if slots) <= 1


def split(bundle: Bundle, planner: Planner, limit: int) -> Groups | None:
    """The bundle's groups, each walked; None when a group alone has more than ``limit``
    reachable answer sets (the caller samples the bundle instead)."""
    partition = _partition(bundle, planner)
    order, members, slots, rules = partition.order, partition.members, partition.slots, partition.rules
    if partition.fails:  # no case passes a rule that always fails
        return _nothing(bundle, planner, order, len(members))
    domains = answer_domains(bundle)
    walked = []
    for group, situations in enumerate(members):
        if at_most(situations, domains) > limit and more_than(bundle, limit, situations, rules[group]):
            return None
        walked.append(_walk(Walk(bundle, situations, rules[group], domains), planner, slots[group]))
    count = 1
    for _, group_count in walked:
        count *= group_count
    if count == 0:
        return _nothing(bundle, planner, order, len(members))
    base = planner.vector({})
    measures = _Measures(bundle, planner)
    positions = {s.id: position for position, s in enumerate(bundle.situations)}
    varying = tuple(group for group, (parts, _) in enumerate(walked) if len(parts) > 1)
    roots = []
    for situations, (parts, _) in zip(members, walked, strict=True):
        questions = [(positions[s.id], s.id, domains[s.id]) for s in situations]
        roots.append(_trie(parts, questions, measures) if len(parts) > 1 and len(varying) > 1
                     else _leaf(parts[0], measures))
    if sum(_depth(node) for node in roots) > MAX_DEPTH:
        return None
    return Groups(tuple(parts for parts, _ in walked), tuple(roots), varying, base, count, order, measures.days_add,
                  domains)


def _nothing(bundle: Bundle, planner: Planner, order: tuple[int, ...], groups: int) -> Groups:
    empty = Node(-1, (), 0, 0, 0, 0)
    return Groups(tuple((Part({}, ()),) for _ in range(groups)), tuple(empty for _ in range(groups)), (),
                  planner.vector({}), 0, order, False, answer_domains(bundle))


def _walk(walk: Walk, planner: Planner, slots: list[int]) -> tuple[tuple[Part, ...], int]:
    """A group's distinct partial truths in the order first met, and its number of answer sets."""
    # the group's own conditions only, in one call: evaluating every condition of the bundle for
    # every answer set of every group made the walk quadratic in the number of groups
    vector = planner.vector_of(slots)
    found: dict[tuple[bool, ...], dict[str, Any]] = {}
    count = 0
    for answers in walk.every():
        count += 1
        truth = vector(answers)
        if truth not in found:
            found[truth] = dict(answers)
    return tuple(Part(answers, tuple(zip(slots, truth, strict=True))) for truth, answers in found.items()), count


class _Measures:
    """Per item: its condition's slot, its materials as bits, its longest possible time limit."""

    def __init__(self, bundle: Bundle, planner: Planner) -> None:
        bits: dict[str, int] = {}
        for position, material in enumerate(bundle.materials):
            bits[material.id] = bits.get(material.id, 0) | 1 << position
        self.by_slot: dict[int, list[tuple[int, int]]] = {}
        for item in bundle.items:
            materials = 0
            for material_id in item.materials:
                materials |= bits.get(material_id, 0)
            days = max([item.promised_days, *(case.value for v in item.varies if v.attribute == "promised_days"
                                              for case in v.cases)])
            self.by_slot.setdefault(planner.slot_of(item.when), []).append((materials, days))
        self.days_add = bool(graph.dependencies(bundle)) or any(item.combined_with for item in bundle.items)

    def of(self, truths: Sequence[tuple[int, bool]]) -> Rank:
        """What a part adds at most: its items, its materials' bits, its days."""
        items = materials = days = 0
        for slot, value in truths:
            if value:
                for item_materials, item_days in self.by_slot.get(slot, ()):
                    items += 1
                    materials |= item_materials
                    days = days + item_days if self.days_add else max(days, item_days)
        return items, materials, days


def _trie(parts: Sequence[Part], questions: list[tuple[int, str, list[Any]]], measures: _Measures) -> Node:
    """The trie over a group's parts (``questions``: the group's, as (file position, id, answers))."""

    def answer(part: Part, situation_id: str, domain: list[Any]) -> int:  # -1: not asked
        return domain.index(part.answers[situation_id]) if situation_id in part.answers else -1

    indexes = [[answer(part, situation_id, domain) for _, situation_id, domain in questions] for part in parts]

    def build(members: list[int], depth: int) -> Node:
        if len(members) == 1:
            items, materials, days = measures.of(parts[members[0]].truths)
            return Node(-1, (), members[0], items, materials, days)
        # parts differ somewhere: at the first question where they do (never asked beside answered there)
        while len({indexes[m][depth] for m in members}) == 1:
            depth += 1
        by_answer: dict[int, list[int]] = {}
        for member in members:
            by_answer.setdefault(indexes[member][depth], []).append(member)
        children = tuple(build(by_answer[a], depth + 1) for a in sorted(by_answer))
        materials = 0
        for child in children:
            materials |= child.materials
        return Node(questions[depth][0], children, -1, max(child.items for child in children), materials,
                    max(child.days for child in children))

    return build(list(range(len(parts))), 0)


def _leaf(part: Part, measures: _Measures) -> Node:
    items, materials, days = measures.of(part.truths)
    return Node(-1, (), 0, items, materials, days)


def _depth(node: Node) -> int:
    return 0 if node.part >= 0 else 1 + max(_depth(child) for child in node.children)
