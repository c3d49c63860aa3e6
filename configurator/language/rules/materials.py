"""Where each material comes from is stated consistently; nothing is declared for nobody."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.diagnostics import Diagnostic, localized
from configurator.language.rules.context import RuleContext
from configurator.language.rules.references import produced_by_path

_SOURCE_KEYS = {
    # key → the only source it belongs to
    "shared_from": "shared",
    "channel": "shared",
    "produced_by": "produced",
}
_FIX = {
    "shared": localized("删除这个键，或把 source 改为 shared", "remove the key, or set source: shared"),
    "produced": localized("删除这个键，或把 source 改为 produced", "remove the key, or set source: produced"),
}


def check_producer_produces(context: RuleContext) -> Iterable[Diagnostic]:
    bundle = context.bundle
    for material in bundle.materials:
        if material.source != "produced":
            continue
        for index, producer_id in enumerate(material.produced_by):
            producer = bundle.item(producer_id)
            if producer is None:
                continue  # unknown item: reported by the references rules
            produced = producer.result.materials if producer.result else ()
            if material.catalogue_id not in produced:
                yield context.at("E502", produced_by_path(material, index), material=material.id,
                                 item=producer.id, catalogue_id=material.catalogue_id)


def check_source_keys(context: RuleContext) -> Iterable[Diagnostic]:
    for material in context.bundle.materials:
        for key, source in _SOURCE_KEYS.items():
            if getattr(material, key) not in (None, ()) and material.source != source:
                yield context.at_key("E511", material.path + (key,), material=material.id,
                                     source=material.source, key=key, fix=_FIX[source])


def check_unused(context: RuleContext) -> Iterable[Diagnostic]:
    bundle = context.bundle
    used_materials = {m for item in bundle.items for m in item.materials}
    used_fields = {f for item in bundle.items for f in item.fields}
    for material in bundle.materials:
        if material.id not in used_materials:
            yield context.at("W509", material.path + ("id",), kind=localized("材料", "material"), id=material.id)
    for field in bundle.fields:
        if field.id not in used_fields:
            yield context.at("W509", field.path + ("id",), kind=localized("字段", "field"), id=field.id)


RULES = [check_producer_produces, check_source_keys, check_unused]
