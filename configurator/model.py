"""The frozen, typed model of bundles and catalogues.

Built by ``builder`` only from data that passed the JSON Schema, so every field here has the
type it declares. References (department, material, field and item ids) stay ids: the
semantic rules check them, and compilers resolve them once the bundle has no errors.
Each object keeps ``path``, its place in the source data, so any finding about it can be
located in the YAML file.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from configurator.language import conditions as condition_language

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Text:
    """Text in several languages; zh-CN is always present."""

    translations: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: str | Mapping[str, str]) -> Text:
        if isinstance(value, str):
            return cls((("zh-CN", value),))
        return cls(tuple(sorted(value.items())))

    def get(self, lang: str = "zh-CN") -> str:
        translations = self.translations
        if len(translations) == 1:  # most text has one language: it is the answer whatever is asked
            return translations[0][1]
        mapping = dict(translations)
        return mapping.get(lang) or mapping.get("zh-CN") or next(iter(mapping.values()), "")

    def __str__(self) -> str:
        return self.get()


def text_or_none(value: Any) -> Text | None:
    return None if value is None else Text.of(value)


@dataclass(frozen=True)
class Condition:
    """A condition as written (``text``) and, when it names conditions of the bundle's
    ``conditions:`` section, with those names replaced by what they stand for (``expanded``).
    Everything that evaluates or translates a condition uses ``expr``; notices and the admin
    show ``written`` so a named condition reads by its name."""

    text: str
    path: Path
    expanded: str | None = None

    @property
    def expr(self) -> condition_language.Expr:
        return condition_language.parse(self.expanded or self.text)

    @property
    def written(self) -> condition_language.Expr:
        return condition_language.parse(self.text)


@dataclass(frozen=True)
class NamedCondition:
    """An entry of ``conditions:``: a condition written once and referred to by its id."""

    id: str
    label: Text | None
    condition: Condition
    path: Path


@dataclass(frozen=True)
class ValueCase:
    """One ``when``/``value`` pair of a case-dependent value."""

    when: Condition
    value: Any
    path: Path


@dataclass(frozen=True)
class Varies:
    """A per-item figure given as ordered cases: the first case whose ``when`` holds gives the
    value, otherwise the default (kept in the ordinary attribute ``attribute``)."""

    attribute: str
    cases: tuple[ValueCase, ...]
    path: Path


# ----------------------------------------------------------------------------- catalogues


@dataclass(frozen=True)
class Department:
    id: str
    name: Text
    short_name: Text | None
    note: Text | None
    path: Path
    file: str


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    help: Text | None


@dataclass(frozen=True)
class FieldSpec:
    """How a field is asked: shared by catalogue fields and bundle-specific fields."""

    type: str | None
    options: tuple[Option, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: Text | None = None
    placeholder: Text | None = None
    sensitive: bool | None = None


@dataclass(frozen=True)
class CatalogueField:
    id: str
    label: Text
    help: Text | None
    spec: FieldSpec
    path: Path
    file: str


@dataclass(frozen=True)
class CatalogueMaterial:
    id: str
    name: Text
    kind: str | None
    issued_by: str | None
    e_licence: bool
    legal_basis: Text | None
    note: Text | None
    path: Path
    file: str


@dataclass(frozen=True)
class Catalogues:
    departments: Mapping[str, Department] = field(default_factory=dict)
    materials: Mapping[str, CatalogueMaterial] = field(default_factory=dict)
    fields: Mapping[str, CatalogueField] = field(default_factory=dict)


# -------------------------------------------------------------------------------- bundles


@dataclass(frozen=True)
class Situation:
    id: str
    label: Text
    type: str  # boolean | choice | multi_choice | number | date
    options: tuple[Option, ...]
    unit: Text | None
    minimum: float | None
    maximum: float | None
    integer: bool
    help: Text | None
    when: Condition | None
    path: Path
    allow_none: bool = False  # a multi-choice that may be answered with no option at all

    def variable(self) -> condition_language.Variable:
        return condition_language.Variable(
            self.id, self.type, tuple(option.value for option in self.options),
            self.minimum, self.maximum, self.integer, may_be_unanswered=self.when is not None,
            allow_none=self.allow_none, label=(self.label.get("zh-CN"), self.label.get("en")),
            option_labels=tuple((option.label.get("zh-CN"), option.label.get("en")) for option in self.options))


@dataclass(frozen=True)
class EligibilityRule:
    id: str
    require: Condition
    message: Text
    path: Path


@dataclass(frozen=True)
class Fallback:
    department: str
    window: Text | None
    message: Text
    path: Path
    # Where and when a citizen finds the window: shown with every "not eligible" answer.
    address: Text | None = None
    phone: str | None = None
    hours: Text | None = None


@dataclass(frozen=True)
class BundleField:
    id: str
    catalogue_id: str  # the ``field`` key, defaulting to id
    label: Text | None
    help: Text | None
    required: bool
    when: Condition | None
    spec: FieldSpec  # bundle-level overrides / bundle-specific definition
    path: Path
    from_situation: str | None = None  # the field is the answer to this situation: never asked twice


@dataclass(frozen=True)
class BundleMaterial:
    id: str
    catalogue_id: str  # the ``material`` key, defaulting to id
    name: Text | None
    source: str  # applicant | shared | produced | generated
    shared_from: str | None
    channel: str | None
    produced_by: tuple[str, ...]  # alternatives: whichever of these items applies produces it
    form: str | None
    count: int
    requirement: str  # required | optional | deferrable
    when: Condition | None
    note: Text | None
    legal_basis: Text | None
    path: Path
    varies: tuple[Varies, ...] = ()


@dataclass(frozen=True)
class Result:
    name: Text
    materials: tuple[str, ...]
    delivery: tuple[str, ...]


@dataclass(frozen=True)
class After:
    item: str
    reason: Text
    path: Path


@dataclass(frozen=True)
class SpecialStage:
    kind: str
    name: Text | None
    days: int
    day_kind: str
    note: Text | None
    varies: tuple[Varies, ...] = ()


@dataclass(frozen=True)
class Item:
    id: str
    name: Text
    code: str | None
    department: str
    result: Result | None
    promised_days: int
    statutory_days: int | None
    visits: int
    steps: int
    fee: float | None
    when: Condition | None
    fields: tuple[str, ...]
    materials: tuple[str, ...]
    after: tuple[After, ...]
    special_stages: tuple[SpecialStage, ...]
    legal_basis: Text | None
    note: Text | None
    path: Path
    varies: tuple[Varies, ...] = ()
    combined_with: str | None = None  # 合并办理: handled in one step with this item

    @property
    def varying(self) -> bool:
        return bool(self.varies) or any(stage.varies for stage in self.special_stages)


@dataclass(frozen=True)
class Step:
    id: str
    name: Text
    kind: str
    owner: str
    time_limit: int
    items: tuple[str, ...]
    note: Text | None
    path: Path


@dataclass(frozen=True)
class Consultation:
    phone: str | None
    note: Text | None


@dataclass(frozen=True)
class Baseline:
    """Published figures for the bundle (before → after) and where they were published."""

    figures: Mapping[str, tuple[float | None, float | None]]  # materials | steps | days | visits
    source: Text
    date: str | None
    link: str | None
    note: Text | None
    path: Path


@dataclass(frozen=True)
class IllustrativeMark:
    """An ``illustrative: [keys]`` marker: the values under those keys of the mapping at ``path``
    are not taken from the cited source, so a province must confirm them locally. ``present`` is
    the mapping's keys as written, which the checker compares the listed keys with (E309)."""

    keys: tuple[str, ...]
    present: frozenset[str]
    path: Path  # of the mapping that holds the marker


