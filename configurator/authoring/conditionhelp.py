"""A condition as the builder and the text mode show it while it is typed: the readable sentence,
or each problem in words — the same checks `configurator check` makes on a saved bundle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configurator.diagnostics import Diagnostic, localized
from configurator.language import conditions as lang
from configurator.language.describe import describe
from configurator.model import Bundle


@dataclass(frozen=True)
class ConditionReport:
    ok: bool
    sentence: str
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "sentence": self.sentence, "problems": list(self.problems)}


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
    variables = {s.id: s.variable() for s in bundle.situations}
    problems = [said(p.code, p.column, **p.params) for p in lang.check_types(expr, variables)]
    if problems:
        return ConditionReport(False, "", tuple(problems))
    sentence = describe(expr, bundle, language)
    outcomes = lang.truth_table(expr, variables)
    kinds = {"items": localized("事项", "item"), "materials": localized("材料", "material"),
             "fields": localized("字段", "field"), "situations": localized("问题", "question"),
             "eligibility": localized("受理条件", "eligibility rule")}
    if outcomes == {False}:
        return ConditionReport(False, sentence, (said("E405", condition=text, what=kinds.get(what, kinds["items"])),))
    if outcomes == {True}:
        return ConditionReport(True, sentence, (said("W406", condition=text),))
    return ConditionReport(True, sentence, ())
