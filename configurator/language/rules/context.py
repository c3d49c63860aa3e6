from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from configurator.diagnostics import Diagnostic
from configurator.language import conditions
from configurator.language.sourcemap import SourceMap
from configurator.model import Bundle, BundleField, Catalogues, Item, Path


@dataclass(frozen=True)
class RuleContext:
    bundle: Bundle
    catalogues: Catalogues
    source: SourceMap

    def at(self, code: str, path: Path, **params: Any) -> Diagnostic:
        """A diagnostic located at the value at ``path``."""
        return self.source.diagnostic(code, path, **params)

    def at_key(self, code: str, path: Path, **params: Any) -> Diagnostic:
        """A diagnostic located at the key whose value is at ``path``."""
        return self.source.diagnostic(code, path, at_key=True, **params)

    def line_of(self, path: Path) -> int:
        return self.source.key_position(path)[0]

    @functools.cached_property
    def situation_ids(self) -> set[str]:
        return {situation.id for situation in self.bundle.situations}

    @functools.cached_property
    def variables(self) -> dict[str, conditions.Variable]:
        """The situations as the condition checker sees them (built once per bundle)."""
        return self.bundle.variables()

    @functools.cached_property
    def typing_variables(self) -> dict[str, conditions.Variable]:
        """What a condition as written may name: the situations and the named conditions."""
        return self.bundle.typing_variables()

    @functools.cached_property
    def broken_named(self) -> set[str]:
        """Named conditions whose definition does not parse or type-check (reported there once):
        conditions using them are not checked further."""
        broken: set[str] = set()
        for named in self.bundle.conditions:
            try:
                written = named.condition.written
            except conditions.ConditionSyntaxError:
                broken.add(named.id)
                continue
            uses = {name.name for name in conditions.names(written)}
            if uses & broken or conditions.check_types(written, self.typing_variables):
                broken.add(named.id)
        return broken

    def field_type(self, field: BundleField) -> str | None:
        """The field's own type or its catalogue entry's; None for an unknown catalogue field
        without a type of its own (E303 reports it once; the other rules pass it over)."""
        entry = self.catalogues.fields.get(field.catalogue_id)
        return field.spec.type or (entry.spec.type if entry is not None else None)

    def users(self, entry_id: str, kind: str) -> list[Item]:
        """The items whose ``kind`` ("fields" or "materials") lists the id, in file order."""
        return self.bundle.users(entry_id, kind)

    @functools.cached_property
    def _truth_tables(self) -> dict[conditions.Expr, set[bool] | None]:
        return {}

    def truth_table(self, expr: conditions.Expr) -> set[bool] | None:
        """``conditions.truth_table`` over the bundle's situations, once per distinct condition:
        the same condition is judged alone, then again in its context, and items share them.
        Only type-checked conditions come here, so equal keys mean equal conditions: ``true``
        and ``1`` (equal in Python) cannot both be valid against the same situation."""
        tables = self._truth_tables
        if expr not in tables:
            tables[expr] = conditions.truth_table(expr, self.variables, self._solver_memo)
        return tables[expr]

    @functools.cached_property
    def _solver_memo(self) -> dict[Any, Any]:
        """What the solver compiles once per check: the comparisons the conditions share."""
        return {}
