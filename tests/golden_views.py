"""Golden files a reviewer can read: each artifact is stored as small parts, none over
``MAX_LINES`` lines, so a change to the generated output shows up as a short, local diff.

- JSON: one part per top-level key, pretty-printed; a list too long for that becomes JSON Lines
  (one entry per line: one case, one task...) so a change touches the lines of what changed.
- BPMN: the process and the diagram (DI coordinates) apart.
- HTML and Markdown: a line break after each block-level closing tag, so a change in one row of the
  form does not rewrite a 10,000-character line.
Any part still longer is cut into numbered pieces. The view only adds line breaks and splits;
determinism of the real bytes is asserted separately.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

MAX_LINES = 500
SMALL_LINES = 40  # values shorter than this share one file
_BLOCK_END = re.compile(r"(</(?:div|fieldset|legend|li|tr|p|ul|ol|table|thead|tbody|section|h[1-6]|label|select|form|"
                        r"header|footer|main|nav|details|summary|script|style)>)(?!\n)")


_INLINE = re.compile(r"(<(script|style)[^>]*>)(.*?)(</\2>)", re.DOTALL)


def _inline_digest(match: re.Match[str]) -> str:
    """A long inline script or style sheet (the same in every page of a kind) stands as its size and
    hash: a change to it still fails the test, without the same 150 lines in every bundle's golden."""
    body = match.group(3)
    if body.count("\n") < 20:
        return match.group(0)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return f"{match.group(1)}/* {body.count(chr(10))} lines, sha256 {digest} */{match.group(4)}"


def folder_name(artifact: str) -> str:
    """A folder per artifact, named like it: tests/golden/newborn/notice.md/text.md."""
    return artifact


def views(artifact: str, text: str) -> dict[str, str]:
    """The golden parts of one artifact, by file name."""
    if artifact.endswith(".json"):
        parts = _json_parts(json.loads(text))
    elif artifact.endswith(".bpmn"):
        split = text.find("<bpmndi:BPMNDiagram")
        parts = {"process.xml": text[:split], "diagram.xml": text[split:]} if split > 0 else {"process.xml": text}
    elif artifact.endswith(".html"):
        parts = {"page.html": _BLOCK_END.sub("\\1\n", _INLINE.sub(_inline_digest, text))}
    else:
        parts = {"text" + artifact[artifact.rfind("."):]: text}
    return {name: piece for part, body in parts.items() for name, piece in _cut(part, body).items()}


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _file_name(key: str) -> str:
    return re.sub(r"[^\w.-]", "_", key).strip("_")


def _json_parts(data: Any) -> dict[str, str]:
    """Large top-level values in files of their own (named after the key), the small ones together."""
    if not isinstance(data, dict):
        return {"value.json": _pretty(data)}
    parts, small = {}, {}
    for key, value in data.items():
        pretty = _pretty(value)
        name = _file_name(key)
        if pretty.count("\n") <= SMALL_LINES:
            small[key] = value
        elif isinstance(value, list) and pretty.count("\n") > MAX_LINES:
            parts[f"{name}.jsonl"] = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in value)
        elif isinstance(value, dict) and pretty.count("\n") > MAX_LINES:
            for sub_key, sub_value in value.items():
                parts[f"{name}.{_file_name(sub_key)}.json"] = _pretty(sub_value)
        else:
            parts[f"{name}.json"] = pretty
    if small:
        parts["other-keys.json"] = _pretty(small)
    return parts


def _cut(name: str, body: str) -> dict[str, str]:
    lines = body.splitlines(keepends=True)
    if len(lines) <= MAX_LINES:
        return {name: body}
    stem, dot, ext = name.partition(".")
    size = MAX_LINES - 100
    return {f"{stem}.{n + 1:02d}.{ext}": "".join(lines[i:i + size]) for n, i in enumerate(range(0, len(lines), size))}
