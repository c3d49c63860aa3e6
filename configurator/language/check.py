"""The pure checking pipeline: bytes in, model and diagnostics out. No disk, no web, no CLI.

    load (YAML → data + source map) → schema → build the model → semantic rules

Catalogues go through the same load and schema steps, then are merged into one
``Catalogues`` value that every bundle is checked against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from configurator.diagnostics import Diagnostic, has_errors, sort_diagnostics
from configurator.language import modelbuilder as builder
from configurator.language.collector import collector_paused
from configurator.language.documents import load_shared
from configurator.language.loader import MAX_FILE_BYTES, load_yaml
from configurator.language.naming import bundle_names, catalogue_names, named
from configurator.language.patterns import pattern_problem
from configurator.language.rules import RuleContext, run_rules
from configurator.language.rules.identity import KIND_WORDS
from configurator.language.schema import BUNDLE_SCHEMA, CATALOGUE_SCHEMA, check_schema
from configurator.language.sourcemap import SourceMap
from configurator.model import Bundle, Catalogues


@dataclass(frozen=True)
class BundleCheck:
    filename: str
    bundle: Bundle | None  # None when the file could not be read or broke the schema
    diagnostics: list[Diagnostic]
    source: SourceMap | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@dataclass(frozen=True)
class CatalogueCheck:
    catalogues: Catalogues
    diagnostics: list[Diagnostic] = field(default_factory=list)


def check_bundle(raw: bytes, filename: str, catalogues: Catalogues, *,
                 max_bytes: int = MAX_FILE_BYTES, shared: bool = False) -> BundleCheck:
    """Check one bundle file's bytes. ``filename`` is how the file is named in diagnostics.
    ``shared``: the text is loaded through (and kept in) the few shared parses of documents."""
    with collector_paused():  # thousands of short-lived acyclic objects (see collector_paused)
        return _check_bundle(raw, filename, catalogues, max_bytes, shared)


def _check_bundle(raw: bytes, filename: str, catalogues: Catalogues, max_bytes: int, shared: bool) -> BundleCheck:
    loaded = (load_shared if shared else load_yaml)(raw, filename, max_bytes=max_bytes)
    if not loaded.usable:
        return BundleCheck(filename, None, sort_diagnostics(loaded.diagnostics), loaded.source)
    schema_problems = check_schema(loaded.data, loaded.source, BUNDLE_SCHEMA)
    if schema_problems:
        schema_problems = named(schema_problems, catalogue_names(catalogues))
        return BundleCheck(filename, None, sort_diagnostics(loaded.diagnostics + schema_problems), loaded.source)
    bundle = builder.build_bundle(loaded.data, filename)
    found = loaded.diagnostics + named(run_rules(RuleContext(bundle, catalogues, loaded.source)),
                                       bundle_names(bundle, catalogues))
    return BundleCheck(filename, bundle if not has_errors(found) else None, sort_diagnostics(found), loaded.source)


_CATALOGUE_BUILDERS: dict[str, Callable[[Any, str], list[Any]]] = {
    "departments": builder.build_departments,
    "materials": builder.build_materials,
    "fields": builder.build_fields,
}


def check_catalogues(files: Iterable[tuple[str, bytes]]) -> CatalogueCheck:
    """Check and merge catalogue files given as (name, bytes). A broken file contributes nothing;
    an id defined twice (in one file or across files) keeps its first definition."""
    diagnostics: list[Diagnostic] = []
    merged: dict[str, dict[str, tuple[Any, SourceMap]]] = {kind: {} for kind in _CATALOGUE_BUILDERS}
    for filename, raw in files:
        loaded = load_yaml(raw, filename)
        diagnostics.extend(loaded.diagnostics)
        if not loaded.usable:
            continue
        problems = check_schema(loaded.data, loaded.source, CATALOGUE_SCHEMA)
        diagnostics.extend(problems)
        if problems:
            continue
        for kind, build in _CATALOGUE_BUILDERS.items():
            known = merged[kind]
            for entry in build(loaded.data, filename):
                if entry.id not in known:
                    known[entry.id] = (entry, loaded.source)
                    continue
                first, first_source = known[entry.id]
                first_line = first_source.key_position(first.path + ("id",))[0]
                diagnostics.append(loaded.source.diagnostic(
                    "E307", entry.path + ("id",), kind=KIND_WORDS[kind], id=entry.id,
                    first_line=first_line if first.file == filename else f"{first.file}:{first_line}"))
    catalogues = Catalogues(**{kind: {key: entry for key, (entry, _) in known.items()}
                               for kind, known in merged.items()})
    for field_entry, source in merged["fields"].values():
        problem = pattern_problem(field_entry.spec.pattern) if field_entry.spec.pattern is not None else None
        if problem is not None:
            diagnostics.append(source.diagnostic("E211", field_entry.path + ("pattern",),
                                                 pattern=field_entry.spec.pattern, problem=problem))
    for material, source in merged["materials"].values():
        if material.issued_by is not None and material.issued_by not in catalogues.departments:
            diagnostics.append(source.diagnostic("E301", material.path + ("issued_by",), ref=material.issued_by))
    return CatalogueCheck(catalogues, sort_diagnostics(diagnostics))
