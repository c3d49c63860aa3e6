"""What every writer needs: the checked bundle with its catalogues, and stable JSON."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from configurator.language.conditions import Expr, Variable
from configurator.language.fieldtypes import ResolvedField, resolve_field
from configurator.language.jsonlogic import to_jsonlogic
from configurator.model import Bundle, BundleField, BundleMaterial, Catalogues, Condition, Item, Text
from configurator.planning.cases import CaseSearch, Scenario, search
from configurator.planning.plan import Planner, needed_condition

_T = TypeVar("_T")


@dataclass(frozen=True)
class Compiled:
    """A bundle that passed the check, ready for the writers."""

    bundle: Bundle
    catalogues: Catalogues
    lang: str = "zh-CN"

    def text(self, value: Text | None) -> str:
        return value.get(self.lang) if value is not None else ""

    def department_name(self, department_id: str) -> str:
        department = self.catalogues.departments.get(department_id)
        return self.text(department.name) if department else department_id

    def material_name(self, material: BundleMaterial) -> str:
        if material.name is not None:
            return self.text(material.name)
        entry = self.catalogues.materials.get(material.catalogue_id)
        return self.text(entry.name) if entry else material.id

    @functools.cached_property
    def shared(self) -> dict[str, object]:
        """What writers compute once per compile and share (keys named for the writer module);
        it lives and dies with this object, so never outlives the bundle it was computed from."""
        return {}

    def once(self, key: str, compute: Callable[[], _T]) -> _T:
        """``compute()`` the first time ``key`` is asked for in this compile, the same value after:
        what several artifacts derive from the bundle alike is derived once. The value is shared, so
        callers treat it as read-only."""
        shared = self.shared
        if key not in shared:
            shared[key] = compute()
        return cast(_T, shared[key])

    def needed(self, own: Condition | None, users: Sequence[Item]) -> Expr | None:
        """``needed_condition(own, users)``, once per compile for the same condition and items: the
        form schema, the UI schema and routing ask for the same ones."""
        memo: dict[tuple[int, ...], tuple[Expr | None]] = self.once("planning.needed", lambda: {})
        key = (id(own), *map(id, users))  # objects of this bundle, alive as long as this compile
        found = memo.get(key)
        if found is None:
            found = memo[key] = (needed_condition(own, users),)
        return found[0]

    def jsonlogic(self, expr: Expr) -> Any:
        """``to_jsonlogic(expr)``, once per compile for the same condition (shared: read-only)."""
        memo: dict[int, tuple[Expr, Any]] = self.once("planning.jsonlogic", lambda: {})
        found = memo.get(id(expr))
        if found is None or found[0] is not expr:
            found = memo[id(expr)] = (expr, to_jsonlogic(expr))
        return found[1]

    @functools.cached_property
    def fields(self) -> dict[str, ResolvedField]:
        return {f.id: resolve_field(f, self.catalogues) for f in self.bundle.fields}

    @functools.cached_property
    def variables(self) -> dict[str, Variable]:
        return self.bundle.variables()

    @functools.cached_property
    def planner(self) -> Planner:
        """The bundle's conditions compiled once: the pre-check and the simulator plan a case per
        request from the same compiled bundle (a Planner is not changed by planning)."""
        return Planner(self.bundle)

    @functools.cached_property
    def case_search(self) -> CaseSearch:
        """The bundle's distinct real cases (enumerated once, shared by every writer)."""
        return search(self.bundle, self.planner)  # the one Planner of this compile

    @property
    def scenarios(self) -> tuple[list[Scenario], bool]:
        return self.case_search.cases, self.case_search.complete

    @functools.cached_property
    def item_positions(self) -> dict[str, int]:
        """Each item's index in the bundle's list (ids are unique)."""
        return {item.id: index for index, item in enumerate(self.bundle.items)}

    @functools.cached_property
    def _field_entries(self) -> dict[str, BundleField]:
        return {f.id: f for f in reversed(self.bundle.fields)}  # reversed: the first of a repeated id wins

    @functools.cached_property
    def _material_entries(self) -> dict[str, BundleMaterial]:
        return {m.id: m for m in reversed(self.bundle.materials)}

    def field_entry(self, field_id: str) -> BundleField:
        """The bundle's field with this id (a writer asks only for ids the check resolved)."""
        return self._field_entries[field_id]

    def material_entry(self, material_id: str) -> BundleMaterial | None:
        """The bundle's material with this id, as ``Bundle.material`` without a scan per call."""
        return self._material_entries.get(material_id)

    def users(self, entry_id: str, kind: str) -> list[Item]:
        """The items that use a field or material (kind: "fields" or "materials"), in file order."""
        return self.bundle.users(entry_id, kind)

    def on_form(self, field: BundleField) -> bool:
        """Whether the form asks for the field: some item uses it and it is not the answer to a
        situation question (``from_situation``), which the form has asked already."""
        return field.from_situation is None and bool(self.users(field.id, "fields"))
