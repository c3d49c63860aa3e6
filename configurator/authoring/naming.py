"""Ids suggested from Chinese names: 营业执照 → yingyezhizhao, unique among the ids already taken.
Staff may change the suggestion; it only saves them inventing an English word."""

from __future__ import annotations

import re
from collections.abc import Collection

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
