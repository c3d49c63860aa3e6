"""The distinct cases a bundle can produce: answer sets that lead to different plans.

Metrics, the notice, the diagram and the golden-file tests need every real case (what a
citizen can submit: planning/walk.py). The questions are split into independent groups and
each group is walked alone (planning/independent.py): the number of answer sets is the product
of the groups', and the cases, their order and their answers are those of walking every answer
set, without walking them. A bundle whose conditions read one group only is walked as it is up
to ``WALKED`` answer sets, and searched by its live answers above (planning/deep.py), as is
a bundle with a group of more than ``EXACT_LIMIT`` answer sets of its own. Only where that
search gives up does the search fall back to a seeded sample, and the result says so loudly
(``complete`` is False; report and preview show a warning). Answer sets deciding every
condition of the bundle alike give the same plan and are computed once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from configurator.model import Bundle, BundleField, BundleMaterial, Item
from configurator.planning import deep, fullest, independent
from configurator.planning.plan import Plan, Planner
from configurator.planning.walk import Walk, at_most, more_than
from configurator.planning.walk import answer_domains as answer_domains  # callers import it from here

# Reachable answer sets of one group of dependent questions walked exactly (docs/metrics.md
# promises this number); also how many combinations of groups' parts are visited at most.
EXACT_LIMIT = 50_000
# Combinations of groups' outcomes (planning/independent.py, fullest.py) or questions (planning/deep.py)
# visited at most by the searches that do not walk answer sets: past it they give up, and say so.
SEARCH_LIMIT = 50_000
# A bundle of one group with at most this many answer sets is walked one by one (cheaper than searching).
WALKED = 4_096
# Above it: how many random answer sets are tried instead (seeded: output stays deterministic).
SAMPLE_SIZE = 20_000
# Distinct cases listed with a full plan; a bundle with more lists the first ones (the count and the
# fullest case still cover every case) and is marked incomplete. Every listed case costs every
# writer (figures, routing, notice) a plan and a schedule: 5,000 made compile 20x pyxform's.
MAX_CASES = 200
# Distinct cases listed for a bundle with more than EXACT_LIMIT answer sets (found exactly or from
# a sample). Such a bundle has a new case at nearly every combination: listing thousands of them
# (tens of megabytes of metrics.json, minutes of routing) would tell no more than a few hundred.
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
    fullest: Scenario | None = None  # the fullest case (figures.fullest), among all cases when the search was exact
    longest_days: int | None = None  # the most days of any case (None: of the cases listed, which are all)

    @property
    def figures_exact(self) -> bool:
        """The count, the fullest case and the longest cover every case: not sampled, and no search
        gave up (a list cut short to its first cases leaves them exact)."""
        return not self.sampled and len(self.warnings) == (self.listed_limit is not None)

    def longest(self) -> int:
        """The most working days of any case (of those found, when sampled)."""
        if self.longest_days is not None:
            return self.longest_days
        return max((case.plan.days for case in self.cases), default=0)


class _Keys:
    """Distinct cases by truth vector: each new truth vector's outline is decided once and named."""

    def __init__(self, bundle: Bundle, planner: Planner) -> None:
        self.planner = planner
        self.by_truth: dict[tuple[bool, ...], int] = {}  # truth vector → number of its distinct case
        self.keys: dict[tuple[Any, ...], int] = {}
        # per case: its outline, the fields left to pick
        self.decided: dict[int, tuple[list[Item], list[BundleMaterial], Callable[[], list[BundleField]]]] = {}
        self.unchanged = {id(entry) for entry in (*bundle.items, *bundle.materials)}

    def key(self, truth: tuple[bool, ...]) -> int:
        key = self.by_truth.get(truth)
        return self.new_case(truth) if key is None else key

    def new_case(self, truth: tuple[bool, ...]) -> int:
        """The number of the case a truth vector not seen before decides."""
        outline, bits = self.planner.decide_keyed(truth)
        items, materials, pick_fields = outline
        # Without case-dependent values a case is named by the bits of its items, materials and
        # fields. Otherwise by the resolved entries themselves: a case-dependent value makes a
        # different case. An entry left as the bundle has it is named by identity (hashing a whole
        # dataclass is slow); a resolved copy differs from it in value, so it is compared by value.
        unchanged = self.unchanged
        signature = bits if bits is not None else (
            tuple(id(i) if id(i) in unchanged else i for i in items),
            tuple(id(m) if id(m) in unchanged else m for m in materials), tuple(map(id, pick_fields())))
        key = self.by_truth[truth] = self.keys.setdefault(signature, len(self.keys))
        self.decided.setdefault(key, outline)
        return key

    def rank_of_key(self, key: int) -> tuple[int, int, int]:
        items, materials, _ = self.decided[key]
        return len(items), len(materials), self.planner.plan_of({}, (), items, materials, ()).days


