"""`configurator report --regions`: every region × every bundle, each difference from the
provincial standard (time, materials, trips, eligibility, delivery), violations flagged. A value
by case is compared with the default and with each case's value: a case where the standard's
value stays (it is more favourable) is marked （按标准） / (the standard's stays)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from configurator.jsontext import dump_json
from configurator.language.region_rules import ASPECTS, Difference, differences
from configurator.language.regions import Resolved
from configurator.model import Bundle


@dataclass(frozen=True)
class Cell:
    region: str
    region_name: str
    bundle: str
    differences: tuple[Difference, ...]
    origins: tuple[str, ...]  # for each difference, the region file that writes it

    @property
    def violations(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if not d.allowed)


def region_cells(resolved: list[Resolved], bundles: Mapping[str, Bundle]) -> list[Cell]:
    cells = []
    for region in resolved:
        for bundle_id in sorted(bundles):
            found = tuple(differences(bundles[bundle_id], region.binding(bundle_id)))
            origins = tuple(_origin(region, d) for d in found)
            cells.append(Cell(region.region.code, region.region.name.get(), bundle_id, found, origins))
    return cells


def _origin(region: Resolved, difference: Difference) -> str:
    written = region.origin(*[str(p) for p in difference.path[1:]])
    return written.code if written is not None else region.region.code


def as_data(cells: list[Cell], lang: str = "zh-CN") -> dict[str, Any]:
    """``case``: for a value by case, the case in words (null: the standard's default); ``applies``:
    the region's value is what that case gets (false: the standard's is more favourable and stays)."""
    return {"violations": sum(len(c.violations) for c in cells), "cells": [
        {"region": c.region, "region_name": c.region_name, "bundle": c.bundle, "differences": [
            {"aspect": d.aspect, "subject": d.subject, "case": d.case[1 if lang == "en" else 0] if d.case else None,
             "standard": d.standard, "local": d.local, "allowed": d.allowed, "applies": d.applies, "written_in": origin}
            for d, origin in zip(c.differences, c.origins, strict=True)]} for c in cells]}


def _summary(cell: Cell, aspect: str, lang: str) -> str:
    parts = [("✘ " if not d.allowed else "") + d.describe(lang) for d in cell.differences if d.aspect == aspect]
    return "; ".join(parts)


def render(cells: list[Cell], output_format: str, lang: str = "zh-CN") -> str:
    if output_format == "json":
        return dump_json(as_data(cells, lang))
    headers = (["region", "bundle", *ASPECTS, "violations"] if lang == "en"
               else ["地区", "一件事", "时限", "材料", "跑动", "受理条件", "送达", "违规"])
    rows = [[f"{c.region} {c.region_name}", c.bundle, *(_summary(c, a, lang) for a in ASPECTS), str(len(c.violations))]
            for c in cells]
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return buffer.getvalue()
    if output_format == "markdown":
        def escape(text: str) -> str:
            return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(escape(v) or "—" for v in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    total = sum(len(c.violations) for c in cells)
    out = []
    for cell, row in zip(cells, rows, strict=True):
        if not cell.differences:
            continue
        out.append(f"{row[0]} · {row[1]}")
        out += [f"  {h}：{v}" for h, v in zip(headers[2:7], row[2:7], strict=True) if v]
    out.append(f"{len(cells)} cell(s), {total} violation(s)." if lang == "en"
               else f"共 {len(cells)} 个（地区 × 一件事），违规 {total} 处（✘）。")
    return "\n".join(out) + "\n"
