"""The distinct cases a bundle can produce: answer sets that lead to different plans.

Metrics, the notice, the diagram and the golden-file tests need every real case. A case is
what a citizen can actually submit: the questions are answered in order, a question is
answered exactly when its ``when`` holds (and left unanswered otherwise), a several-choice
question asked is answered with at least one option unless it allows none, and the case
passes eligibility (the others go to the fallback window, not to a plan).

Answers are drawn from the values that reach every region the conditions separate
(``candidates``). Up to ``EXACT_LIMIT`` reachable answer sets are enumerated one by one, so
the figures are exact; above it a seeded sample is tried and the result says so loudly
(``complete`` is False; report and preview show a warning). Answer sets deciding every
condition of the bundle alike give the same plan and are computed once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from configurator.language import conditions as lang
from configurator.model import Bundle, BundleField, BundleMaterial, Item, Situation
from configurator.planning.plan import Plan, Planner

# Reachable answer sets enumerated exactly (docs/metrics.md promises this number).
EXACT_LIMIT = 50_000
# Above it: how many random answer sets are tried instead (seeded: output stays deterministic).
SAMPLE_SIZE = 20_000
# Distinct cases kept with a full plan; a bundle with more is marked incomplete.
MAX_CASES = 5_000
# Distinct cases kept from a sample. A sample of a bundle with millions of answer sets finds a new
# case at nearly every draw: listing thousands of them (tens of megabytes of metrics.json, minutes
# of routing) would tell no more than a few hundred, and the figures are marked inexact anyway.
MAX_SAMPLED_CASES = 200


@dataclass(frozen=True)
class Scenario:
    answers: dict[str, Any]
    plan: Plan


@dataclass(frozen=True)
class CaseSearch:
    """Every distinct case found, and how they were found."""

    cases: list[Scenario]
    complete: bool  # every reachable answer set was tried and every distinct case kept
    combinations: int  # reachable, eligible answer sets tried
    sampled: bool  # more than EXACT_LIMIT answer sets: a sample was tried
    warnings: list[str] = field(default_factory=list)  # in English, for metrics.json; report words them per language
    sample_size: int = 0  # answer sets drawn, when sampled
    listed_limit: int | None = None  # the cases listed when more were found (None: every case found is listed)


def _all_conditions(bundle: Bundle) -> list[lang.Expr]:
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
    for expr in _all_conditions(bundle):
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


class _Walk:
    """Reachable answer sets, question by question, pruned by eligibility as soon as the
    questions a rule reads have all been decided."""

    def __init__(self, bundle: Bundle, situations: list[Situation] | None = None) -> None:
        """Over the bundle's questions, or only over ``situations`` (the others left out)."""
        chosen = bundle.situations if situations is None else situations
        # None: always asked (no call per answer set)
        self.situations: list[tuple[Situation, Callable[[Mapping[str, Any]], bool] | None]] = [
            (s, None if s.when is None else lang.compile_predicate(s.when.expr)) for s in chosen]
        self.domains = answer_domains(bundle)
        position = {s.id: index for index, s in enumerate(chosen)}
        # checks[i]: the rules decided once questions 0..i-1 are (index 0: rules reading none)
        self.checks: list[list[Callable[[Mapping[str, Any]], bool]]] = [[] for _ in range(len(chosen) + 1)]
        for rule in bundle.eligibility:
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


def _at_most(bundle: Bundle, domains: Mapping[str, list[Any]]) -> int:
    """An upper bound of the reachable answer sets: every question answered every way (or left
    unanswered, where it may not be asked)."""
    bound = 1
    for situation in bundle.situations:
        bound *= len(domains[situation.id]) + (situation.when is not None)
    return bound


def _more_than(bundle: Bundle, limit: int) -> bool:
    """Whether the bundle has more than ``limit`` reachable, eligible answer sets, without
    enumerating them: a question always asked that no rule and no other question's ``when``
    reads multiplies the count by its number of answers, so only the others are walked, and
    only until the count passes the limit."""
    read: set[str] = set()
    for situation in bundle.situations:
        if situation.when is not None:
            read.update(n.name for n in lang.names(situation.when.expr))
    for rule in bundle.eligibility:
        read.update(n.name for n in lang.names(rule.require.expr))
    domains = answer_domains(bundle)
    free = [s for s in bundle.situations if s.when is None and s.id not in read]
    factor = 1
    for situation in free:
        factor *= len(domains[situation.id])
    free_ids = {s.id for s in free}  # by id: comparing the dataclasses field by field was most of this
    walk = _Walk(bundle, [s for s in bundle.situations if s.id not in free_ids])
    return any(walked * factor > limit for walked, _ in enumerate(walk.every(), start=1))