def fullest_of(cases: list[Scenario]) -> Scenario | None:
    """The first case of the highest ``rank``; days (a schedule each) only for the cases with the
    most items and materials."""
    if not cases:
        return None
    top = max((len(case.plan.items), len(case.plan.materials)) for case in cases)
    return max((case for case in cases if (len(case.plan.items), len(case.plan.materials)) == top),
               key=lambda case: case.plan.days)


def search(bundle: Bundle, planner: Planner | None = None) -> CaseSearch:
    """The bundle's distinct cases; ``planner``: the bundle's, when the caller has made it already."""
    planner = planner if planner is not None else Planner(bundle)
    keys = _Keys(bundle, planner)
    if independent.linked(bundle, planner):  # one group: its walk is the bundle's
        return _linked(bundle, planner, keys)
    groups = independent.split(bundle, planner, EXACT_LIMIT)
    if groups is None:  # a group too large to walk: the whole bundle searched by its live answers
        searched = _deep(bundle, planner, keys)
        return searched if searched is not None else _sampled(bundle, planner, keys)
    if not groups.count:  # no answer set passes eligibility: no case (the checker says why)
        return CaseSearch([], True, 0, False)
    return _combined(bundle, planner, keys, groups)


def _linked(bundle: Bundle, planner: Planner, keys: _Keys) -> CaseSearch:
    """A bundle whose conditions read one group of questions: walked when small, searched by its
    live answers when large, sampled only where that search gives up."""
    walk = Walk(bundle)
    if at_most(bundle.situations, walk.domains) > min(WALKED, EXACT_LIMIT):  # searched by live answers, else as before
        searched = _deep(bundle, planner, keys)
        if searched is not None:
            return searched
        if more_than(bundle, EXACT_LIMIT):
            return _sampled(bundle, planner, keys)
    return _walked(bundle, planner, keys, walk)


def _combined(bundle: Bundle, planner: Planner, keys: _Keys, groups: independent.Groups) -> CaseSearch:
    """The cases of independent groups of questions, combined group by group without walking
    every answer set (planning/independent.py)."""
    # more answer sets than the exhaustive walk ever listed: as many cases as a sample would list
    limit = MAX_CASES if groups.count <= EXACT_LIMIT else MAX_SAMPLED_CASES
    found, finished = groups.first_cases(keys.key, limit, SEARCH_LIMIT)
    warnings = []
    if not finished:
        warnings.append(f"more than {SEARCH_LIMIT} combinations of independent answers were tried "
                        f"for fewer than {limit} cases: the list may miss cases")
    if len(found) > limit:
        warnings.append(f"more than {limit} distinct cases: only the first {limit} are listed")
    answers_are_kept = all(None not in domain for domain in groups.domains.values())
    listed = [(groups.answers(bundle, chosen), key) for key, chosen in list(found.items())[:limit]]
    cases = _planned(planner, keys, listed, answers_are_kept)
    if not warnings:  # every case is listed: the fullest and the longest are among them
        return CaseSearch(cases, True, groups.count, False, warnings, 0, None, fullest_of(cases), None)
    widest, most = _extremes(bundle, planner, groups, warnings)
    return CaseSearch(cases, False, groups.count, False, warnings, 0,
                      limit if len(found) > limit else None, widest, most)


