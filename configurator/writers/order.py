"""Questions first: the order in which the form, the uiSchema and the notice ask the questions.

The questions that decide eligibility come first (a case outside the bundle is told so before
anything else is asked); every other question comes after the questions its own ``when``
depends on. Otherwise the bundle file's order is kept.
"""

from __future__ import annotations

from configurator.language.conditions import names
from configurator.model import Bundle, Situation


def deciding(bundle: Bundle) -> list[str]:
    """The questions the eligibility rules read, and those their ``when`` reads (whether a rule's
    question is asked decides the rule too: the form judges eligibility once these are answered),
    in file order."""
    by_id = {s.id: s for s in bundle.situations}
    used = {name.name for rule in bundle.eligibility for name in names(rule.require.expr)}
    todo = list(used)
    while todo:
        situation = by_id.get(todo.pop())
        if situation is not None and situation.when is not None:
            for name in names(situation.when.expr):
                if name.name not in used:
                    used.add(name.name)
                    todo.append(name.name)
    return [s.id for s in bundle.situations if s.id in used]


def question_order(bundle: Bundle) -> list[Situation]:
    """The situations, eligibility questions first, each after the questions its ``when`` reads."""
    by_id = {s.id: s for s in bundle.situations}
    first = set(deciding(bundle))
    ordered: list[Situation] = []
    placed: set[str] = set()

    def place(situation: Situation, path: tuple[str, ...] = ()) -> None:
        if situation.id in placed or situation.id in path:  # a cycle is the checker's to report
            return
        if situation.when is not None:
            for name in names(situation.when.expr):
                if name.name in by_id:
                    place(by_id[name.name], (*path, situation.id))
        placed.add(situation.id)
        ordered.append(situation)

    for situation in bundle.situations:
        if situation.id in first:
            place(situation)
    for situation in bundle.situations:
        place(situation)
    return ordered
