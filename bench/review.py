"""Benchmark: change requests over real HTTP — save → commit on the branch, and publish.

A served admin (werkzeug, threaded, on a loopback port) on a git workspace, driven with
requests as a logged-in editor and reviewer:

- save → commit: POST of the YAML source with one line changed, until the answer that the
  save is on the change request's branch (compare-and-swap done, objects flushed to disk);
  for the largest shipped bundle and a generated bundle of 200 items;
- publish: the reviewer's POST, which checks the merged tree in full, bumps the version, writes
  the merge commit and moves main by compare-and-swap; one change request per round (at most
  three for the 200-item bundle, whose review page runs the planner's full case search).

Usage: python bench/review.py [--rounds 40] [--publishes 8] [--port 5400]
(``--port``: the loopback port to serve on; default a free one.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from admin import p95, publish_big_bundle  # noqa: E402

from tests.served import session, source_form, token  # noqa: E402
from tests.web_helpers import make_site, serve  # noqa: E402


def save(url: str, browser, bundle_id: str, mark: str) -> tuple[float, str]:
    page = browser.get(f"{url}/admin/bundles/{bundle_id}/source/", timeout=120).text
    text, version = source_form(page)
    data = {"csrf_token": token(page), "version": version, "text": text + f"# {mark}\n"}
    start = time.perf_counter()
    response = browser.post(f"{url}/admin/bundles/{bundle_id}/source/", data=data, allow_redirects=False, timeout=120)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, response.text[:1000]
    return elapsed, response.headers["Location"].split("change=")[1]


def publish(url: str, editor, reviewer, number: str) -> float:
    page = editor.get(f"{url}/admin/changes/{number}/", timeout=120).text
    editor.post(f"{url}/admin/changes/{number}/submit/", data={"csrf_token": token(page)}, timeout=120)
    page = reviewer.get(f"{url}/admin/changes/{number}/", timeout=120).text
    data = {"csrf_token": token(page), "head": page.split('data-head="')[1][:40], "main": page.split('data-main="')[1][:40]}
    start = time.perf_counter()
    response = reviewer.post(f"{url}/admin/changes/{number}/publish/", data=data, allow_redirects=False, timeout=300)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302
    assert "已发布变更申请" in reviewer.get(url + response.headers["Location"], timeout=120).text
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--publishes", type=int, default=8)
    parser.add_argument("--port", type=int, default=0, help="loopback port to serve on (default: a free one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = serve(make_site(Path(folder), git=True), port=args.port)
        try:
            publish_big_bundle(site.workspace)
            editor, reviewer = session(site.url, "alice"), session(site.url, "rita")
            for bundle_id, label in (("newborn", "largest shipped bundle (newborn)"), ("big", "generated bundle, 200 items")):
                save(site.url, editor, bundle_id, "warm-up")
                samples = [save(site.url, editor, bundle_id, f"round {n}")[0] for n in range(args.rounds)]
                print(f"save → commit over HTTP, {label}: p50 {1000 * statistics.median(samples):.1f} ms, "
                      f"p95 {1000 * p95(samples):.1f} ms ({args.rounds} saves)")
                timings = []
                # the 200-item bundle's review page runs the planner's full case search (seconds each)
                for round_number in range(args.publishes if bundle_id == "newborn" else min(args.publishes, 3)):
                    _, number = save(site.url, editor, bundle_id, f"publish {round_number}")
                    timings.append(publish(site.url, editor, reviewer, number))
                print(f"publish over HTTP, {label} changed (5 bundles checked in full): "
                      f"p50 {1000 * statistics.median(timings):.0f} ms, max {1000 * max(timings):.0f} ms "
                      f"({len(timings)} change requests)")
        finally:
            site.server.shutdown()


if __name__ == "__main__":
    main()