def _extremes(bundle: Bundle, planner: Planner, groups: independent.Groups,
              warnings: list[str]) -> tuple[Scenario | None, int]:
    """The fullest case and the longest days among all combined cases, not only those listed
    (a list cut short must not understate the figures); a search that gives up adds a warning."""
    widest = None
    chosen, done = fullest.fullest(groups, bundle, planner, SEARCH_LIMIT)
    if chosen is not None:
        answers = groups.answers(bundle, chosen)
        widest = Scenario(answers, planner.plan(answers))
    if not done:
        warnings.append(f"the fullest case was looked for among {SEARCH_LIMIT} combinations only")
    most, done = fullest.longest(groups, bundle, planner, SEARCH_LIMIT)
    if not done:
        warnings.append(f"the longest case was looked for among {SEARCH_LIMIT} combinations only")
    return widest, most


def _walked(bundle: Bundle, planner: Planner, keys: _Keys, walk: Walk) -> CaseSearch:
    """Every answer set of the bundle, one by one (the conditions read one group of questions)."""
    truth_of, by_truth, key_of = planner.vector, keys.by_truth, keys.new_case
    found: dict[int, dict[str, Any]] = {}
    tried = 0
    every = walk.every()
    for answers in every:  # keys.key(truth), inline: this runs for every answer set
        tried += 1
        truth = truth_of(answers)
        key = by_truth.get(truth)
        if key is None:
            key = key_of(truth)
        if key not in found:
            found[key] = dict(answers)
    truncated = len(found) > MAX_CASES
    warnings = [f"more than {MAX_CASES} distinct cases: only the first {MAX_CASES} are listed"] if truncated else []
    answers_are_kept = all(None not in domain for domain in walk.domains.values())
    cases = _planned(planner, keys, [(answers, key) for key, answers in list(found.items())[:MAX_CASES]],
                     answers_are_kept)
    widest = fullest_of(cases)
    most = None
    if truncated:  # the fullest and the longest among every case, not only those listed
        first = max(found, key=keys.rank_of_key)
        widest = Scenario(found[first], planner.plan(found[first]))
        most = max(keys.rank_of_key(key)[2] for key in found)
    return CaseSearch(cases, not truncated, tried, False, warnings, 0, MAX_CASES if truncated else None, widest,
                      most)


def _deep(bundle: Bundle, planner: Planner, keys: _Keys) -> CaseSearch | None:
    """One large group of linked questions, searched by its live answers (planning/deep.py); None
    when that search would visit more than SEARCH_LIMIT questions (the caller samples)."""
    if len(bundle.situations) > independent.MAX_DEPTH:
        return None
    search = deep.Deep(bundle, planner)
    total = search.count(SEARCH_LIMIT)
    if total is None:
        return None
    if not total:
        return CaseSearch([], True, 0, False)
    # more answer sets than the exhaustive walk ever listed: as many cases as a sample would list
    limit = MAX_CASES if total <= EXACT_LIMIT else MAX_SAMPLED_CASES
    found: dict[int, dict[str, Any]] = {}

    def listed(answers: dict[str, Any], truth: tuple[bool, ...]) -> bool:
        found.setdefault(keys.key(truth), answers)
        return len(found) > limit

    if not search.search(listed, SEARCH_LIMIT):
        return None
    truncated = len(found) > limit
    warnings = [f"more than {limit} distinct cases: only the first {limit} are listed"] if truncated else []
    answers_are_kept = all(None not in domain for domain in search.domains.values())
    cases = _planned(planner, keys, [(answers, key) for key, answers in list(found.items())[:limit]], answers_are_kept)
    widest = fullest_of(cases)
    if truncated:  # the fullest among every case: branch and bound over the same search
        best: list[Any] = [(-1, -1, -1), None]
        bound = deep.bounds(bundle, planner, search)

        def ranked(answers: dict[str, Any], truth: tuple[bool, ...]) -> bool:
            value = keys.rank_of_key(keys.key(truth))
            if value > best[0]:
                best[0], best[1] = value, answers
            return False

        if not search.search(ranked, SEARCH_LIMIT, lambda truth, index: bound(truth, index) <= best[0]):
            warnings.append(f"the fullest case was looked for among {SEARCH_LIMIT} combinations only")
        if best[1] is not None:
            widest = Scenario(best[1], planner.plan(best[1]))
        most = [0]

        def timed(answers: dict[str, Any], truth: tuple[bool, ...]) -> bool:
            most[0] = max(most[0], keys.rank_of_key(keys.key(truth))[2])
            return False

        if not search.search(timed, SEARCH_LIMIT, lambda truth, index: bound(truth, index)[2] <= most[0]):
            warnings.append(f"the longest case was looked for among {SEARCH_LIMIT} combinations only")
    return CaseSearch(cases, not warnings, total, False, warnings, 0, limit if truncated else None, widest,
                      most[0] if truncated else None)