def search(bundle: Bundle, planner: Planner | None = None) -> CaseSearch:
    """The bundle's distinct cases; ``planner``: the bundle's, when the caller has made it already."""
    planner = planner if planner is not None else Planner(bundle)
    walk = _Walk(bundle)
    by_truth: dict[tuple[bool, ...], int] = {}  # truth vector → number of its distinct case
    keys: dict[tuple[Any, ...], int] = {}
    found: dict[int, dict[str, Any]] = {}
    # per case: its outline, the fields left to pick
    decided: dict[int, tuple[list[Item], list[BundleMaterial], Callable[[], list[BundleField]]]] = {}
    tried = 0

    unchanged = {id(entry) for entry in (*bundle.items, *bundle.materials)}

    truth_of = planner.vector

    def new_case(truth: tuple[bool, ...]) -> int:
        """The number of the case a truth vector not seen before decides."""
        outline, bits = planner.decide_keyed(truth)
        items, materials, pick_fields = outline
        # Without case-dependent values a case is named by the bits of its items, materials and
        # fields. Otherwise by the resolved entries themselves: a case-dependent value makes a
        # different case. An entry left as the bundle has it is named by identity (hashing a whole
        # dataclass is slow); a resolved copy differs from it in value, so it is compared by value.
        signature = bits if bits is not None else (
            tuple(id(i) if id(i) in unchanged else i for i in items),
            tuple(id(m) if id(m) in unchanged else m for m in materials), tuple(map(id, pick_fields())))
        key = by_truth[truth] = keys.setdefault(signature, len(keys))
        decided.setdefault(key, outline)
        return key

    def consider(answers: dict[str, Any]) -> None:
        truth = truth_of(answers)
        key = by_truth.get(truth)
        if key is None:
            key = new_case(truth)
        if key not in found and len(found) <= limit:
            found[key] = dict(answers)

    # Above the limit only a sample is tried. Which side a bundle is on is decided first and
    # cheaply (the bound, else a count that stops at the limit), so a bundle with billions of
    # answer sets never walks tens of thousands of them only to learn that it is too large.
    sampled = _at_most(bundle, walk.domains) > EXACT_LIMIT and _more_than(bundle, EXACT_LIMIT)
    limit = MAX_SAMPLED_CASES if sampled else MAX_CASES
    every = walk.every()
    if not sampled:
        for answers in every:  # consider(answers), inline: this runs for every answer set
            tried += 1
            truth = truth_of(answers)
            key = by_truth.get(truth)
            if key is None:
                key = new_case(truth)
            if key not in found and len(found) <= limit:
                found[key] = dict(answers)
            # more than the limit kept: no later answer set can change what is kept, only the count
            if len(found) > limit:
                tried += sum(1 for _ in every)
                break
    else:
        # the first answer set of the walk (every question its first answer) leads the sample: it
        # is where "yes"-gated items all apply, a likely fullest case a random draw would miss
        first = next(every, None)
        if first is not None:
            consider(first)
        rng = random.Random(bundle.id)
        for _ in range(SAMPLE_SIZE):
            if len(found) > limit:
                break
            drawn = walk.sample(rng)
            if drawn is not None:
                consider(drawn)
    warnings = []
    if sampled:
        warnings.append(f"more than {EXACT_LIMIT} answer combinations: figures come from a sample of "
                        f"{SAMPLE_SIZE} and may miss cases")
    if len(found) > limit:
        warnings.append(f"more than {limit} distinct cases: only the first {limit} are listed")
    cases = []
    # The walk and the sample answer exactly the questions asked, in file order, judged on the
    # answers before them as Planner.asked judges them: an answer set is its own "kept" answers,
    # unless an answer can be None (no domain has it today; then asked() tells).
    answers_are_kept = all(None not in domain for domain in walk.domains.values())
    for key, answers in list(found.items())[:limit]:
        kept = answers if answers_are_kept else planner.asked(answers)
        # the search decided this case already: only the schedule is left to compute
        plan = (planner.plan_of(kept, planner.failed_rules(kept), *decided[key]) if kept == answers
                else planner.plan(answers))
        cases.append(Scenario(answers, plan))
    return CaseSearch(cases, not warnings, EXACT_LIMIT if sampled else tried, sampled, warnings,
                      SAMPLE_SIZE if sampled else 0, limit if len(found) > limit else None)


def scenarios(bundle: Bundle) -> tuple[list[Scenario], bool]:
    """Eligible cases with distinct plans (first answer set found for each), and whether
    the enumeration was complete."""
    result = search(bundle)
    return result.cases, result.complete
