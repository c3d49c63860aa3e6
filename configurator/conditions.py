"""The condition language of every ``when`` and ``require``.

Policy staff write conditions over the answers to the situation questions::

    area_sqm > 300 or investment > 300000
    not born_in_wedlock and register_with == "father"
    food_types contains "cold_food"
    register_with in ["father", "mother"]

Grammar (lowest precedence first)::

    condition  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in"
                            | "contains") operand)?
    operand    := NAME | NUMBER | STRING | "true" | "false" | "[" literals "]" | "(" condition ")"

Parsed by hand (no ``eval``); every node keeps its column so errors point into the text.
An unanswered question (one asked only under a condition) has no value: any comparison
with it is false, and ``not`` of that is true. This matches JsonLogic's treatment of a
missing ``var`` for ``==`` and is kept identical in the JsonLogic translation.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .diagnostics import listing

# ---------------------------------------------------------------------------------- syntax


@dataclass(frozen=True)
class Name:
    name: str
    column: int  # 0-based offset in the condition text


@dataclass(frozen=True)
class Literal:
    value: Any  # bool, int, float or str
    column: int


@dataclass(frozen=True)
class ListLiteral:
    values: tuple[Literal, ...]
    column: int


@dataclass(frozen=True)
class Not:
    operand: Expr
    column: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]
    column: int


@dataclass(frozen=True)
class Compare:
    op: str  # == != < <= > >= in "not in" contains
    left: Expr
    right: Expr
    column: int


Expr = Name | Literal | ListLiteral | Not | BoolOp | Compare

KEYWORDS = {"and", "or", "not", "in", "contains", "true", "false"}


class ConditionSyntaxError(Exception):
    def __init__(self, zh: str, en: str, column: int) -> None:
        super().__init__(en)
        self.zh, self.en, self.column = zh, en, column


@dataclass(frozen=True)
class _Token:
    kind: str  # name, number, string, op, punct, keyword, end
    text: str
    column: int
    value: Any = None


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>"[^"\\]*"|'[^'\\]*')
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],])
  | (?P<name>[^\W\d]\w*)
    """,
    re.VERBOSE,
)

