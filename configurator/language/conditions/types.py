"""Type-checking a condition against the bundle's situation questions, with located problems."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from configurator.language.conditions.syntax import BoolOp, Compare, Expr, ListLiteral, Literal, Name, Not, Ticked, to_text


@dataclass(frozen=True)
class Variable:
    """What the type checker and evaluator need to know about one situation question."""

    name: str
    kind: str  # boolean | choice | multi_choice | number | date | named (a named condition)
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    may_be_unanswered: bool = False
    allow_none: bool = False  # multi_choice: the empty answer (no option chosen) is allowed
    # How the admin shows the question and its options (zh-CN, en): problems name them so.
    label: tuple[str, str] = ("", "")
    option_labels: tuple[tuple[str, str], ...] = ()

    def shown(self) -> dict[str, str]:
        """The question as officials see it, falling back to its id."""
        return {"zh-CN": self.label[0] or self.name, "en": self.label[1] or self.label[0] or self.name}

    def shown_options(self) -> dict[str, str]:
        """The options by their labels, each with the value a condition compares with in brackets."""
        labels = dict(zip(self.options, self.option_labels, strict=False))
        zh = "、".join(f"{labels[o][0]}（{o}）" if o in labels and labels[o][0] else o for o in self.options)
        en = ", ".join(f"{labels[o][1] or labels[o][0]} ({o})" if o in labels and labels[o][0] else o
                       for o in self.options)
        return {"zh-CN": zh, "en": en}


@dataclass(frozen=True)
class Problem:
    """A type problem in a condition; ``code`` is an E4xx code of the catalogue."""

    code: str
    column: int
    params: Mapping[str, Any]


_KIND_WORDS = {
    "boolean": ("是/否回答", "a yes/no answer"),
    "choice": ("单选回答", "a one-choice answer"),
    "multi_choice": ("多选回答", "a several-choice answer"),
    "number": ("数字", "a number"),
    "date": ("日期", "a date"),
    "text": ("一段文字", "text"),
    "list": ("几个值", "several values"),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _kind_of_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str) and _DATE.fullmatch(value):
        return "date_or_text"
    return "text"


def _mismatch(column: int, zh: str, en: str, fix_zh: str, fix_en: str) -> Problem:
    return Problem("E403", column, {"problem": {"zh-CN": zh, "en": en}, "fix": {"zh-CN": fix_zh, "en": fix_en}})


def check_types(expr: Expr, variables: Mapping[str, Variable]) -> list[Problem]:
    """Type problems of a parsed condition against the bundle's situations."""
    problems: list[Problem] = []
    _check_boolean(expr, variables, problems)
    return problems


def _check_boolean(expr: Expr, variables: Mapping[str, Variable], problems: list[Problem]) -> None:
    """``expr`` stands where a yes/no value is needed."""
    if isinstance(expr, BoolOp):
        for operand in expr.operands:
            _check_boolean(operand, variables, problems)
    elif isinstance(expr, Not):
        _check_boolean(expr.operand, variables, problems)
    elif isinstance(expr, Compare):
        _check_compare(expr, variables, problems)
    elif isinstance(expr, Ticked):
        variable = _lookup(expr.name, variables, problems)
        if variable is not None and variable.kind != "multi_choice":
            zh, en = _KIND_WORDS.get(variable.kind, ("命名条件", "a named condition"))
            problems.append(_mismatch(
                expr.column, f"any（选了任一项）只用于多选问题，问题“{variable.shown()['zh-CN']}”是{zh}",
                f"any (any option ticked) is for several-choice questions; \"{variable.shown()['en']}\" is {en}",
                f"去掉 any，或改为比较，例如 {expr.name.name} == \"…\"" if variable.kind == "choice" else "去掉 any",
                f'remove any, or write a comparison such as {expr.name.name} == "..."' if variable.kind == "choice"
                else "remove any"))
    elif isinstance(expr, Name):
        variable = _lookup(expr, variables, problems)
        if variable is not None and variable.kind not in ("boolean", "named"):
            zh, en = _KIND_WORDS[variable.kind]
            problems.append(_mismatch(
                expr.column,
                f"问题“{variable.shown()['zh-CN']}”是{zh}，不能单独作为条件",
                f"the question \"{variable.shown()['en']}\" is {en} and cannot stand alone",
                f"写成比较，例如 {expr.name} == \"…\"" if variable.kind == "choice" else
                f"写成比较，例如 {expr.name} > 0" if variable.kind == "number" else
                f"写成 {expr.name} contains \"…\"，或 any {expr.name}（选了任一项）" if variable.kind == "multi_choice" else
                f"写成比较，例如 {expr.name} >= \"2024-01-01\"",
                "write a comparison, e.g. " + (
                    f'{expr.name} == "..."' if variable.kind == "choice" else
                    f"{expr.name} > 0" if variable.kind == "number" else
                    f'{expr.name} contains "...", or any {expr.name} (any option ticked)' if variable.kind == "multi_choice" else
                    f'{expr.name} >= "2024-01-01"')))
    elif isinstance(expr, Literal):
        if not isinstance(expr.value, bool):
            problems.append(_mismatch(expr.column, f"{to_text(expr)} 不是条件", f"{to_text(expr)} is not a condition",
                                      "写成对情形回答的比较", "compare a situation answer with a value"))
    else:
        problems.append(_mismatch(expr.column, "列表不能单独作为条件", "a list cannot stand alone as a condition",
                                  "写成 x in [\"a\", \"b\"]", 'write x in ["a", "b"]'))


