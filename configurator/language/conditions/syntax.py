"""The condition language's syntax: the tree, the tokenizer and the hand-written parser."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


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

    def __hash__(self) -> int:
        return _kept_hash(self)


@dataclass(frozen=True)
class Ticked:
    """``any food_types``: at least one option of a several-choice answer is ticked (false when the
    question was not asked, or answered with none under ``allow_none``)."""

    name: Name
    column: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]
    column: int

    def __hash__(self) -> int:
        return _kept_hash(self)


@dataclass(frozen=True)
class Compare:
    op: str  # == != < <= > >= in "not in" contains
    left: Expr
    right: Expr
    column: int

    def __hash__(self) -> int:
        return _kept_hash(self)


Expr = Name | Literal | ListLiteral | Not | BoolOp | Compare | Ticked


def _kept_hash(expr: Not | BoolOp | Compare) -> int:
    """A composite condition's hash (as the dataclass would make it, from its fields), worked out
    once and kept on it: the solver keys its tables by conditions, and a frozen dataclass hashes its
    whole tree at every lookup."""
    found: int | None = expr.__dict__.get("_hash")
    if found is None:
        found = hash((type(expr).__name__, *[getattr(expr, name) for name in expr.__dataclass_fields__]))
        object.__setattr__(expr, "_hash", found)
    return found

KEYWORDS = {"and", "or", "not", "in", "contains", "true", "false"}
# "any" is a keyword only before a name (``any food_types``), so a situation called "any" stays usable.
ANY = "any"
# Beyond these a condition is a typing accident; the limits keep parsing, evaluating and
# translating (all recursive) far from Python's recursion limit, and numbers convertible.
MAX_NESTING = 32
MAX_NUMBER_CHARS = 30


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
        if kind == "number" and len(piece) > MAX_NUMBER_CHARS:
            raise ConditionSyntaxError(f"第 {position + 1} 个字符起的数字有 {len(piece)} 位，最多 {MAX_NUMBER_CHARS} 位",
                                       f"the number at character {position + 1} has {len(piece)} characters; "
                                       f"at most {MAX_NUMBER_CHARS} are allowed", position)
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
        self.depth = 0

    def enter(self, token: _Token) -> None:
        """One more level of brackets or "not"; refused past MAX_NESTING, where the token is."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionSyntaxError(f"条件嵌套超过 {MAX_NESTING} 层（括号或 not 太多）；请拆成几个简单的条件",
                                       f"the condition nests deeper than {MAX_NESTING} levels (brackets or \"not\"); "
                                       "split it into simpler conditions", token.column)

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
            self.enter(token)
            operand = self.not_expr()
            self.depth -= 1
            return Not(operand, token.column)
        if self.at("name", ANY) and self.tokens[self.index + 1].kind == "name":
            token = self.advance()
            name = self.advance()
            return Ticked(Name(name.text, name.column), token.column)
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
            self.enter(token)
            inner = self.or_expr()
            if not self.at("punct", ")"):
                raise ConditionSyntaxError("括号没有闭合，缺少“)”", 'missing ")"', self.current.column)
            self.advance()
            self.depth -= 1
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
    """Every situation name the condition refers to, in order. Worked out once per expression and
    kept on it (outside its fields: equality and hashing do not see it): the checks and the case
    search ask for the names of the same conditions again and again."""
    found: tuple[Name, ...] | None = expr.__dict__.get("_names")
    if found is None:
        found = tuple(_names(expr))
        object.__setattr__(expr, "_names", found)
    return iter(found)


def _names(expr: Expr) -> Iterator[Name]:
    if isinstance(expr, Name):
        yield expr
    elif isinstance(expr, Ticked):
        yield expr.name
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
    if isinstance(expr, Ticked):
        return f"{ANY} {expr.name.name}"
    if isinstance(expr, Not):
        inner = to_text(expr.operand)
        return f"not ({inner})" if isinstance(expr.operand, BoolOp) else f"not {inner}"
    if isinstance(expr, BoolOp):
        parts = [f"({to_text(o)})" if isinstance(o, BoolOp) else to_text(o) for o in expr.operands]
        return f" {expr.op} ".join(parts)
    return f"{to_text(expr.left)} {expr.op} {to_text(expr.right)}"


