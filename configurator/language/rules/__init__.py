"""Semantic rules: plain functions ``check(context) -> diagnostics``, one module per concern.

They run only on a bundle that passed the schema, so they see the typed model. Add a rule
by writing a function in the module of its concern and listing it in that module's RULES.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from configurator.diagnostics import Diagnostic
from configurator.language.rules import (
    answers,
    conditions,
    field_rules,
    identity,
    illustrative,
    materials,
    named,
    ordering,
    patterns,
    producers,
    references,
    responsibilities,
)
from configurator.language.rules.context import RuleContext

Rule = Callable[[RuleContext], Iterable[Diagnostic]]

RULES: list[Rule] = [
    *identity.RULES,
    *references.RULES,
    *conditions.RULES,
    *named.RULES,
    *patterns.RULES,
    *ordering.RULES,
    *materials.RULES,
    *answers.RULES,
    *field_rules.RULES,
    *illustrative.RULES,
    *producers.RULES,
    *responsibilities.RULES,
]


def run_rules(context: RuleContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for rule in RULES:
        found.extend(rule(context))
    return found


__all__ = ["RULES", "RuleContext", "run_rules"]
