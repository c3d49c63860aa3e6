"""Every condition parses, refers to situations that exist, compares like with like, and can
be true. A situation may depend only on situations asked before it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from configurator.diagnostics import Diagnostic, localized
from configurator.language import conditions as lang
from configurator.language.describe import in_words
from configurator.language.rules.context import RuleContext
from configurator.model import Bundle, BundleField, BundleMaterial, Condition, Item

_WHAT = {
    "situations": localized("问题", "question"),
    "eligibility": localized("受理条件", "eligibility rule"),
    "fields": localized("字段", "field"),
    "materials": localized("材料", "material"),
    "items": localized("事项", "item"),
    "conditions": localized("命名条件", "named condition"),
    "field_rules": localized("跨字段规则", "cross-field rule"),
}


def all_conditions(context: RuleContext) -> Iterator[Condition]:
    """Every condition of the bundle, in the order of its sections: those written on entries, then
    the cases of values that depend on the case, then the cross-field rules'."""
    bundle = context.bundle
    yield from _entry_conditions(bundle)
    yield from _case_conditions(bundle)
    yield from (field_rule.when for field_rule in bundle.field_rules if field_rule.when)


def _entry_conditions(bundle: Bundle) -> Iterator[Condition]:
    yield from (named.condition for named in bundle.conditions)
    yield from (situation.when for situation in bundle.situations if situation.when)
    yield from (rule.require for rule in bundle.eligibility)
    yield from (field.when for field in bundle.fields if field.when)
    yield from (material.when for material in bundle.materials if material.when)
    yield from (item.when for item in bundle.items if item.when)


def _case_conditions(bundle: Bundle) -> Iterator[Condition]:
    """The ``when`` of each case of a value that depends on the case (items, materials, special stages)."""
    entries: list[Item | BundleMaterial] = [*bundle.items, *bundle.materials]
    for entry in entries:
        for varies in entry.varies:
            yield from (case.when for case in varies.cases)
    for item in bundle.items:
        for stage in item.special_stages:
            for varies in stage.varies:
                yield from (case.when for case in varies.cases)


def _at_column(context: RuleContext, code: str, condition: Condition, column: int, **params: Any) -> Diagnostic:
    """Point into the condition text: plain and quoted one-line values map column for column."""
    style = context.source.scalar_style(condition.path)
    offset = 0
    if style is None:
        offset = column
    elif style in ("'", '"'):
        offset = column + 1
    return context.source.diagnostic(code, condition.path, column_offset=offset, **params)


def parse_or_report(context: RuleContext, condition: Condition) -> tuple[lang.Expr | None, list[Diagnostic]]:
    try:
        written = condition.written
    except lang.ConditionSyntaxError as error:
        return None, [_at_column(context, "E401", condition, error.column,
                                 problem=localized(error.zh, error.en))]
    problems = lang.check_types(written, context.typing_variables)
    found = [_at_column(context, p.code, condition, p.column, **p.params) for p in problems]
    if not found and _uses_broken(context, written):
        return None, []  # its named condition's own error is reported where that is written
    return condition.expr, found


def _uses_broken(context: RuleContext, written: lang.Expr) -> bool:
    return any(name.name in context.broken_named for name in lang.names(written))


def _said(context: RuleContext, condition: Condition) -> dict[str, str]:
    return in_words(condition.written, condition.text, context.bundle)


def check_conditions(context: RuleContext) -> Iterable[Diagnostic]:
    for condition in all_conditions(context):
        expr, found = parse_or_report(context, condition)
        yield from found
        if expr is None or found:
            continue
        outcomes = context.truth_table(expr)
        what = _WHAT[str(condition.path[0])]
        if outcomes == {False}:
            yield context.at("E405", condition.path, condition=_said(context, condition), what=what)
        elif outcomes == {True}:
            yield context.at("W406", condition.path, condition=_said(context, condition))


