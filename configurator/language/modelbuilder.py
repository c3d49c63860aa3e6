"""Schema-valid data → the frozen model. Total over valid input: it never reports problems."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from configurator.language import conditions as lang
from configurator.model import (
    After,
    Baseline,
    Bundle,
    BundleField,
    BundleMaterial,
    CatalogueField,
    CatalogueMaterial,
    Condition,
    Consultation,
    Department,
    EligibilityRule,
    Fallback,
    FieldRule,
    FieldSpec,
    IllustrativeMark,
    Item,
    NamedCondition,
    Option,
    Path,
    Result,
    Situation,
    SpecialStage,
    Step,
    Text,
    ValueCase,
    Varies,
    text_or_none,
)

# The bundle's named conditions, expanded, while one bundle is being built (see build_bundle).
_Named = Mapping[str, lang.Expr]


def _make(text: str, path: Path, named: _Named) -> Condition:
    return Condition(text, path, lang.expanded_text(text, named))


def _condition(data: Mapping[str, Any], key: str, path: Path, named: _Named = {}) -> Condition | None:  # noqa: B006
    return _make(data[key], path + (key,), named) if key in data else None


def _value(raw: Any) -> Any:
    """The default of a value that may be given as ``{cases: [...], default: ...}``."""
    return raw["default"] if isinstance(raw, Mapping) else raw


def _varies(attribute: str, raw: Any, path: Path, named: _Named) -> tuple[Varies, ...]:
    if not isinstance(raw, Mapping):
        return ()
    cases = tuple(ValueCase(_make(case["when"], path + ("cases", j, "when"), named), case["value"],
                            path + ("cases", j))
                  for j, case in enumerate(raw["cases"]))
    return (Varies(attribute, cases, path),)


def _ids(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _options(raw: list[Mapping[str, Any]] | None) -> tuple[Option, ...]:
    return tuple(Option(o["value"], Text.of(o["label"]), text_or_none(o.get("help"))) for o in raw or ())


def field_spec(data: Mapping[str, Any]) -> FieldSpec:
    return FieldSpec(
        type=data.get("type"),
        options=_options(data.get("options")),
        min_length=data.get("min_length"),
        max_length=data.get("max_length"),
        pattern=data.get("pattern"),
        minimum=data.get("minimum"),
        maximum=data.get("maximum"),
        unit=text_or_none(data.get("unit")),
        placeholder=text_or_none(data.get("placeholder")),
        sensitive=data.get("sensitive"),
    )


def build_departments(data: Mapping[str, Any], file: str) -> list[Department]:
    return [
        Department(d["id"], Text.of(d["name"]), text_or_none(d.get("short_name")),
                   text_or_none(d.get("note")), ("departments", index), file)
        for index, d in enumerate(data.get("departments", ()))
    ]


def build_materials(data: Mapping[str, Any], file: str) -> list[CatalogueMaterial]:
    return [
        CatalogueMaterial(m["id"], Text.of(m["name"]), m.get("kind"), m.get("issued_by"),
                          bool(m.get("e_licence", False)), text_or_none(m.get("legal_basis")),
                          text_or_none(m.get("note")), ("materials", index), file)
        for index, m in enumerate(data.get("materials", ()))
    ]


def build_fields(data: Mapping[str, Any], file: str) -> list[CatalogueField]:
    return [
        CatalogueField(f["id"], Text.of(f["label"]), text_or_none(f.get("help")), field_spec(f),
                       ("fields", index), file)
        for index, f in enumerate(data.get("fields", ()))
    ]


def build_bundle(data: Mapping[str, Any], file: str) -> Bundle:
    raw_named = data.get("conditions", ())
    named = lang.expand_definitions([(c["id"], c["when"]) for c in raw_named])
    named_conditions = tuple(
        NamedCondition(c["id"], text_or_none(c.get("label")),
                       _make(c["when"], ("conditions", i, "when"), named), ("conditions", i))
        for i, c in enumerate(raw_named))
    situations = tuple(
        Situation(
            s["id"], Text.of(s["label"]), s["type"], _options(s.get("options")),
            text_or_none(s.get("unit")), s.get("minimum"), s.get("maximum"),
            bool(s.get("integer", False)), text_or_none(s.get("help")),
            _condition(s, "when", ("situations", i), named), ("situations", i),
            allow_none=bool(s.get("allow_none", False)))
        for i, s in enumerate(data["situations"])
    )
    eligibility = tuple(
        EligibilityRule(r["id"], _make(r["require"], ("eligibility", i, "require"), named),
                        Text.of(r["message"]), ("eligibility", i))
        for i, r in enumerate(data.get("eligibility", ()))
    )
    fb = data["fallback"]
    fallback = Fallback(fb["department"], text_or_none(fb.get("window")), Text.of(fb["message"]), ("fallback",),
                        text_or_none(fb.get("address")), fb.get("phone"), text_or_none(fb.get("hours")))
    fields = tuple(
        BundleField(
            f["id"], f.get("field", f["id"]), text_or_none(f.get("label")), text_or_none(f.get("help")),
            bool(f.get("required", True)), _condition(f, "when", ("fields", i), named), field_spec(f),
            ("fields", i), f.get("from_situation"))
        for i, f in enumerate(data["fields"])
    )
    materials = tuple(
        BundleMaterial(
            m["id"], m.get("material", m["id"]), text_or_none(m.get("name")), m["source"],
            m.get("shared_from"), m.get("channel"), _ids(m.get("produced_by")), m.get("form"),
            int(m.get("count", 1)), _value(m.get("requirement", "required")),
            _condition(m, "when", ("materials", i), named), text_or_none(m.get("note")),
            text_or_none(m.get("legal_basis")), ("materials", i),
            _varies("requirement", m.get("requirement"), ("materials", i, "requirement"), named))
        for i, m in enumerate(data["materials"])
    )
    items = tuple(_item(raw, ("items", i), named) for i, raw in enumerate(data["items"]))
    steps = tuple(
        Step(s["id"], Text.of(s["name"]), s["kind"], s["owner"], s["time_limit"],
             tuple(s.get("items", ())), text_or_none(s.get("note")), ("steps", i))
        for i, s in enumerate(data["steps"])
    )
    consultation = data.get("consultation")
    return Bundle(
        id=data["id"],
        name=Text.of(data["name"]),
        code=data.get("code"),
        version=str(data["version"]),
        summary=text_or_none(data.get("summary")),
        service_object=data["service_object"],
        lead_department=data["lead_department"],
        cooperating_departments=tuple(data.get("cooperating_departments", ())),
        visits=data.get("visits"),
        delivery=tuple(data.get("delivery", ())),
        consultation=Consultation(consultation.get("phone"), text_or_none(consultation.get("note")))
        if consultation else None,
        situations=situations,
        eligibility=eligibility,
        fallback=fallback,
        fields=fields,
        materials=materials,
        items=items,
        steps=steps,
        file=file,
        conditions=named_conditions,
        baseline=_baseline(data.get("baseline")),
        field_rules=tuple(_field_rule(r, ("field_rules", i), named) for i, r in enumerate(data.get("field_rules", ()))),
        illustrative=tuple(_illustrative(data)),
    )


def _marked_mappings(data: Mapping[str, Any]) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """Every mapping where the schema allows an ``illustrative:`` marker, with its path."""
    yield (), data
    for key in ("situations", "materials", "steps"):
        for i, entry in enumerate(data.get(key, ())):
            yield (key, i), entry
    yield ("fallback",), data["fallback"]
    for i, item in enumerate(data["items"]):
        yield ("items", i), item
        yield ("items", i, "time_limit"), item["time_limit"]
        for j, stage in enumerate(item.get("special_stages", ())):
            yield ("items", i, "special_stages", j), stage
    for key, figure in data.get("baseline", {}).get("figures", {}).items():
        yield ("baseline", "figures", key), figure


def _illustrative(data: Mapping[str, Any]) -> Iterator[IllustrativeMark]:
    for path, mapping in _marked_mappings(data):
        if "illustrative" in mapping:
            yield IllustrativeMark(tuple(mapping["illustrative"]), frozenset(mapping) - {"illustrative"}, path)


# The comparisons a field rule may make, in the order they are looked for.
RULE_OPS = ("equals", "at_most", "at_least", "less_than", "greater_than")
# Differences of at most this much count as none, in every reading of a rule (server, portal, check),
# so Python and JavaScript agree on decimal shares that add up to 100.
RULE_TOLERANCE = 1e-6


def _field_rule(raw: Mapping[str, Any], path: Path, named: _Named) -> FieldRule:
    """Total over schema-valid data: a rule missing its fields or its comparison (or with two)
    is built with what it has, and the checker says what is wrong (E411)."""
    terms = tuple(raw["sum"]) if "sum" in raw else (raw["field"],) if "field" in raw else ()
    op = next((key for key in RULE_OPS if key in raw), "")
    return FieldRule(raw["id"], terms, op, raw[op] if op else 0, Text.of(raw["message"]),
                     _condition(raw, "when", path, named), path, frozenset(raw))


def _baseline(raw: Mapping[str, Any] | None) -> Baseline | None:
    if raw is None:
        return None
    figures = {key: (value.get("before"), value.get("after")) for key, value in raw["figures"].items()}
    return Baseline(figures, Text.of(raw["source"]), raw.get("date"), raw.get("link"),
                    text_or_none(raw.get("note")), ("baseline",))


def _item(raw: Mapping[str, Any], path: Path, named: _Named) -> Item:
    result = raw.get("result")
    limit = raw["time_limit"]
    limit_path = path + ("time_limit",)
    return Item(
        id=raw["id"],
        name=Text.of(raw["name"]),
        code=raw.get("code"),
        department=raw["department"],
        result=Result(Text.of(result["name"]), tuple(result.get("materials", ())),
                      tuple(result.get("delivery", ()))) if result else None,
        promised_days=_value(limit["promised"]),
        statutory_days=_value(limit.get("statutory")),
        visits=_value(raw["visits"]),
        steps=raw["steps"],
        fee=raw.get("fee"),
        when=_condition(raw, "when", path, named),
        fields=tuple(raw.get("fields", ())),
        materials=tuple(raw.get("materials", ())),
        after=tuple(After(a["item"], Text.of(a["reason"]), path + ("after", j))
                    for j, a in enumerate(raw.get("after", ()))),
        special_stages=tuple(
            SpecialStage(s["kind"], text_or_none(s.get("name")), _value(s["days"]), s.get("day_kind", "working"),
                         text_or_none(s.get("note")),
                         _varies("days", s["days"], path + ("special_stages", j, "days"), named))
            for j, s in enumerate(raw.get("special_stages", ()))),
        legal_basis=text_or_none(raw.get("legal_basis")),
        note=text_or_none(raw.get("note")),
        path=path,
        varies=(_varies("promised_days", limit["promised"], limit_path + ("promised",), named)
                + _varies("statutory_days", limit.get("statutory"), limit_path + ("statutory",), named)
                + _varies("visits", raw["visits"], path + ("visits",), named)),
        combined_with=raw.get("combined_with"),
    )
