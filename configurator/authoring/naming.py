"""Ids suggested from Chinese names: 营业执照 → yingyezhizhao, unique among the ids already taken.
Staff may change the suggestion; it only saves them inventing an English word."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

_SUFFIXES = ("一件事",)


def suggest_id(name: str, taken: Collection[str] = (), limit: int = 40) -> str:
    from pypinyin import lazy_pinyin  # loaded only when a name is typed: its dictionary is large

    text = name.strip()
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    parts = []
    for syllable in lazy_pinyin(text, errors=lambda chars: " " + chars + " "):
        cleaned = re.sub(r"[^a-z0-9]+", "_", syllable.lower())
        parts.append(cleaned)
    joined = re.sub(r"_+", "_", "".join(parts)).strip("_")[:limit].strip("_")
    if not joined or not joined[0].isalpha():
        joined = "x_" + joined if joined else "new"
    candidate, number = joined, 2
    while candidate in taken:
        candidate, number = f"{joined}_{number}", number + 1
    return candidate


# The key by which an entry of a bundle's list takes its meaning from a catalogue entry.
CATALOGUE_KEYS = {"materials": "material", "fields": "field"}


def give_id(section: str, entry: dict[str, Any], taken: Collection[str], catalogue_name: str = "") -> dict[str, Any]:
    """The entry with an id when the official left it empty: an entry picked from a catalogue is
    known by the catalogue's id (and then needs no separate reference to it), else the id is
    suggested from its Chinese name (``catalogue_name`` when it has none of its own)."""
    if str(entry.get("id") or "").strip():
        return entry
    reference = str(entry.get(CATALOGUE_KEYS.get(section, "")) or "")
    if reference and reference not in taken:
        return {"id": reference, **{k: v for k, v in entry.items() if k not in ("id", CATALOGUE_KEYS[section])}}
    name = entry.get("name") or entry.get("label") or catalogue_name
    text = name.get("zh-CN", "") if isinstance(name, dict) else str(name or "")
    if not text.strip():
        return entry  # nothing to name it by: the check asks for the id beside its field
    return {"id": suggest_id(text, taken), **{k: v for k, v in entry.items() if k != "id"}}
