"""Editing a YAML file the way a person would: change exactly the text that must change.

The admin's structured forms turn into a list of edits (set this value, set this list, add
this entry). Each edit is applied to the text at the place the YAML node stands, found with
the loader's node marks: comments, key order, quoting and every untouched line stay as they
were, changing one value changes one line, and a form saved without changes leaves the file
byte for byte identical. New values are written so that our loader reads them back exactly
(text that would read as a number or a boolean is quoted).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from configurator.language.collector import collector_paused
from configurator.language.documents import load_shared
from configurator.language.loader import ValueBuilder, plain_scalar_is_text
from configurator.language.sourcemap import compose

Path = tuple[str | int, ...]

# Plain text that YAML would read as something else, or not at all, gets quotes.
_NEEDS_QUOTES = re.compile(r"""^[-?:,\[\]{}#&*!|>'"%@`\s]|[:#]\s|\s#|:$|^\s|\s$|[,\[\]{}\x00-\x1f\x7f-\x9f\ufeff\u2028\u2029]""")
# Text our loader keeps as text but YAML 1.1 readers (and editors) would not: 010203, yes, 1:30.
_LOOKS_TYPED = re.compile(r"^(?:[-+.]?[0-9][0-9_:.eE+-]*|yes|no|on|off|y|n|true|false|null|~)$", re.IGNORECASE)


class EditError(ValueError):
    """An edit that does not fit the document (a path that is not there, a wrong kind of node)."""


@dataclass(frozen=True)
class SetValue:
    """Set a scalar, a list of scalars, or a mapping of scalars; add the key if it is missing."""

    path: Path
    value: Any
    # Keys that come after this one, in the order a person writes them (the schema's): a key that is
    # missing is added before the first of these present, not at the end of its mapping.
    before: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeleteKey:
    path: Path


@dataclass(frozen=True)
class AppendEntry:
    """Add an entry (a scalar or a mapping of simple values) at the end of a list."""

    path: Path
    value: Any


@dataclass(frozen=True)
class DeleteEntry:
    """Remove one entry of a list (its lines in a block list)."""

    path: Path


@dataclass(frozen=True)
class MoveEntry:
    """Swap one entry of a list with its neighbour (``step`` -1: up, +1: down), comments moving with it."""

    path: Path
    step: int


Edit = SetValue | DeleteKey | AppendEntry | DeleteEntry | MoveEntry


def render_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if plain_scalar_is_text(text) and not _NEEDS_QUOTES.search(text) and not _LOOKS_TYPED.match(text):
        return text
    return double_quoted(text)


# \u2028 and \u2029 are printable for YAML but line breaks for most editors and for Python's
# splitlines: written raw they would make one value look like two lines in a diff.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r",
            "\u2028": "\\L", "\u2029": "\\P"}


def _printable(char: str) -> bool:
    """YAML's printable set: what a file may hold unescaped (and our loader accepts)."""
    code = ord(char)
    return (code in (0x09, 0x0A, 0x0D) or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF) or 0x10000 <= code <= 0x10FFFF)


def double_quoted(text: str) -> str:
    """A double-quoted YAML scalar, with every character YAML does not allow raw escaped."""
    out = []
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _printable(char):
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def render_flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(render_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_scalar(k)}: {render_flow(v)}" for k, v in value.items()) + "}"
    return render_scalar(value)


def render_block_entry(value: Any, indent: int) -> str:
    """A list entry at ``indent`` spaces: ``- scalar`` or ``- key: value`` lines."""
    pad = " " * indent
    if not isinstance(value, dict):
        return f"{pad}- {render_flow(value)}\n"
    lines = []
    for index, (key, item) in enumerate(value.items()):
        prefix = f"{pad}- " if index == 0 else f"{pad}  "
        lines.append(f"{prefix}{render_scalar(key)}:{render_block_value(item, indent + 2)}")
    return "".join(lines)


def render_block_value(value: Any, indent: int) -> str:
    """What follows ``key:`` in a block mapping at ``indent``: short values inline, as a person writes
    them; lists of mappings and larger mappings as indented blocks."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "\n" + "".join(render_block_entry(v, indent + 2) for v in value)
    if isinstance(value, dict) and value and (len(value) > 3 or any(isinstance(v, (dict, list)) for v in value.values())):
        pad = " " * (indent + 2)
        return "\n" + "".join(f"{pad}{render_scalar(k)}:{render_block_value(v, indent + 2)}" for k, v in value.items())
    return f" {render_flow(value)}\n"


def _walk(root: Node, path: Path) -> tuple[Node | None, Node | None, MappingNode | None]:
    """(value node, key node, parent mapping) at ``path``; value None when the last key is missing."""
    node: Node | None = root
    key_node: Node | None = None
    parent: MappingNode | None = None
    for position, part in enumerate(path):
        last = position == len(path) - 1
        if isinstance(node, MappingNode):
            found = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(part)), None)
            if found is None:
                if last:
                    return None, None, node
                raise EditError(f"no key {part!r} at {path[:position]}")
            parent, (key_node, node) = node, found
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            parent, key_node, node = None, None, node.value[part]
        else:
            raise EditError(f"cannot follow {part!r} at {path[:position]}")
    return node, key_node, parent


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _content_end(text: str, node: Node) -> int:
    """Where a node's own text ends: before the line breaks and comments a block node swallows."""
    end = node.end_mark.index
    if isinstance(node, ScalarNode) and not node.style:
        return end
    if isinstance(node, (MappingNode, SequenceNode)) and node.flow_style:
        return end
    # Block collections end at the next token: step back over trailing blank and comment lines.
    cursor = end
    while cursor > node.start_mark.index:
        line_start = _line_start(text, cursor - 1)
        line = text[line_start:cursor].strip()
        if line and not line.startswith("#"):
            return cursor
        cursor = line_start
    return end


