"""Run the benchmarks and write docs/performance.md from what they print (`make bench`).

Every section of the page is one benchmark: what it measures and the goal (written here, once),
then the exact command, the date and the machine, and the benchmark's own output from this run.
Nothing in the page is typed in by hand after a run, so the figures cannot drift from the code.

Usage: python bench/report.py [--only NAME ...] [--out docs/performance.md]
A benchmark whose tool is missing (wrk) is reported as skipped, with the reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Benchmark:
    name: str
    title: str
    about: str  # what is measured and the goal, in prose that holds whatever the numbers are
    args: tuple[str, ...]
    needs: tuple[str, ...] = ()  # programs that must be on PATH


BENCHMARKS = [
    Benchmark("temporal", "Cases on Temporal: 200 concurrent cases",
              "`configurator engine` (the Temporal development server on an SQLite file) and one "
              "`configurator worker`, both started by the benchmark; 200 newborn cases of 7 tasks submitted at "
              "once through the client the API uses; each department's ready tasks completed as they appear. "
              "Reported: cases per second until every task of every case is done, p50/p95 from submission to the "
              "case's first task in its department's list, and the peak memory of the worker and the engine. "
              "Issue 26 measured about 12 s for 200 cases of 8 tasks on this kind of machine.",
              ("bench/temporal.py", "--cases", "200")),
    Benchmark("check", "`configurator check` over 1,000 bundles",
              "Copies of the largest shipped bundle, each with its own situation names (no cache shared "
              "between files that would not share it in reality), checked by the CLI as a user runs it, "
              "against a bare parse of the same files with PyYAML's C loader in the same run; then the same "
              "checks serially in one process, split into phases. Goals: under 2 s on one core (issue 18), "
              "and on one core at most 1.0× the bare parse (issue 29), compared in CPU time so that other "
              "work on the machine does not count.",
              ("bench/check_many.py", "--count", "1000", "--repeat", "3")),
    Benchmark("check-conditions", "`configurator check` over 1,000 bundles whose conditions cost most",
              "The same benchmark on copies of credit_repair: its eligibility rules link seven questions (a "
              "choice, yes/no answers and months compared with three constants), and every item, material and "
              "field condition is judged with them (E408), every produced material with them too (E514). Issue 29 "
              "measured 2.39x the bare parse on one core here while those conditions were decided by trying every "
              "combination of the questions' candidates; they are now decided from the conditions' structure "
              "(`language/conditions/solver.py`). Goal: at most 1.0x the bare parse on one core, in CPU time.",
              ("bench/check_many.py", "--count", "1000", "--repeat", "3", "--bundle", "credit_repair")),
    Benchmark("build", "Compile and `configurator build`",
              "In process, check + every artifact of each shipped bundle (the admin's preview budget); then "
              "`configurator build` of 10, 100 and 1,000 generated bundles as new processes — the time "
              "should grow linearly with the count.",
              ("bench/build_many.py",)),
    Benchmark("pyxform", "Compile against pyxform, the nearest peer compiler",
              "The same synthetic bundle and its equivalent XLSForm at 25, 50 and 400 questions, compiled "
              "in one process in the same run (medians). Goal: ours ≤ 1.0× pyxform at every size, though "
              "we write eight artifacts and enumerate cases where pyxform writes one XForm.",
              ("bench/compile_vs_pyxform.py",)),
    Benchmark("sweep", "Compile against pyxform over a sweep of sizes and shapes, and the figures' own cost",
              "From 10 to 400 questions: the synthetic generator above (its items read two yes/no questions "
              "each, in a ring: one group of linked questions) and k copies of each shipped bundle (every file "
              "of bundles/, read from the folder) in one bundle (ids suffixed per copy: several independent "
              "groups, as real bundles have), against pyxform on an XLSForm with as many questions, medians "
              "taken in turns in one process; then the check alone (part of ours: what is left is the artifacts) "
              "and the case search alone (the figures' cost: every distinct case, the count of answer sets, the "
              "fullest case) and whether it is exact. Goals (issue 29): ours ≤ 1.0× pyxform at every size; "
              "figures under 50 ms and exact for every bundle up to 40 situations. The load average before "
              "and after is printed: the ratios are from one run on a machine other work may share.",
              ("bench/figures_sweep.py",)),
    Benchmark("admin", "Web admin: save → validate → preview, and the bundle list",
              "A served admin (werkzeug, threaded, its own process, loopback; start-up objects set aside from "
              "the garbage collector as `configurator serve` does) on a git workspace, driven with "
              "requests as a logged-in editor: an item form that changes one time limit (a commit on the "
              "editor's change request: compare-and-swap, flushed to disk), then the preview page, for the "
              "largest shipped bundle and a generated 200-item bundle; the page's lazily loaded figures and "
              "diagram timed apart; the list of 1,000 published bundles. Goal: save → preview p95 under "
              "100 ms on both bundles (issue 18). A cProfile of the same requests: bench/profiles/.",
              ("bench/admin.py", "--rounds", "40")),
    Benchmark("admin-sweep", "Web admin: save → preview for every bundle of the sweep",
              "The served admin of the section above, on every bundle of the compile sweep (bench/figures_sweep.py: "
              "the synthetic generator and k copies of each shipped bundle in one, 10 to 400 questions), published "
              "together: each round saves item 1's form with a new time limit (a commit on the change request), "
              "opens the preview page and loads its figures and diagram; the time of all of it is reported. Goal "
              "(issue 29): p95 under 100 ms for every bundle of the sweep, figures and diagram included. The load "
              "average before and after is printed: a machine other work shares slows every request.",
              ("bench/admin.py", "--sweep", "--rounds", "10")),
    Benchmark("review", "Change requests: save → commit and publish over HTTP",
              "A served admin (werkzeug, threaded, loopback) on a git workspace, driven with requests: the YAML "
              "source saved with one line changed, timed until the answer that the commit is on the change "
              "request's branch (compare-and-swap done, objects flushed); then publish, timed from the "
              "reviewer's POST to the answer (merged tree checked in full, version bumped, merge commit, "
              "main moved by compare-and-swap). For the largest shipped bundle and a generated 200-item bundle.",
              ("bench/review.py", "--rounds", "40", "--publishes", "8")),
    Benchmark("api", "Portal API under load",
              "gunicorn with one worker per core on a git workspace and wrk on loopback, in the same run: the "
              "largest artifact (newborn's metrics.json) through the API against the same bytes as a static "
              "file from the same server; the same GET made conditional (If-None-Match with its ETag, answered "
              "304); the pre-check of a valid newborn application with 16 concurrent clients and with one. "
              "Goals: artifact GET ≥ 95 % of the static file; a 304 at least 1.2× the 200's throughput; "
              "pre-check p95 under 30 ms with 16 clients and under 10 ms with one.",
              ("bench/api_load.py", "--seconds", "10"), needs=("wrk",)),
    Benchmark("static", "Artifacts at the limit: the API, nginx over `export-api`, raw nginx",
              "The largest artifact (newborn's metrics.json, the same bytes in all three) from the API (gunicorn, "
              "one worker per core, a git workspace), from nginx running docs/operations.md's configuration over "
              "`configurator export-api` (the API's URL, headers and SHA-256 ETag; a request matched by regular "
              "expressions, then the file), and from raw nginx (a bare `root`, nginx's own ETag) on the same "
              "file; each also made conditional (If-None-Match with its own ETag, answered 304). wrk on "
              "loopback, the six kinds in turns, five rounds, medians, ratios taken within a round; besides "
              "requests/s and latency, each server's own CPU time per request (its workers' user + system time), "
              "which other work on a shared machine inflates far less than the wall-clock rate. The load average "
              "before and after is printed. Goal (issue 29): the export at the cost of raw nginx on the same "
              "file, and far above the API.",
              ("bench/static_load.py", "--seconds", "15", "--api-port", "5190", "--nginx-port", "5191", "--raw-port", "5192"),
              needs=("wrk", "nginx")),
    Benchmark("precheck", "The pre-check in process against jsonschema-rs",
              "For every shipped bundle, a valid application of its conformance corpus, in one process, the "
              "contenders timed in turns (CPU time of the thread, medians of 15 rounds): the pre-check (verdict and, "
              "for a valid application, the case as `explain` gives it), jsonschema-rs on the published request "
              "schema as a bare yes/no and with its check-character formats asserted, Python's jsonschema, and the "
              "pre-check's reference path (what every application took before jsonschema-rs answered the valid "
              "ones); Python function calls per pre-check (cProfile, which no load changes). The fastest *correct* "
              "validator is jsonschema-rs with the check-character formats asserted (the `rs+formats` column): bare "
              "jsonschema-rs accepts ID numbers and credit codes with a wrong check character, so it is a lower "
              "bound, not a verdict; both are reported. Then a refused application (a field of the wrong type), "
              "every problem worded: jsonschema-rs finds the parts of the schema that fail and Python's jsonschema "
              "words only those (byte-identical to the reference path), against jsonschema-rs listing its errors. "
              "Goal (issue 29): the pre-check at most 1.5x the fastest correct validator of the same application.",
              ("bench/precheck.py", "--rounds", "15", "--calls", "400")),
    Benchmark("conformance", "Conformance: every case through every consumer",
              "`make conformance`: the corpus of every shipped bundle, tests/corpus/good and tests/conformance, "
              "and of every region binding one of them (docs/conformance.md), read by every consumer: explain, "
              "the notice, metrics.json, form.schema.json (jsonschema, ajv), form.ui.json and routing.json "
              "(two JsonLogic implementations), SpiffWorkflow, Camunda 8 FEEL (feelin), the pre-check and "
              "form.html posts over HTTP, form.html and portal/rjsf in Chromium. Per consumer: targets, cases "
              "or applications read, disagreements; then each class of disagreement with its count (exit "
              "status 1 while any remain) and the time per consumer. No goal beyond finishing within minutes "
              "on two cores; the test suite runs a bounded sample (tests/test_conformance.py).",
              ("bench/conformance.py", "--regions", "--examples", "0")),
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
                         if line.startswith("MemTotal"))
        memory = f"{memory_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "unknown memory"
    return f"{cpu}, {os.cpu_count()} cores, {memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def run(benchmark: Benchmark) -> str:
    missing = [tool for tool in benchmark.needs if shutil.which(tool) is None]
    if missing:
        return f"*Skipped in this run: {', '.join(missing)} is not installed (`make bench` installs it when run as root).*\n"
    done = subprocess.run([sys.executable, *benchmark.args], cwd=ROOT, capture_output=True, text=True, timeout=3600)
    output = done.stdout.strip()
    if done.returncode != 0:
        output += f"\n(exit status {done.returncode}" + (f": {done.stderr.strip().splitlines()[-1]})" if done.stderr.strip() else ")")
    return f"```text\n{output}\n```\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHMARKS])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = []
    for benchmark in chosen:
        print(f"running {benchmark.name} …", file=sys.stderr)
        command = "python " + " ".join(benchmark.args)
        sections.append(f"## {benchmark.title}\n\n{benchmark.about}\n\n"
                        f"Command: `{command}` — run {now} on {machine()}.\n\n{run(benchmark)}")
    if args.only and args.out.exists():
        # Run some benchmarks only: their sections are replaced, every other section kept as it was.
        kept = args.out.read_text(encoding="utf-8")
        for benchmark, section in zip(chosen, sections, strict=True):
            start = kept.find(f"## {benchmark.title}\n")
            if start < 0:
                kept = kept.rstrip("\n") + "\n\n" + section
                continue
            end = kept.find("\n## ", start + 1)
            kept = kept[:start] + section.rstrip("\n") + "\n" + (kept[end:] if end >= 0 else "")
        args.out.write_text(kept, encoding="utf-8")
        return
    page = ("# Performance\n\n"
            "Written by `make bench` (`python bench/report.py`) from the benchmarks in `bench/`: each section\n"
            "is one benchmark's own output from that run, with its command, date and machine. Timings are\n"
            "wall-clock on a machine that may be doing other work; compare figures from the same run (the\n"
            "ratios), not across runs. The test suite asserts no timings. The served benchmarks\n"
            "(bench/admin.py, bench/review.py) listen on a free loopback port; `--port N` sets it, e.g. to\n"
            "open the admin in a browser while they run.\n\n" + "\n".join(sections))
    args.out.write_text(page, encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
