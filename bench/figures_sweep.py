"""Benchmark: compile time against pyxform over a sweep of sizes and shapes, and the figures' own cost.

Two shapes of bundle, at sizes from 10 to 400 questions (situation questions + form fields):

- ``synthetic``: the generator of bench/compile_vs_pyxform.py (yes/no questions, each item asked
  under two of them, in a ring: one group of linked questions);
- ``<bundle>×k``: k copies of a shipped bundle in one bundle, for every bundle of bundles/ (read
  from the folder: a bundle added to the library joins the sweep), every id of copy j suffixed
  ``_j`` (situations, named conditions, rules, fields, materials, items, steps), k chosen so that
  the question count is near each size. Real bundles' shape: several groups of linked questions each.

For each: ours (check + every artifact, as bench/compile_vs_pyxform.py) against pyxform converting
an XLSForm with as many questions (the copies' XLSForm: situation questions typed as theirs,
fields as text, no ``relevant``), medians of ``--repeat`` runs taken in turns; then the case search
alone (``figures``: planning/cases.py, which the figures, notice, routing and diagram share), its
answer sets and whether it is exact; and the check alone (``check``: part of ours, the rest is the artifacts).

Usage: python bench/figures_sweep.py [--sizes 10 25 50 75 100 150 200 300 400] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyxform.xls2xform import convert  # noqa: E402

from bench.compile_vs_pyxform import median_seconds, synthetic_bundle, xlsform  # noqa: E402
from configurator.language.check import check_bundle, check_catalogues  # noqa: E402
from configurator.planning.cases import search  # noqa: E402
from configurator.writers import render  # noqa: E402

SHIPPED = tuple(sorted(path.stem for path in (ROOT / "bundles").glob("*.yaml")))
SECTIONS = ("situations", "conditions", "eligibility", "fields", "materials", "items", "steps")
# keys whose string values (or lists of them) name an entry of the bundle itself, and its section
REFERENCES = {"fields": "fields", "materials": "materials", "items": "items", "item": "items",
              "produced_by": "items", "combined_with": "items", "from_situation": "situations"}
CONDITIONS = {"when", "require"}
LABEL = max(len(f"{name}×99") for name in SHIPPED)  # the bundle column's width: the longest name fits


def questions_of(data: dict[str, Any]) -> int:
    return len(data.get("situations", [])) + len(data.get("fields", []))


def copies(name: str, count: int) -> tuple[str, list[tuple[str, str]]]:
    """``count`` copies of a shipped bundle as one bundle's YAML, and its questions as (name, XLSForm type)."""
    data = yaml.safe_load((ROOT / "bundles" / f"{name}.yaml").read_text(encoding="utf-8"))
    ids = {entry["id"] for section in SECTIONS for entry in data.get(section, [])}
    by_section = {section: {entry["id"] for entry in data.get(section, [])} for section in SECTIONS}
    word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ids, key=len, reverse=True))) + r")\b")

    def renamed(value: Any, key: str, suffix: str) -> Any:
        if isinstance(value, dict):
            return {k: renamed(v, k, suffix) for k, v in value.items()}
        if isinstance(value, list):
            return [renamed(v, key, suffix) for v in value]
        if isinstance(value, str) and key in CONDITIONS:
            return word.sub(lambda m: m.group(1) + suffix, value)
        if isinstance(value, str) and (key == "id" or key in REFERENCES and value in by_section[REFERENCES[key]]):
            return value + suffix
        return value

    merged = {k: v for k, v in data.items() if k not in (*SECTIONS, "baseline")}
    merged["id"] = f"{name}_copies"
    for section in SECTIONS:
        merged[section] = [renamed(entry, "", f"_{j}") for j in range(count) for entry in data.get(section, [])]
    for j, entry in enumerate(merged["materials"]):  # an entry named by its catalogue id keeps its name
        if "material" not in entry and "name" not in entry:
            entry["name"] = data["materials"][j % len(data["materials"])]["id"]
    for j, entry in enumerate(merged["fields"]):  # and one typed by its catalogue id keeps its type
        entry.setdefault("field", data["fields"][j % len(data["fields"])]["id"])
    asked = []
    for situation in merged["situations"]:
        kind = {"boolean": "select_one yes_no", "number": "integer", "choice": "select_one yes_no",
                "multi_choice": "select_multiple yes_no"}[situation["type"]]
        asked.append((situation["id"], kind))
    asked += [(field["id"], "text") for field in merged["fields"]]
    return yaml.safe_dump(merged, allow_unicode=True, sort_keys=False), asked


