"""Benchmark: the largest artifact from the API, from nginx serving `configurator export-api` as
docs/operations.md configures it, and from raw nginx on the same file, with wrk on loopback.

In the same run, on the same bytes (newborn's metrics.json, the largest artifact):
  - GET /api/bundles/newborn/metrics.json from the API (gunicorn, one worker per core, a git workspace);
  - the same URL from nginx with the doc's configuration over the export (the API's headers and ETag);
  - GET /metrics.json from raw nginx (a bare `root`, nginx's own mtime-size ETag), the same file;
  - each of the three made conditional (If-None-Match with its ETag, answered 304).
Each in turn, three rounds (medians): on a shared machine the load drifts, and one long run each would
compare them at different loads. The load average before and after is printed.

Needs `wrk` and nginx with its headers-more module (Debian packages; `make bench` installs them as root)
and gunicorn (pip, the bench extra). Usage: python bench/static_load.py [--seconds 9] [--api-port N]
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


def wrk(url: str, seconds: int, script: Path, headers: tuple[str, ...] = ()) -> tuple[float, float, float]:
    """Requests per second, p50 and p95 in ms (16 connections on 2 threads)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(script)]
    command += [part for header in headers for part in ("-H", header)] + [url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    latency = re.search(r"latency ([\d.]+) ([\d.]+)", done.stdout)
    if not rate or not latency or "Non-2xx or 3xx" in done.stdout:
        raise SystemExit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return float(rate.group(1)), float(latency.group(1)), float(latency.group(2))


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
    parser.add_argument("--seconds", type=int, default=9, help="per kind of request, split over three rounds")
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
            urls = {"API (gunicorn)": api_url + ARTIFACT, "nginx, the export (docs/operations.md)": nginx.url + ARTIFACT,
                    "raw nginx, the same file": f"http://127.0.0.1:{raw_port}/metrics.json"}
            bodies, etags = {}, {}
            for name, url in urls.items():
                status, bodies[name], headers = get(url)
                etags[name] = headers["ETag"]
                assert status == 200, (name, status)
                assert get(url, {"If-None-Match": etags[name]})[0] == 304, f"{name}: the conditional GET was not 304"
            assert len(set(bodies.values())) == 1, "the three do not serve the same bytes"
            assert etags["API (gunicorn)"] == etags["nginx, the export (docs/operations.md)"]
            script = tmp / "latency.lua"
            script.write_text(LATENCY, encoding="utf-8")
            kinds = [(name, url, ()) for name, url in urls.items()]
            kinds += [(f"{name}, 304", url, (f"If-None-Match: {etags[name]}",)) for name, url in urls.items()]
            for _, url, headers in kinds:
                wrk(url, 1, script, headers)  # warm every worker
            share = max(args.seconds // 3, 1)
            results: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _, _ in kinds}
            for _ in range(3):
                for name, url, headers in kinds:
                    results[name].append(wrk(url, share, script, headers))
        finally:
            if nginx is not None:
                nginx.stop()
            api.terminate()
            api.wait(timeout=10)
    load_after = os.getloadavg()
    size = len(next(iter(bodies.values())))
    print(f"newborn's metrics.json ({size} bytes); wrk -t2 -c16 on loopback, each kind 3 × {share} s in turns "
          f"(medians); gunicorn {workers} workers, nginx {workers} workers; wrk shares the same {workers} cores")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"{'':46} {'requests/s':>10} {'p50 ms':>8} {'p95 ms':>8}")
    rates = {}
    for name, runs in results.items():
        rates[name] = statistics.median(run[0] for run in runs)
        p50, p95 = (statistics.median(run[i] for run in runs) for i in (1, 2))
        print(f"{name + ':':46} {rates[name]:10.0f} {p50:8.2f} {p95:8.2f}")
    export, raw_rate, api_rate = (rates[k] for k in ("nginx, the export (docs/operations.md)", "raw nginx, the same file",
                                                     "API (gunicorn)"))
    print(f"{'nginx export / raw nginx (200):':46} {export / raw_rate:10.2f}x")
    print(f"{'nginx export / API (200):':46} {export / api_rate:10.1f}x")
    print(f"{'API / raw nginx (200):':46} {api_rate / raw_rate:10.2f}x")


if __name__ == "__main__":
    main()
