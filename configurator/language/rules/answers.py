"""What a situation's answer can be: ``allow_none`` (no option ticked) only where there are boxes
to tick; a field that is the answer to a situation (``from_situation``) is asked once, so the
situation must exist, have the field's type and be asked wherever the field is needed."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.diagnostics import Diagnostic, localized
from configurator.language import conditions as lang
from configurator.language.describe import answers_in_words
from configurator.language.fieldtypes import resolve_field
from configurator.language.rules.conditions import RuleGroups, valid_expr
from configurator.language.rules.context import RuleContext
from configurator.language.rules.producers import first_case, reads_asked
from configurator.language.schema import type_word
from configurator.model import BundleField, Situation

# situation type → the field types that can hold its answer unchanged
_FITS = {"boolean": {"boolean"}, "choice": {"choice"}, "multi_choice": {"multi_choice"},
         "number": {"number", "integer"}, "date": {"date"}}


def _type_problem(situation: Situation, field_type: str | None, options: set[str]) -> dict[str, str] | None:
    question = localized(situation.label.get("zh-CN"), situation.label.get("en"))
    if field_type not in _FITS[situation.type]:
        answer, kind = type_word(situation.type), type_word(field_type)
        return localized(f"问题“{question['zh-CN']}”的回答是{answer['zh-CN']}，这个字段却是{kind['zh-CN']}",
                         f"the question \"{question['en']}\" is answered with {answer['en']} but the field is "
                         f"{kind['en']}")
    if field_type == "integer" and not situation.integer:
        return localized(f"字段只接受整数，问题“{question['zh-CN']}”却可以回答小数（没有勾选“只能填整数”，integer）",
                         f"the field takes whole numbers but the question \"{question['en']}\" allows fractions "
                         "(integer is not set)")
    if situation.type in ("choice", "multi_choice") and {o.value for o in situation.options} != options:
        return localized(f"问题“{question['zh-CN']}”与这个字段的选项不同", f"the question \"{question['en']}\" and the "
                         "field have different options")
    return None


def _needed_unasked(context: RuleContext, field: BundleField, situation: Situation) -> dict[str, object] | None:
    """A reachable case where the field is needed but the situation is not asked."""
    if situation.when is None:
        return None
    users = context.users(field.id, "fields")
    parts = [valid_expr(context, c) for c in (field.when, situation.when) if c is not None]
    user_conditions = [valid_expr(context, item.when) if item.when else None for item in users]
    eligibility = [valid_expr(context, rule.require) for rule in context.bundle.eligibility]
    asked = {s.id: valid_expr(context, s.when) if s.when else None for s in context.bundle.situations}
    if any(p is None for p in parts) or any(e is None for e in eligibility):
        return None
    if any(item.when is not None and c is None for item, c in zip(users, user_conditions, strict=True)):
        return None
    own = [p for p in parts[:-1] if p is not None]
    used = None if any(item.when is None for item in users) else lang.any_of(
        [c for c in user_conditions if c is not None])
    not_asked = lang.Not(parts[-1], 0) if parts[-1] is not None else None
    conjuncts = [*own, *([used] if used else []), *([not_asked] if not_asked else [])]
    rules = [e for e in eligibility if e is not None]
    if not conjuncts and not rules:
        return None
    # part by part (producers.first_case): not one product of every eligibility rule's answers
    return first_case(conjuncts, RuleGroups(rules, reads_asked(asked)), context, asked)


_KIND_WORDS = {"boolean": ("是/否问题", "a yes/no question"), "choice": ("单选问题", "a single-choice question"),
               "number": ("数字问题", "a number question"), "date": ("日期问题", "a date question")}


def check_allow_none(context: RuleContext) -> Iterable[Diagnostic]:
    """``allow_none: true`` means "no box ticked is an answer": only a multi-choice has boxes. On any
    other question it was ignored by the schema and the plan while form.html left the question
    optional, so an applicant could skip a question the pre-check then required."""
    for situation in context.bundle.situations:
        if situation.allow_none and situation.type != "multi_choice":
            zh, en = _KIND_WORDS[situation.type]
            yield context.at_key("E212", situation.path + ("allow_none",), id=situation.id, kind=zh, kind_en=en)


def check_from_situation(context: RuleContext) -> Iterable[Diagnostic]:
    situations = {s.id: s for s in context.bundle.situations}
    for field in context.bundle.fields:
        if field.from_situation is None:
            continue
        path = field.path + ("from_situation",)
        situation = situations.get(field.from_situation)
        if situation is None:
            hint = lang.suggest(field.from_situation, list(situations))
            yield context.at("E410", path, problem=localized(
                f"没有情形问题“{field.from_situation}”" + (f"（是不是想写“{hint}”？）" if hint else ""),
                f"there is no situation question \"{field.from_situation}\"" + (f" (did you mean \"{hint}\"?)" if hint else "")))
            continue
        if context.field_type(field) is None:
            continue  # an unknown catalogue field without its own type: E303 reports it
        resolved = resolve_field(field, context.catalogues)
        problem = _type_problem(situation, resolved.type, {o.value for o in resolved.options})
        if problem is not None:
            yield context.at("E410", path, problem=problem)
            continue
        case = _needed_unasked(context, field, situation)
        if case is not None:
            shown = answers_in_words(case, context.bundle)
            yield context.at("E410", path, problem={
                "zh-CN": f"需要这个字段时问题“{situation.label.get('zh-CN')}”不一定被问到，例如：{shown['zh-CN']}",
                "en": f"the question \"{situation.label.get('en')}\" is not asked in every case needing the field, "
                      f"e.g. {shown['en']}"})


RULES = [check_allow_none, check_from_situation]
