"""Conditions over an answer set that is not finished yet: true, false, or not yet known.

``evaluate`` reads a missing answer as "not asked" (any comparison with it is false). That is
right once the questions are all answered, and wrong before: a question still to be answered
is not a "no". Here the names in ``unknown`` (questions asked but not answered yet, and those
whose asking depends on them) make a condition "not yet known" (None) unless the rest decides
it anyway: ``a or b`` is true when ``a`` is, ``a and b`` false when ``a`` is false, whatever
``b`` turns out to be (Kleene's three-valued logic; an answer can only make a condition that
reads it true or false, so "not yet known" never hides a decided value).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from configurator.language.conditions.evaluate import evaluate
from configurator.language.conditions.syntax import BoolOp, Expr, Not, names


def reads_any(expr: Expr, unknown: Set[str]) -> bool:
    """True when the condition names one of ``unknown``."""
    return any(name.name in unknown for name in names(expr))


def decide(expr: Expr, answers: Mapping[str, Any], unknown: Set[str]) -> bool | None:
    """The condition's truth for ``answers``, or None when the answers in ``unknown`` could still
    make it either."""
    if not unknown or not reads_any(expr, unknown):
        return evaluate(expr, answers)
    if isinstance(expr, Not):
        inner = decide(expr.operand, answers, unknown)
        return None if inner is None else not inner
    if isinstance(expr, BoolOp):
        deciding = expr.op != "and"  # the value that decides an and (False) or an or (True)
        undecided = False
        for operand in expr.operands:
            value = decide(operand, answers, unknown)
            if value is None:
                undecided = True
            elif value is deciding:
                return deciding
        return None if undecided else not deciding
    return None  # a comparison (or a bare name) reading a question not answered yet
