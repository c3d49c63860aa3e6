"""The one evaluator of conditions, and a compiled fast path proved equal to it by the tests."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import CodeType
from typing import Any

from configurator.language.conditions.syntax import BoolOp, Compare, Expr, ListLiteral, Literal, Name, Not, Ticked

# The meaning of every comparison, used by the evaluator and by its compiled fast path alike.
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: bool(a == b), "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b), "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b), ">=": lambda a, b: bool(a >= b),
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b, "contains": lambda a, b: b in a,
}


def evaluate(expr: Expr, answers: Mapping[str, Any]) -> bool:
    """Truth of a type-checked condition for a set of answers (missing answer = unanswered)."""
    return bool(_value(expr, answers))


def _value(expr: Expr, answers: Mapping[str, Any]) -> Any:
    if isinstance(expr, Name):
        return answers.get(expr.name)
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, ListLiteral):
        return [literal.value for literal in expr.values]
    if isinstance(expr, Ticked):
        return ticked(answers.get(expr.name.name))
    if isinstance(expr, Not):
        return not _value(expr.operand, answers)
    if isinstance(expr, BoolOp):
        if expr.op == "and":
            return all(_value(operand, answers) for operand in expr.operands)
        return any(_value(operand, answers) for operand in expr.operands)
    left, right = _value(expr.left, answers), _value(expr.right, answers)
    if left is None or right is None:
        return False
    try:
        return OPERATORS[expr.op](left, right)
    except TypeError:
        return False


def ticked(answer: Any) -> bool:
    """``any x``: a several-choice answer with at least one option (unanswered: None)."""
    return isinstance(answer, list) and len(answer) > 0


Predicate = Callable[[Mapping[str, Any]], bool]


def compile_predicate(expr: Expr) -> Predicate:
    """The condition as a Python function of the answers: same results as ``evaluate``,
    without walking the tree on every call (plans are computed thousands of times)."""
    if isinstance(expr, Name):
        name = expr.name
        return lambda answers: bool(answers.get(name))
    if isinstance(expr, Literal):
        constant = bool(expr.value)
        return lambda answers: constant
    if isinstance(expr, Ticked):
        ticked_name = expr.name.name
        return lambda answers: ticked(answers.get(ticked_name))
    if isinstance(expr, Not):
        inner = compile_predicate(expr.operand)
        return lambda answers: not inner(answers)
    if isinstance(expr, BoolOp):
        parts = [compile_predicate(operand) for operand in expr.operands]
        if expr.op == "and":
            return lambda answers: all(part(answers) for part in parts)
        return lambda answers: any(part(answers) for part in parts)
    if isinstance(expr, Compare):
        return _compile_compare(expr)
    raise TypeError(f"not a condition: {expr!r}")


def _compile_compare(expr: Compare) -> Predicate:
    """Answer-versus-constant comparisons, the only kind the type check allows, made direct."""
    operator = OPERATORS[expr.op]
    left, right = expr.left, expr.right
    if isinstance(left, Name) and isinstance(right, (Literal, ListLiteral)):
        name, constant, compare = left.name, _value(right, {}), operator
    elif isinstance(right, Name) and isinstance(left, Literal):
        name, constant = right.name, left.value
        compare = lambda value, fixed: operator(fixed, value)  # noqa: E731  (the constant stands first)
    else:
        return lambda answers: bool(_value(expr, answers))

    def with_answer(answers: Mapping[str, Any]) -> bool:
        value = answers.get(name)
        if value is None:
            return False
        try:
            return compare(value, constant)
        except TypeError:
            return False
    return with_answer


Vector = Callable[[Mapping[str, Any]], tuple[bool, ...]]


@functools.lru_cache(maxsize=1024)
def _compiled(code: str) -> CodeType:
    """The source's code object. The source names constants only (``c0``, ``p1``...), so conditions
    of the same shape share one: the groups of a bundle built from repeated parts, and every
    recompile of a bundle the admin previews after a save, compile it once."""
    return compile(code, "<conditions>", "exec")


def compile_vector(exprs: list[Expr | None]) -> Vector:
    """Many conditions as one generated Python function returning the tuple of their truths
    (None: always true). The case search evaluates every condition of a bundle for tens of
    thousands of answer sets; one flat function avoids a call per condition and per operand.
    Only names of constants go into the generated source (``c0``, ``p1``...): answers, names
    and literals from the bundle are passed as values, never written into the code."""
    values: dict[str, Any] = {}

    def constant(value: Any) -> str:
        key = f"c{len(values)}"
        values[key] = value
        return key

    def source(expr: Expr) -> str:
        """Python source whose truth is the condition's; a name or an and/or may give a value
        that is only truthy (``vector`` makes each entry a bool, once, at the top)."""
        if isinstance(expr, Name):
            return f"g({constant(expr.name)})"
        if isinstance(expr, Literal):
            return "True" if expr.value else "False"
        if isinstance(expr, Not):
            return f"(not {source(expr.operand)})"
        if isinstance(expr, BoolOp):
            if not expr.operands:
                return "True" if expr.op == "and" else "False"
            return "(" + f" {expr.op} ".join(source(operand) for operand in expr.operands) + ")"
        if (isinstance(expr, Compare) and isinstance(expr.left, Name) and isinstance(expr.right, (Literal, ListLiteral))
                and (expr.op in ("==", "!=") or (expr.op in ("in", "not in") and isinstance(expr.right, ListLiteral)))):
            # operators that never raise on these operands: inline, with "unanswered is false"
            return (f"((v := g({constant(expr.left.name)})) is not None"
                    f" and v {expr.op} {constant(_value(expr.right, {}))})")
        return f"{constant(compile_predicate(expr))}(a)"  # the rest: the compiled predicate

    try:
        parts = ["True" if expr is None else f"bool({source(expr)})" if isinstance(expr, (Name, BoolOp))
                 else source(expr) for expr in exprs]
        code = "def vector(a):\n    g = a.get\n    return (" + "".join(f"{part}, " for part in parts) + ")\n"
        namespace: dict[str, Any] = dict(values)
        exec(_compiled(code), namespace)  # noqa: S102 - source built above from names only
    except (SyntaxError, RecursionError):  # nesting beyond what Python compiles: one predicate each
        predicates = [compile_predicate(expr) if expr is not None else (lambda answers: True) for expr in exprs]
        return lambda answers: tuple([predicate(answers) for predicate in predicates])
    vector: Vector = namespace["vector"]
    return vector
