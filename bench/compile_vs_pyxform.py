"""Benchmark: our compile against pyxform, the nearest peer compiler (XLSForm → XForm), in process,
at equal question counts, in the same run.

For each size N a synthetic bundle has N questions a citizen answers: N/5 yes/no situation questions
and the rest form fields, with N/5 items each asked under a condition on two situations and using a
few fields. The equivalent XLSForm (built with openpyxl, as a form designer would save it) has the
same N questions, the yes/no ones as select_one, the fields as text with a `relevant` expression
equal to the condition under which our form shows them.

- ours: YAML bytes → check (load, schema, rules, model) → every artifact (form schema, UI schema,
  HTML form, notice in Markdown and HTML, routing, figures, BPMN);
- pyxform: xlsx bytes → `pyxform.xls2xform.convert` (parse the workbook, build the survey, XForm).

Reported: the median of ``--repeat`` runs per size (ours and pyxform alternating) and the ratio
ours / pyxform (≤ 1.0 is the goal). ``bench/profile_compile.py`` profiles our side; its output for
400 and 50 questions is kept in bench/profiles/ (per-stage CPU times, then cProfile summaries).

Usage: python bench/compile_vs_pyxform.py [--sizes 25 50 400] [--repeat 15]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from pyxform.xls2xform import convert  # noqa: E402

from configurator.language.check import check_bundle, check_catalogues  # noqa: E402
from configurator.writers import render  # noqa: E402


def synthetic_bundle(questions: int) -> tuple[str, list[tuple[str, str, str]]]:
    """The bundle's YAML and its questions as (name, kind, relevant-condition in XPath)."""
    situations = max(2, questions // 5)
    fields = questions - situations
    items = max(1, questions // 5)
    lines = ["id: synthetic", "name: 合成的一件事", "version: 1", "service_object: natural_person",
             "lead_department: health", "cooperating_departments: [police]", "situations:"]
    asked: list[tuple[str, str, str]] = []
    for s in range(situations):
        lines += [f"  - id: q{s}", f"    label: 问题 {s}？", "    type: boolean"]
        asked.append((f"q{s}", "select_one yes_no", ""))
    lines += ["fallback:", "  department: government_services", "  message: 兜底", "fields:"]
    for f in range(fields):
        lines += [f"  - id: f{f}", "    field: person_name", f"    label: 字段 {f}"]
    lines += ["materials:"]
    for m in range(items):
        lines += [f"  - id: m{m}", "    material: photo", f"    name: 材料 {m}", "    source: applicant"]
    lines.append("items:")
    users: dict[int, list[str]] = {}
    for i in range(items):
        a, b = i % situations, (i + 1) % situations
        used = [f for f in range(fields) if f % items == i]
        for f in used:
            users.setdefault(f, []).append(f"(${{q{a}}} = 'yes' or ${{q{b}}} = 'yes')")
        department = "health" if i % 2 else "police"
        lines += [f"  - id: i{i}", f"    name: 事项 {i}", f"    department: {department}", f"    when: q{a} or q{b}",
                  "    time_limit: {promised: 1, statutory: 5}", "    visits: 1", "    steps: 3",
                  "    fields: [" + ", ".join(f"f{f}" for f in used) + "]", f"    materials: [m{i}]"]
    for f in range(fields):
        asked.append((f"f{f}", "text", " or ".join(users.get(f, []))))
    handled = [f"i{i}" for i in range(items)]
    lines += ["steps:", "  - id: apply", "    name: 申请", "    kind: application", "    owner: applicant",
              "    time_limit: 0", "  - id: intake", "    name: 受理", "    kind: intake", "    owner: health",
              "    time_limit: 1",
              "  - id: h", "    name: 卫健", "    kind: handling", "    owner: health", "    time_limit: 5",
              "    items: [" + ", ".join(x for n, x in enumerate(handled) if n % 2) + "]",
              "  - id: p", "    name: 公安", "    kind: handling", "    owner: police", "    time_limit: 5",
              "    items: [" + ", ".join(x for n, x in enumerate(handled) if not n % 2) + "]"]
    return "\n".join(lines) + "\n", asked


def xlsform(asked: list[tuple[str, str, str]]) -> bytes:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "relevant", "required"])
    for name, kind, relevant in asked:
        survey.append([kind, name, f"问题 {name}", relevant, "yes"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["yes_no", "yes", "是"])
    choices.append(["yes_no", "no", "否"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["合成的一件事", "synthetic"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def median_seconds(actions, repeat: int) -> list[float]:
    """Median wall time of each action. The actions take turns, run after run, so a burst of load
    on a shared machine slows both sides of the ratio alike."""
    for action in actions:
        action()  # warm caches and imports, as a long-running admin would have them
    samples: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for action, taken in zip(actions, samples, strict=True):
            start = time.perf_counter()
            action()
            taken.append(time.perf_counter() - start)
    return [statistics.median(taken) for taken in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 400])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    catalogues = check_catalogues([(p.name, p.read_bytes()) for p in sorted((ROOT / "catalogues").glob("*.yaml"))]).catalogues
    print(f"median of {args.repeat} runs per size, in one process")
    print(f"{'questions':>9}  {'ours':>9}  {'pyxform':>9}  {'ours/pyxform':>12}")
    for size in args.sizes:
        text, asked = synthetic_bundle(size)
        raw = text.encode("utf-8")
        workbook = xlsform(asked)
        result = check_bundle(raw, "bundles/synthetic.yaml", catalogues)
        assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
        assert "synthetic" in convert(workbook, file_type=".xlsx").xform

        def ours(raw: bytes = raw) -> None:
            checked = check_bundle(raw, "bundles/synthetic.yaml", catalogues)
            assert checked.bundle is not None
            render(checked.bundle, catalogues)

        def theirs(workbook: bytes = workbook) -> None:
            convert(workbook, file_type=".xlsx")

        mine, peer = median_seconds([ours, theirs], args.repeat)
        print(f"{size:>9}  {1000 * mine:7.1f}ms  {1000 * peer:7.1f}ms  {mine / peer:11.2f}x")


if __name__ == "__main__":
    main()
