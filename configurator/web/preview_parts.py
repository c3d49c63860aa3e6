"""What the preview shows, worked out once per bundle text, catalogues and language.

The preview page itself shows only what is cheap: the form as applicants see it. The figures, the
routing diagram and the one-time notice all need the bundle's cases enumerated (seconds for a
bundle of hundreds of items), so the page fetches them after it has loaded (``parts``, one JSON
answer) and shows them when they arrive.

Both are cached by what they are made of — the bundle's exact bytes (SHA-256), the catalogues'
stamp (main's commit in a git workspace) and the language — which never change under a key: a
save makes a new key, and going back to an earlier text finds its entry again. The compiled model
is shared by the page and its parts, so its cases are enumerated once.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, render_template

from configurator.model import Bundle, Catalogues
from configurator.planning.compiled import Compiled

T = TypeVar("T")
ENTRIES = 32  # bundle versions kept (each: the compiled model and what was rendered from it)
# Compiled models kept, newest first: one of a 200-item bundle with its cases is tens of thousands
# of objects, and the cyclic GC walks every kept object at each full collection (32 of them made
# saves pause for a quarter of a second every few rounds). The rendered strings, which the GC does
# not walk, are kept for all ENTRIES.
COMPILED_KEPT = 4


class PreviewCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[str, ...], dict[str, Any]] = OrderedDict()
        self.making: dict[tuple[str, ...], threading.Lock] = {}

    def get(self, key: tuple[str, ...], part: str, make: Callable[[], T]) -> T:
        """``make()`` once per key and part: a request that asks while another makes it waits for it
        (the page's parts and a second tab never enumerate the same cases twice)."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and part in entry:
                self.entries.move_to_end(key)
                return entry[part]  # type: ignore[no-any-return]
            gate = self.making.setdefault(key + (part,), threading.Lock())
        with gate:
            with self.lock:
                entry = self.entries.get(key)
                if entry is not None and part in entry:
                    return entry[part]  # type: ignore[no-any-return]
            value = make()
            with self.lock:
                self.entries.setdefault(key, {})[part] = value
                self.entries.move_to_end(key)
                while len(self.entries) > ENTRIES:
                    self.entries.popitem(last=False)
                models = [entry for entry in self.entries.values() if "compiled" in entry]
                for entry in models[:-COMPILED_KEPT]:  # oldest first: all but the newest go
                    del entry["compiled"]
                self.making.pop(key + (part,), None)
        return value


def _cache() -> PreviewCache:
    found = current_app.extensions.get("configurator.preview.cache")
    if found is None:
        found = current_app.extensions.setdefault("configurator.preview.cache", PreviewCache())
    return found  # type: ignore[no-any-return]


def key(bundle_id: str, text: str, lang: str, catalogues: tuple[object, ...]) -> tuple[str, ...]:
    """The cache key of a bundle's text as checked with catalogues of this stamp (store.catalogues_at)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return (bundle_id, digest, repr(catalogues), lang)


def compiled(found: tuple[str, ...], bundle: Bundle, lang: str, catalogues: Catalogues) -> Compiled:
    return _cache().get(found, "compiled", lambda: Compiled(bundle, catalogues, lang))


def form_html(found: tuple[str, ...], bundle: Bundle, lang: str, catalogues: Catalogues) -> str:
    from configurator.writers.form_html import write_form_html

    return _cache().get(found, "form.html", lambda: write_form_html(compiled(found, bundle, lang, catalogues)))


def parts(found: tuple[str, ...], bundle: Bundle, lang: str, catalogues: Catalogues) -> dict[str, str]:
    """The page's figures, diagram and notice as HTML fragments (escaped by the templates)."""
    return _cache().get(found, "parts", lambda: _render_parts(compiled(found, bundle, lang, catalogues)))


def _render_parts(model: Compiled) -> dict[str, str]:
    from configurator.present.report import search_warnings
    from configurator.web.diagram import routing_svg
    from configurator.writers.metrics import write_metrics
    from configurator.writers.notice import write_notice_html

    figures = json.loads(write_metrics(model))
    return {
        "figures": render_template("configurator/_preview_figures.html", figures=figures["overall"],
                                   case_search=figures["case_search"], search_warnings=search_warnings(model),
                                   inexact=not model.case_search.figures_exact,
                                   baseline=figures.get("baseline"), illustrative=figures["illustrative_values"]),
        "diagram": routing_svg(model),
        "notice": render_template("configurator/_preview_notice.html", notice=write_notice_html(model)),
    }
