"""A tiny document model (headings, paragraphs, lists, tables, label/value rows) written as
Markdown or HTML, so the notice and the explanation say the same thing in both formats.

Every piece of text is escaped for the format it is written in: HTML output escapes markup,
Markdown output escapes both HTML (as entities, which every Markdown dialect passes through as
text) and Markdown punctuation (backslash escapes), so bundle text can never become a tag, a
link, an image or a block of its own in a portal that renders the Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Facts:
    """Label/value rows (an address card): a definition list in HTML, bold labels in Markdown."""

    rows: list[tuple[str, str]]
    role: str = ""  # "alert" for a message that must be read first


Block = tuple[str, str] | tuple[str, list[str]] | tuple[str, Table] | tuple[str, Facts]

# The ASCII punctuation that opens or closes inline markup (emphasis, code spans, links and
# images, table cells, strikethrough); a backslash makes each literal. "<", ">" and "&" become
# entities instead: Python-Markdown, unlike CommonMark, does not honour a backslash before "<".
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]|~!])")
# What opens a block at the start of a line: heading, list item, quote, setext underline.
_MD_BLOCK_START = re.compile(r"^([#+=-]|\d+[.)])")


def md_escape(text: str) -> str:
    """Bundle text as inert Markdown inline text (one line; HTML special characters as entities)."""
    text = " ".join(text.split())  # a newline could start a block (a heading, a list, raw HTML)
    if _MD_PUNCTUATION.search(text):  # most text has none: a search is cheaper than a substitution
        text = _MD_PUNCTUATION.sub(r"\\\1", text)
    if _MD_BLOCK_START.match(text):
        text = _MD_BLOCK_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)
    return escape(text, quote=False)  # "&", "<" and ">" as entities, quotes as they are


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append(("h2", text))

    def paragraph(self, text: str) -> None:
        self.blocks.append(("p", text))

    def bullets(self, lines: list[str]) -> None:
        if lines:
            self.blocks.append(("ul", lines))

    def table(self, headers: list[str], rows: list[list[str]]) -> None:
        if rows:
            self.blocks.append(("table", Table(headers, rows)))

    def facts(self, rows: list[tuple[str, str]], role: str = "") -> None:
        if rows:
            self.blocks.append(("facts", Facts(rows, role)))

    def markdown(self) -> str:
        out = [f"# {md_escape(self.title)}", ""]
        for kind, content in self.blocks:
            if isinstance(content, Table):
                out.append("| " + " | ".join(md_escape(h) for h in content.headers) + " |")
                out.append("|" + "---|" * len(content.headers))
                out += ["| " + " | ".join(md_escape(cell) for cell in row) + " |" for row in content.rows]
                out.append("")
            elif isinstance(content, Facts):
                out += [f"- **{md_escape(label)}**{': ' if label.isascii() else '：'}{md_escape(value)}"
                        for label, value in content.rows] + [""]
            elif isinstance(content, list):
                out += [f"- {md_escape(line)}" for line in content] + [""]
            else:
                out += [f"## {md_escape(content)}" if kind == "h2" else md_escape(content), ""]
        return "\n".join(out).rstrip() + "\n"

    def html(self, lang: str = "zh-CN") -> str:
        body = [f"<h1>{escape(self.title)}</h1>"]
        for kind, content in self.blocks:
            if isinstance(content, Table):
                head = "".join(f'<th scope="col">{escape(h)}</th>' for h in content.headers)
                # data-label: the column name, shown beside each cell when a narrow screen stacks the rows
                cells = "".join("<tr>" + "".join(f'<td data-label="{escape(h)}">{escape(c)}</td>'
                                                  for h, c in zip(content.headers, row, strict=True)) + "</tr>"
                                for row in content.rows)
                body.append(f'<table class="reflow"><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>')
            elif isinstance(content, Facts):
                role = f' role="{escape(content.role)}"' if content.role else ""
                rows = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in content.rows)
                body.append(f'<dl class="facts"{role}>{rows}</dl>')
            elif isinstance(content, list):
                body.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in content) + "</ul>")
            else:
                tag = "h2" if kind == "h2" else "p"
                body.append(f"<{tag}>{escape(content)}</{tag}>")
        return page(lang, self.title, "<main>\n" + "\n".join(body) + "\n</main>")


BASE_STYLE = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.6; color: #1a1a1a; background: #fff;
       overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; border-bottom: 3px solid #b71c1c; padding-bottom: .4rem; }
h2 { font-size: 1.2rem; margin-top: 1.8rem; color: #a31515; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0;
           padding: .8rem 1rem; border-left: 5px solid #a31515; background: #fdf3f3; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
a { color: #1d4f91; }
:focus-visible { outline: 3px solid #fd0; outline-offset: 0; box-shadow: 0 0 0 5px #0b0c0c; }
@media (max-width: 40rem) {
  body { margin: 1rem auto; }
  table.reflow, table.reflow tbody, table.reflow tr, table.reflow td { display: block; width: 100%; }
  table.reflow thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.reflow tr { border: 1px solid #ccc; margin-bottom: .6rem; }
  table.reflow td { border: 0; border-bottom: 1px solid #eee; }
  table.reflow td::before { content: attr(data-label); display: block; font-weight: bold; color: #555; }
  dl.facts { grid-template-columns: 1fr; }
}
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; color: #000; }
  h1 { border-bottom-color: #000; } h2 { color: #000; break-after: avoid; }
  table, tr, dl.facts { break-inside: avoid; }
  th { background: none; }
  form button, .no-print { display: none; }
}
"""


def page(lang: str, title: str, body: str, *, style: str = "", script: str = "") -> str:
    """A self-contained HTML page (no external assets). ``body`` must already be escaped."""
    script_tag = f"<script>{script}</script>\n" if script else ""
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{BASE_STYLE}{style}</style>\n</head>\n<body>\n"
            f"{body}\n{script_tag}</body>\n</html>\n")
