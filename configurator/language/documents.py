"""Parsed YAML shared by the steps of one save. A form save locates its edit in the text as read,
checks the edited text and describes the change for the commit message: three readings of texts
the previous save (or the page) already parsed. Loading a 200-item bundle costs more than the
rest of the save, so each exact text is loaded once and kept, a few at a time.

The node tree an edit needs is kept for the newest text only: it is three objects per value,
and every full pass of the garbage collector walks what is kept (a few dozen kept trees of a big
bundle made those passes longer than the whole save).

Only the data and the nodes are shared, and every user only reads them; the file name (in
diagnostics and the source map) is each caller's own."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict

from yaml.nodes import Node

from configurator.language.loader import MAX_FILE_BYTES, LoadedYaml, load_yaml, load_yaml_and_nodes

_KEPT = 8  # the texts of a few saves in flight: the edited one and the one it was edited from
_NODES_KEPT = 1  # the text a save edits is the one the page or the previous save read last
_lock = threading.Lock()
_documents: OrderedDict[tuple[bytes, int], LoadedYaml] = OrderedDict()
_nodes: OrderedDict[bytes, Node | None] = OrderedDict()


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
        found, root = load_yaml_and_nodes(raw, filename, max_bytes=max_bytes)
        with _lock:
            _documents[key] = found
            while len(_documents) > _KEPT:
                _documents.popitem(last=False)
            _keep_nodes(raw, root)
    return _named(found, filename)


def shared_nodes(raw: bytes) -> Node | None:
    """The node tree of a text ``load_shared`` reads as usable (for locating an edit in it)."""
    with _lock:
        if raw in _nodes:
            _nodes.move_to_end(raw)
            return _nodes[raw]
    root = load_yaml_and_nodes(raw, "edit")[1]
    with _lock:
        _keep_nodes(raw, root)
    return root


def _keep_nodes(raw: bytes, root: Node | None) -> None:
    _nodes[raw] = root
    _nodes.move_to_end(raw)
    while len(_nodes) > _NODES_KEPT:
        _nodes.popitem(last=False)


def _named(loaded: LoadedYaml, filename: str) -> LoadedYaml:
    if loaded.source.filename == filename:
        return LoadedYaml(loaded.data, loaded.source, list(loaded.diagnostics))
    return LoadedYaml(loaded.data, loaded.source.renamed(filename),
                      [dataclasses.replace(d, file=filename) for d in loaded.diagnostics])
