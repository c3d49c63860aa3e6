"""Conditions in words, for notices and explanations: 「是否婚内生育？」答“否”，且……

Pass a condition as written (``Condition.written``) and a named condition reads by its
label (or id). Grouping is never left to the reader: a negated group and a group inside
another group are bracketed, so ``not (a or b)`` cannot be read as ``(not a) or b``.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping

from configurator.language import conditions as lang
from configurator.model import Bundle, NamedCondition, Situation

_WORDS = {
    "zh-CN": {"yes": "是", "no": "否", "and": "，且", "or": "；或", "not": "并非：", "answered": "答",
              "==": "为", "!=": "不为", "<": "小于", "<=": "不超过", ">": "超过", ">=": "不少于",
              "in": "是以下之一：", "not in": "不是以下任何一项：", "contains": "选了", "not contains": "没有选",
              "sep": "、", "open": "「", "close": "」", "quote": "“{}”",
              "none of": "以下都不成立：", "not all": "以下并非都成立：", "(": "（", ")": "）", "holds": "成立",
              "written": "原文：", "list": "；",
              "any": "选了任一项", "not any": "一项也没有选"},
    "en": {"yes": "yes", "no": "no", "and": ", and ", "or": "; or ", "not": "not: ", "answered": " is ",
           "==": "is", "!=": "is not", "<": "is less than", "<=": "is at most", ">": "is more than",
           ">=": "is at least", "in": "is one of", "not in": "is none of", "contains": "includes",
           "not contains": "does not include", "sep": ", ", "open": "“", "close": "”", "quote": "\"{}\"",
           "none of": "none of these holds: ", "not all": "not all of these hold: ", "(": "(", ")": ")",
           "holds": " holds", "written": "as written: ", "list": "; ", "any": " has at least one option ticked",
           "not any": " has no option ticked"},
}


# a comparison read the other way round (the question first): a < b is b > a
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}

_last: tuple[weakref.ref[Bundle], dict[str, Situation], dict[str, NamedCondition]] | None = None


def _indexes(bundle: Bundle) -> tuple[dict[str, Situation], dict[str, NamedCondition]]:
    """The bundle's situations and named conditions by id, kept for the bundle described last: a
    notice describes every item's, material's and field's condition of one bundle in a row, and
    indexing the bundle each time made that quadratic. Held weakly, swapped whole (thread-safe)."""
    global _last
    found = _last
    if found is not None and found[0]() is bundle:
        return found[1], found[2]
    situations = {s.id: s for s in bundle.situations}
    named = {c.id: c for c in bundle.conditions}
    _last = (weakref.ref(bundle), situations, named)
    return situations, named


def describe(expr: lang.Expr, bundle: Bundle, lang_code: str = "zh-CN") -> str:
    situations, named = _indexes(bundle)
    return _Describer(_WORDS["en" if lang_code == "en" else "zh-CN"], situations, named, lang_code).walk(expr)


def _with_written(sentence: str, written: str, lang_code: str) -> str:
    """The sentence an official reads, then what the file says in brackets (for the source editor),
    labelled: a sentence may hold brackets of its own (a group), and the two must not be confused."""
    words = _WORDS[lang_code]
    return f"{sentence}{' ' if lang_code == 'en' else ''}{words['(']}{words['written']}{written}{words[')']}"


def in_words(expr: lang.Expr, text: str, bundle: Bundle) -> dict[str, str]:
    """A condition as a problem's message names it: the sentence, with the text as written in
    brackets (where the source editor's reader finds it; the official reads the sentence)."""
    return {lang_code: _with_written(describe(expr, bundle, lang_code), text, lang_code) for lang_code in _WORDS}


def answers_in_words(answers: Mapping[str, object], bundle: Bundle) -> dict[str, str]:
    """An answer set (a case a check found) as a problem's message names it: each question by its
    words and the answer given, then the answers as written, in brackets."""
    if not answers:
        return {"zh-CN": "任何情形", "en": "any case"}
    situations, named = _indexes(bundle)
    said = {}
    for lang_code, words in _WORDS.items():
        describer = _Describer(words, situations, named, lang_code)
        sentence = words["and"].join(describer.answer(name, value) for name, value in answers.items())
        written = words["sep"].join(f"{name} = {json.dumps(value, ensure_ascii=False)}" for name, value in answers.items())
        said[lang_code] = _with_written(sentence, written, lang_code)
    return said


class _Describer:
    """One description's words and indexes. Methods, not nested functions: nested functions that
    call each other make reference cycles, left for the garbage collector after every call."""

    def __init__(self, words: dict[str, str], situations: dict[str, Situation], named: dict[str, NamedCondition],
                 lang_code: str) -> None:
        self.words, self.situations, self.named, self.lang_code = words, situations, named, lang_code

    def named_text(self, name: str) -> str:
        words, label = self.words, self.named[name].label
        return f"{words['open']}{label.get(self.lang_code) if label else name}{words['close']}"

    def grouped(self, node: lang.Expr) -> str:
        text = self.walk(node)
        return f"{self.words['(']}{text}{self.words[')']}" if isinstance(node, lang.BoolOp) else text

    def question(self, name: str) -> str:
        situation = self.situations.get(name)
        label = situation.label.get(self.lang_code) if situation else name
        return f"{self.words['open']}{label}{self.words['close']}"

    def value(self, situation: Situation | None, raw: object) -> str:
        words, lang_code = self.words, self.lang_code
        if isinstance(raw, bool):
            return words["yes"] if raw else words["no"]
        if situation is not None:
            for option in situation.options:
                if option.value == raw:
                    return words["quote"].format(option.label.get(lang_code))
            if situation.unit is not None and not isinstance(raw, str):
                return f"{raw} {situation.unit.get(lang_code)}"
        return words["quote"].format(raw) if isinstance(raw, str) else str(raw)

    def answer(self, name: str, raw: object) -> str:
        """One question and the answer given to it: 「是否婚内生育？」答“否”."""
        words, question, situation = self.words, self.question(name), self.situations.get(name)
        if isinstance(raw, list):
            if not raw:
                return question + words["not any"]
            space = " " if self.lang_code == "en" else ""
            return f"{question}{space}{words['contains']}{space}" + words["sep"].join(self.value(situation, v) for v in raw)
        given = words["quote"].format(self.value(None, raw)) if isinstance(raw, bool) else self.value(situation, raw)
        return f"{question}{words['answered']}{given}"

    def walk(self, node: lang.Expr) -> str:
        words, named, question, named_text = self.words, self.named, self.question, self.named_text
        if isinstance(node, lang.Name):
            if node.name in named:
                return named_text(node.name) + words["holds"]
            return f"{question(node.name)}{words['answered']}{words['quote'].format(words['yes'])}"
        if isinstance(node, lang.Not):
            inner = node.operand
            if isinstance(inner, lang.Name):
                if inner.name in named:
                    return words["not"] + named_text(inner.name) + words["holds"]
                return f"{question(inner.name)}{words['answered']}{words['quote'].format(words['no'])}"
            if isinstance(inner, lang.Ticked):
                return question(inner.name.name) + words["not any"]
            if isinstance(inner, lang.BoolOp):  # listed: "none of these: (a; b)", not "none of (a or b)"
                lead = words["none of"] if inner.op == "or" else words["not all"]
                listed = words["list"].join(self.grouped(operand) for operand in inner.operands)
                return f"{lead}{words['(']}{listed}{words[')']}"
            return words["not"] + self.walk(inner)
        if isinstance(node, lang.BoolOp):
            return words[node.op].join(self.grouped(operand) for operand in node.operands)
        if isinstance(node, lang.Ticked):
            return question(node.name.name) + words["any"]
        if isinstance(node, lang.Literal):
            return str(node.value)
        if isinstance(node, lang.Compare):
            op, left, right = node.op, node.left, node.right
            if op in ("in", "not in") and isinstance(right, lang.Name):  # "x" in several_choice
                left, right = right, left
                op = "contains" if op == "in" else "not contains"
            if isinstance(right, lang.Name):  # 300 < area_sqm is said as area_sqm > 300
                left, right = right, left
                op = _MIRRORED.get(op, op)
            assert isinstance(left, lang.Name)
            situation = self.situations.get(left.name)
            if isinstance(right, lang.ListLiteral):
                shown = words["sep"].join(self.value(situation, v.value) for v in right.values)
            else:
                assert isinstance(right, lang.Literal)
                shown = self.value(situation, right.value)
            spacer = " " if self.lang_code == "en" else ""
            return f"{question(left.name)}{spacer}{words[op]}{spacer}{shown}"
        return lang.to_text(node)
