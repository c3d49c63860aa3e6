"""Benchmark: many concurrent cases on the real Temporal development server and one worker.

Starts `configurator engine` (SQLite file) and one `configurator worker`, submits N newborn cases of
7 tasks at once (16 threads, through the same client the API uses), and measures: the time from
submission to the case's first task being in its department's list (the hand-over row in the
instance database, polled every 10 ms), the time until every task of every case is done (each
department completing what is ready, as department systems would), and the peak resident memory of
the worker and the engine.

Usage: python bench/temporal.py [--cases 200] [--port 7255]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from configurator.cases import store  # noqa: E402
from configurator.cases.client import Cases  # noqa: E402
from configurator.cases.engine import start_engine  # noqa: E402
from configurator.planning.casegraph import CHINA_STANDARD_TIME, case_graph  # noqa: E402
from configurator.planning.resolution import resolve  # noqa: E402
from tests.compile_helpers import compiled  # noqa: E402
from tests.test_working_days import FULL_NEWBORN  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--port", type=int, default=7255)
    args = parser.parse_args()
    today = dt.datetime.now(CHINA_STANDARD_TIME).date()
    graph = case_graph(resolve(compiled("newborn"), FULL_NEWBORN, None, None, today), "bench").as_json()
    tasks_per_case = sum(1 for t in graph["tasks"] if not t["skipped"])
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        engine = start_engine(args.port, work / "engine.db", quiet=True)
        address = f"127.0.0.1:{args.port}"
        worker = subprocess.Popen([sys.executable, "-m", "configurator", "worker", "--instance", str(work / "instance"),
                                   "--temporal", address], stdout=subprocess.DEVNULL)
        peaks = {"worker": 0, "engine": 0}
        sampling = threading.Event()

        def sample() -> None:
            watched = {"worker": psutil.Process(worker.pid), "engine": psutil.Process(engine.pid)}
            while not sampling.is_set():
                for name, process in watched.items():
                    peaks[name] = max(peaks[name], process.memory_info().rss)
                time.sleep(0.05)

        threading.Thread(target=sample, daemon=True).start()
        try:
            db = _wait_for_database(work / "instance" / "configurator.db")
            cases = Cases(address)
            cases.start("warm-up", graph)  # the client's connection and the worker's first poll, not timed
            ids = [f"bench-{n}" for n in range(args.cases)]
            submitted: dict[str, float] = {}
            first_ready: dict[str, float] = {}
            start = time.perf_counter()

            def submit(case_id: str) -> None:
                submitted[case_id] = time.perf_counter()
                cases.start(case_id, graph)

            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                list(pool.map(submit, ids))
                done = 0
                while done < args.cases * tasks_per_case:
                    with db.connect() as connection:
                        rows = connection.execute(select(store.tasks.c.application, store.tasks.c.item, store.tasks.c.state)
                                                  .where(store.tasks.c.application.like("bench-%"))).all()
                    now = time.perf_counter()
                    ready = [(a, i) for a, i, s in rows if s == "ready"]
                    for application, _, _ in rows:
                        first_ready.setdefault(application, now)
                    done = sum(1 for _, _, s in rows if s == "done")
                    list(pool.map(lambda pair: cases.update(pair[0], "complete", pair[1], {}), ready))
                    time.sleep(0.01)
            elapsed = time.perf_counter() - start
            with db.connect() as connection:
                handed = connection.execute(select(func.count()).select_from(store.tasks)).scalar_one()
        finally:
            sampling.set()
            worker.kill()
            worker.wait()
            engine.terminate()
            engine.wait()
    latencies = [(first_ready[c] - submitted[c]) * 1000 for c in ids]
    print(f"{args.cases} cases of {tasks_per_case} tasks, submitted at once, one worker, development server on SQLite")
    print(f"all done in {elapsed:.1f} s: {args.cases / elapsed:.1f} cases/s, {args.cases * tasks_per_case / elapsed:.0f} tasks/s")
    print(f"submission → first task ready: p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms")
    print(f"hand-over rows written: {handed} (one per task, with the warm-up case's)")
    print(f"peak resident memory: worker {peaks['worker'] / 2**20:.0f} MiB, engine {peaks['engine'] / 2**20:.0f} MiB")


def _wait_for_database(path: Path) -> Engine:
    deadline = time.monotonic() + 60
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not open its database")
        time.sleep(0.1)
    return store.open_database(f"sqlite:///{path}")


if __name__ == "__main__":
    main()