def apply_edit(text: str, edit: Edit) -> str:
    return apply_edits(text, [edit])


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with ``edits`` applied in order. The text must read as a usable document (the page
    that offers the edits has read it: that reading is shared); each edit is located in libyaml's
    node tree of the text as the previous edit left it, composed for it and let go after."""
    if not load_shared(text.encode("utf-8"), "edit").usable:
        raise EditError("the document cannot be read")
    with collector_paused():  # the nodes are freed before the collector is back (see load_yaml)
        for edit in edits:
            try:
                root = compose(text)
            except yaml.YAMLError as error:  # our edits write text our loader reads back; never expected
                raise EditError(f"an edit left text that cannot be read: {error}") from None
            if root is None:
                raise EditError("the document cannot be read")
            text = _apply(text, root, edit)
            del root
    return text


def _apply(text: str, root: Node, edit: Edit) -> str:
    if isinstance(edit, DeleteKey):
        return _delete_key(text, root, edit)
    if isinstance(edit, DeleteEntry):
        return _delete_entry(text, root, edit)
    if isinstance(edit, MoveEntry):
        return _move_entry(text, root, edit)
    if isinstance(edit, AppendEntry):
        return _append_entry(text, root, edit)
    return _set_value(text, root, edit)


def _delete_key(text: str, root: Node, edit: DeleteKey) -> str:
    node, key_node, parent = _walk(root, edit.path)
    if node is None or key_node is None or parent is None:
        return text  # nothing to delete
    if parent.flow_style:
        return _delete_in_flow(text, parent, key_node, node)
    start = _line_start(text, key_node.start_mark.index)
    end = _line_end(text, _content_end(text, node) - 1)
    return text[:start] + text[end:]


def _delete_entry(text: str, root: Node, edit: DeleteEntry) -> str:
    container, _, _ = _walk(root, edit.path[:-1])
    index = edit.path[-1]
    if not isinstance(container, SequenceNode) or not isinstance(index, int) \
            or not 0 <= index < len(container.value):
        raise EditError(f"{edit.path} is not an entry of a list")
    if container.flow_style:
        items = [_plain_value(item) for position, item in enumerate(container.value) if position != index]
        return _replace(text, container, render_flow(items))
    entry = container.value[index]
    start = _line_start(text, entry.start_mark.index)
    end = _line_end(text, _content_end(text, entry) - 1)
    return text[:start] + text[end:]


def _append_entry(text: str, root: Node, edit: AppendEntry) -> str:
    node, key_node, parent = _walk(root, edit.path)
    if node is None:
        return _apply(text, root, SetValue(edit.path, [edit.value]))
    if not isinstance(node, SequenceNode):
        raise EditError(f"{edit.path} is not a list")
    if not node.value and isinstance(edit.value, dict) and key_node is not None:
        # "situations: []" gets its first entry as a person writes one: a block list under the key
        indent = key_node.start_mark.column + 2
        block = render_block_entry(edit.value, indent)
        rest = text[_content_end(text, node):]
        comment = rest[:_line_end(rest, 0)].rstrip("\n") if rest.lstrip(" ").startswith("#") else ""
        rest = rest[len(comment):].removeprefix("\n")
        return text[:key_node.end_mark.index] + ":" + comment + "\n" + block + rest
    if node.flow_style or not node.value:
        items = [_plain_value(item) for item in node.value] + [edit.value]
        return _replace(text, node, render_flow(items))
    first = node.value[0]
    dash = text.rfind("-", _line_start(text, first.start_mark.index), first.start_mark.index)
    indent = dash - _line_start(text, first.start_mark.index)
    insert_at = _line_end(text, _content_end(text, node.value[-1]) - 1)
    prefix = "" if text[insert_at - 1:insert_at] == "\n" else "\n"
    return text[:insert_at] + prefix + render_block_entry(edit.value, indent) + text[insert_at:]


def _set_value(text: str, root: Node, edit: SetValue) -> str:
    node, key_node, parent = _walk(root, edit.path)
    if node is None:
        assert parent is not None
        return _add_key(text, parent, str(edit.path[-1]), edit.value, edit.before)
    if isinstance(edit.value, (list, dict)):
        current = _plain_value(node)
        if current == edit.value:
            return text
        if isinstance(node, (SequenceNode, MappingNode)) and not node.flow_style and node.value:
            return _replace_block(text, node, key_node, edit.value)
        return _replace(text, node, render_flow(edit.value))
    if not isinstance(node, ScalarNode):
        return _collection_to_scalar(text, node, key_node, edit)
    if _plain_value(node) == edit.value and type(_plain_value(node)) is type(edit.value):
        return text
    return _replace(text, node, render_scalar(edit.value))


def _collection_to_scalar(text: str, node: Node, key_node: Node | None, edit: SetValue) -> str:
    """One value where there was a list or mapping (a limit by case set to one value for every case):
    the key's line keeps its key and comment, the block's lines go."""
    if key_node is None or not isinstance(node, (SequenceNode, MappingNode)):
        raise EditError(f"{edit.path} is not a single value")
    if node.flow_style or not node.value:
        return _replace(text, node, render_scalar(edit.value))
    colon = text.index(":", key_node.end_mark.index)
    key_line_end = _line_end(text, colon)
    comment = text[colon + 1:key_line_end].rstrip("\n")
    end = _line_end(text, _content_end(text, node) - 1)
    return text[:colon + 1] + " " + render_scalar(edit.value) + comment + "\n" + text[end:]


def _plain_value(node: Node) -> Any:
    """The value a node reads as, by the loader's rules."""
    return ValueBuilder("edit").build(node, 0)


