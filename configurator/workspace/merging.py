"""Three-way merge of a bundle or catalogue by its structure, keeping the editor's comments.

Bringing a change request up to date with what was published merges each file the two sides
both changed as data, not as lines: entries of a list whose entries carry an ``id`` (items,
materials, situations, fields, steps...) are matched by id, mappings by key, anything else (a
scalar, a list of plain values) is one value at its path. The published side's changes are
applied to the editor's text as located edits (authoring/textedits.py: the same reader and
writer as every admin edit, so what is written reads back as meant; comments, key order and
untouched lines stay). When both sides changed one value differently, that is a field-level
``FieldConflict`` — published / mine / original — for the user to decide; never git markers.
Every applied edit is verified by reading the text back; an edit that does not come out as
intended becomes a conflict instead of a silent surprise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from configurator.authoring.textedits import AppendEntry, DeleteEntry, DeleteKey, Edit, EditError, SetValue, apply_edit
from configurator.language.loader import load_yaml

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
Step = str | tuple[str, str]  # a mapping key, or ("id", value) for an entry of a list of entries with ids
Logical = tuple[Step, ...]


@dataclass(frozen=True)
class FieldConflict:
    path: Logical
    original: Any
    published: Any
    mine: Any

    @property
    def label(self) -> str:
        return label(self.path)


@dataclass
class FileMerge:
    path: str
    text: str  # the editor's text with every non-conflicting published change applied
    conflicts: list[FieldConflict] = field(default_factory=list)


def label(path: Logical) -> str:
    parts: list[str] = []
    for step in path:
        parts.append(f"[{step[1]}]" if isinstance(step, tuple) else ("." if parts else "") + step)
    return "".join(parts) or "（整个文件）"


def _data(text: str) -> Any:
    loaded = load_yaml(text.encode("utf-8"), "merge")
    return loaded.data if loaded.usable else MISSING


def _id_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and isinstance(v.get("id"), str)
                                                          for v in value)


def _by_id(value: Any) -> dict[str, Any]:
    return {v["id"]: v for v in value} if isinstance(value, list) else {}


def _walk(base: Any, mine: Any, theirs: Any, path: Logical, ops: list[tuple[Logical, Any]],
          conflicts: list[FieldConflict]) -> None:
    if theirs == base or mine == theirs:
        return
    # Structures are walked even when only one side changed, so that the edit is as small as
    # the change (one line for one value) and the editor's comments around it stay.
    if isinstance(mine, dict) and isinstance(theirs, dict) and isinstance(base, dict | type(MISSING)):
        old = base if isinstance(base, dict) else {}
        for key in dict.fromkeys([*theirs, *mine, *old]):
            _walk(old.get(key, MISSING), mine.get(key, MISSING), theirs.get(key, MISSING), (*path, key), ops, conflicts)
        return
    lists = [v for v in (base, mine, theirs) if v is not MISSING]
    if _id_list(mine) and _id_list(theirs) and all(_id_list(v) or v == [] for v in lists):
        old, ours, other = _by_id(base), _by_id(mine), _by_id(theirs)
        for entry_id in dict.fromkeys([*other, *ours, *old]):
            _walk(old.get(entry_id, MISSING), ours.get(entry_id, MISSING), other.get(entry_id, MISSING),
                  (*path, ("id", entry_id)), ops, conflicts)
        return
    if mine == base:
        ops.append((path, theirs))
        return
    conflicts.append(FieldConflict(path, base, theirs, mine))


def _locate(data: Any, path: Logical) -> tuple[tuple[str | int, ...], Any] | None:
    """The text-edit path of a logical path in ``data`` and the value there (MISSING at the end)."""
    located: list[str | int] = []
    node = data
    for position, step in enumerate(path):
        last = position == len(path) - 1
        if isinstance(step, tuple):
            entries = node if isinstance(node, list) else []
            index = next((i for i, e in enumerate(entries) if isinstance(e, dict) and e.get("id") == step[1]), None)
            if index is None:
                return (tuple(located), MISSING) if last else None
            located.append(index)
            node = entries[index]
        else:
            if not isinstance(node, dict):
                return None
            if step not in node:
                return ((*located, step), MISSING) if last else None
            located.append(step)
            node = node[step]
    return tuple(located), node


def _edit_for(data: Any, path: Logical, value: Any) -> Edit | None:
    found = _locate(data, path)
    if found is None:
        raise EditError(f"{label(path)} is not there")
    where, current = found
    if current == value:
        return None
    if value is MISSING:
        return DeleteEntry(where) if isinstance(path[-1], tuple) else DeleteKey(where)
    if current is MISSING and path and isinstance(path[-1], tuple):
        return AppendEntry(where, value)
    return SetValue(where, value)


def apply_value(text: str, path: Logical, value: Any) -> str:
    """``text`` with the value at a logical path set (MISSING removes it); EditError when the
    located edit does not read back as ``value``."""
    edit = _edit_for(_data(text), path, value)
    if edit is None:
        return text
    new_text = apply_edit(text, edit)
    found = _locate(_data(new_text), path)
    if found is None or found[1] != value:
        raise EditError(f"{label(path)} did not come out as intended")
    return new_text


def merge_text(path: str, original: bytes | None, published: bytes | None, mine: bytes | None) -> FileMerge:
    """Merge the published changes (original → published) into the editor's file."""
    if mine is None or published is None or original is None:
        # Added or deleted on a side: whole-file decision unless both sides agree.
        if mine == published:
            return FileMerge(path, (mine or b"").decode("utf-8", "replace"))
        if original == mine:
            return FileMerge(path, (published or b"").decode("utf-8", "replace"))
        return FileMerge(path, (mine or b"").decode("utf-8", "replace"),
                         [FieldConflict((), _whole(original), _whole(published), _whole(mine))])
    texts = [data.decode("utf-8", "replace") for data in (original, published, mine)]
    values = [_data(t) for t in texts]
    if any(v is MISSING for v in values):
        return FileMerge(path, texts[2], [FieldConflict((), texts[0], texts[1], texts[2])])
    ops: list[tuple[Logical, Any]] = []
    conflicts: list[FieldConflict] = []
    _walk(values[0], values[2], values[1], (), ops, conflicts)
    text = texts[2]
    for logical, value in ops:
        try:
            text = apply_value(text, logical, value)
        except EditError:
            conflicts.append(FieldConflict(logical, _at(values[0], logical), value, _at(values[2], logical)))
    return FileMerge(path, text, conflicts)


