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
        if not data["case_search"]["exact"] or data["case_search"]["warnings"]:
            # loud: these figures may be wrong, and the reader must not take them as exact
            flags.insert(0, "⚠ 数字不精确：情形组合过多，只抽样计算（"
                         + "；".join(data["case_search"]["warnings"]) + "）")
        rows.append({"id": compiled.bundle.id, "name": compiled.text(compiled.bundle.name),
                     **{key: data["overall"][key] for key, _ in FIGURES}, "flags": flags,
                     "baseline": data.get("baseline")})
    return rows


def _baseline_row(row: dict[str, Any]) -> dict[str, Any]:
    """The published figures of a bundle, as a row under its computed one."""
    given = row["baseline"]
    source = "，".join(str(given[key]) for key in ("source", "date", "link") if key in given)
    missing = {"before": "—", "after": None}
    return {"id": row["id"], "name": f"  公开数字（{source}）", "flags": [given["note"]] if "note" in given else [],
            **{key: given["figures"].get(key, missing) for key, _ in FIGURES}, "published": True}


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"id": "", "name": "合计", "flags": []}
    for key, _ in FIGURES:
        before = sum(row[key]["before"] for row in rows)
        after = sum(row[key]["after"] or 0 for row in rows)
        total[key] = {"before": before, "after": after,
                      "reduction_percent": round(100 * (before - after) / before, 2) if before else 0.0}
    return total


def _cell(figure: dict[str, Any]) -> str:
    if figure["before"] == "—":
        return "—"
    if figure["after"] is None:
        return f"{figure['before']} → ?"
    return f"{figure['before']} → {figure['after']}（−{figure['reduction_percent']:g}%）"


def _table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    headers = ["一件事", *[title for _, title in FIGURES], "提示"]
    shown = [entry for row in rows for entry in ([row, _baseline_row(row)] if row.get("baseline") else [row])]
    body = [[row["name"], *[_cell(row[key]) for key, _ in FIGURES], "；".join(row["flags"])]
            for row in [*shown, _totals(rows)]]
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
        shown = [entry for row in rows for entry in ([row, _baseline_row(row)] if row.get("baseline") else [row])]
        for figures in [*shown, _totals(rows)]:
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
