"""Where each value of a YAML file stands: libyaml's composer (one reading of the text) and the
source map that turns a value's path in the data into a file, line and column.

A file's node tree is not kept: a loaded file keeps its text, and the first diagnostic that needs a
place composes it again and keeps only plain tuples of line and column (see Spot). A valid file
never pays for a position table, and a kept parse holds no node objects for every full pass of the
garbage collector to walk (the admin keeps a few dozen parses of big bundles)."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.cyaml import CParser  # type: ignore[attr-defined]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from configurator.diagnostics import Diagnostic
from configurator.language.collector import collector_paused

_DEFAULT_TAGS = {ScalarNode: yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
                 SequenceNode: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                 MappingNode: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG}


class _NoImplicitResolver(yaml.resolver.BaseResolver):
    """Every untagged node gets its kind's default tag; resolve_plain_scalar decides a scalar's
    type. libyaml's composer asks the resolver about every node: PyYAML's general resolver
    (implicit and path resolvers we never use) took a quarter of the time of a whole check."""

    yaml_implicit_resolvers: dict[Any, Any] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


class _Composer(CParser, _NoImplicitResolver):
    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        _NoImplicitResolver.__init__(self)


# Where one value stands: (line, column, scalar style, children). Children are None for a scalar,
# {key: (key line, key column, spot)} for a mapping and [spot, ...] for a list. Plain tuples of
# numbers and text, which the garbage collector stops tracking: a node tree is three objects per
# value, all tracked.
Spot = tuple[int, int, str | None, Any]


def compose(text: str) -> Node | None:
    """libyaml's node tree of ``text`` (its marks locate every value; None for an empty text).
    Raises yaml.YAMLError where the text is not YAML (``load_yaml`` turns that into E105)."""
    with collector_paused():
        composer = _Composer(text)
        try:
            root: Node | None = composer.get_single_node()
        finally:
            composer.dispose()
    return root


def _spot(node: Node, seen: set[int]) -> Spot:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if id(node) in seen:  # an alias: refused when loading, and never expanded here
        return (line, column, None, None)
    seen.add(id(node))
    if isinstance(node, MappingNode):
        children: dict[str, tuple[int, int, Spot]] = {}
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value not in children:  # the first of repeated keys
                children[key.value] = (key.start_mark.line + 1, key.start_mark.column + 1, _spot(value, seen))
        return (line, column, None, children)
    if isinstance(node, SequenceNode):
        return (line, column, None, [_spot(child, seen) for child in node.value])
    assert isinstance(node, ScalarNode)
    return (line, column, node.style or None, None)


class _Located:
    """The text of one document and, once a location is first asked for, its spots. Valid files
    are rarely asked (only diagnostics need a place), so the text is composed again then instead
    of keeping every parse's nodes from the start."""

    def __init__(self, text: str | None) -> None:
        self.text = text
        self._root: Spot | None = None

    def root(self) -> Spot | None:
        if self._root is None and self.text is not None:
            with collector_paused():  # the nodes are freed before the collector is back (see load_yaml)
                node = compose(self.text)
                self._root = None if node is None else _spot(node, set())
                del node
        return self._root


class SourceMap:
    """Finds where a value (by its path in the data) stands in the file."""

    def __init__(self, filename: str, text: str | None, *, _located: _Located | None = None) -> None:
        self.filename = filename
        self._located = _located or _Located(text)

    def renamed(self, filename: str) -> SourceMap:
        """The same document under another file name (sharing the spots once found)."""
        return SourceMap(filename, None, _located=self._located)

    def _walk(self, path: tuple[str | int, ...]) -> tuple[Spot | None, tuple[int, int] | None]:
        """The deepest value reached along ``path`` and the place of the key that introduced it."""
        spot, key = self._located.root(), None
        for part in path:
            children = spot[3] if spot is not None else None
            if isinstance(children, dict):
                found = children.get(str(part))
                if found is None:
                    break
                key, spot = (found[0], found[1]), found[2]
            elif isinstance(children, list) and isinstance(part, int) and 0 <= part < len(children):
                spot, key = children[part], None
            else:
                break
        return spot, key

    def position(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path``, or of the nearest enclosing value."""
        spot, _ = self._walk(path)
        return (1, 1) if spot is None else (spot[0], spot[1])

    def key_position(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        """1-based (line, column) of the key whose value is at ``path`` (the value itself if none)."""
        spot, key = self._walk(path)
        if key is not None:
            return key
        return (1, 1) if spot is None else (spot[0], spot[1])

    def scalar_style(self, path: tuple[str | int, ...]) -> str | None:
        """How the scalar at ``path`` was written: None (plain), "'", '"', '|' or '>'."""
        spot, _ = self._walk(path)
        return spot[2] if spot is not None else None

    def diagnostic(self, code: str, path: tuple[str | int, ...], *, at_key: bool = False,
                   column_offset: int = 0, **params: Any) -> Diagnostic:
        line, column = self.key_position(path) if at_key else self.position(path)
        return Diagnostic(code, self.filename, line, column + column_offset, path, params)