def _lookup(name: Name, variables: Mapping[str, Variable], problems: list[Problem]) -> Variable | None:
    variable = variables.get(name.name)
    if variable is None:
        params: dict[str, Any] = {"name": name.name}
        suggestion = suggest(name.name, variables)
        if suggestion:
            params["suggestion"] = suggestion
        problems.append(Problem("E402", name.column, params))
    return variable


def _operand_kind(expr: Expr, variables: Mapping[str, Variable], problems: list[Problem]) -> tuple[str, Variable | None]:
    if isinstance(expr, Name):
        variable = _lookup(expr, variables, problems)
        if variable is not None and variable.kind == "named":
            problems.append(_mismatch(expr.column, f"命名条件“{expr.name}”不能与值比较",
                                      f"the named condition \"{expr.name}\" cannot be compared with a value",
                                      f"单独写 {expr.name}，或写 not {expr.name}",
                                      f"write {expr.name} on its own, or not {expr.name}"))
            return "unknown", None
        return (variable.kind if variable else "unknown"), variable
    if isinstance(expr, Literal):
        return _kind_of_literal(expr.value), None
    if isinstance(expr, ListLiteral):
        return "list", None
    _check_boolean(expr, variables, problems)
    return "boolean", None


def _check_option(variable: Variable, literal: Literal, problems: list[Problem]) -> None:
    if not isinstance(literal.value, str):
        zh, en = _KIND_WORDS.get(_kind_of_literal(literal.value), ("值", "a value"))
        problems.append(_mismatch(
            literal.column, f"问题“{variable.shown()['zh-CN']}”要与它的一个选项比较，不能与{zh} {to_text(literal)} 比较",
            f"the question \"{variable.shown()['en']}\" compares with one of its options, not with {en} {to_text(literal)}",
            f"改为它的一个选项（带引号）：{variable.shown_options()['zh-CN']}",
            f"use one of its options (quoted): {variable.shown_options()['en']}"))
        return
    if literal.value not in variable.options:
        params: dict[str, Any] = {"name": variable.name, "question": variable.shown(), "value": literal.value,
                                  "allowed": variable.shown_options()}
        suggestion = suggest(literal.value, variable.options)
        if suggestion:
            params["suggestion"] = suggestion
        problems.append(Problem("E404", literal.column, params))