def check_situation_order(context: RuleContext) -> Iterable[Diagnostic]:
    asked: set[str] = set()
    for situation in context.bundle.situations:
        if situation.when is not None:
            try:
                expr = situation.when.expr
            except lang.ConditionSyntaxError:
                expr = None  # reported by check_conditions
            if expr is not None:
                for name in lang.names(expr):
                    if name.name in context.situation_ids and name.name not in asked:
                        # through a named condition the column of the expanded text means nothing
                        column = 0 if situation.when.expanded else name.column
                        yield _at_column(context, "E407", situation.when, column,
                                         situation=situation.id, name=name.name)
        asked.add(situation.id)


def check_situations_used(context: RuleContext) -> Iterable[Diagnostic]:
    used: set[str] = set()
    for condition in all_conditions(context):
        try:
            used.update(name.name for name in lang.names(condition.expr))
        except lang.ConditionSyntaxError:
            return  # what an unreadable condition uses is unknown; its error comes first
    for situation in context.bundle.situations:
        if situation.id not in used:
            yield context.at("W510", situation.path + ("id",), id=situation.id)


def valid_expr(context: RuleContext, condition: Condition | None) -> lang.Expr | None:
    """The parsed condition if it has no syntax or type problems (those are reported elsewhere)."""
    if condition is None:
        return None
    try:
        written = condition.written
    except lang.ConditionSyntaxError:
        return None
    if lang.check_types(written, context.typing_variables) or _uses_broken(context, written):
        return None
    return condition.expr


def questions_read(expr: lang.Expr) -> list[str]:
    """The questions a condition reads, as its truth table tries them."""
    read: dict[str, set[Any]] = {}
    lang.constants_of(expr, read)
    return list(read)


def independent_groups(conjuncts: list[lang.Expr], known: dict[int, list[str]] | None = None,
                       reads: Callable[[lang.Expr], list[str]] = questions_read) -> list[list[lang.Expr]]:
    """``conjuncts`` in groups reading no question in common (each in the order given): their
    answers combine freely, so the conjunction of all can be true exactly when each group's can.
    ``known``: the questions some conjuncts read, by their ``id`` (alive as long as it);
    ``reads``: the questions a conjunct reads (by default, as its truth table tries them)."""
    known = {} if known is None else known
    root = list(range(len(conjuncts)))

    def find(index: int) -> int:
        while root[index] != index:
            root[index] = index = root[root[index]]
        return index

    reader: dict[str, int] = {}
    for index, conjunct in enumerate(conjuncts):
        names = known.get(id(conjunct))
        if names is None:
            names = reads(conjunct)
        for name in names:
            if name in reader:
                root[find(index)] = find(reader[name])
            else:
                reader[name] = index
    groups: dict[int, list[lang.Expr]] = {}
    for index, conjunct in enumerate(conjuncts):
        groups.setdefault(find(index), []).append(conjunct)
    return list(groups.values())


def conjunction(conjuncts: list[lang.Expr]) -> lang.Expr:
    return conjuncts[0] if len(conjuncts) == 1 else lang.BoolOp("and", tuple(conjuncts), 0)


