"""Every field pattern is safe for the public pre-check and means the same in a portal."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.diagnostics import Diagnostic
from configurator.language.patterns import pattern_problem
from configurator.language.rules.context import RuleContext


def check_field_patterns(context: RuleContext) -> Iterable[Diagnostic]:
    for field in context.bundle.fields:
        if field.spec.pattern is not None:
            problem = pattern_problem(field.spec.pattern)
            if problem is not None:
                yield context.at("E211", field.path + ("pattern",), pattern=field.spec.pattern, problem=problem)


RULES = [check_field_patterns]