def _check_compare(expr: Compare, variables: Mapping[str, Variable], problems: list[Problem]) -> None:
    left_kind, left_var = _operand_kind(expr.left, variables, problems)
    right_kind, right_var = _operand_kind(expr.right, variables, problems)
    if "unknown" in (left_kind, right_kind):
        return
    op = expr.op

    if op == "contains":
        if left_kind != "multi_choice" or not isinstance(expr.right, Literal):
            problems.append(_mismatch(expr.column, "contains 的左边应是多选情形，右边是一个选项值",
                                      "contains needs a several-choice situation on the left and an option on the right",
                                      "写成 food_types contains \"cold_food\"", 'write food_types contains "cold_food"'))
            return
        assert left_var is not None
        _check_option(left_var, expr.right, problems)
        return

    if op in ("in", "not in"):
        if right_kind == "multi_choice" and isinstance(expr.left, Literal):
            assert right_var is not None
            _check_option(right_var, expr.left, problems)
            return
        if right_kind == "list" and isinstance(expr.right, ListLiteral) and left_var is not None:
            for value in expr.right.values:
                _check_value_against(left_var, value, problems, op)
            return
        problems.append(_mismatch(expr.column, f"{op} 的两边不匹配", f"the two sides of {op} do not fit",
                                  "写成 register_with in [\"father\", \"mother\"] 或 \"cold_food\" in food_types",
                                  'write register_with in ["father", "mother"] or "cold_food" in food_types'))
        return

    # ==, !=, <, <=, >, >=
    if left_var is None and right_var is not None:
        left_var, right_var = right_var, None
        expr = Compare(_flip(op), expr.right, expr.left, expr.column)
        op, left_kind, right_kind = expr.op, right_kind, left_kind
    if left_var is None:
        problems.append(_mismatch(expr.column, "比较的两边都是固定值，没有引用任何情形",
                                  "both sides of the comparison are fixed values",
                                  "比较的一边应是情形的 id", "one side should be a situation id"))
        return
    if right_var is not None:
        # Comparing two answers cannot be written in standard JSON Schema, so a portal could
        # not enforce it: every condition compares an answer with a fixed value.
        problems.append(_mismatch(expr.column, f"不能把问题“{left_var.shown()['zh-CN']}”和“{right_var.shown()['zh-CN']}”"
                                  "的回答相互比较", f"the answers to \"{left_var.shown()['en']}\" and "
                                  f"\"{right_var.shown()['en']}\" cannot be compared with each other",
                                  "把回答与固定值比较，例如 area_sqm > 300；需要时增加一个情形问题",
                                  "compare an answer with a fixed value, e.g. area_sqm > 300; add a question if needed"))
        return
    assert isinstance(expr.right, (Literal, ListLiteral))
    if isinstance(expr.right, ListLiteral):
        problems.append(_mismatch(expr.column, f"{op} 的右边不能是列表", f"the right side of {op} cannot be a list",
                                  "列表请用 in", "use in with a list"))
        return
    if op not in ("==", "!=") and left_var.kind not in ("number", "date"):
        zh, en = _KIND_WORDS[left_var.kind]
        problems.append(_mismatch(expr.column, f"问题“{left_var.shown()['zh-CN']}”是{zh}，不能用 {op} 比大小",
                                  f"the question \"{left_var.shown()['en']}\" is {en} and cannot be ordered with {op}",
                                  "改用 == 或 !=", "use == or !="))
        return
    _check_value_against(left_var, expr.right, problems, op)


def _check_value_against(variable: Variable, literal: Literal, problems: list[Problem], op: str) -> None:
    literal_kind = _kind_of_literal(literal.value)
    kind = variable.kind
    if kind in ("choice", "multi_choice"):
        if kind == "multi_choice" and op in ("==", "!="):
            problems.append(_mismatch(literal.column, f"多选问题“{variable.shown()['zh-CN']}”不能用 {op} 与单个值比较",
                                      f"the several-choice question \"{variable.shown()['en']}\" cannot be compared "
                                      f"with {op}",
                                      f"写成 {variable.name} contains {to_text(literal)}",
                                      f"write {variable.name} contains {to_text(literal)}"))
            return
        _check_option(variable, literal, problems)
        return
    expected = {"boolean": ("boolean",), "number": ("number",), "date": ("date_or_text",)}[kind]
    if literal_kind not in expected:
        vz, ve = _KIND_WORDS[kind]
        lz, le = _KIND_WORDS.get(literal_kind, ("一段文字", "text"))
        example = {"boolean": "“是”或“否”（true 或 false）", "number": "一个数字，如 300", "date": " \"2024-01-01\" 这样的日期"}[kind]
        example_en = {"boolean": "yes or no (true or false)", "number": "a number such as 300", "date": 'a date like "2024-01-01"'}[kind]
        problems.append(_mismatch(literal.column,
                                  f"问题“{variable.shown()['zh-CN']}”是{vz}，不能与{lz} {to_text(literal)} 比较",
                                  f"the question \"{variable.shown()['en']}\" is {ve} and cannot be compared with {le} "
                                  f"{to_text(literal)}",
                                  f"与之比较的应是{example}", f"compare it with {example_en}"))
        return
    if kind == "date":
        try:
            dt.date.fromisoformat(literal.value)
        except ValueError:
            problems.append(_mismatch(literal.column, f"{to_text(literal)} 不是有效的日期",
                                      f"{to_text(literal)} is not a valid date",
                                      "写成 \"YYYY-MM-DD\"", 'write "YYYY-MM-DD"'))


def _flip(op: str) -> str:
    return {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)


def suggest(word: str, candidates: Sequence[str] | Mapping[str, Any]) -> str | None:
    """The nearest candidate to a mistyped name, if one is near enough."""
    import difflib

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


