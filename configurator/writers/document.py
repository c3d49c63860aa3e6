"""A tiny document model (headings, paragraphs, lists, tables) written as Markdown or HTML,
so the notice and the explanation say the same thing in both formats. HTML output escapes
every piece of text it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


Block = tuple[str, str] | tuple[str, list[str]] | tuple[str, Table]


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

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for kind, content in self.blocks:
            if isinstance(content, Table):
                out.append("| " + " | ".join(content.headers) + " |")
                out.append("|" + "---|" * len(content.headers))
                out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in content.rows]
                out.append("")
            elif isinstance(content, list):
                out += [f"- {line}" for line in content] + [""]
            else:
                out += [f"## {content}" if kind == "h2" else content, ""]
        return "\n".join(out).rstrip() + "\n"

    def html(self, lang: str = "zh-CN") -> str:
        body = [f"<h1>{escape(self.title)}</h1>"]
        for kind, content in self.blocks:
            if isinstance(content, Table):
                head = "".join(f"<th>{escape(h)}</th>" for h in content.headers)
                cells = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in content.rows)
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
            elif isinstance(content, list):
                body.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in content) + "</ul>")
            else:
                tag = "h2" if kind == "h2" else "p"
                body.append(f"<{tag}>{escape(content)}</{tag}>")
        return page(lang, self.title, "\n".join(body))


BASE_STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.6; color: #1a1a1a; }
h1 { font-size: 1.6rem; border-bottom: 3px solid #b71c1c; padding-bottom: .4rem; }
h2 { font-size: 1.2rem; margin-top: 1.8rem; color: #b71c1c; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
@media print { body { margin: 0; } h2 { break-after: avoid; } }
"""


def page(lang: str, title: str, body: str, *, style: str = "", script: str = "") -> str:
    """A self-contained HTML page (no external assets). ``body`` must already be escaped."""
    script_tag = f"<script>{script}</script>\n" if script else ""
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{BASE_STYLE}{style}</style>\n</head>\n<body>\n"
            f"{body}\n{script_tag}</body>\n</html>\n")