def measure(label: str, text: str, workbook: bytes, questions: int, catalogues: Any, repeat: int) -> float:
    """Print one bundle's row; return its ratio to pyxform."""
    raw = text.encode("utf-8")
    path = f"bundles/{yaml.safe_load(text)['id']}.yaml"
    checked = check_bundle(raw, path, catalogues)
    assert checked.bundle is not None, [d.message("en") for d in checked.diagnostics if d.severity == "error"]
    bundle = checked.bundle
    convert(workbook, file_type=".xlsx")

    def ours() -> None:
        result = check_bundle(raw, path, catalogues)
        assert result.bundle is not None
        render(result.bundle, catalogues)

    def theirs() -> None:
        convert(workbook, file_type=".xlsx")

    def figures() -> None:
        search(bundle)

    def checked_only() -> None:
        check_bundle(raw, path, catalogues)

    mine, peer, cost, checking = median_seconds([ours, theirs, figures, checked_only], repeat)
    found = search(bundle)
    print(f"{label:<{LABEL}} {questions:>5} {len(bundle.situations):>5}  {1000 * mine:8.1f}ms {1000 * peer:8.1f}ms "
          f"{mine / peer:7.2f}x  {1000 * checking:8.1f}ms  {1000 * cost:8.1f}ms  {found.combinations:>10.3g}  "
          f"{'exact' if not found.sampled else 'sampled':<7} {len(found.cases):>5}")
    return mine / peer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50, 75, 100, 150, 200, 300, 400])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--shapes", nargs="+", default=["synthetic", *SHIPPED])
    args = parser.parse_args()
    catalogues = check_catalogues([(p.name, p.read_bytes()) for p in sorted((ROOT / "catalogues").glob("*.yaml"))]).catalogues
    print(f"median of {args.repeat} runs per bundle, in one process; check: check_bundle alone (part of ours); "
          "figures: the case search alone")
    print("load average before: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    print(f"{'bundle':<{LABEL}} {'quest':>5} {'situ':>5}  {'ours':>10} {'pyxform':>10} {'ratio':>8}  {'check':>10}  {'figures':>10}  "
          f"{'answer sets':>10}  {'search':<7} {'cases':>5}")
    ratios: dict[str, float] = {}
    for shape in args.shapes:
        if shape == "synthetic":
            for size in args.sizes:
                text, asked = synthetic_bundle(size)
                ratios[f"synthetic {size}"] = measure("synthetic", text, xlsform(asked), size, catalogues, args.repeat)
            continue
        one = questions_of(yaml.safe_load((ROOT / "bundles" / f"{shape}.yaml").read_text(encoding="utf-8")))
        for count in sorted({max(1, round(size / one)) for size in args.sizes}):
            text, plain = copies(shape, count)
            ratios[f"{shape}×{count}"] = measure(f"{shape}×{count}", text, xlsform([(name, kind, "") for name, kind in plain]),
                                                one * count, catalogues, args.repeat)
    print("load average after: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    missed = [f"{label} {ratio:.2f}x" for label, ratio in ratios.items() if ratio > 1.0]
    print(f"goal ≤ 1.0x pyxform: met by {len(ratios) - len(missed)} of {len(ratios)} bundles; "
          + (f"missed by {', '.join(missed)}" if missed else "missed by none"))


if __name__ == "__main__":
    main()
