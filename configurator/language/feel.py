"""Conditions in FEEL (the DMN expression language), so Camunda 8 (Zeebe) evaluates a gateway
condition exactly as the configurator does. Built from the same type-checked condition tree as
JsonLogic (language/jsonlogic.py), never from the author's text.

The context is the process variable ``answers``, the object of situation answers with questions
not asked left out. Every answer is read with ``get value(answers, "id")``: it gives null for a
missing key without a warning and works for any id, where a path (``answers.id``) would clash
with FEEL keywords. Our semantics are kept exactly: a comparison with an unanswered question is
false, so every comparison FEEL would leave null (``null < 5``) is guarded with ``!= null``, and
every sub-expression is true or false, never null, so ``not()``, ``and`` and ``or`` behave as in
Python. The text returned has no ``=`` prefix; Zeebe's ``=`` is added where it is written.
"""

from __future__ import annotations

from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from configurator.language import conditions as lang

ANSWERS = "answers"
_ORDER = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
_TURNED = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}


def literal(value: Any) -> str:
    """A FEEL literal for a JSON scalar (numbers without exponent, strings JSON-escaped, which
    FEEL reads the same)."""
    if isinstance(value, str):  # first: ids and option values, most of the calls
        return encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) returns, without its set-up
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"not a FEEL literal: {value!r}")


def answer(name: str, context: str = ANSWERS) -> str:
    return f"get value({context}, {literal(name)})"


def to_feel(expr: lang.Expr, context: str = ANSWERS) -> str:
    """The FEEL expression for a type-checked condition (true or false for any answers), over
    the answers in ``context`` (a FEEL expression giving the object of answers)."""
    match expr:
        case lang.Name(name=name):
            return f"{answer(name, context)} = true"
        case lang.Ticked(name=lang.Name(name=name)):
            return f"{answer(name, context)} != null and count({answer(name, context)}) > 0"
        case lang.Literal(value=value):
            return literal(bool(value))
        case lang.Not(operand=operand):
            return f"not({to_feel(operand, context)})"
        case lang.BoolOp(op=op, operands=operands):
            return f" {op} ".join(f"({to_feel(operand, context)})" for operand in operands)
        case lang.Compare():
            return _compare(expr, context)
    raise TypeError(f"not a condition: {expr!r}")


def _compare(expr: lang.Compare, context: str) -> str:
    def value(name: str) -> str:
        return answer(name, context)

    def answered(name: str) -> str:
        return f"{value(name)} != null"

    op, left, right = expr.op, expr.left, expr.right
    if op == "contains" or (op in ("in", "not in") and isinstance(right, lang.Name)):
        # a several-choice answer (a list) holds an option
        name, option = (left, right) if op == "contains" else (right, left)
        assert isinstance(name, lang.Name) and isinstance(option, lang.Literal)
        contained = f"list contains({value(name.name)}, {literal(option.value)})"
        return f"{answered(name.name)} and " + (contained if op != "not in" else f"not({contained})")
    if isinstance(right, lang.Name):  # fixed value on the left: turn it round
        left, right = right, left
        op = _TURNED.get(op, op)
    assert isinstance(left, lang.Name)
    if op in ("in", "not in"):
        assert isinstance(right, lang.ListLiteral)
        member = f"list contains({literal([v.value for v in right.values])}, {value(left.name)})"
        return member if op == "in" else f"{answered(left.name)} and not({member})"
    assert isinstance(right, lang.Literal)
    if op == "==":
        return f"{value(left.name)} = {literal(right.value)}"
    if op == "!=":
        return f"{answered(left.name)} and {value(left.name)} != {literal(right.value)}"
    return f"{answered(left.name)} and {value(left.name)} {_ORDER[op]} {literal(right.value)}"


__all__ = ["ANSWERS", "answer", "literal", "to_feel"]