# Characters people type by mistake, with what they probably meant.
_LOOKALIKES = {
    "=": ("==", "比较相等要写两个等号“==”", 'use "==" to compare'),
    "“": ('"', "请用英文双引号“\"”", 'use the ASCII quote "'),
    "”": ('"', "请用英文双引号“\"”", 'use the ASCII quote "'),
    "（": ("(", "请用英文括号“(”", 'use the ASCII bracket "("'),
    "）": (")", "请用英文括号“)”", 'use the ASCII bracket ")"'),
    "＞": (">", "请用英文符号“>”", 'use the ASCII ">"'),
    "＜": ("<", "请用英文符号“<”", 'use the ASCII "<"'),
    "&": ("and", "“并且”请写 and", 'write "and"'),
    "|": ("or", "“或者”请写 or", 'write "or"'),
    "!": ("not", "“不”请写 not，“不等于”请写 !=", 'write "not", or "!=" for not equal'),
}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            char = text[position]
            if char in _LOOKALIKES:
                _, zh, en = _LOOKALIKES[char]
                raise ConditionSyntaxError(f"第 {position + 1} 个字符“{char}”无法识别：{zh}",
                                           f"unexpected \"{char}\" at character {position + 1}: {en}",
                                           position)
            if char in "\"'":
                raise ConditionSyntaxError("引号没有闭合", "the quote is not closed", position)
            raise ConditionSyntaxError(f"第 {position + 1} 个字符“{char}”无法识别",
                                       f"unexpected \"{char}\" at character {position + 1}", position)
        kind = match.lastgroup or ""
        piece = match.group()
        if kind == "number":
            tokens.append(_Token("number", piece, position, float(piece) if "." in piece else int(piece)))
        elif kind == "string":
            tokens.append(_Token("string", piece, position, piece[1:-1]))
        elif kind == "name":
            tokens.append(_Token("keyword" if piece in KEYWORDS else "name", piece, position))
        elif kind != "space":
            tokens.append(_Token(kind, piece, position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.current
        return token.kind == kind and (text is None or token.text == text)

    def parse(self) -> Expr:
        if self.at("end"):
            raise ConditionSyntaxError("条件是空的", "the condition is empty", 0)
        expression = self.or_expr()
        if not self.at("end"):
            token = self.current
            raise ConditionSyntaxError(
                f"“{token.text}”前面缺少 and 或 or", f"expected and/or before \"{token.text}\"", token.column)
        return expression

    def or_expr(self) -> Expr:
        first = self.and_expr()
        operands = [first]
        while self.at("keyword", "or"):
            self.advance()
            operands.append(self.and_expr())
        return first if len(operands) == 1 else BoolOp("or", tuple(operands), first.column)

    def and_expr(self) -> Expr:
        first = self.not_expr()
        operands = [first]
        while self.at("keyword", "and"):
            self.advance()
            operands.append(self.not_expr())
        return first if len(operands) == 1 else BoolOp("and", tuple(operands), first.column)

    def not_expr(self) -> Expr:
        if self.at("keyword", "not"):
            token = self.advance()
            return Not(self.not_expr(), token.column)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.operand()
        token = self.current
        op: str | None = None
        if token.kind == "op" or token.kind == "keyword" and token.text in ("in", "contains"):
            op = token.text
            self.advance()
        elif token.kind == "keyword" and token.text == "not" and self.tokens[self.index + 1].text == "in":
            op = "not in"
            self.index += 2
        if op is None:
            return left
        right = self.operand()
        if self.current.kind == "op" or (self.current.kind == "keyword" and self.current.text in ("in", "contains")):
            raise ConditionSyntaxError("比较不能连写，请用 and 连接两个比较",
                                       "comparisons cannot be chained; join two comparisons with and",
                                       self.current.column)
        return Compare(op, left, right, token.column)

    def operand(self) -> Expr:
        token = self.current
        if token.kind == "name":
            self.advance()
            return Name(token.text, token.column)
        if token.kind in ("number", "string"):
            self.advance()
            return Literal(token.value, token.column)
        if token.kind == "keyword" and token.text in ("true", "false"):
            self.advance()
            return Literal(token.text == "true", token.column)
        if token.kind == "punct" and token.text == "(":
            self.advance()
            inner = self.or_expr()
            if not self.at("punct", ")"):
                raise ConditionSyntaxError("括号没有闭合，缺少“)”", 'missing ")"', self.current.column)
            self.advance()
            return inner
        if token.kind == "punct" and token.text == "[":
            self.advance()
            values: list[Literal] = []
            while not self.at("punct", "]"):
                item = self.current
                if item.kind in ("number", "string"):
                    values.append(Literal(item.value, item.column))
                elif item.kind == "keyword" and item.text in ("true", "false"):
                    values.append(Literal(item.text == "true", item.column))
                else:
                    raise ConditionSyntaxError("方括号中只能写数字或带引号的文本，并以“]”结束",
                                               'a list holds numbers or quoted text and ends with "]"',
                                               item.column)
                self.advance()
                if self.at("punct", ","):
                    self.advance()
                elif not self.at("punct", "]"):
                    raise ConditionSyntaxError("列表中的值之间要用逗号分隔", "separate list values with commas",
                                               self.current.column)
            self.advance()
            return ListLiteral(tuple(values), token.column)
        if token.kind == "end":
            raise ConditionSyntaxError("条件不完整，末尾缺少内容", "the condition ends too early", token.column)
        if token.kind == "name" or token.kind == "keyword":
            raise ConditionSyntaxError(f"这里不能出现“{token.text}”", f"unexpected \"{token.text}\"", token.column)
        raise ConditionSyntaxError(f"这里不能出现“{token.text}”", f"unexpected \"{token.text}\"", token.column)


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Expr:
    """Parse a condition. Raises ConditionSyntaxError (with a column) on bad syntax."""
    return _Parser(text).parse()


def all_of(exprs: Sequence[Expr]) -> Expr | None:
    """The conjunction of conditions (None when there are none: always true)."""
    if not exprs:
        return None
    return exprs[0] if len(exprs) == 1 else BoolOp("and", tuple(exprs), 0)


def any_of(exprs: Sequence[Expr]) -> Expr | None:
    """The disjunction of conditions (None when there are none)."""
    if not exprs:
        return None
    return exprs[0] if len(exprs) == 1 else BoolOp("or", tuple(exprs), 0)


def names(expr: Expr) -> Iterator[Name]:
    """Every situation name the condition refers to, in order."""
    if isinstance(expr, Name):
        yield expr
    elif isinstance(expr, Not):
        yield from names(expr.operand)
    elif isinstance(expr, BoolOp):
        for operand in expr.operands:
            yield from names(operand)
    elif isinstance(expr, Compare):
        yield from names(expr.left)
        yield from names(expr.right)


def to_text(expr: Expr) -> str:
    """Canonical text of a condition (for messages and for diffs)."""
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Literal):
        if isinstance(expr.value, bool):
            return "true" if expr.value else "false"
        if isinstance(expr.value, str):
            return f'"{expr.value}"'
        return str(expr.value)
    if isinstance(expr, ListLiteral):
        return "[" + ", ".join(to_text(value) for value in expr.values) + "]"
    if isinstance(expr, Not):
        inner = to_text(expr.operand)
        return f"not ({inner})" if isinstance(expr.operand, BoolOp) else f"not {inner}"
    if isinstance(expr, BoolOp):
        parts = [f"({to_text(o)})" if isinstance(o, BoolOp) else to_text(o) for o in expr.operands]
        return f" {expr.op} ".join(parts)
    return f"{to_text(expr.left)} {expr.op} {to_text(expr.right)}"


# ------------------------------------------------------------------------------- semantics


@dataclass(frozen=True)
class Variable:
    """What the type checker and evaluator need to know about one situation question."""

    name: str
    kind: str  # boolean | choice | multi_choice | number | date
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    may_be_unanswered: bool = False


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
    "text": ("文本", "text"),
    "list": ("列表", "a list"),
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
    elif isinstance(expr, Name):
        variable = _lookup(expr, variables, problems)
        if variable is not None and variable.kind != "boolean":
            zh, en = _KIND_WORDS[variable.kind]
            problems.append(_mismatch(
                expr.column,
                f"“{expr.name}”是{zh}，不能单独作为条件", f"\"{expr.name}\" is {en} and cannot stand alone",
                f"写成比较，例如 {expr.name} == \"…\"" if variable.kind == "choice" else
                f"写成比较，例如 {expr.name} > 0" if variable.kind == "number" else
                f"写成 {expr.name} contains \"…\"" if variable.kind == "multi_choice" else
                f"写成比较，例如 {expr.name} >= \"2024-01-01\"",
                "write a comparison, e.g. " + (
                    f'{expr.name} == "..."' if variable.kind == "choice" else
                    f"{expr.name} > 0" if variable.kind == "number" else
                    f'{expr.name} contains "..."' if variable.kind == "multi_choice" else
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
            literal.column, f"“{variable.name}”的选项是文本，不能与{zh} {to_text(literal)} 比较",
            f"the options of \"{variable.name}\" are text and cannot be compared with {en} {to_text(literal)}",
            f"写成带引号的选项值，可选：{'、'.join(variable.options)}",
            f"write a quoted option value: {', '.join(variable.options)}"))
        return
    if literal.value not in variable.options:
        params: dict[str, Any] = {"name": variable.name, "value": literal.value,
                                  "allowed": listing(variable.options)}
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
        problems.append(_mismatch(expr.column, f"不能把两个回答“{left_var.name}”和“{right_var.name}”相互比较",
                                  f"two answers (\"{left_var.name}\", \"{right_var.name}\") cannot be compared with each other",
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
        problems.append(_mismatch(expr.column, f"“{left_var.name}”是{zh}，不能用 {op} 比大小",
                                  f"\"{left_var.name}\" is {en} and cannot be ordered with {op}",
                                  "改用 == 或 !=", "use == or !="))
        return
    _check_value_against(left_var, expr.right, problems, op)


def _check_value_against(variable: Variable, literal: Literal, problems: list[Problem], op: str) -> None:
    literal_kind = _kind_of_literal(literal.value)
    kind = variable.kind
    if kind in ("choice", "multi_choice"):
        if kind == "multi_choice" and op in ("==", "!="):
            problems.append(_mismatch(literal.column, f"多选情形“{variable.name}”不能用 {op} 与单个值比较",
                                      f"several-choice \"{variable.name}\" cannot be compared with {op}",
                                      f"写成 {variable.name} contains {to_text(literal)}",
                                      f"write {variable.name} contains {to_text(literal)}"))
            return
        _check_option(variable, literal, problems)
        return
    expected = {"boolean": ("boolean",), "number": ("number",), "date": ("date_or_text",)}[kind]
    if literal_kind not in expected:
        vz, ve = _KIND_WORDS[kind]
        lz, le = _KIND_WORDS.get(literal_kind, ("文本", "text"))
        example = {"boolean": " true 或 false", "number": "一个数字，如 300", "date": " \"2024-01-01\" 这样的日期"}[kind]
        example_en = {"boolean": "true or false", "number": "a number such as 300", "date": 'a date like "2024-01-01"'}[kind]
        problems.append(_mismatch(literal.column,
                                  f"“{variable.name}”是{vz}，不能与{lz} {to_text(literal)} 比较",
                                  f"\"{variable.name}\" is {ve} and cannot be compared with {le} {to_text(literal)}",
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


# ------------------------------------------------------------------------------ evaluation


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
    if isinstance(expr, Not):
        return not _value(expr.operand, answers)
    if isinstance(expr, BoolOp):
        if expr.op == "and":
            return all(_value(operand, answers) for operand in expr.operands)
        return any(_value(operand, answers) for operand in expr.operands)
    left, right = _value(expr.left, answers), _value(expr.right, answers)
    if left is None or right is None:
        return False
    op = expr.op
    try:
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op == "in":
            return left in right
        if op == "not in":
            return left not in right
        if op == "contains":
            return right in left
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        return False


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


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: bool(a == b), "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b), "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b), ">=": lambda a, b: bool(a >= b),
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b, "contains": lambda a, b: b in a,
}


def _compile_compare(expr: Compare) -> Predicate:
    """Answer-versus-constant comparisons, the only kind the type check allows, made direct."""
    operator = _OPERATORS[expr.op]
    left, right = expr.left, expr.right
    if isinstance(left, Name) and isinstance(right, (Literal, ListLiteral)):
        name, constant = left.name, _value(right, {})

        def answer_first(answers: Mapping[str, Any]) -> bool:
            value = answers.get(name)
            if value is None:
                return False
            try:
                return operator(value, constant)
            except TypeError:
                return False
        return answer_first
    if isinstance(right, Name) and isinstance(left, Literal):
        name, constant = right.name, left.value

        def constant_first(answers: Mapping[str, Any]) -> bool:
            value = answers.get(name)
            if value is None:
                return False
            try:
                return operator(constant, value)
            except TypeError:
                return False
        return constant_first
    return lambda answers: bool(_value(expr, answers))


# ---------------------------------------------------------------------------- satisfiability

_MAX_COMBINATIONS = 20000


def candidates(variable: Variable, constants: set[Any]) -> list[Any]:
    """Answers that reach every region a comparison against ``constants`` can separate."""
    values: list[Any]
    if variable.kind == "boolean":
        values = [True, False]
    elif variable.kind == "choice":
        values = list(variable.options)
    elif variable.kind == "multi_choice":
        # An answer selects at least one option (a form cannot post "none" apart from "not
        # answered"); an option no condition mentions stands for "only other options".
        mentioned = sorted(c for c in constants if isinstance(c, str) and c in variable.options)
        others = [o for o in variable.options if o not in mentioned]
        values = [list(chosen) for size in range(1, len(mentioned) + 1)
                  for chosen in itertools.combinations(mentioned, size)]
        if others:
            values.insert(0, [others[0]])
    elif variable.kind == "number":
        numbers = sorted({float(c) for c in constants if isinstance(c, (int, float)) and not isinstance(c, bool)})
        points: set[float] = set()
        for index, number in enumerate(numbers):
            points.update((number, number - 1, number + 1))
            if index + 1 < len(numbers):
                points.add((number + numbers[index + 1]) / 2)
        if not numbers:
            points.add(0.0)
        if variable.integer:
            points = {float(int(p)) for p in points} | {float(int(p)) + 1 for p in points}
        if variable.minimum is not None:
            points = {p for p in points if p >= variable.minimum} | {float(variable.minimum)}
        if variable.maximum is not None:
            points = {p for p in points if p <= variable.maximum} | {float(variable.maximum)}
        values = sorted(points)
    else:  # date
        days = sorted({dt.date.fromisoformat(c) for c in constants if isinstance(c, str) and _is_date(c)})
        day_points: set[dt.date] = {dt.date(2000, 1, 1)}
        for day in days:
            day_points.update((day, day - dt.timedelta(days=1), day + dt.timedelta(days=1)))
        values = [day.isoformat() for day in sorted(day_points)]
    if variable.may_be_unanswered:
        values.append(None)
    return values


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def constants_of(expr: Expr, into: dict[str, set[Any]]) -> None:
    """Collect, per situation, the values the condition compares it with."""
    if isinstance(expr, Not):
        constants_of(expr.operand, into)
    elif isinstance(expr, BoolOp):
        for operand in expr.operands:
            constants_of(operand, into)
    elif isinstance(expr, Compare):
        for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
            if isinstance(side, Name):
                bucket = into.setdefault(side.name, set())
                if isinstance(other, Literal):
                    bucket.add(other.value)
                elif isinstance(other, ListLiteral):
                    bucket.update(v.value for v in other.values)
            constants_of(side, into)
    elif isinstance(expr, Name):
        into.setdefault(expr.name, set())


def truth_table(expr: Expr, variables: Mapping[str, Variable]) -> set[bool] | None:
    """The set of values the condition takes over all answers, or None if too many to try.

    Exact for this language: comparisons are only against constants (or between two
    answers of the same kind), so the answers tried cover every region of the answer space.
    """
    constants: dict[str, set[Any]] = {}
    constants_of(expr, constants)
    if any(name not in variables for name in constants):
        return None
    ordered = sorted(constants)
    domains = [candidates(variables[name], constants[name]) for name in ordered]
    total = 1
    for domain in domains:
        total *= max(len(domain), 1)
        if total > _MAX_COMBINATIONS:
            return None
    seen: set[bool] = set()
    for combination in itertools.product(*domains):
        seen.add(evaluate(expr, dict(zip(ordered, combination, strict=True))))
        if len(seen) == 2:
            break
    return seen
