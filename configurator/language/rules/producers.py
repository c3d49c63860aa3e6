"""A material produced inside the bundle is produced in every case where it is needed.

``produced_by`` names the items whose result it is. If, for some answers a citizen can give,
the material is needed (its own ``when`` holds and an item using it applies) while none of
its producers applies, the case would wait for a document nobody makes: an error showing
one such set of answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from configurator.diagnostics import Diagnostic, localized
from configurator.language import conditions as lang
from configurator.language.describe import answers_in_words
from configurator.language.rules.conditions import RuleGroups, valid_expr
from configurator.language.rules.context import RuleContext
from configurator.language.rules.references import produced_by_path
from configurator.model import Condition


def reads_asked(asked: Mapping[str, lang.Expr | None]) -> Callable[[lang.Expr], list[str]]:
    """The questions a condition reads as ``lang.witness`` reads them: with the questions
    deciding whether those are asked."""

    def reads(expr: lang.Expr) -> list[str]:
        read: dict[str, set[object]] = {}
        lang.constants_of(expr, read)
        pending = list(read)
        while pending:
            condition = asked.get(pending.pop())
            if condition is not None:
                before = set(read)
                lang.constants_of(condition, read)
                pending.extend(set(read) - before)
        return list(read)

    return reads


def first_case(conjuncts: list[lang.Expr], rules: RuleGroups, context: RuleContext,
               asked: Mapping[str, lang.Expr | None]) -> dict[str, object] | None:
    """``lang.witness`` of the conjunction of ``conjuncts`` and every eligibility rule, part by
    part (``rules`` made with ``reads_asked``): parts whose questions are apart have their answers
    chosen apart, so the first answer set of the whole is each part's first put together, and a
    group of rules no conjunct touches has its first found once. Not one product of every rule's
    answers, which past a few matters was too large to try, so the check passed the case over."""
    parts, touched = rules.joined(conjuncts)
    answers: dict[str, object] = {}
    # The conjuncts' own parts first: in a bundle without the error one of them has no witness,
    # and the answer is known without putting every other group's answers together (the parts
    # and the groups read different questions, so the order of the updates changes nothing).
    for part in parts:
        case = lang.witness(part, context.variables, asked)
        if case is None:
            return None
        answers.update(case)
    for group in range(len(rules.groups)):
        if group not in touched:
            case = rules.judged(group, lambda expr: lang.witness(expr, context.variables, asked))
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

    rules = RuleGroups([e for e in eligibility if e is not None], reads_asked(asked))
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
        parts = [e for e in (own if isinstance(own, lang.Expr) else None, used) if e is not None]
        assert runs is not None
        case = first_case([*parts, lang.Not(runs, 0)], rules, context, asked)
        if case is not None:
            producer_names = localized("、".join(f"“{p}”" for p in material.produced_by),
                                  ", ".join(f'"{p}"' for p in material.produced_by))  # quoted: named in words
            yield context.at("E514", produced_by_path(material, 0), material=material.id, producers=producer_names,
                             case=answers_in_words(case, context.bundle))


RULES = [check_producers_run]
