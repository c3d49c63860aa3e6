"""The distinct cases a bundle can produce: answer sets that lead to different plans.

Metrics per situation and the golden-file tests need representative answers. Answers are
drawn from the same candidate values the never-true check uses (every region each condition
can separate), the plans are computed, and answer sets giving the same plan are merged.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import conditions as lang
from .model import Bundle
from .plan import Plan, make_plan

MAX_COMBINATIONS = 50_000


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


def scenarios(bundle: Bundle) -> tuple[list[Scenario], bool]:
    """Eligible cases with distinct plans (first answer set found for each), and whether
    the enumeration was complete (False when there were too many combinations to try)."""
    constants: dict[str, set[Any]] = {}
    for expr in _all_conditions(bundle):
        lang._constants(expr, constants)
    variables = bundle.variables()
    names = [s.id for s in bundle.situations if s.id in constants]
    domains = [lang._candidates(variables[name], constants[name]) for name in names]
    total = 1
    for domain in domains:
        total *= len(domain)
    complete = total <= MAX_COMBINATIONS
    combinations: Iterator[tuple[Any, ...]] = itertools.product(*domains)
    if not complete:
        combinations = itertools.islice(combinations, MAX_COMBINATIONS)
    found: dict[tuple[Any, ...], Scenario] = {}
    for combination in combinations:
        answers = {name: value for name, value in zip(names, combination, strict=True) if value is not None}
        plan = make_plan(bundle, answers)
        if not plan.eligible:
            continue
        signature = (tuple(i.id for i in plan.items), tuple(m.id for m in plan.materials),
                     tuple(f.id for f in plan.fields))
        if signature not in found:
            found[signature] = Scenario(dict(plan.answers), plan)
    return list(found.values()), complete
