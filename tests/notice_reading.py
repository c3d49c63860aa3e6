"""Reading a rendered notice back as a citizen would: its sections, paragraphs, lists and tables
(from notice.md or notice.html alike), and, in a statement told by condition
(「…」为“A 级”：即办。其他情形：10 个工作日), the value under the condition that holds."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from configurator.language import conditions
from configurator.language.describe import describe
from configurator.model import Bundle, Condition

Block = tuple[str, Any]  # ("p", text) | ("ul", [text]) | ("table", [{header: cell}])


def _md_text(text: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", text.strip()))


def read_markdown(text: str) -> dict[str, list[Block]]:
    """Section heading → its blocks, from notice.md."""
    sections: dict[str, list[Block]] = {"": []}
    current = sections[""]
    table: list[list[str]] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            table.append([_md_text(cell) for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])])
            continue
        if table:
            headers = table[0]
            current.append(("table", [dict(zip(headers, row, strict=True)) for row in table[2:]]))
            table = []
        if line.startswith("## "):
            current = sections.setdefault(_md_text(line[3:]), [])
        elif line.startswith("- "):
            if current and current[-1][0] == "ul":
                current[-1][1].append(_md_text(line[2:]))
            else:
                current.append(("ul", [_md_text(line[2:])]))
        elif line.strip() and not line.startswith("# "):
            current.append(("p", _md_text(line)))
    return sections


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, list[Block]] = {"": []}
        self.current = self.sections[""]
        self.text: list[str] | None = None
        self.headers: list[str] = []
        self.row: list[str] = []
        self.rows: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "p", "li", "th", "td"):
            self.text = []
        elif tag == "ul":
            self.current.append(("ul", []))
        elif tag == "table":
            self.headers, self.rows = [], []

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self.text or [])
        if tag == "h2":
            self.current = self.sections.setdefault(text, [])
        elif tag == "p":
            self.current.append(("p", text))
        elif tag == "li":
            self.current[-1][1].append(text)
        elif tag == "th":
            self.headers.append(text)
        elif tag == "td":
            self.row.append(text)
        elif tag == "tr" and self.row:
            self.rows.append(dict(zip(self.headers, self.row, strict=True)))
            self.row = []
        elif tag == "table":
            self.current.append(("table", self.rows))
        if tag in ("h2", "p", "li", "th", "td"):
            self.text = None

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def read_html(text: str) -> dict[str, list[Block]]:
    """Section heading → its blocks, from notice.html."""
    reader = _HtmlReader()
    reader.feed(text.split("<main>", 1)[1].split("</main>", 1)[0])
    return reader.sections


def table(blocks: list[Block]) -> list[dict[str, str]]:
    [rows] = [content for kind, content in blocks if kind == "table"]
    return rows


def bullets_after(blocks: list[Block], paragraph: str) -> list[str]:
    """The list that follows the paragraph (empty when the paragraph is not there)."""
    for index, (kind, content) in enumerate(blocks):
        if kind == "p" and content == paragraph:
            return list(blocks[index + 1][1])
    return []


WORDS = {"zh-CN": {"sep": "。", "if": "", "otherwise": "否则，", "default": "其他情形：", "colon": "："},
         "en": {"sep": ". ", "if": "If ", "otherwise": "Otherwise, if ", "default": "In any other case: ", "colon": ": "}}


def case_conditions(bundle: Bundle, lang: str) -> dict[str, Condition]:
    """Every condition of a case-dependent value, by its words in the notice."""
    found: dict[str, Condition] = {}
    entries: list[Any] = [*bundle.items, *bundle.materials, *(s for i in bundle.items for s in i.special_stages)]
    for entry in entries:
        for varies in entry.varies:
            for case in varies.cases:
                found[describe(case.when.written, bundle, lang)] = case.when
    return found


def told_value(statement: str, answers: Mapping[str, Any], known: Mapping[str, Condition], lang: str) -> str:
    """The value a statement gives for these answers: a plain value as it is; a value told by
    condition, the one under the first condition that holds (the conditions read back from their
    words), else the one under 其他情形."""
    words = WORDS[lang]
    parts = statement.split(words["sep"])
    if not parts[-1].startswith(words["default"]):
        return statement
    for part in parts[:-1]:
        for prefix in (words["otherwise"], words["if"]):
            if prefix and part.startswith(prefix):
                part = part[len(prefix):]
                break
        condition_words, _, value = part.rpartition(words["colon"])
        assert condition_words in known, f"the notice tells a condition no case has: {condition_words!r}"
        if conditions.evaluate(known[condition_words].expr, answers):
            return value
    return parts[-1][len(words["default"]):]
