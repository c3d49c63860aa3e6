"""Benchmark: the admin's save → preview over real HTTP, with a git commit per save, and the bundle list.

A served admin (werkzeug, threaded, in its own process, on loopback) on a git workspace with a
SQLite database, driven with requests as a logged-in editor, as the browser would:

- save: POST of an item form that changes one time limit (to a value not used before) — the YAML text edited, the bundle
  checked, a commit on the editor's change request (compare-and-swap on its branch, flushed to
  disk) — answered with a redirect; then GET of the preview page of that change request. The
  preview page's own lazily loaded parts (figures, routing diagram) are timed apart;
- for the largest shipped bundle (newborn) and a generated bundle of 200 items, both published;
- the bundle list with 1,000 published bundles, after its first view.

``--profile FILE`` serves in this process instead, under cProfile, and writes the top of the
profile of the timed requests to FILE (bench/profiles/admin-save-preview.txt is one such run).

Usage: python bench/admin.py [--rounds 40] [--port 5400] [--profile FILE]
(``--port``: the loopback port to serve on, e.g. to watch the admin in a browser meanwhile;
default a free one.)
"""

from __future__ import annotations

import argparse
import cProfile
import html
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from configurator.workspace import git, trees  # noqa: E402
from tests.served import prepare, session, start_app, token  # noqa: E402

LAZY = re.compile(r'data-fragment="([^"]+)"')


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
    """What the browser would post: every input's value (its HTML entities read), checked boxes, selected options."""
    values: dict[str, object] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                values.setdefault(name.group(1), []).append(html.unescape(value.group(1)) if value else "")  # type: ignore[union-attr]
        else:
            values[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', options)
        values[name] = html.unescape(chosen.group(1)) if chosen else ""
    return values


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(int(len(samples) * 0.95) - 1, 0)]


def publish_files(workspace: Path, files: dict[str, bytes], message: str) -> None:
    """Files committed straight onto main (as a publish would leave them)."""
    main = git.ref(workspace, git.MAIN)
    assert main is not None
    commit = trees.write_commit(workspace, main, dict(files), parents=[main], message=message,
                                author=("bench", "bench@localhost"))
    git.update_ref(workspace, git.MAIN, commit, main)


def publish_big_bundle(workspace: Path) -> None:
    publish_files(workspace, {"bundles/big.yaml": big_bundle(200).encode("utf-8")}, "生成的 200 个事项的一件事\n")


def ms(samples: list[float]) -> str:
    return f"p50 {1000 * statistics.median(samples):.1f} ms, p95 {1000 * p95(samples):.1f} ms"


def save_and_preview(url: str, browser: requests.Session, bundle_id: str, rounds: int) -> dict[str, list[float]]:
    """Each round: the item page (not timed), its form posted with a new time limit, the preview."""
    timings: dict[str, list[float]] = {"save": [], "preview": [], "both": [], "fragments": []}
    change = ""
    for round_number in range(rounds + 1):  # the first round opens the change request: not counted
        page = browser.get(f"{url}/admin/bundles/{bundle_id}/items/1/{change}", timeout=300).text
        data = {**form_values(page), "csrf_token": token(page)}
        # A new statutory limit every round: each save is a text never seen before (no cache can answer it).
        data["statutory"] = str(30 + round_number)
        start = time.perf_counter()
        saved = browser.post(f"{url}/admin/bundles/{bundle_id}/items/1/{change}", data=data, allow_redirects=False,
                             timeout=300)
        middle = time.perf_counter()
        assert saved.status_code == 302, re.findall(r"(?:field-errors|alert)[^>]*>([^<]+)<", saved.text) or saved.text[:2000]
        change = "?change=" + saved.headers["Location"].split("change=")[1]
        preview = browser.get(f"{url}/admin/bundles/{bundle_id}/preview/{change}", timeout=300)
        end = time.perf_counter()
        assert preview.status_code == 200 and "form-preview" in preview.text, preview.text[:2000]
        fragments = 0.0
        for address in LAZY.findall(preview.text):
            part = time.perf_counter()
            answer = browser.get(url + address.replace("&amp;", "&"), timeout=300)
            fragments += time.perf_counter() - part
            assert answer.status_code == 200, answer.text[:1000]
        if round_number:
            for key, value in (("save", middle - start), ("preview", end - middle), ("both", end - start),
                               ("fragments", fragments)):
                timings[key].append(value)
    return timings


def bundle_list(url: str, browser: requests.Session) -> tuple[float, list[float]]:
    start = time.perf_counter()
    assert browser.get(f"{url}/admin/bundles/", timeout=600).status_code == 200
    first = time.perf_counter() - start
    samples = []
    for _ in range(20):
        start = time.perf_counter()
        body = browser.get(f"{url}/admin/bundles/", timeout=600).text
        samples.append(time.perf_counter() - start)
    assert body.count("<tr>") >= 1000
    return first, samples


def profiled_server(workspace: Path, database: str, port: int) -> tuple[str, Callable[[], str]]:
    """The app served from this process (werkzeug, threaded) with every request under one cProfile."""
    import logging

    from werkzeug.serving import make_server

    from configurator.web import create_app
    from configurator.web.serve import settle_before_serving

    app = create_app({"SECRET_KEY": "bench-" + "k" * 40, "WORKSPACE": str(workspace), "DATABASE_URL": database})
    settle_before_serving()  # as `configurator serve` and the served app do
    profile, lock = cProfile.Profile(), threading.Lock()
    inner = app.wsgi_app

    def measured(environ: dict[str, Any], start_response: Any) -> Any:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        timed = (method == "POST" and "/items/" in path) or path.endswith("/preview/")
        if not timed:  # the item page before a save, the lazily loaded parts, logging in
            return inner(environ, start_response)
        with lock:  # one request at a time under the profiler (the benchmark sends one at a time)
            return list(profile.runcall(inner, environ, start_response))

    app.wsgi_app = measured  # type: ignore[method-assign]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on stderr
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def report() -> str:
        server.shutdown()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        return re.sub(r"(/[^\s:]*?/)(site-packages|configurator|lib/python3\.\d+)/", r"\2/", out.getvalue())

    return f"http://127.0.0.1:{server.server_port}", report


