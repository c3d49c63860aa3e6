"""Named conditions: unique, not shadowing a situation, referring only to what is above them."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.diagnostics import Diagnostic, localized
from configurator.language import conditions as lang
from configurator.language.rules.context import RuleContext
from configurator.language.rules.identity import duplicates


def check_named_conditions(context: RuleContext) -> Iterable[Diagnostic]:
    named = context.bundle.conditions
    yield from duplicates(context, "conditions", [(c.id, c.path + ("id",)) for c in named])
    position = {c.id: index for index, c in reversed(list(enumerate(named)))}
    for index, entry in enumerate(named):
        if entry.id in context.situation_ids:
            yield context.at("E409", entry.path + ("id",), problem=localized(
                f"命名条件“{entry.id}”与情形同名，引用它时分不清指哪一个",
                f"the named condition \"{entry.id}\" has the id of a situation, so a reference to it is ambiguous"))
        try:
            written = entry.condition.written
        except lang.ConditionSyntaxError:
            continue  # reported with the other conditions
        for name in lang.names(written):
            if position.get(name.name, -1) >= index:
                yield context.at("E409", entry.condition.path, problem=localized(
                    f"命名条件“{entry.id}”引用了{'自己' if name.name == entry.id else '写在它后面的'}命名条件“{name.name}”",
                    f"the named condition \"{entry.id}\" refers to "
                    f"{'itself' if name.name == entry.id else 'a named condition defined after it'} (\"{name.name}\")"))


RULES = [check_named_conditions]
