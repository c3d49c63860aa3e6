"""Walking a bundle's reachable answer sets, question by question.

A case is what a citizen can actually submit: the questions are answered in order, a question
is answered exactly when its ``when`` holds (and left unanswered otherwise), a several-choice
question asked is answered with at least one option unless it allows none, and the case passes
eligibility. Answers are drawn from the values that reach every region the conditions separate
(``candidates``). The case search walks one group of dependent questions at a time
(planning/independent.py); the whole bundle is walked only by tests, as the brute force.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from configurator.language import conditions as lang
from configurator.model import Bundle, BundleMaterial, EligibilityRule, Item, Situation


def all_conditions(bundle: Bundle) -> list[lang.Expr]:
    found = [s.when.expr for s in bundle.situations if s.when]
    found += [r.require.expr for r in bundle.eligibility]
    found += [entry.when.expr for group in (bundle.fields, bundle.materials, bundle.items)
              for entry in group if entry.when]
    entries: list[Item | BundleMaterial] = [*bundle.items, *bundle.materials]
    found += [case.when.expr for entry in entries for v in entry.varies for case in v.cases]
    found += [case.when.expr for item in bundle.items for stage in item.special_stages
              for v in stage.varies for case in v.cases]
    return found


def answer_domains(bundle: Bundle) -> dict[str, list[Any]]:
    """For each question, the answers worth trying when it is asked (never "unanswered": a
    question asked must be answered). A question no condition mentions gets one answer, as
    any answer leads to the same case but the form still needs one."""
    constants: dict[str, set[Any]] = {}
    for expr in all_conditions(bundle):
        lang.constants_of(expr, constants)
    domains = {}
    for situation in bundle.situations:
        variable = lang.Variable(situation.id, situation.type, tuple(o.value for o in situation.options),
                                 situation.minimum, situation.maximum, situation.integer, False,
                                 situation.allow_none)
        values = lang.candidates(variable, constants.get(situation.id, set()))
        domains[situation.id] = values if situation.id in constants else values[-1:]
    return domains


_DONE = object()  # end of a question's answers


class Walk:
    """Reachable answer sets, question by question, pruned by eligibility as soon as the
    questions a rule reads have all been decided."""

    def __init__(self, bundle: Bundle, situations: Sequence[Situation] | None = None,
                 rules: Sequence[EligibilityRule] | None = None, domains: Mapping[str, list[Any]] | None = None) -> None:
        """Over the bundle's questions and rules, or only over ``situations`` and ``rules`` (the
        others left out: the rules given must read only the questions given)."""
        chosen = bundle.situations if situations is None else situations
        # None: always asked (no call per answer set)
        self.situations: list[tuple[Situation, Callable[[Mapping[str, Any]], bool] | None]] = [
            (s, None if s.when is None else lang.compile_predicate(s.when.expr)) for s in chosen]
        self.domains = answer_domains(bundle) if domains is None else domains
        position = {s.id: index for index, s in enumerate(chosen)}
        # checks[i]: the rules decided once questions 0..i-1 are (index 0: rules reading none)
        self.checks: list[list[Callable[[Mapping[str, Any]], bool]]] = [[] for _ in range(len(chosen) + 1)]
        for rule in bundle.eligibility if rules is None else rules:
            read = [position[n.name] for n in lang.names(rule.require.expr) if n.name in position]
            self.checks[max(read, default=-1) + 1].append(lang.compile_predicate(rule.require.expr))
        # per question, what a draw needs: its id, when it is asked, its answers, the rules decided before it
        self._steps = [(s.id, asked, self.domains[s.id], len(self.domains[s.id]), self.checks[index])
                       for index, (s, asked) in enumerate(self.situations)]
        # every question always asked and no rule decided before the last answer: a draw is one
        # answer per question in file order (the same draws, without a test per question)
        self._free = [] if any(asked is not None or checks for _, asked, _, _, checks in self._steps) else [
            (situation_id, domain, size) for situation_id, _, domain, size, _ in self._steps]

    def _eligible_so_far(self, index: int, answers: Mapping[str, Any]) -> bool:
        checks = self.checks[index]
        return not checks or all(check(answers) for check in checks)

    def every(self) -> Iterator[dict[str, Any]]:
        """Depth first, questions in file order, each question's answers in domain order. An
        explicit stack, not nested generators: each answer set then costs the same whatever the
        number of questions (``yield from`` passes every answer set up through every level)."""
        answers: dict[str, Any] = {}
        count = len(self.situations)
        stack: list[tuple[str, Iterator[Any] | None]] = []  # per level: the question, its answers left
        index = 0
        while True:
            if self._eligible_so_far(index, answers):
                if index == count:
                    yield answers
                else:
                    situation, asked = self.situations[index]
                    if asked is not None and not asked(answers):  # not asked: one way on, leaving it unanswered
                        stack.append((situation.id, None))
                        index += 1
                        continue
                    stack.append((situation.id, iter(self.domains[situation.id])))
            while stack:  # back up to the deepest question with an answer left to try
                situation_id, left = stack[-1]
                value = _DONE if left is None else next(left, _DONE)
                if value is _DONE:
                    if left is not None:
                        answers.pop(situation_id, None)
                    stack.pop()
                    continue
                answers[situation_id] = value
                index = len(stack)
                break
            else:
                return

    def sample(self, rng: random.Random) -> dict[str, Any] | None:
        """One random reachable answer set, or None if it fails eligibility."""
        draw = rng.random  # an index from one float: rng.choice costs several calls per question
        if self._free:
            drawn = {situation_id: domain[int(draw() * size)] for situation_id, domain, size in self._free}
            return drawn if self._eligible_so_far(len(self.situations), drawn) else None
        answers: dict[str, Any] = {}
        for situation_id, asked, domain, size, checks in self._steps:
            if checks and not all(check(answers) for check in checks):
                return None
            if asked is None or asked(answers):
                answers[situation_id] = domain[int(draw() * size)]
        return answers if self._eligible_so_far(len(self.situations), answers) else None


def at_most(situations: Sequence[Situation], domains: Mapping[str, list[Any]]) -> int:
    """An upper bound of the reachable answer sets: every question answered every way (or left
    unanswered, where it may not be asked)."""
    bound = 1
    for situation in situations:
        bound *= len(domains[situation.id]) + (situation.when is not None)
    return bound


def more_than(bundle: Bundle, limit: int, situations: Sequence[Situation] | None = None,
              rules: Sequence[EligibilityRule] | None = None) -> bool:
    """Whether the bundle has more than ``limit`` reachable, eligible answer sets, without
    enumerating them: a question always asked that no rule and no other question's ``when``
    reads multiplies the count by its number of answers, so only the others are walked, and
    only until the count passes the limit. Over ``situations`` and ``rules`` when given (one
    group of questions), else the whole bundle."""
    chosen = bundle.situations if situations is None else situations
    chosen_rules = bundle.eligibility if rules is None else rules
    read: set[str] = set()
    for situation in chosen:
        if situation.when is not None:
            read.update(n.name for n in lang.names(situation.when.expr))
    for rule in chosen_rules:
        read.update(n.name for n in lang.names(rule.require.expr))
    domains = answer_domains(bundle)
    free = [s for s in chosen if s.when is None and s.id not in read]
    factor = 1
    for situation in free:
        factor *= len(domains[situation.id])
    free_ids = {s.id for s in free}  # by id: comparing the dataclasses field by field was most of this
    walk = Walk(bundle, [s for s in chosen if s.id not in free_ids], chosen_rules, domains)
    return any(walked * factor > limit for walked, _ in enumerate(walk.every(), start=1))