def sweep_bundles(sizes: list[int]) -> list[tuple[str, str, int]]:
    """The bundles of bench/figures_sweep.py (the synthetic generator, and k copies of each shipped
    bundle in one) at these sizes, each under its own id: (id, YAML text, questions)."""
    import yaml

    from bench.compile_vs_pyxform import synthetic_bundle
    from bench.figures_sweep import SHIPPED, copies, questions_of

    found = []
    for size in sizes:
        text, _asked = synthetic_bundle(size)
        found.append((f"synthetic_{size}", text.replace("id: synthetic\n", f"id: synthetic_{size}\n", 1), size))
    for name in SHIPPED:
        one = questions_of(yaml.safe_load((ROOT / "bundles" / f"{name}.yaml").read_text(encoding="utf-8")))
        for count in sorted({max(1, round(size / one)) for size in sizes}):
            text, _plain = copies(name, count)
            data = yaml.safe_load(text)
            data["id"] = f"{name}_x{count}"
            found.append((data["id"], yaml.safe_dump(data, allow_unicode=True, sort_keys=False), one * count))
    return found


def sweep(args: argparse.Namespace) -> None:
    """Save → preview, with the page's figures and diagram, for every bundle of the sweep."""
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/admin.db"
        workspace = prepare(Path(folder), database)
        bundles = sweep_bundles(args.sizes)
        publish_files(workspace, {f"bundles/{bundle_id}.yaml": text.encode("utf-8") for bundle_id, text, _q in bundles},
                      "扫描用的一件事\n")
        served = start_app(workspace, database, port=args.port)
        print(f"{args.rounds} rounds per bundle (each: item form saved with a new time limit → commit, the preview page, "
              f"then its figures and diagram); load average before: {os.getloadavg()[0]:.2f}")
        print(f"{'bundle':<22}{'questions':>10}  {'save→preview + figures and diagram':>36}  {'of which figures and diagram':>30}")
        worst = ("", 0.0)
        try:
            editor = session(served.url, "alice")
            for bundle_id, _text, questions in bundles:
                timings = save_and_preview(served.url, editor, bundle_id, args.rounds)
                whole = [a + b for a, b in zip(timings["both"], timings["fragments"], strict=True)]
                worst = max(worst, (bundle_id, p95(whole)), key=lambda pair: pair[1])
                print(f"{bundle_id:<22}{questions:>10}  {ms(whole):>36}  {ms(timings['fragments']):>30}", flush=True)
        finally:
            served.stop()
        print(f"slowest p95: {1000 * worst[1]:.1f} ms ({worst[0]}); load average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--sweep", action="store_true", help="every bundle of bench/figures_sweep.py instead")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50, 75, 100, 150, 200, 300, 400],
                        help="the sweep's sizes in questions (with --sweep)")
    parser.add_argument("--port", type=int, default=0, help="loopback port to serve on (default: a free one)")
    parser.add_argument("--profile", type=Path, help="serve in this process under cProfile; write its summary here")
    parser.add_argument("--skip-list", action="store_true", help="leave out the 1,000-bundle list")
    args = parser.parse_args()
    if args.sweep:
        sweep(args)
        return
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/admin.db"
        workspace = prepare(Path(folder), database)
        publish_big_bundle(workspace)
        report: Callable[[], str] | None = None
        if args.profile:
            url, report = profiled_server(workspace, database, args.port)
        else:
            served = start_app(workspace, database, port=args.port)
            url = served.url
        try:
            editor = session(url, "alice")
            for bundle_id, label in (("newborn", "largest shipped bundle (newborn)"), ("big", "generated bundle, 200 items")):
                timings = save_and_preview(url, editor, bundle_id, args.rounds)
                print(f"save → preview over HTTP, {label}: {ms(timings['both'])} ({args.rounds} rounds)")
                print(f"    of which save (item form → commit on the change request): {ms(timings['save'])}; "
                      f"preview page: {ms(timings['preview'])}")
                if any(timings["fragments"]):
                    print(f"    then the page's lazily loaded figures and diagram: {ms(timings['fragments'])}")
        finally:
            if report is not None:
                args.profile.write_text(f"# python bench/admin.py --rounds {args.rounds} --profile ...\n"
                                        "# cProfile of the timed requests only (item form POST, preview page), server side\n" + report(),
                                        encoding="utf-8")
            else:
                served.stop()
    if args.profile or args.skip_list:
        return
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/admin.db"
        workspace = prepare(Path(folder), database)
        from check_many import generate

        generate(Path(folder) / "gen", 1000)
        files = {f"bundles/{p.name}": p.read_bytes() for p in sorted((Path(folder) / "gen" / "bundles").glob("*.yaml"))}
        publish_files(workspace, files, "1,000 个一件事\n")
        served = start_app(workspace, database, port=args.port)
        try:
            first, samples = bundle_list(served.url, session(served.url, "alice"))
        finally:
            served.stop()
        print(f"bundle list over HTTP, 1,000 published bundles: first view {1000 * first:.0f} ms (checks every file), "
              f"then {ms(samples)}")


if __name__ == "__main__":
    main()
