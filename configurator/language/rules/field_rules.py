"""Cross-field rules (``field_rules:``) name number fields of the bundle, say what to compare
with what, and can apply: their fields are asked together in some eligible case.

The ``when`` of a rule is an ordinary condition (checked with every other condition, see
rules.conditions.all_conditions); here only what is particular to rules is checked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from configurator.diagnostics import Diagnostic, listing, localized
from configurator.language import conditions as lang
from configurator.language.conditions import suggest
from configurator.language.fieldtypes import resolve_field
from configurator.language.modelbuilder import RULE_OPS, RULE_TOLERANCE
from configurator.language.rules.conditions import valid_expr
from configurator.language.rules.context import RuleContext
from configurator.language.schema import type_word
from configurator.model import BundleField, FieldRule, Path

NUMBER_TYPES = ("number", "integer")


def _limit_path(rule: FieldRule) -> Path:
    return rule.path + (rule.op,)


def _term_path(rule: FieldRule, index: int) -> Path:
    return rule.path + (("field",) if rule.terms_key == "field" else ("sum", index))


def _shape_problems(context: RuleContext, rule: FieldRule, raw_keys: set[str]) -> Iterable[Diagnostic]:
    """Exactly one of field/sum, and exactly one comparison."""
    if {"field", "sum"} <= raw_keys or not rule.terms:
        yield context.at_key("E411", rule.path + ("id",), problem=localized(
            f"规则“{rule.id}”要选“比较一个字段”（field）或“比较几个字段之和”（sum）中的一种",
            f"rule \"{rule.id}\" needs either one field to compare (field) or fields added up (sum)"), fix=localized(
            "选一个字段，或选几个相加的字段（源文件中写 field: 字段，或 sum: [字段, 字段]）",
            "choose one field, or the fields to add up (in the source file, field: <id> or sum: [<id>, <id>])"))
    ops = [key for key in RULE_OPS if key in raw_keys]
    if len(ops) != 1:
        yield context.at_key("E411", rule.path + ("id",), problem=localized(
            f"规则“{rule.id}”要写且只写一个比较，现在有 {len(ops)} 个",
            f"rule \"{rule.id}\" needs exactly one comparison, it has {len(ops)}"), fix=localized(
            "只选一种比较：等于（equals）、不超过（at_most）、不少于（at_least）、小于（less_than）、大于（greater_than）",
            "choose one comparison: equals, at most (at_most), at least (at_least), less than (less_than), "
            "more than (greater_than)"))
    elif isinstance(rule.limit, float) and not math.isfinite(rule.limit):
        # JSON has no NaN or Infinity: written out they would be null in form.schema.json and routing.json.
        yield context.at("E411", _limit_path(rule), problem=localized(
            f"规则“{rule.id}”比较的值 {rule.limit} 不是有限的数字", f"the value {rule.limit} rule \"{rule.id}\" compares "
            "with is not a finite number"), fix=localized("填一个普通的数字（绝对值小于 1e308）",
                                                       "write an ordinary number (smaller than 1e308 in size)"))


def _field_problems(context: RuleContext, rule: FieldRule, fields: dict[str, BundleField]) -> Iterable[Diagnostic]:
    """Every named field is in the bundle, takes numbers, and appears once."""
    places: list[tuple[str, Path]] = [(term, _term_path(rule, i)) for i, term in enumerate(rule.terms)]
    if isinstance(rule.limit, str):
        places.append((rule.limit, _limit_path(rule)))
    seen: set[str] = set()
    for field_id, path in places:
        field = fields.get(field_id)
        if field is None:
            params: dict[str, object] = {"ref": field_id}
            hint = suggest(field_id, list(fields))
            if hint:
                params["suggestion"] = hint
            yield context.at("E306", path, **params)
            continue
        if field_id in seen:
            yield context.at("E411", path, problem=localized(
                f"字段“{field_id}”在规则“{rule.id}”中出现了两次", f"field \"{field_id}\" appears twice in rule "
                f"\"{rule.id}\""), fix=localized("每个字段只写一次", "name each field once"))
        seen.add(field_id)
        kind = context.field_type(field)
        if kind is not None and kind not in NUMBER_TYPES:  # None: an unknown field, E303 says so
            yield context.at("E411", path, problem=localized(
                f"字段“{field_id}”是{type_word(kind)['zh-CN']}，规则只能比较填数字的字段", f"field \"{field_id}\" is "
                f"{type_word(kind)['en']}; rules compare number fields only"), fix=localized(
                "改选“字段类型”为数字或整数的字段，或删除这条规则",
                "choose a field whose field type is number or whole number, or remove the rule"))


def _asked(context: RuleContext, field: BundleField) -> lang.Expr | None | bool:
    """When the field is asked (None: always; False: unknown because a condition is broken)."""
    users = context.users(field.id, "fields")
    parts: list[lang.Expr] = []
    if field.when is not None:
        own = valid_expr(context, field.when)
        if own is None:
            return False
        parts.append(own)
    if users and all(item.when is not None for item in users):
        conditions = [valid_expr(context, item.when) for item in users]
        if any(c is None for c in conditions):
            return False
        either = lang.any_of([c for c in conditions if c is not None])
        if either is not None:
            parts.append(either)
    return lang.all_of(parts)


def _never_together(context: RuleContext, rule: FieldRule, fields: dict[str, BundleField]) -> Diagnostic | None:
    parts: list[lang.Expr] = []
    for requirement in context.bundle.eligibility:
        expr = valid_expr(context, requirement.require)
        if expr is None:
            return None  # an unreadable eligibility rule: its own error comes first
        parts.append(expr)
    if rule.when is not None:
        own = valid_expr(context, rule.when)
        if own is None:
            return None
        parts.append(own)
    for field_id in rule.fields:
        if not any(field_id in item.fields for item in context.bundle.items):
            continue  # asked by no item: W509 says so
        asked = _asked(context, fields[field_id])
        if asked is False:
            return None
        if isinstance(asked, lang.Expr):
            parts.append(asked)
    combined = lang.all_of(parts)
    if combined is None or lang.truth_table(combined, context.variables) != {False}:
        return None
    shown = listing(f"“{f}”" for f in rule.fields)
    context_words = localized("符合受理条件且规则的 when 成立" if rule.when else "符合受理条件",
                              "when the case is eligible" + (" and the rule's when holds" if rule.when else ""))
    return context.at("E412", rule.path + ("id",), rule=rule.id, fields=shown, context=context_words)


_OP_WORDS = {"equals": ("等于", "equal"), "at_most": ("不超过", "be at most"), "at_least": ("不少于", "be at least"),
             "less_than": ("小于", "be less than"), "greater_than": ("大于", "be more than")}


def _bounds(context: RuleContext, field: BundleField) -> tuple[float, float]:
    resolved = resolve_field(field, context.catalogues)
    return (-math.inf if resolved.minimum is None else resolved.minimum,
            math.inf if resolved.maximum is None else resolved.maximum)


def _number(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return str(int(value)) if float(value).is_integer() else str(value)


def _never_holds(context: RuleContext, rule: FieldRule, fields: dict[str, BundleField]) -> Diagnostic | None:
    """A rule the fields' own minimum and maximum make impossible would refuse every application
    that fills them in (the form's limits and the rule can never both be met)."""
    ranges = [_bounds(context, fields[term]) for term in rule.terms]
    low, high = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    if isinstance(rule.limit, str):
        other = _bounds(context, fields[rule.limit])
        smallest, largest = low - other[1], high - other[0]  # of the difference left - right
        right = localized(f"“{rule.limit}”（{_number(other[0])}～{_number(other[1])}）",
                          f"\"{rule.limit}\" ({_number(other[0])} to {_number(other[1])})")
    else:
        smallest, largest = low - rule.limit, high - rule.limit
        right = localized(_number(rule.limit), _number(rule.limit))
    impossible = {"equals": smallest > RULE_TOLERANCE or largest < -RULE_TOLERANCE,
                  "at_most": smallest > RULE_TOLERANCE, "at_least": largest < -RULE_TOLERANCE,
                  "less_than": smallest >= -RULE_TOLERANCE, "greater_than": largest <= RULE_TOLERANCE}[rule.op]
    if not impossible:
        return None
    names = "＋".join(f"“{t}”" for t in rule.terms)
    names_en = " + ".join(f'"{t}"' for t in rule.terms)
    zh_op, en_op = _OP_WORDS[rule.op]
    return context.at("E411", _limit_path(rule), problem=localized(
        f"规则“{rule.id}”永远不能满足：按字段的最小值和最大值（minimum、maximum），{names}在 {_number(low)}～{_number(high)} 之间，"
        f"不可能{zh_op} {right['zh-CN']}",
        f"rule \"{rule.id}\" can never hold: by the fields' minimum and maximum, {names_en} lies between "
        f"{_number(low)} and {_number(high)} and cannot {en_op} {right['en']}"), fix=localized(
        "改正规则比较的值，或放宽字段的最小值、最大值", "correct the rule's value, or widen the fields' minimum and maximum"))


def check_field_rules(context: RuleContext) -> Iterable[Diagnostic]:
    fields = {field.id: field for field in context.bundle.fields}
    for rule in context.bundle.field_rules:
        shape = list(_shape_problems(context, rule, set(rule.keys)))
        yield from shape
        if shape:
            continue
        found = list(_field_problems(context, rule, fields))
        yield from found
        if found or any(context.field_type(fields[f]) is None for f in rule.fields):
            continue  # a rule on a field of unknown type cannot be judged further (E303 says why)
        never = _never_holds(context, rule, fields) or _never_together(context, rule, fields)
        if never is not None:
            yield never


RULES = [check_field_rules]
