"""Benchmark: the largest artifact from the API, from nginx serving `configurator export-api` as
docs/operations.md configures it, and from raw nginx on the same file, with wrk on loopback.

In the same run, on the same bytes (newborn's metrics.json, the largest artifact):
  - GET /api/bundles/newborn/metrics.json from the API (gunicorn, one worker per core, a git workspace);
  - the same URL from nginx with the doc's configuration over the export (the API's headers and ETag);
  - GET /metrics.json from raw nginx (a bare `root`, nginx's own mtime-size ETag), the same file;
  - each of the three made conditional (If-None-Match with its ETag, answered 304).
Each in turn, five rounds (medians, and ratios taken within a round): on a shared machine the load
drifts, and one long run each would compare them at different loads. Besides requests/s and latency,
the servers' own CPU time per request (their workers' user + system time, from /proc), which other
work on the machine inflates far less. The load average before and after is printed.

Needs `wrk` and nginx with its headers-more module (Debian packages; `make bench` installs them as root)
and gunicorn (pip, the bench extra). Usage: python bench/static_load.py [--seconds 15] [--api-port N]
[--nginx-port N] [--raw-port N] (0: a free port)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load import free_port  # noqa: E402
from configurator.web import create_app  # noqa: E402
from configurator.workspace.git import init_workspace  # noqa: E402
from tests.nginx_site import MISSING, deploy  # noqa: E402

ARTIFACT = "/api/bundles/newborn/metrics.json"
API, EXPORT, RAW = "API (gunicorn)", "nginx, the export (docs/operations.md)", "raw nginx, the same file"
ROUNDS = 5
LATENCY = ('done = function(summary, latency, requests)\n'
           '  io.write(string.format("latency %.2f %.2f\\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000))\n'
           'end\n')


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read(), dict(answer.headers)


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the worker processes of ``master``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # fields after the name: state, ppid, ..., utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, script: Path, headers: tuple[str, ...] = (),
        master: int = 0) -> tuple[float, float, float, float]:
    """Requests per second, p50 and p95 in ms (16 connections on 2 threads), and the server's CPU
    time per request in µs (its workers' user + system time over the run: what other work on the
    machine does not inflate, unlike the wall-clock rate)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(script)]
    command += [part for header in headers for part in ("-H", header)] + [url]
    cpu_before = server_cpu(master)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    cpu = server_cpu(master) - cpu_before
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    count = re.search(r"(\d+) requests in", done.stdout)
    latency = re.search(r"latency ([\d.]+) ([\d.]+)", done.stdout)
    if not rate or not count or not latency or "Non-2xx or 3xx" in done.stdout:
        raise SystemExit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return float(rate.group(1)), float(latency.group(1)), float(latency.group(2)), 1e6 * cpu / max(int(count.group(1)), 1)


