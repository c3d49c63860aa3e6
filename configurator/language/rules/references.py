"""Every id a bundle refers to exists: departments, catalogue entries, bundle entries, items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from configurator.diagnostics import Diagnostic
from configurator.language.conditions import suggest
from configurator.language.rules.context import RuleContext
from configurator.model import BundleMaterial, Path


def _unknown(context: RuleContext, code: str, path: Path, ref: str, known: Iterable[str]) -> Diagnostic:
    params: dict[str, Any] = {"ref": ref}
    suggestion = suggest(ref, list(known))
    if suggestion:
        params["suggestion"] = suggestion
    return context.at(code, path, **params)


def produced_by_path(material: BundleMaterial, index: int) -> Path:
    """``produced_by: x`` or its index-th entry in ``produced_by: [x, y]``."""
    single = len(material.produced_by) == 1
    return material.path + (("produced_by",) if single else ("produced_by", index))


def check_departments(context: RuleContext) -> Iterable[Diagnostic]:
    bundle = context.bundle
    known: Mapping[str, Any] = context.catalogues.departments
    stated: list[tuple[str | None, Path]] = [(bundle.lead_department, ("lead_department",))]
    stated += [(d, ("cooperating_departments", i)) for i, d in enumerate(bundle.cooperating_departments)]
    stated += [(bundle.fallback.department, ("fallback", "department"))]
    stated += [(item.department, item.path + ("department",)) for item in bundle.items]
    stated += [(m.shared_from, m.path + ("shared_from",)) for m in bundle.materials]
    for department, path in stated:
        if department is not None and department not in known:
            yield _unknown(context, "E301", path, department, known)
    for step in bundle.steps:
        if step.owner != "applicant" and step.owner not in known:
            yield _unknown(context, "E308", step.path + ("owner",), step.owner, [*known, "applicant"])


def check_catalogue_entries(context: RuleContext) -> Iterable[Diagnostic]:
    """Bundle fields and materials either name a catalogue entry or define themselves."""
    catalogues = context.catalogues
    for material in context.bundle.materials:
        if material.catalogue_id not in catalogues.materials and material.name is None:
            key = "material" if material.catalogue_id != material.id else "id"
            yield _unknown(context, "E302", material.path + (key,), material.catalogue_id, catalogues.materials)
    for field in context.bundle.fields:
        if field.catalogue_id not in catalogues.fields and (field.spec.type is None or field.label is None):
            key = "field" if field.catalogue_id != field.id else "id"
            yield _unknown(context, "E303", field.path + (key,), field.catalogue_id, catalogues.fields)
    local_materials = {m.catalogue_id for m in context.bundle.materials if m.name is not None}
    for item in context.bundle.items:
        if item.result is None:
            continue
        for index, material_id in enumerate(item.result.materials):
            if material_id not in catalogues.materials and material_id not in local_materials:
                yield _unknown(context, "E302", item.path + ("result", "materials", index), material_id,
                               catalogues.materials)


def check_bundle_entries(context: RuleContext) -> Iterable[Diagnostic]:
    """Items refer to the bundle's own fields and materials, and to items that exist."""
    bundle = context.bundle
    field_ids = [f.id for f in bundle.fields]
    material_ids = [m.id for m in bundle.materials]
    item_ids = [i.id for i in bundle.items]
    # looked up in sets (a list scanned per reference was quadratic); the lists, in file order,
    # are what a "did you mean" suggestion is picked from
    fields, materials, items = set(field_ids), set(material_ids), set(item_ids)
    for item in bundle.items:
        for index, field_id in enumerate(item.fields):
            if field_id not in fields:
                yield _unknown(context, "E306", item.path + ("fields", index), field_id, field_ids)
        for index, material_id in enumerate(item.materials):
            if material_id not in materials:
                yield _unknown(context, "E305", item.path + ("materials", index), material_id, material_ids)
        for entry in item.after:
            if entry.item not in items:
                yield _unknown(context, "E304", entry.path + ("item",), entry.item, item_ids)
    for material in bundle.materials:
        for index, producer in enumerate(material.produced_by):
            if producer not in items:
                yield _unknown(context, "E304", produced_by_path(material, index), producer, item_ids)
    for step in bundle.steps:
        for index, item_id in enumerate(step.items):
            if item_id not in items:
                yield _unknown(context, "E304", step.path + ("items", index), item_id, item_ids)


RULES = [check_departments, check_catalogue_entries, check_bundle_entries]
