"""Parsed YAML shared by the steps of one save. A form save locates its edit in the text as read,
checks the edited text and describes the change for the commit message: three readings of texts
the previous save (or the page) already parsed. Loading a 200-item bundle costs more than the
rest of the save, so each exact text is loaded once and kept, a few at a time.

A kept reading holds the data and the text, not libyaml's node tree (three objects per value,
walked by every full pass of the garbage collector): an edit composes the nodes it needs itself.

Only the data and the source map are shared, and every user only reads them; the file name (in
diagnostics and the source map) is each caller's own."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict

from configurator.language.loader import MAX_FILE_BYTES, LoadedYaml, load_yaml

_KEPT = 8  # the texts of a few saves in flight: the edited one and the one it was edited from
_lock = threading.Lock()
_documents: OrderedDict[tuple[bytes, int], LoadedYaml] = OrderedDict()


def load_shared(raw: bytes, filename: str, *, max_bytes: int = MAX_FILE_BYTES) -> LoadedYaml:
    """``load_yaml(raw, filename)``, loaded once for the exact bytes (the caller only reads it)."""
    if len(raw) > max_bytes or type(raw) is not bytes:  # refused at once (E101); an Oversized keeps its size
        return load_yaml(raw, filename, max_bytes=max_bytes)
    key = (raw, max_bytes)
    with _lock:
        found = _documents.get(key)
        if found is not None:
            _documents.move_to_end(key)
    if found is None:
        found = load_yaml(raw, filename, max_bytes=max_bytes)
        with _lock:
            _documents[key] = found
            while len(_documents) > _KEPT:
                _documents.popitem(last=False)
    return _named(found, filename)


def _named(loaded: LoadedYaml, filename: str) -> LoadedYaml:
    if loaded.source.filename == filename:
        return LoadedYaml(loaded.data, loaded.source, list(loaded.diagnostics))
    return LoadedYaml(loaded.data, loaded.source.renamed(filename),
                      [dataclasses.replace(d, file=filename) for d in loaded.diagnostics])
