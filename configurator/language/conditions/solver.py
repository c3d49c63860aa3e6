"""Whether a condition can be true, and whether it can be false, decided from its structure.

The answers worth trying for each question are the same as ever (``candidates``: one per region a
comparison against the condition's constants can separate), but they are not listed in every
combination. Each comparison becomes the set of its question's candidates that make it true, a bit
mask; what reads one question only folds into one mask; the rest is searched depth first:

- ``a or b`` can hold exactly when ``a`` can or ``b`` can (every question ranges over all its
  candidates whatever the others answer, so each side is judged alone);
- in ``a and b`` a part reading one question narrows that question's candidates, and parts reading
  no question in common are judged apart (eligibility rules of other matters cost nothing);
- only what is left (parts sharing questions) branches, on the question most of them read, and
  each candidate simplifies the parts before going deeper.

The result is the same set of outcomes as trying every combination of the candidates (the tests
keep that enumeration as their oracle), at a cost that follows how the conditions are linked rather
than the product of their questions' candidates. A search past ``_MAX_STEPS`` gives up (None), as the
enumeration gave up past a number of combinations: a bundle cannot make the check hang.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from configurator.language.conditions.evaluate import compile_predicate
from configurator.language.conditions.syntax import BoolOp, Expr, Not, names

_MAX_STEPS = 50_000


@dataclass(frozen=True)
class _Unary:
    """The question ``name`` has one of the candidates in ``mask`` (bit i: the i-th candidate)."""

    name: str
    mask: int


@dataclass(frozen=True)
class _Relation:
    """A comparison of two answers (or more): the candidate index tuples that make it true."""

    reads: tuple[str, ...]
    holds: frozenset[tuple[int, ...]]


@dataclass(frozen=True)
class _Junction:
    """``all`` (and) or any (or) of ``parts``; ``reads``: every question they read."""

    all: bool
    parts: tuple[_Node, ...]
    reads: frozenset[str]


_Node: TypeAlias = _Unary | _Relation | _Junction | bool


class _TooHard(Exception):
    """The search took more steps than a check may spend on one condition."""


class _Search:
    """One condition's search: the candidates of each question, and the steps spent."""

    def __init__(self, domains: Mapping[str, list[Any]], memo: dict[Any, Any] | None = None) -> None:
        self.domains = domains
        self.memo = {} if memo is None else memo
        self.full = {name: (1 << len(values)) - 1 for name, values in domains.items()}
        self.steps = 0

    # --- from the condition to masks -----------------------------------------------------------

    def node(self, expr: Expr, negated: bool) -> _Node:
        """The condition (or its negation) as masks, negations pushed down to the comparisons."""
        if isinstance(expr, Not):
            return self.node(expr.operand, not negated)
        # by identity (hashing a condition walks its tree): the memo keeps the condition alive
        compiled = self.memo.get(id(expr))
        if compiled is None:
            holds = None if isinstance(expr, BoolOp) else compile_predicate(expr)
            compiled = self.memo[id(expr)] = (expr, sorted({name.name for name in names(expr)}), holds)
        _, reads, holds = compiled
        if holds is None:  # and / or: the same rules are joined with many conditions, built once
            key = ("node", id(expr), negated, *(id(self.domains[name]) for name in reads))
            built = self.memo.get(key)
            if built is None:
                assert isinstance(expr, BoolOp)
                built = self.memo[key] = self.junction((expr.op == "and") != negated,
                                                       [self.node(op, negated) for op in expr.operands])
            return built
        if not reads:
            return bool(holds({})) != negated
        if len(reads) == 1:
            name = reads[0]
            # the same comparison over the same candidates (a rule joined with many conditions): once
            key = (id(expr), id(self.domains[name]))
            mask = self.memo.get(key)
            if mask is None:
                mask = self.memo[key] = sum(1 << index for index, value in enumerate(self.domains[name])
                                            if holds({name: value}))
            return self.unary(name, mask ^ self.full[name] if negated else mask)
        product = itertools.product(*(range(len(self.domains[name])) for name in reads))
        true = frozenset(at for at in product
                         if holds({name: self.domains[name][i] for name, i in zip(reads, at, strict=True)}) != negated)
        return _Relation(tuple(reads), true)

    def unary(self, name: str, mask: int) -> _Node:
        if mask == 0:
            return False
        return True if mask == self.full[name] else _Unary(name, mask)

    def junction(self, conjunction: bool, parts: list[_Node]) -> _Node:
        """``parts`` joined, constants folded and the parts on one question merged into one mask."""
        masks: dict[str, int] = {}
        kept: list[_Node] = []
        for part in _flattened(conjunction, parts):
            if part is conjunction:
                continue  # true in an and, false in an or: no effect
            if isinstance(part, bool):
                return part  # false in an and, true in an or: decides it
            if isinstance(part, _Unary):
                if part.name in masks:
                    masks[part.name] = masks[part.name] & part.mask if conjunction else masks[part.name] | part.mask
                else:
                    masks[part.name] = part.mask
            else:
                kept.append(part)
        merged = [self.unary(name, mask) for name, mask in masks.items()]
        if any(part is not conjunction for part in merged if isinstance(part, bool)):
            return not conjunction
        kept = [*(part for part in merged if not isinstance(part, bool)), *kept]
        if not kept:
            return conjunction
        if len(kept) == 1:
            return kept[0]
        return _Junction(conjunction, tuple(kept), frozenset().union(*(_reads(part) for part in kept)))

    # --- the search ----------------------------------------------------------------------------

    def satisfiable(self, node: _Node, domain: dict[str, int]) -> bool:
        """Whether some answers, each among ``domain``'s candidates of its question, make ``node`` true."""
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise _TooHard
        if isinstance(node, bool):
            return node
        if isinstance(node, _Unary):
            return bool(domain[node.name] & node.mask)
        if isinstance(node, _Relation):
            return any(all(domain[name] >> i & 1 for name, i in zip(node.reads, at, strict=True)) for at in node.holds)
        if not node.all:
            return any(self.satisfiable(part, domain) for part in node.parts)
        return self._all_satisfiable(node.parts, domain)

    def _all_satisfiable(self, parts: tuple[_Node, ...], domain: dict[str, int]) -> bool:
        narrowed = dict(domain)
        rest: list[_Node] = []
        for part in parts:
            if isinstance(part, _Unary):
                narrowed[part.name] &= part.mask
                if not narrowed[part.name]:
                    return False
            else:
                rest.append(part)
        if not rest:
            return True
        if len(rest) == 1:
            return self.satisfiable(rest[0], narrowed)
        groups = _independent(rest)
        if len(groups) > 1:
            return all(self._all_satisfiable(tuple(group), narrowed) for group in groups)
        name = _most_read(rest)
        candidates = narrowed[name]
        while candidates:
            bit = candidates & -candidates
            candidates ^= bit
            index = bit.bit_length() - 1
            simplified = self.junction(True, [self.assign(part, name, index) for part in rest])
            narrowed[name] = bit
            if self.satisfiable(simplified, narrowed):
                return True
        return False

    def assign(self, node: _Node, name: str, index: int) -> _Node:
        """``node`` with the question ``name`` answered by its ``index``-th candidate."""
        if isinstance(node, bool) or name not in _reads(node):
            return node
        if isinstance(node, _Unary):
            return bool(node.mask >> index & 1)
        if isinstance(node, _Relation):
            at = node.reads.index(name)
            reads = node.reads[:at] + node.reads[at + 1:]
            left = frozenset(t[:at] + t[at + 1:] for t in node.holds if t[at] == index)
            if len(reads) == 1:
                return self.unary(reads[0], sum(1 << t[0] for t in left))
            return _Relation(reads, left) if left else False
        return self.junction(node.all, [self.assign(part, name, index) for part in node.parts])