def wait_for(url: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15, help="per kind of request, split over the rounds")
    parser.add_argument("--api-port", type=int, default=0, help="port of the API (gunicorn; default: a free one)")
    parser.add_argument("--nginx-port", type=int, default=0, help="port of nginx serving the export (default: a free one)")
    parser.add_argument("--raw-port", type=int, default=0, help="port of raw nginx on the same file (default: a free one)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if MISSING:
        raise SystemExit(MISSING)
    workers = os.cpu_count() or 1
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        workspace = tmp / "workspace"
        init_workspace(workspace)
        env = dict(os.environ, CONFIGURATOR_SECRET_KEY="bench-" + "k" * 40, CONFIGURATOR_WORKSPACE=str(workspace),
                   CONFIGURATOR_DATABASE_URL=f"sqlite:///{folder}/bench.db")
        # The tables made once here: workers that start together would race to create them.
        create_app({"SECRET_KEY": env["CONFIGURATOR_SECRET_KEY"], "WORKSPACE": str(workspace),
                    "DATABASE_URL": env["CONFIGURATOR_DATABASE_URL"]})
        api_port = args.api_port or free_port()
        api = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b",
                                f"127.0.0.1:{api_port}", "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
        nginx = None
        try:
            api_url = f"http://127.0.0.1:{api_port}"
            wait_for(api_url + ARTIFACT)
            subprocess.run([str(Path(sys.executable).parent / "configurator"), "export-api", "--workspace", str(workspace),
                            "--out", str(tmp / "site")], check=True, capture_output=True)
            raw = tmp / "raw"
            raw.mkdir()
            shutil.copyfile(tmp / "site" / "zh-CN" / "bundles" / "newborn" / "metrics.json", raw / "metrics.json")
            raw_port = args.raw_port or free_port()
            nginx = deploy(tmp / "site", tmp / "nginx", api_url, args.nginx_port, workers,
                           extra=f"server {{ listen 127.0.0.1:{raw_port}; root {raw}; }}\n")
            urls = {API: api_url + ARTIFACT, EXPORT: nginx.url + ARTIFACT, RAW: f"http://127.0.0.1:{raw_port}/metrics.json"}
            bodies, etags = {}, {}
            for name, url in urls.items():
                status, bodies[name], headers = get(url)
                etags[name] = headers["ETag"]
                assert status == 200, (name, status)
                assert get(url, {"If-None-Match": etags[name]})[0] == 304, f"{name}: the conditional GET was not 304"
            assert len(set(bodies.values())) == 1, "the three do not serve the same bytes"
            assert etags[API] == etags[EXPORT]
            script = tmp / "latency.lua"
            script.write_text(LATENCY, encoding="utf-8")
            masters = {API: api.pid, EXPORT: nginx.process.pid, RAW: nginx.process.pid}
            kinds = [(name, url, (), masters[name]) for name, url in urls.items()]
            kinds += [(f"{name}, 304", url, (f"If-None-Match: {etags[name]}",), masters[name]) for name, url in urls.items()]
            for _, url, headers, master in kinds:
                wrk(url, 1, script, headers, master)  # warm every worker
            share = max(args.seconds // ROUNDS, 1)
            results: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name, _, _, _ in kinds}
            for round_number in range(ROUNDS):
                # Each round starts one kind later: none always follows the API's run (whose workers
                # may still be finishing its last requests) or always goes first.
                turn = round_number % len(kinds)
                for name, url, headers, master in kinds[turn:] + kinds[:turn]:
                    time.sleep(0.5)
                    results[name].append(wrk(url, share, script, headers, master))
        finally:
            if nginx is not None:
                nginx.stop()
            api.terminate()
            api.wait(timeout=10)
    load_after = os.getloadavg()
    size = len(next(iter(bodies.values())))
    print(f"newborn's metrics.json ({size} bytes); wrk -t2 -c16 on loopback, each kind {ROUNDS} × {share} s in turns, "
          f"the order rotated each round (medians); gunicorn {workers} workers, nginx {workers} workers; "
          f"wrk shares the same {workers} cores")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"{'':46} {'requests/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'CPU µs/request':>15}")
    for name, runs in results.items():
        rate, p50, p95, cpu = (statistics.median(run[i] for run in runs) for i in range(4))
        print(f"{name + ':':46} {rate:10.0f} {p50:8.2f} {p95:8.2f} {cpu:15.1f}")
    # Ratios of runs next to each other in time (the same round), then their median: the load drifts
    # between rounds more than within one.
    print("ratios, medians of the rounds' own:          requests/s  CPU per request")
    pairs = [(f"nginx export / {other_name} ({kind})", EXPORT + suffix, other + suffix)
             for other_name, other in (("raw nginx", RAW), ("API", API)) for kind, suffix in (("200", ""), ("304", ", 304"))]
    for label, top, bottom in pairs:
        rate = statistics.median(a[0] / b[0] for a, b in zip(results[top], results[bottom], strict=True))
        cpu = statistics.median(a[3] / b[3] for a, b in zip(results[top], results[bottom], strict=True) if b[3] > 0)
        print(f"{label + ':':46} {rate:9.2f}x {cpu:15.2f}x")


if __name__ == "__main__":
    main()
