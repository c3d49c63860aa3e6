"""The distinct cases a bundle can produce: answer sets that lead to different plans.

Metrics per situation and the golden-file tests need representative answers. Answers are
drawn from the same candidate values the never-true check uses (every region each condition
can separate), the plans are computed, and answer sets giving the same plan are merged.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from configurator.language import conditions as lang
from configurator.model import Bundle
from configurator.planning.plan import Plan, Planner

# How much work the enumeration may do: answer sets tried × entries evaluated for each. Beyond
# it a seeded sample of answer sets is tried instead (and the result says it is incomplete).
WORK_BUDGET = 150_000
MIN_COMBINATIONS = 256
# Example cases kept (each with a full schedule): up to 200, fewer for large bundles, whose
# cases are numerous and each costly; a bundle with more distinct cases is marked incomplete.
MAX_SCENARIOS = 200
SCENARIO_WORK = 20_000


@dataclass(frozen=True)
class Scenario:
    answers: dict[str, Any]
    plan: Plan


def _all_conditions(bundle: Bundle) -> list[lang.Expr]:
    found = [s.when.expr for s in bundle.situations if s.when]
    found += [r.require.expr for r in bundle.eligibility]
    found += [entry.when.expr for group in (bundle.fields, bundle.materials, bundle.items)
              for entry in group if entry.when]
    return found


def _eligibility_names(bundle: Bundle, names: list[str]) -> list[str]:
    """The questions eligibility depends on, with the questions their asking depends on."""
    needed: set[str] = {n.name for rule in bundle.eligibility for n in lang.names(rule.require.expr)}
    situations = {s.id: s for s in bundle.situations}
    changed = True
    while changed:
        changed = False
        for name in list(needed):
            situation = situations.get(name)
            if situation and situation.when:
                for dependency in lang.names(situation.when.expr):
                    if dependency.name not in needed:
                        needed.add(dependency.name)
                        changed = True
    return [name for name in names if name in needed]


def scenarios(bundle: Bundle) -> tuple[list[Scenario], bool]:
    """Eligible cases with distinct plans (first answer set found for each), and whether
    the enumeration was complete (False when there were too many combinations to try)."""
    constants: dict[str, set[Any]] = {}
    for expr in _all_conditions(bundle):
        lang.constants_of(expr, constants)
    variables = bundle.variables()
    names = [s.id for s in bundle.situations if s.id in constants]
    domains = {name: lang.candidates(variables[name], constants[name]) for name in names}
    planner = Planner(bundle)

    # Eligibility first: most combinations fail it, and the rest need not be tried for them.
    first = _eligibility_names(bundle, names)
    rest = [name for name in names if name not in first]
    eligible_prefixes = []
    for combination in itertools.product(*(domains[name] for name in first)):
        prefix = {name: value for name, value in zip(first, combination, strict=True) if value is not None}
        if not planner.failed_rules(planner.asked(prefix)):
            eligible_prefixes.append(prefix)

    total = len(eligible_prefixes)
    for name in rest:
        total *= len(domains[name])
    entries = len(bundle.items) + len(bundle.materials) + len(bundle.fields) + 1
    limit = max(MIN_COMBINATIONS, WORK_BUDGET // entries)
    max_scenarios = max(20, min(MAX_SCENARIOS, SCENARIO_WORK // entries))
    complete = total <= limit
    combinations: Iterator[tuple[dict[str, Any], tuple[Any, ...]]]
    if complete:
        combinations = ((prefix, combination) for prefix in eligible_prefixes
                        for combination in itertools.product(*(domains[name] for name in rest)))
    else:
        # A seeded sample: the same bundle always gives the same cases (output stays deterministic).
        rng = random.Random(bundle.id)
        combinations = ((rng.choice(eligible_prefixes), tuple(rng.choice(domains[name]) for name in rest))
                        for _ in range(limit if eligible_prefixes else 0))

    found: dict[tuple[Any, ...], Scenario] = {}
    for prefix, combination in combinations:
        answers = dict(prefix)
        answers.update((name, value) for name, value in zip(rest, combination, strict=True) if value is not None)
        kept, failed, items, materials, fields = planner.outline(answers)
        if failed:
            continue
        signature = (tuple(i.id for i in items), tuple(m.id for m in materials), tuple(f.id for f in fields))
        if signature not in found:
            if len(found) == max_scenarios:
                complete = False
                break
            found[signature] = Scenario(kept, planner.plan(kept))
    return list(found.values()), complete
