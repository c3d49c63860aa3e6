"""Benchmark: server time of the admin's save → validate → preview, and of the bundle list.

Measured through Flask's test client (the server's own time, no network), as a logged-in
editor, with the pages the browser would load:

- save: POST an item form that changes one time limit (edit the YAML text, check, write),
  then GET the preview (all seven artifacts rendered, the routing diagram drawn);
- for the largest shipped bundle, and for a generated bundle of 200 items;
- the bundle list with 1,000 bundles, after the first view (which reads every file once).

Usage: python bench/admin.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from check_many import generate  # noqa: E402

from tests.web_helpers import csrf_token, login, make_site  # noqa: E402


def big_bundle(items: int) -> str:
    """A valid bundle with ``items`` items, each with its own materials and a condition."""
    lines = ["id: big", "name: 大型一件事", "version: 1", "service_object: natural_person",
             "lead_department: health", "cooperating_departments: [police]", "situations:"]
    for index in range(20):
        lines += [f"  - id: q{index}", f"    label: 问题 {index}？", "    type: boolean"]
    lines += ["fallback:", "  department: government_services", "  message: 兜底", "fields:",
              "  - id: child_name", "    field: person_name", "materials:"]
    for index in range(items):
        lines += [f"  - id: m{index}", "    material: photo", f"    name: 材料 {index}", "    source: applicant"]
    lines.append("items:")
    for index in range(items):
        department = "health" if index % 2 else "police"
        lines += [f"  - id: i{index}", f"    name: 事项 {index}", f"    department: {department}",
                  f"    when: q{index % 20} or q{(index + 1) % 20}", "    time_limit: {promised: 1, statutory: 5}",
                  "    visits: 1", "    steps: 3", "    fields: [child_name]", f"    materials: [m{index}]"]
    lines += ["steps:", "  - id: apply", "    name: 申请", "    kind: application", "    owner: applicant",
              "    time_limit: 0", "  - id: intake", "    name: 受理", "    kind: intake", "    owner: health",
              "    time_limit: 1",
              "  - id: h", "    name: 卫健", "    kind: handling", "    owner: health", "    time_limit: 5",
              "    items: [" + ", ".join(f"i{i}" for i in range(1, items, 2)) + "]",
              "  - id: p", "    name: 公安", "    kind: handling", "    owner: police", "    time_limit: 5",
              "    items: [" + ", ".join(f"i{i}" for i in range(0, items, 2)) + "]"]
    return "\n".join(lines) + "\n"


def form_values(page: str) -> dict[str, object]:
    """What the browser would post: every input's value, checked boxes, selected options."""
    values: dict[str, object] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                values.setdefault(name.group(1), []).append(value.group(1) if value else "")  # type: ignore[union-attr]
        else:
            values[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', options)
        values[name] = chosen.group(1) if chosen else ""
    return values


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(int(len(samples) * 0.95) - 1, 0)]


def time_save_and_preview(client, bundle_id: str, rounds: int) -> list[float]:
    samples = []
    for round_number in range(rounds):
        page = client.get(f"/admin/bundles/{bundle_id}/items/1/").get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), **form_values(page)}
        data["promised"] = str(round_number % 2)  # a real change every time
        start = time.perf_counter()
        response = client.post(f"/admin/bundles/{bundle_id}/items/1/", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        preview = client.get(f"/admin/bundles/{bundle_id}/preview/")
        samples.append(time.perf_counter() - start)
        assert preview.status_code == 200
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = make_site(Path(folder))
        (site.workspace / "bundles" / "big.yaml").write_text(big_bundle(200), encoding="utf-8")
        client = site.app.test_client()
        login(client, "alice")
        for bundle_id, label in (("newborn", "largest shipped bundle (newborn)"), ("big", "generated bundle, 200 items")):
            samples = time_save_and_preview(client, bundle_id, args.rounds)
            print(f"save → validate → preview, {label}: p50 {1000 * statistics.median(samples):.1f} ms, "
                  f"p95 {1000 * p95(samples):.1f} ms ({args.rounds} rounds)")
    with tempfile.TemporaryDirectory() as folder:
        site = make_site(Path(folder))
        shutil.rmtree(site.workspace / "bundles")
        generate(Path(folder) / "gen", 1000)
        shutil.move(str(Path(folder) / "gen" / "bundles"), str(site.workspace / "bundles"))
        client = site.app.test_client()
        login(client, "alice")
        start = time.perf_counter()
        assert client.get("/admin/bundles/").status_code == 200
        first = time.perf_counter() - start
        samples = []
        for _ in range(20):
            start = time.perf_counter()
            body = client.get("/admin/bundles/").get_data(as_text=True)
            samples.append(time.perf_counter() - start)
        assert body.count("<tr>") >= 1000
        print(f"bundle list, 1,000 bundles: first view {1000 * first:.0f} ms (reads every file), "
              f"then p50 {1000 * statistics.median(samples):.1f} ms, p95 {1000 * p95(samples):.1f} ms")


if __name__ == "__main__":
    main()
