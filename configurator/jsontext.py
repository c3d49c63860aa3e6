"""Deterministic JSON text: the same value always gives the same bytes (artifacts, API, CLI)."""

from __future__ import annotations

from typing import Any

import orjson


def dump_json(value: Any) -> str:
    """Deterministic JSON: same input, byte-identical output.

    orjson writes exactly what ``json.dumps(value, ensure_ascii=False, indent=2)`` writes, but
    in C: the standard library falls back to pure Python whenever ``indent`` is set, which
    made encoding a third of the compile time. The final newline is orjson's too: added to
    the text after decoding, it copied the whole document once more (megabytes for a big bundle)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")
