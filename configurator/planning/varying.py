"""A case-dependent value (``cases``/``default``) as a condition: "this attribute takes this value".

The plan resolves a value for one case (first case whose ``when`` holds, else the default);
an artifact that is not about one case (the form schema, form.html, the form's server-side
validation) needs the same rule stated over the answers instead, so that it agrees with the plan
in every case. ``takes`` builds that condition from the entry's own cases, and writers translate
it like any other (JSON Schema, JsonLogic).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.language import conditions
from configurator.model import BundleMaterial, Item, SpecialStage

_ALWAYS = conditions.Literal(True, 0)
_NEVER = conditions.Literal(False, 0)


def _cases(entry: Item | BundleMaterial | SpecialStage, attribute: str) -> tuple[Any, ...]:
    return next((v.cases for v in entry.varies if v.attribute == attribute), ())


def value_in_case(entry: Item | BundleMaterial | SpecialStage, attribute: str, answers: Mapping[str, Any]) -> Any:
    """The attribute's value for these answers (the rule of planning/plan.py, for one entry)."""
    for case in _cases(entry, attribute):
        if conditions.evaluate(case.when.expr, answers):
            return case.value
    return getattr(entry, attribute)


def takes(entry: Item | BundleMaterial | SpecialStage, attribute: str, value: Any) -> conditions.Expr:
    """When the attribute takes ``value``: a Literal (always, never) for a value that does not vary.

    Case i gives its value when its ``when`` holds and no earlier case's does; the default when
    none holds."""
    parts: list[conditions.Expr] = []
    earlier: list[conditions.Expr] = []
    for case in _cases(entry, attribute):
        if case.value == value:
            parts.append(conditions.all_of([*[conditions.Not(e, 0) for e in earlier], case.when.expr]) or _ALWAYS)
        earlier.append(case.when.expr)
    if getattr(entry, attribute) == value:
        parts.append(conditions.all_of([conditions.Not(e, 0) for e in earlier]) or _ALWAYS)
    if not earlier:
        return _ALWAYS if parts else _NEVER
    return conditions.any_of(parts) or _NEVER


def constant(expr: conditions.Expr) -> bool | None:
    """True or False for a condition ``takes`` found not to vary, None for one that does."""
    return bool(expr.value) if isinstance(expr, conditions.Literal) else None