def _planned(planner: Planner, keys: _Keys, listed: list[tuple[dict[str, Any], int]],
             answers_are_kept: bool) -> list[Scenario]:
    # The walk and the sample answer exactly the questions asked, in file order, judged on the
    # answers before them as Planner.asked judges them: an answer set is its own "kept" answers,
    # unless an answer can be None (no domain has it today; then asked() tells).
    # Every answer set a search lists passed eligibility (the walks, the deep search and the sample
    # prune by it), so a case decided by the search fails no rule: none is evaluated again per case.
    cases = []
    for answers, key in listed:
        kept = answers if answers_are_kept else planner.asked(answers)
        # the search decided this case already: only the schedule is left to compute
        plan = (planner.plan_of(kept, (), *keys.decided[key]) if kept is answers or kept == answers
                else planner.plan(answers))
        cases.append(Scenario(answers, plan))
    return cases


def _sampled(bundle: Bundle, planner: Planner, keys: _Keys) -> CaseSearch:
    """A seeded sample of the bundle's answer sets: a group has too many of its own to walk."""
    walk = Walk(bundle)
    truth_of = planner.vector
    found: dict[int, dict[str, Any]] = {}
    limit = MAX_SAMPLED_CASES

    def consider(answers: dict[str, Any]) -> None:
        key = keys.key(truth_of(answers))
        if key not in found and len(found) <= limit:
            found[key] = dict(answers)

    # the first answer set of the walk (every question its first answer) leads the sample: it
    # is where "yes"-gated items all apply, a likely fullest case a random draw would miss
    first = next(walk.every(), None)
    if first is not None:
        consider(first)
    rng = random.Random(bundle.id)
    for _ in range(SAMPLE_SIZE):
        if len(found) > limit:
            break
        drawn = walk.sample(rng)
        if drawn is not None:
            consider(drawn)
    warnings = [f"more than {EXACT_LIMIT} answer combinations: figures come from a sample of "
                f"{SAMPLE_SIZE} and may miss cases"]
    if len(found) > limit:
        warnings.append(f"more than {limit} distinct cases: only the first {limit} are listed")
    answers_are_kept = all(None not in domain for domain in walk.domains.values())
    cases = _planned(planner, keys, [(answers, key) for key, answers in list(found.items())[:limit]],
                     answers_are_kept)
    return CaseSearch(cases, False, EXACT_LIMIT, True, warnings, SAMPLE_SIZE,
                      limit if len(found) > limit else None, fullest_of(cases))


def scenarios(bundle: Bundle) -> tuple[list[Scenario], bool]:
    """Eligible cases with distinct plans (first answer set found for each), and whether
    the enumeration was complete."""
    result = search(bundle)
    return result.cases, result.complete