@dataclass(frozen=True)
class FieldRule:
    """A cross-field rule (``field_rules:``): the sum of number fields (``terms``; one term is the
    field itself) compared, as ``op`` says, with a constant or another field (``limit``). Checked
    only when ``when`` holds and every field it names has a value; ``message`` is told on the
    fields when it fails."""

    id: str
    terms: tuple[str, ...]
    op: str  # equals | at_most | at_least | less_than | greater_than
    limit: float | str  # a number, or the id of a field
    message: Text
    when: Condition | None
    path: Path
    keys: frozenset[str] = frozenset()  # the keys as written (the checker reports two comparisons)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the rule reads, each once, in the order written."""
        return tuple(dict.fromkeys([*self.terms, *([self.limit] if isinstance(self.limit, str) else [])]))

    @property
    def terms_key(self) -> str:
        return "field" if len(self.terms) == 1 else "sum"


@dataclass(frozen=True)
class Bundle:
    id: str
    name: Text
    code: str | None
    version: str
    summary: Text | None
    service_object: str
    lead_department: str
    cooperating_departments: tuple[str, ...]
    visits: int | None
    delivery: tuple[str, ...]
    consultation: Consultation | None
    situations: tuple[Situation, ...]
    eligibility: tuple[EligibilityRule, ...]
    fallback: Fallback
    fields: tuple[BundleField, ...]
    materials: tuple[BundleMaterial, ...]
    items: tuple[Item, ...]
    steps: tuple[Step, ...]
    file: str
    conditions: tuple[NamedCondition, ...] = ()
    baseline: Baseline | None = None
    field_rules: tuple[FieldRule, ...] = ()
    illustrative: tuple[IllustrativeMark, ...] = ()

    @property
    def illustrative_count(self) -> int:
        """How many values the bundle marks illustrative (what a province must confirm locally)."""
        return sum(len(mark.keys) for mark in self.illustrative)

    def item(self, item_id: str) -> Item | None:
        """The first item with this id (None: no such item)."""
        return self._by_id[0].get(item_id)

    def material(self, material_id: str) -> BundleMaterial | None:
        """The first material with this id (None: no such material)."""
        return self._by_id[1].get(material_id)

    @functools.cached_property
    def _by_id(self) -> tuple[dict[str, Item], dict[str, BundleMaterial]]:
        # Indexed once per bundle, as ``_users``: rules ask for an entry per reference, and a scan
        # each was quadratic in a bundle's size. Reversed: the first of a repeated id wins.
        return ({item.id: item for item in reversed(self.items)},
                {material.id: material for material in reversed(self.materials)})

    def variables(self) -> dict[str, condition_language.Variable]:
        return {situation.id: situation.variable() for situation in self.situations}

    def typing_variables(self) -> dict[str, condition_language.Variable]:
        """What a condition as written may name: the situations and the named conditions."""
        found = self.variables()
        for named in self.conditions:
            found.setdefault(named.id, condition_language.Variable(named.id, "named"))
        return found

    def users(self, entry_id: str, kind: str) -> list[Item]:
        """The items whose ``kind`` ("fields" or "materials") lists the id, in file order."""
        return self._users.get((kind, entry_id), [])

    @functools.cached_property
    def _users(self) -> dict[tuple[str, str], list[Item]]:
        # Indexed once per bundle: the check's rules and the writers ask for every entry, and
        # scanning every item for each made both quadratic in the size of a bundle.
        index: dict[tuple[str, str], list[Item]] = {}
        for item in self.items:
            for kind in ("fields", "materials"):
                for entry_id in dict.fromkeys(getattr(item, kind)):
                    index.setdefault((kind, entry_id), []).append(item)
        return index