class RuleGroups:
    """A bundle's eligibility rules in groups reading no question in common, found once per check.

    A condition is judged with the rules of the groups that read its questions (``joined``); every
    other group is independent of it and judged once for all conditions (``judged``): the cost of a
    condition follows its own matter, not the number of matters in the bundle."""

    def __init__(self, rules: list[lang.Expr], reads: Callable[[lang.Expr], list[str]]) -> None:
        self.reads = reads
        self.known = {id(rule): reads(rule) for rule in rules}  # the rules live as long as this
        self.groups = independent_groups(rules, self.known, reads)
        self.group_of = {name: group for group, members in enumerate(self.groups)
                         for rule in members for name in self.known[id(rule)]}
        self._judged: dict[int, Any] = {}
        self._never: bool | None = None

    def joined(self, conjuncts: list[lang.Expr]) -> tuple[list[lang.Expr], set[int]]:
        """The conjuncts with the rules of the groups they touch, as independent parts; and the
        groups touched, by number (every other group is a part of its own)."""
        touched: set[int] = set()
        for conjunct in conjuncts:
            touched.update(self.group_of[name] for name in self.reads(conjunct) if name in self.group_of)
        rules = [rule for group in sorted(touched) for rule in self.groups[group]]
        return [conjunction(group) for group in independent_groups([*conjuncts, *rules], self.known, self.reads)], touched

    def judged(self, group: int, judge: Callable[[lang.Expr], Any]) -> Any:
        """``judge`` of one group's rules together, once per group."""
        if group not in self._judged:
            self._judged[group] = judge(conjunction(self.groups[group]))
        return self._judged[group]

    def never_hold(self, table: Callable[[lang.Expr], set[bool] | None]) -> bool:
        """Whether some group of rules can never all hold (then no case is eligible), by ``table``
        (a truth table), once per check."""
        if self._never is None:
            self._never = any(self.judged(group, table) == {False} for group in range(len(self.groups)))
        return self._never


def check_conditions_in_context(context: RuleContext) -> Iterable[Diagnostic]:
    """A condition that can be true alone may still never hold for a case that gets this far:
    an item must also pass eligibility; a material or field is needed only when an item that
    uses it applies."""
    bundle = context.bundle
    eligibility = [valid_expr(context, rule.require) for rule in bundle.eligibility]
    if any(expr is None for expr in eligibility):
        return  # an unreadable eligibility rule: its own error comes first
    rules = [e for e in eligibility if e is not None]
    groups = RuleGroups(rules, questions_read)
    item_conditions = {item.id: valid_expr(context, item.when) for item in bundle.items}

    def contradicted(own: Condition, extra: list[lang.Expr | None]) -> bool:
        expr = valid_expr(context, own)
        if expr is None or any(e is None for e in extra):
            return False
        alone = context.truth_table(expr)
        if alone is None or False not in alone or True not in alone:
            return False
        # The conjunction is never true exactly when one of its independent parts never is: judged
        # part by part, each over its own questions, the rules of other questions (copies, other
        # matters) are judged once, not with every condition, nor in a product too large to try.
        # a part holding a group that never holds never holds either: the groups apart are judged once
        parts, _ = groups.joined([expr, *[e for e in extra if e is not None]])
        return groups.never_hold(context.truth_table) or any(context.truth_table(part) == {False} for part in parts)

    for item in bundle.items:
        if item.when and rules and contradicted(item.when, []):
            yield context.at("E408", item.when.path, what=_WHAT["items"], id=item.id, condition=_said(context, item.when),
                             context=localized("符合受理条件", "the case is eligible"),
                             context_fix=localized("受理条件（eligibility）", "the eligibility rules"))
    entries_by_kind: tuple[tuple[str, Sequence[BundleMaterial | BundleField]], ...] = (
        ("materials", bundle.materials), ("fields", bundle.fields))
    for kind, entries in entries_by_kind:
        for entry in entries:
            # item.materials / item.fields: the ids of the entries of this kind the item uses (indexed
            # once per bundle: asking every item about every entry was quadratic in a big bundle)
            users = context.users(entry.id, kind)
            if entry.when is None or not users:
                continue
            user_conditions = [item_conditions[item.id] for item in users]
            if any(item.when is None for item in users):
                continue  # an item that always applies uses it: no extra constraint
            if any(c is None for c in user_conditions):
                continue
            applies = lang.any_of([c for c in user_conditions if c is not None])
            # (without eligibility rules a material or field is not judged here, as before)
            if rules and contradicted(entry.when, [applies]):
                yield context.at("E408", entry.when.path, what=_WHAT[kind], id=entry.id, condition=_said(context, entry.when),
                                 context=localized("使用它的事项适用", "an item that uses it applies"),
                                 context_fix=localized("使用它的事项的 when", "the when of the items that use it"))


RULES = [check_conditions, check_situation_order, check_situations_used, check_conditions_in_context]
