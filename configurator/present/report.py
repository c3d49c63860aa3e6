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

FIGURES = (("materials", "材料（份）"), ("steps", "环节（个）"), ("days", "时间（工作日）"), ("visits", "跑动（次）"))


def report_rows(compiled_bundles: list[Compiled]) -> list[dict[str, Any]]:
    rows = []
    for compiled in compiled_bundles:
        data = metrics(compiled)
        flags = []
        if data["flags"]["more_than_one_visit"]:
            flags.append(f"跑动 {compiled.bundle.visits} 次（最多跑一次未达成）")
        if data["flags"]["visits_not_declared"]:
            flags.append("未写明跑动次数")
        for serial in data["flags"]["serial_without_data_flow"]:
            flags.append(f"{serial['item']} 在 {serial['after']} 之后且无数据往来（可考虑串联改并联）")
        rows.append({"id": compiled.bundle.id, "name": compiled.text(compiled.bundle.name),
                     **{key: data["overall"][key] for key, _ in FIGURES}, "flags": flags})
    return rows


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"id": "", "name": "合计", "flags": []}
    for key, _ in FIGURES:
        before = sum(row[key]["before"] for row in rows)
        after = sum(row[key]["after"] or 0 for row in rows)
        total[key] = {"before": before, "after": after,
                      "reduction_percent": round(100 * (before - after) / before, 2) if before else 0.0}
    return total


def _cell(figure: dict[str, Any]) -> str:
    if figure["after"] is None:
        return f"{figure['before']} → ?"
    return f"{figure['before']} → {figure['after']}（−{figure['reduction_percent']:g}%）"


def _table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    headers = ["一件事", *[title for _, title in FIGURES], "提示"]
    body = [[row["name"], *[_cell(row[key]) for key, _ in FIGURES], "；".join(row["flags"])]
            for row in [*rows, _totals(rows)]]
    return headers, body


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render(rows: list[dict[str, Any]], output_format: str) -> str:
    headers, body = _table(rows)
    if output_format == "csv":
        parts = ("before", "after", "reduction_percent")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "name", *[f"{key}_{part}" for key, _ in FIGURES for part in parts], "flags"])
        for figures in [*rows, _totals(rows)]:
            writer.writerow([figures["id"], figures["name"],
                             *[figures[key].get(part) for key, _ in FIGURES for part in parts],
                             "; ".join(figures["flags"])])
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
