"""A material produced inside the bundle is produced in every case where it is needed.

``produced_by`` names the items whose result it is. If, for some answers a citizen can give,
the material is needed (its own ``when`` holds and an item using it applies) while none of
its producers applies, the case would wait for a document nobody makes: an error showing
one such set of answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from configurator.diagnostics import Diagnostic, listing, localized
from configurator.language import conditions as lang
from configurator.language.rules.conditions import independent_parts, valid_expr
from configurator.language.rules.context import RuleContext
from configurator.language.rules.references import produced_by_path
from configurator.model import Condition


def case_text(answers: dict[str, object]) -> dict[str, str]:
    if not answers:
        return localized("任何情形", "any case")
    parts = [f"{name} = {json.dumps(value, ensure_ascii=False)}" for name, value in answers.items()]
    return localized("，".join(parts), ", ".join(parts))


def first_case(conjuncts: list[lang.Expr], context: RuleContext, asked: Mapping[str, lang.Expr | None],
               found: dict[lang.Expr, dict[str, object] | None]) -> dict[str, object] | None:
    """``lang.witness`` of the conjunction, part by part: split into parts whose questions (with
    the questions deciding whether those are asked) are apart, the first answer set of the whole
    is each part's first put together (``found`` keeps each part's, as the eligibility rules of
    other matters recur for every material). Not one product of every rule's answers, which past
    a few matters was too large to try, so the check passed the material over."""

    def reads(expr: lang.Expr) -> list[str]:
        read: dict[str, set[object]] = {}
        lang.constants_of(expr, read)
        pending = list(read)
        while pending:  # as the witness reads them: with the questions deciding whether they are asked
            condition = asked.get(pending.pop())
            if condition is not None:
                before = set(read)
                lang.constants_of(condition, read)
                pending.extend(set(read) - before)
        return list(read)

    answers: dict[str, object] = {}
    for part in independent_parts(conjuncts, reads=reads):
        if part not in found:
            found[part] = lang.witness(part, context.variables, asked)
        case = found[part]
        if case is None:
            return None
        answers.update(case)
    order = {name: index for index, name in enumerate(context.variables)}  # the witness's own order
    return dict(sorted(answers.items(), key=lambda entry: order[entry[0]]))


def check_producers_run(context: RuleContext) -> Iterable[Diagnostic]:
    bundle = context.bundle
    eligibility = [valid_expr(context, rule.require) for rule in bundle.eligibility]
    if any(expr is None for expr in eligibility):
        return
    asked: dict[str, lang.Expr | None] = {}
    for situation in bundle.situations:
        expr = valid_expr(context, situation.when) if situation.when else None
        if situation.when is not None and expr is None:
            return  # an unreadable question condition: its own error comes first
        asked[situation.id] = expr

    def condition_of(condition: Condition | None) -> lang.Expr | None | bool:
        """The parsed condition; None: always; False: unreadable (reported elsewhere)."""
        if condition is None:
            return None
        expr = valid_expr(context, condition)
        return False if expr is None else expr

    found: dict[lang.Expr, dict[str, object] | None] = {}  # each independent part's first case
    for material in bundle.materials:
        if material.source != "produced":
            continue
        producers = [bundle.item(p) for p in material.produced_by]
        users = context.users(material.id, "materials")
        if not users or any(p is None for p in producers):
            continue  # unused (W509) or an unknown producer (E304)
        producer_conditions = [condition_of(p.when) for p in producers if p is not None]
        user_conditions = [condition_of(u.when) for u in users]
        own = condition_of(material.when)
        if False in (*producer_conditions, *user_conditions, own):
            continue
        if any(c is None for c in producer_conditions):
            continue  # a producer always applies
        runs = lang.any_of([c for c in producer_conditions if isinstance(c, lang.Expr)])
        used = None if any(c is None for c in user_conditions) else lang.any_of(
            [c for c in user_conditions if isinstance(c, lang.Expr)])
        parts = [e for e in (*eligibility, own if isinstance(own, lang.Expr) else None, used) if e is not None]
        assert runs is not None
        case = first_case([*parts, lang.Not(runs, 0)], context, asked, found)
        if case is not None:
            yield context.at("E514", produced_by_path(material, 0), material=material.id,
                             producers=listing(material.produced_by), case=case_text(case))


RULES = [check_producers_run]