def _whole(data: bytes | None) -> Any:
    return MISSING if data is None else data.decode("utf-8", "replace")


def _at(data: Any, path: Logical) -> Any:
    found = _locate(data, path)
    return MISSING if found is None else found[1]


def resolve(merge: FileMerge, choices: Sequence[Any]) -> str:
    """The merged text with each conflict decided (``choices[i]`` is the value to keep for
    ``merge.conflicts[i]``: MISSING removes it). A whole-file conflict takes the chosen text."""
    text = merge.text
    for found, value in zip(merge.conflicts, choices, strict=True):
        if not found.path:
            text = "" if value is MISSING else str(value)
            continue
        text = apply_value(text, found.path, value)
    return text


def merge_form_values(submitted: dict[str, Any], current: dict[str, Any],
            opened: dict[str, Any] | None) -> tuple[dict[str, Any], list[str] | None]:
    """A form posted after others saved the same entry: what this user changed (from the page as
    opened) over what is there now, so a save never puts back the values others replaced; and
    the fields both changed, differently (None: nothing changed meanwhile, or not known)."""
    if opened is None or opened == current or not opened.get("id") or opened.get("id") != current.get("id"):
        return submitted, None  # not known, unchanged, or another entry now stands there: the save says conflict
    merged, clashes = {}, []
    for key, value in submitted.items():
        mine, theirs = value != opened.get(key), current.get(key) != opened.get(key)
        merged[key] = value if mine else current.get(key, value)
        if mine and theirs and value != current.get(key):
            clashes.append(key)
    return merged, clashes
