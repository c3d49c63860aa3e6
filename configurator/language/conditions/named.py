"""Named conditions: a condition written once under ``conditions:`` and referred to by its id.

A reference is replaced by the condition it names before anything evaluates or translates
it, so the evaluator, JsonLogic, JSON Schema and BPMN see plain conditions over situations.
A named condition may refer to situations and to named conditions defined above it (so
there can be no cycle); a reference to a later one stays a name and the checker reports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from configurator.language.conditions.syntax import (
    BoolOp,
    Compare,
    ConditionSyntaxError,
    Expr,
    Not,
    parse,
    to_text,
)
from configurator.language.conditions.syntax import Name as NameNode


def substitute(expr: Expr, named: Mapping[str, Expr]) -> Expr:
    """``expr`` with every standalone reference to a named condition replaced by its meaning."""
    if isinstance(expr, NameNode):
        return named.get(expr.name, expr)
    if isinstance(expr, Not):
        return Not(substitute(expr.operand, named), expr.column)
    if isinstance(expr, BoolOp):
        return BoolOp(expr.op, tuple(substitute(operand, named) for operand in expr.operands), expr.column)
    if isinstance(expr, Compare):
        return expr  # comparisons are over situations; a named condition stands alone (E403)
    return expr


def expand_definitions(definitions: Sequence[tuple[str, str]]) -> dict[str, Expr]:
    """Each named condition's meaning over situations only, in order of definition. One that
    does not parse is left out (its syntax error is reported where it is written)."""
    expanded: dict[str, Expr] = {}
    for name, text in definitions:
        try:
            expanded[name] = substitute(parse(text), expanded)
        except ConditionSyntaxError:
            continue
    return expanded


def expanded_text(text: str, named: Mapping[str, Expr]) -> str | None:
    """The condition with named references replaced, as text; None when there is nothing to
    replace (or the text does not parse: its error is reported by the checker)."""
    if not named:
        return None
    try:
        expr = parse(text)
    except ConditionSyntaxError:
        return None
    replaced = substitute(expr, named)
    return None if replaced == expr else to_text(replaced)