def _flattened(conjunction: bool, parts: list[_Node]) -> list[_Node]:
    """``(a and b) and c`` as ``a and b and c`` (and the same for or)."""
    flat: list[_Node] = []
    for part in parts:
        if isinstance(part, _Junction) and part.all == conjunction:
            flat.extend(_flattened(conjunction, list(part.parts)))
        else:
            flat.append(part)
    return flat


def _reads(node: _Node) -> frozenset[str] | tuple[str, ...]:
    if isinstance(node, _Unary):
        return (node.name,)
    if isinstance(node, _Relation):
        return node.reads
    if isinstance(node, _Junction):
        return node.reads
    return ()


def _independent(parts: list[_Node]) -> list[list[_Node]]:
    """``parts`` in groups reading no question in common."""
    groups: list[tuple[set[str], list[_Node]]] = []
    for part in parts:
        reads = set(_reads(part))
        joined = [group for group in groups if group[0] & reads]
        for group in joined:
            reads |= group[0]
        members = [member for group in joined for member in group[1]] + [part]
        groups = [group for group in groups if not group[0] & reads] + [(reads, members)]
    return [members for _, members in groups]


def _most_read(parts: list[_Node]) -> str:
    counts: dict[str, int] = {}
    for part in parts:
        for name in _reads(part):
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=lambda name: counts[name])


def outcomes(expr: Expr, domains: Mapping[str, list[Any]], memo: dict[Any, Any] | None = None) -> set[bool] | None:
    """The values ``expr`` takes when each question it reads ranges over its ``domains``
    (every question the condition reads has one), or None past the search's budget.
    ``memo``: kept between calls on the same questions (comparisons compiled, masks by the
    identity of their candidate list, which the memo must keep alive: see ``truth_table``)."""
    if any(not values for values in domains.values()):
        return set()  # no answer at all to try (as an empty product gives none)
    search = _Search(domains, memo)
    domain = dict(search.full)
    seen: set[bool] = set()
    try:
        for value in (True, False):
            if search.satisfiable(search.node(expr, negated=not value), domain):
                seen.add(value)
    except _TooHard:
        return None
    return seen


def reachable(expr: Expr, domains: Mapping[str, list[Any]], asked: Mapping[str, Expr | None]) -> bool | None:
    """Whether some answers make ``expr`` true with each question of ``domains`` answered (not
    None) exactly when its ``when`` in ``asked`` holds (no ``when``: always asked), or None past
    the search's budget. The questions every ``when`` reads must be among ``domains``."""
    search = _Search(domains)
    parts = [search.node(expr, negated=False)]
    for name, values in domains.items():
        answered = search.unary(name, sum(1 << index for index, value in enumerate(values) if value is not None))
        when = asked.get(name)
        if when is None:
            parts.append(answered)
            continue
        unanswered = search.unary(name, sum(1 << index for index, value in enumerate(values) if value is None))
        parts.append(search.junction(False, [search.junction(True, [search.node(when, negated=False), answered]),
                                             search.junction(True, [search.node(when, negated=True), unanswered])]))
    try:
        return search.satisfiable(search.junction(True, parts), dict(search.full))
    except _TooHard:
        return None
