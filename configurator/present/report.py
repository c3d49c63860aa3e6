"""`configurator report`: the four reduction figures of every bundle in one table, with totals
and flags — what staff show at a review meeting. Figures are those of the widest case (every
item applies); see docs/metrics.md for the definitions."""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from configurator.planning.compiled import Compiled
from configurator.planning.figures import metrics
from configurator.writers.phrases import say

FIGURES = ("materials", "steps", "days", "visits")  # column titles: phrases report.<figure>


def report_rows(compiled_bundles: list[Compiled]) -> list[dict[str, Any]]:
    rows = []
    for compiled in compiled_bundles:
        data, lang = metrics(compiled), compiled.lang
        flags = []
        if data["flags"]["more_than_one_visit"]:
            flags.append(say(lang, "report.more_visits", visits=compiled.bundle.visits))
        if data["flags"]["visits_not_declared"]:
            flags.append(say(lang, "report.no_visits"))
        for serial in data["flags"]["serial_without_data_flow"]:
            flags.append(say(lang, "report.serial", item=serial["item"], after=serial["after"]))
        if not compiled.case_search.figures_exact:
            # loud: these figures may be wrong, and the reader must not take them as exact
            flags.insert(0, say(lang, "report.inexact", warnings=say(lang, "report.sep").join(search_warnings(compiled))))
        elif compiled.case_search.listed_limit is not None:  # exact figures, only the first cases listed
            flags.insert(0, say(lang, "report.truncated", limit=compiled.case_search.listed_limit))
        rows.append({"id": compiled.bundle.id, "name": compiled.text(compiled.bundle.name),
                     **{key: data["overall"][key] for key in FIGURES}, "flags": flags,
                     "baseline": data.get("baseline"), "illustrative": data["illustrative_values"]["count"]})
    return rows


def search_warnings(compiled: Compiled) -> list[str]:
    """Why the figures are not exact, in the report's language (metrics.json keeps them in English)."""
    search, lang = compiled.case_search, compiled.lang
    found = []
    if search.sampled:
        found.append(say(lang, "report.sampled", limit=search.combinations, sample=search.sample_size))
    if search.listed_limit is not None:
        found.append(say(lang, "report.truncated", limit=search.listed_limit))
    return found


def _baseline_row(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """The published figures of a bundle, as a row under its computed one."""
    given = row["baseline"]
    source = say(lang, "report.source_sep").join(str(given[key]) for key in ("source", "date", "link") if key in given)
    missing = {"before": "—", "after": None}
    return {"id": row["id"], "name": say(lang, "report.published", source=source),
            "flags": [given["note"]] if "note" in given else [],
            **{key: given["figures"].get(key, missing) for key in FIGURES}, "published": True, "illustrative": None}


def _totals(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    total: dict[str, Any] = {"id": "", "name": say(lang, "report.total"), "flags": [],
                             "illustrative": sum(row["illustrative"] for row in rows)}
    for key in FIGURES:
        before = sum(row[key]["before"] for row in rows)
        after = sum(row[key]["after"] or 0 for row in rows)
        total[key] = {"before": before, "after": after,
                      "reduction_percent": round(100 * (before - after) / before, 2) if before else 0.0}
    return total


def _cell(figure: dict[str, Any], lang: str) -> str:
    if figure["before"] == "—":
        return "—"
    if figure["after"] is None:
        return f"{figure['before']} → ?"
    return say(lang, "report.reduction", before=figure["before"], after=figure["after"], percent=f"{figure['reduction_percent']:g}")


def _shown(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Each bundle's row, with its published figures under it when it has some."""
    return [entry for row in rows for entry in ([row, _baseline_row(row, lang)] if row.get("baseline") else [row])]


def _count(illustrative: int | None) -> str:
    """The illustrative-value count of a row; the published figures' row has none of its own."""
    return "" if illustrative is None else str(illustrative)


def _table(rows: list[dict[str, Any]], lang: str) -> tuple[list[str], list[list[str]]]:
    headers = [say(lang, "report.bundle"), *[say(lang, "report." + key) for key in FIGURES],
               say(lang, "report.illustrative"), say(lang, "report.flags")]
    body = [[row["name"], *[_cell(row[key], lang) for key in FIGURES], _count(row["illustrative"]),
             say(lang, "report.sep").join(row["flags"])]
            for row in [*_shown(rows, lang), _totals(rows, lang)]]
    return headers, body


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render(rows: list[dict[str, Any]], output_format: str, lang: str = "zh-CN") -> str:
    headers, body = _table(rows, lang)
    if output_format == "csv":
        parts = ("before", "after", "reduction_percent")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "name", *[f"{key}_{part}" for key in FIGURES for part in parts],
                         "illustrative_values", "flags"])
        for figures in [*_shown(rows, lang), _totals(rows, lang)]:
            writer.writerow([figures["id"], figures["name"],
                             *[figures[key].get(part) for key in FIGURES for part in parts],
                             figures["illustrative"], say(lang, "report.sep").join(figures["flags"])])
        return out.getvalue()
    if output_format == "markdown":
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |" for cells in body]
        return "\n".join(lines) + "\n"
    table = [headers, *body]
    widths = [max(_width(cells[i]) for cells in table) for i in range(len(headers) - 1)]
    lines = []
    for cells in table:
        padded = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(cells[:-1])]
        lines.append("  ".join(padded) + ("  " + cells[-1] if cells[-1] else ""))
    return "\n".join(line.rstrip() for line in lines) + "\n"
