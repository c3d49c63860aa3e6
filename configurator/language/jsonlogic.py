"""Conditions in JsonLogic (jsonlogic.com), so a Java or JavaScript portal evaluates them with an
existing library and gets the same answer as the configurator.

The data a rule is applied to is the object of situation answers, ``{"born_in_wedlock": true,
"register_with": "father", ...}``, with questions not asked left out.

Our semantics are kept exactly: a comparison with an unanswered question is false. JsonLogic's
own operators differ there (``null < 5`` is true in JavaScript, ``null != "a"`` is true), so
those comparisons are guarded with ``{"!==": [{"var": x}, null]}``. Strict ``===``/``!==`` are
used throughout, so no library coerces types.
"""

from __future__ import annotations

from typing import Any

from configurator.language import conditions as lang

_ORDER = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}


def to_jsonlogic(expr: lang.Expr) -> Any:
    """The JsonLogic rule for a type-checked condition."""
    if isinstance(expr, lang.Name):
        return {"===": [{"var": expr.name}, True]}
    if isinstance(expr, lang.Ticked):  # JsonLogic's truthiness: an empty list and null are false
        return {"!!": [{"var": expr.name.name}]}
    if isinstance(expr, lang.Not):
        return {"!": [to_jsonlogic(expr.operand)]}
    if isinstance(expr, lang.BoolOp):
        return {expr.op: [to_jsonlogic(operand) for operand in expr.operands]}
    if isinstance(expr, lang.Compare):
        return _compare(expr)
    if isinstance(expr, lang.Literal):
        return bool(expr.value)
    raise TypeError(f"not a condition: {expr!r}")


def _answered(name: str) -> dict[str, Any]:
    return {"!==": [{"var": name}, None]}


def _compare(expr: lang.Compare) -> Any:
    op, left, right = expr.op, expr.left, expr.right
    if op == "contains":  # several-choice answer contains an option
        assert isinstance(left, lang.Name) and isinstance(right, lang.Literal)
        return {"in": [right.value, {"var": left.name}]}
    if op in ("in", "not in") and isinstance(right, lang.Name):  # "x" in several_choice
        assert isinstance(left, lang.Literal)
        contained = {"in": [left.value, {"var": right.name}]}
        return contained if op == "in" else {"and": [_answered(right.name), {"!": [contained]}]}
    if isinstance(right, lang.Name):  # fixed value on the left: turn it round
        left, right = right, left
        op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
    assert isinstance(left, lang.Name)
    var = {"var": left.name}
    if op in ("in", "not in"):
        assert isinstance(right, lang.ListLiteral)
        values = [literal.value for literal in right.values]
        member = {"in": [var, values]}
        return member if op == "in" else {"and": [_answered(left.name), {"!": [member]}]}
    assert isinstance(right, lang.Literal)
    if op == "==":
        return {"===": [var, right.value]}
    if op == "!=":
        return {"and": [_answered(left.name), {"!==": [var, right.value]}]}
    return {"and": [_answered(left.name), {_ORDER[op]: [var, right.value]}]}
