"""Benchmark: the pre-check in process against the fastest validator of the same application.

For every shipped bundle, one valid application of its conformance corpus (and one refused one),
timed in the same process, in turns: the pre-check (``present/precheck.pre_check``: the verdict and,
for a valid application, the case as ``explain`` gives it), jsonschema-rs validating the same
application against the bundle's published request schema (``form_schema.request_schema``) as a
bare yes/no, the same with the schema's ``format`` asserted (GB 11643 and GB 32100 check characters:
the one validator that reaches the pre-check's verdict), Python's jsonschema, and the pre-check's
reference path (what every application took before jsonschema-rs answered the valid ones).

CPU time of this thread (other work on a shared machine slows it less than wall time), the median
of ``--rounds`` rounds, each timing every contender in turn over ``--calls`` calls; ratios are the
median of the per-round ratios. Python function calls per pre-check (cProfile) are counted too: a
measure no load changes. For a refused application the pre-check words every problem (the
reference path), against jsonschema-rs listing its errors.

Usage: python bench/precheck.py [--rounds 15] [--calls 400]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jsonschema  # noqa: E402
import jsonschema_rs  # noqa: E402

from configurator.conformance.corpus import Target, corpus  # noqa: E402
from configurator.language.check import check_bundle, check_catalogues  # noqa: E402
from configurator.planning.calendar import WorkingCalendar  # noqa: E402
from configurator.planning.compiled import Compiled  # noqa: E402
from configurator.present.precheck import checker, pre_check  # noqa: E402
from configurator.writers.field_checks import FORMATS, format_holds  # noqa: E402
from configurator.writers.form_schema import request_schema  # noqa: E402


def cpu_microseconds(call: Callable[[], object], calls: int) -> float:
    started = time.thread_time_ns()
    for _ in range(calls):
        call()
    return (time.thread_time_ns() - started) / calls / 1000


def function_calls(call: Callable[[], object], calls: int = 50) -> float:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(calls):
        call()
    profile.disable()
    return float(pstats.Stats(profile).total_calls) / calls  # type: ignore[attr-defined]


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int, calls: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for call in contenders.values():
        call()  # warm: the case and the validators' first use
    for _ in range(rounds):
        for name, call in contenders.items():
            times[name].append(cpu_microseconds(call, calls))
    return times


def ratio(times: dict[str, list[float]], ours: str, theirs: str) -> float:
    return statistics.median(a / b for a, b in zip(times[ours], times[theirs], strict=True))


def applications(compiled: Compiled) -> tuple[dict[str, Any], dict[str, Any]]:
    """The corpus's first valid application and first refused one (a field of the wrong type)."""
    entries = corpus(Target(compiled), sample=4)["applications"]
    valid = next(e["application"] for e in entries if e["kind"] == "valid" and e["expected"]["verdict"] == "accepted")
    refused = next((e["application"] for e in entries if e["kind"] == "ill-typed"),
                   next(e["application"] for e in entries if e["expected"]["verdict"] == "refused"))
    return valid, refused


def measure(path: Path, catalogues: Any, rounds: int, calls: int) -> tuple[str, str, float]:
    """One bundle: its row for valid applications, its row for a refused one, the valid ratio to bare jsonschema-rs."""
    result = check_bundle(path.read_bytes(), f"bundles/{path.name}", catalogues)
    assert result.bundle is not None, path
    compiled = Compiled(result.bundle, catalogues)
    valid, refused = applications(compiled)
    fast, reference = checker(compiled), checker(compiled, quick=False)
    published = request_schema(compiled)
    bare = jsonschema_rs.Draft202012Validator(published)
    formats = {name: functools.partial(format_holds, name) for name in FORMATS.values()}
    asserted = jsonschema_rs.Draft202012Validator(published, validate_formats=True, formats=formats)
    python = jsonschema.Draft202012Validator(published)
    assert pre_check(fast, valid, "zh-CN", WorkingCalendar).status == 200 and bare.is_valid(valid)
    assert asserted.is_valid(valid) and python.is_valid(valid)
    times = interleaved({
        "pre-check": lambda: pre_check(fast, valid, "zh-CN", WorkingCalendar),
        "rs bare": lambda: bare.is_valid(valid),
        "rs formats": lambda: asserted.is_valid(valid),
        "jsonschema": lambda: python.is_valid(valid),
        "reference": lambda: pre_check(reference, valid, "zh-CN", WorkingCalendar),
    }, rounds, calls)
    us = {name: statistics.median(values) for name, values in times.items()}
    counted = (function_calls(lambda: pre_check(fast, valid, "zh-CN", WorkingCalendar)),
               function_calls(lambda: pre_check(reference, valid, "zh-CN", WorkingCalendar)))
    row = (f"{path.stem:<17}{us['pre-check']:>10.1f}{us['rs bare']:>9.1f}{ratio(times, 'pre-check', 'rs bare'):>6.2f}x"
           f"{us['rs formats']:>11.1f}{ratio(times, 'pre-check', 'rs formats'):>6.2f}x{us['jsonschema']:>11.1f}"
           f"{us['reference']:>10.1f}{counted[0]:>12.0f} / {counted[1]:<10.0f}")
    wrong = interleaved({"pre-check": lambda: pre_check(fast, refused, "zh-CN", WorkingCalendar),
                         "rs errors": lambda: list(bare.iter_errors(refused))}, rounds, max(calls // 10, 1))
    worded = (f"{path.stem:<17}{statistics.median(wrong['pre-check']):>10.1f}"
              f"{statistics.median(wrong['rs errors']):>11.1f}{ratio(wrong, 'pre-check', 'rs errors'):>8.1f}x")
    return row, worded, ratio(times, "pre-check", "rs bare")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()
    catalogues = check_catalogues([(p.name, p.read_bytes()) for p in sorted((ROOT / "catalogues").glob("*.yaml"))]).catalogues
    load_before = os.getloadavg()[0]
    print(f"in process, CPU time of one thread; medians of {args.rounds} rounds taking the contenders in turn, "
          f"{args.calls} calls each; µs per application")
    print(f"{'bundle':<17}{'pre-check':>10}{'rs bare':>9}{'ratio':>7}{'rs+formats':>11}{'ratio':>7}"
          f"{'jsonschema':>11}{'reference':>10}{'calls: fast / reference':>25}")
    ratios, refused_rows = [], []
    for path in sorted((ROOT / "bundles").glob("*.yaml")):
        row, worded, worst = measure(path, catalogues, args.rounds, args.calls)
        print(row, flush=True)
        refused_rows.append(worded)
        ratios.append(worst)
    print(f"valid applications: the pre-check at most {max(ratios):.2f}x jsonschema-rs's bare yes/no over the bundles")
    print("refused applications (a field of the wrong type): every problem worded, against jsonschema-rs listing its errors")
    print(f"{'bundle':<17}{'pre-check':>10}{'rs errors':>11}{'ratio':>9}")
    print("\n".join(refused_rows))
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