def _replace(text: str, node: Node, replacement: str) -> str:
    return text[:node.start_mark.index] + replacement + text[_content_end(text, node):]


def _replace_block(text: str, node: Node, key_node: Node | None, value: Any) -> str:
    """Rewrite a block list or mapping in place, keeping its indentation."""
    first = node.value[0][0] if isinstance(node, MappingNode) else node.value[0]
    line_start = _line_start(text, first.start_mark.index)
    indent = first.start_mark.index - line_start
    if isinstance(node, SequenceNode):
        indent = text.rfind("-", line_start, first.start_mark.index) - line_start
        body = "".join(render_block_entry(v, indent) for v in value)
    else:
        body = "".join(f"{' ' * indent}{render_scalar(k)}: {render_flow(v)}\n" for k, v in value.items())
    end = _line_end(text, _content_end(text, node) - 1)
    return text[:line_start] + body + text[end:]


def _move_entry(text: str, root: Node, edit: MoveEntry) -> str:
    container, _, _ = _walk(root, edit.path[:-1])
    index = edit.path[-1]
    if not isinstance(container, SequenceNode) or not isinstance(index, int) or edit.step not in (-1, 1):
        raise EditError(f"{edit.path} is not an entry of a list")
    other = index + edit.step
    if not (0 <= index < len(container.value) and 0 <= other < len(container.value)):
        raise EditError(f"{edit.path} cannot move {edit.step}")
    if container.flow_style:
        items = [_plain_value(item) for item in container.value]
        items[index], items[other] = items[other], items[index]
        return _replace(text, container, render_flow(items))
    first, second = sorted((index, other))
    nodes = container.value

    def block(node: Node) -> tuple[int, int]:
        return _line_start(text, node.start_mark.index), _line_end(text, _content_end(text, node) - 1)

    (a_start, a_end), (b_start, b_end) = block(nodes[first]), block(nodes[second])
    return text[:a_start] + text[b_start:b_end] + text[a_end:b_start] + text[a_start:a_end] + text[b_end:]


def _add_key(text: str, mapping: MappingNode, key: str, value: Any, before: tuple[str, ...] = ()) -> str:
    rendered = f"{render_scalar(key)}: {render_flow(value)}"
    if mapping.flow_style:
        close = text.rfind("}", mapping.start_mark.index, mapping.end_mark.index)
        separator = ", " if mapping.value else ""
        return text[:close] + separator + rendered + text[close:]
    if not mapping.value:
        raise EditError("cannot add a key to an empty block mapping")
    first_key = mapping.value[0][0]
    indent: int = first_key.start_mark.index - _line_start(text, first_key.start_mark.index)
    keys = [k.value if isinstance(k, ScalarNode) else None for k, _ in mapping.value]
    position = next((n for n, k in enumerate(keys) if k in before), len(keys))
    if position == 0:
        insert_at = _line_start(text, first_key.start_mark.index)
    else:
        insert_at = _line_end(text, _content_end(text, mapping.value[position - 1][1]) - 1)
    prefix = "" if text[insert_at - 1:insert_at] == "\n" else "\n"
    return text[:insert_at] + prefix + " " * indent + f"{render_scalar(key)}:{render_block_value(value, indent)}" + text[insert_at:]


def _delete_in_flow(text: str, mapping: MappingNode, key_node: Node, value_node: Node) -> str:
    start, end = key_node.start_mark.index, _content_end(text, value_node)
    after = text[end:]
    stripped = after.lstrip()
    if stripped.startswith(","):
        end += len(after) - len(stripped) + 1
        while text[end:end + 1] == " ":
            end += 1
    else:
        before = text[:start].rstrip()
        if before.endswith(","):
            start = len(before) - 1
    return text[:start] + text[end:]
