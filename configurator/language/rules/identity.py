"""Every id is unique where it must be; a bundle's id is its file name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath

from configurator.diagnostics import Diagnostic, localized
from configurator.language.rules.context import RuleContext
from configurator.model import Path

KIND_WORDS = {
    "departments": localized("部门", "department"),
    "situations": localized("情形", "situation"),
    "eligibility": localized("受理条件", "eligibility rule"),
    "fields": localized("字段", "field"),
    "materials": localized("材料", "material"),
    "items": localized("事项", "item"),
    "steps": localized("环节", "step"),
    "options": localized("选项", "option"),
    "conditions": localized("命名条件", "named condition"),
    "field_rules": localized("跨字段规则", "cross-field rule"),
}


def duplicates(context: RuleContext, kind: str, entries: Sequence[tuple[str, Path]]) -> Iterable[Diagnostic]:
    first: dict[str, Path] = {}
    for identifier, path in entries:
        if identifier in first:
            yield context.at("E307", path, kind=KIND_WORDS[kind], id=identifier,
                             first_line=context.line_of(first[identifier]))
        else:
            first[identifier] = path


def check_unique_ids(context: RuleContext) -> Iterable[Diagnostic]:
    bundle = context.bundle
    yield from duplicates(context, "situations", [(s.id, s.path + ("id",)) for s in bundle.situations])
    yield from duplicates(context, "eligibility", [(r.id, r.path + ("id",)) for r in bundle.eligibility])
    yield from duplicates(context, "fields", [(f.id, f.path + ("id",)) for f in bundle.fields])
    yield from duplicates(context, "materials", [(m.id, m.path + ("id",)) for m in bundle.materials])
    yield from duplicates(context, "items", [(i.id, i.path + ("id",)) for i in bundle.items])
    yield from duplicates(context, "steps", [(s.id, s.path + ("id",)) for s in bundle.steps])
    yield from duplicates(context, "field_rules", [(r.id, r.path + ("id",)) for r in bundle.field_rules])
    for situation in bundle.situations:
        yield from duplicates(context, "options", [
            (option.value, situation.path + ("options", index, "value"))
            for index, option in enumerate(situation.options)])
    for field in bundle.fields:
        yield from duplicates(context, "options", [
            (option.value, field.path + ("options", index, "value"))
            for index, option in enumerate(field.spec.options)])


def check_id_matches_file_name(context: RuleContext) -> Iterable[Diagnostic]:
    bundle = context.bundle
    name = PurePath(bundle.file).name
    stem = name.rsplit(".", 1)[0]
    if stem != bundle.id:
        yield context.at("E210", ("id",), id=bundle.id, filename=name, stem=stem)


RULES = [check_unique_ids, check_id_matches_file_name]
