"""A condition as the builder and the text mode show it while it is typed: the readable sentence,
or each problem in words — the same checks `configurator check` makes on a saved bundle — and,
when the builder can show it, the condition as the builder's rows and groups (so opening the
builder on an existing condition edits it instead of starting over)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from configurator.diagnostics import Diagnostic, localized
from configurator.language import conditions as lang
from configurator.language.describe import describe
from configurator.model import Bundle, Situation


@dataclass(frozen=True)
class ConditionReport:
    ok: bool
    sentence: str
    problems: tuple[str, ...]
    builder: dict[str, Any] | None = None  # the builder's tree (condition-builder.js), when it can show it

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "sentence": self.sentence, "problems": list(self.problems), "builder": self.builder}


def check_condition(bundle: Bundle, text: str, language: str = "zh-CN", what: str = "items") -> ConditionReport:
    text = text.strip()
    if not text:
        return ConditionReport(True, "", ())

    def said(code: str, column: int = 0, **params: Any) -> str:
        diagnostic = Diagnostic(code, "", 1, column + 1, (), params)
        where = "" if code == "E401" else (f"第 {column + 1} 个字符：" if language != "en" else f"at character {column + 1}: ")
        return f"{where}{diagnostic.message(language)} — {diagnostic.fix(language)}"

    try:
        expr = lang.parse(text)
    except lang.ConditionSyntaxError as error:
        return ConditionReport(False, "", (said("E401", error.column, problem=localized(error.zh, error.en)),))
    variables = bundle.variables()
    # A condition may name the bundle's named conditions (as the checker allows): typed as such,
    # said by their label, and expanded to their meaning for what can and cannot hold.
    problems = [said(p.code, p.column, **p.params) for p in lang.check_types(expr, bundle.typing_variables())]
    if problems:
        return ConditionReport(False, "", tuple(problems))
    sentence = describe(expr, bundle, language)
    outcomes = lang.truth_table(lang.substitute(expr, {n.id: n.condition.expr for n in bundle.conditions}), variables)
    kinds = {"items": localized("事项", "item"), "materials": localized("材料", "material"),
             "fields": localized("字段", "field"), "situations": localized("问题", "question"),
             "eligibility": localized("受理条件", "eligibility rule")}
    if outcomes == {False}:
        # (the builder shows the sentence right above its problems: the problem quotes the text)
        return ConditionReport(False, sentence, (said("E405", condition=text, what=kinds.get(what, kinds["items"])),))
    tree = builder_tree(expr, bundle)
    if outcomes == {True}:
        return ConditionReport(True, sentence, (said("W406", condition=text),), tree)
    return ConditionReport(True, sentence, (), tree)


# What the builder offers for each kind of question (condition-builder.js OPERATORS).
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BUILDER_OPERATORS = {"choice": {"==", "!="}, "number": {">", ">=", "<", "<=", "==", "!="},
                      "date": {">", ">=", "<", "<=", "=="}}


def builder_tree(expr: lang.Expr, bundle: Bundle) -> dict[str, Any] | None:
    """A type-checked condition as the builder's group of rows, or None where the builder has no
    way to show it (a named condition, a question compared the other way round, ``not in``...).
    Writing the tree back (the builder's groupText) gives the same condition."""
    top = _builder_node(expr, {s.id: s for s in bundle.situations})
    if top is None or top["kind"] == "group":
        return top
    return {"kind": "group", "op": "and", "negate": False, "children": [top]}


def _builder_node(expr: lang.Expr, situations: dict[str, Situation]) -> dict[str, Any] | None:
    if isinstance(expr, lang.BoolOp):
        children = [_builder_node(operand, situations) for operand in expr.operands]
        if any(child is None for child in children):
            return None
        return {"kind": "group", "op": expr.op, "negate": False, "children": children}
    direct = _builder_row(expr, situations)  # "not x" of a yes/no question and "not (x contains ...)" are rows
    if direct is not None or not isinstance(expr, lang.Not):
        return direct
    inner = _builder_node(expr.operand, situations)  # any other "not": a negated group
    if inner is None or (inner["kind"] == "group" and inner["negate"]):
        return None
    if inner["kind"] == "group":
        return {**inner, "negate": True}
    return {"kind": "group", "op": "and", "negate": True, "children": [inner]}


def _builder_row(expr: lang.Expr, situations: dict[str, Situation]) -> dict[str, Any] | None:
    """One question compared with a value, as one row of the builder (None: not a row)."""
    negated = isinstance(expr, lang.Not)
    inner = expr.operand if isinstance(expr, lang.Not) else expr
    if isinstance(inner, lang.Name):
        found = situations.get(inner.name)
        if found is None or found.type != "boolean":
            return None
        return _row(inner.name, "no" if negated else "yes")
    if not isinstance(inner, lang.Compare) or not isinstance(inner.left, lang.Name):
        return None
    found = situations.get(inner.left.name)
    if found is None:
        return None
    if found.type == "multi_choice" and inner.op == "contains" and isinstance(inner.right, lang.Literal):
        return _row(found.id, "not contains" if negated else "contains", str(inner.right.value))
    if negated:
        return None
    if found.type == "choice" and inner.op == "in" and isinstance(inner.right, lang.ListLiteral):
        return _row(found.id, "in", values=[str(v.value) for v in inner.right.values])
    if inner.op not in _BUILDER_OPERATORS.get(found.type, ()) or not isinstance(inner.right, lang.Literal):
        return None
    return _value_row(found, inner.op, inner.right.value)


def _value_row(found: Situation, op: str, value: Any) -> dict[str, Any] | None:
    """A comparison with a literal the builder's inputs can hold."""
    if found.type == "number" and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and (found.minimum is None or value >= found.minimum) and (found.maximum is None or value <= found.maximum):
        return _row(found.id, op, _number(value))  # the builder drops a number outside the bounds
    if found.type in ("choice", "date") and isinstance(value, str) and (found.type == "choice" or _DATE.fullmatch(value)):
        return _row(found.id, op, value)
    return None


def _row(situation: str, op: str, value: str = "", values: list[str] | None = None) -> dict[str, Any]:
    return {"kind": "row", "sit": situation, "op": op, "value": value, "values": values or []}


def _number(value: float) -> str:
    """A number as the builder's number input holds it (and writes it back)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
