"""Benchmark: the portal API under load, with wrk on loopback against gunicorn (one worker per core).

The server holds a git workspace (as published through change requests), in the same run:
  - GET /api/bundles/newborn/metrics.json          (the largest artifact, through the API)
  - GET /static/bench-metrics.json                 (the same bytes as a plain static file, same server)
  - the same API GET with If-None-Match: its ETag  (answered 304: no body read, rendered or hashed)
  - POST /api/bundles/newborn/check                (the pre-check of a valid application: p50, p95),
    with 16 concurrent clients and with one

Needs `wrk` (Debian package) and gunicorn (pip). Usage: python bench/api_load.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
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
STATIC = ROOT / "configurator" / "web" / "static"

from configurator.web import create_app  # noqa: E402
from configurator.workspace.git import init_workspace  # noqa: E402

APPLICATION = {"situations": {
    "born_in_province_hospital": True, "child_age_months": 0, "parents_province_household": True,
    "born_in_wedlock": False, "register_with": "father", "surname": "father", "household_kind": "family",
    "parents_different_ethnicity": False,
    "enrol_health_insurance": True, "apply_social_security_card": True, "mother_maternity_insurance": False,
    "want_parenting_guidance": False},
    "fields": {"child_name": "张小明", "child_gender": "male", "child_birth_date": "2026-11-01", "child_birth_time": "08:30",
               "mother_name": "李丽", "mother_id_number": "11010519491231002X", "father_name": "张伟",
               "father_id_number": "11010519491231002X", "guardian_mobile": "13800138000", "home_address": "某市某路 1 号"},
    "uploads": {"out_of_wedlock_statement": ["u1"], "paternity_test_report": ["u2"]}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wrk(url: str, seconds: int, script: Path | None = None, clients: int = 16,
        headers: tuple[str, ...] = ()) -> tuple[float, str]:
    command = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s", "--latency"]
    command += [part for header in headers for part in ("-H", header)] + (["-s", str(script)] if script else []) + [url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if not found:
        raise SystemExit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return float(found.group(1)), done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=0, help="port to serve on (default: a free one)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    workers = os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder) / "workspace"
        init_workspace(workspace)
        port = args.port or free_port()
        env = dict(os.environ, CONFIGURATOR_SECRET_KEY="bench-" + "k" * 40, CONFIGURATOR_WORKSPACE=str(workspace),
                   CONFIGURATOR_DATABASE_URL=f"sqlite:///{folder}/bench.db")
        # The tables made once here: workers that start together would race to create them.
        create_app({"SECRET_KEY": env["CONFIGURATOR_SECRET_KEY"], "WORKSPACE": str(workspace),
                    "DATABASE_URL": env["CONFIGURATOR_DATABASE_URL"]})
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b",
                                   f"127.0.0.1:{port}", "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
        static_file = STATIC / "bench-metrics.json"
        try:
            base = f"http://127.0.0.1:{port}"
            artifact = f"{base}/api/bundles/newborn/metrics.json"
            for _ in range(100):
                try:
                    with urllib.request.urlopen(artifact, timeout=5) as answer:
                        body, etag = answer.read(), answer.headers["ETag"]
                    break
                except OSError:
                    time.sleep(0.1)
            STATIC.mkdir(exist_ok=True)
            static_file.write_bytes(body)
            conditional = (f"If-None-Match: {etag}",)
            request = urllib.request.Request(artifact, headers={"If-None-Match": etag})
            try:
                urllib.request.urlopen(request, timeout=5)
                raise SystemExit("the conditional GET was not answered 304")
            except urllib.error.HTTPError as answer:
                assert answer.code == 304, answer.code
            for url in (f"{base}/static/bench-metrics.json", artifact):
                wrk(url, 2)  # warm every worker
            # The three in turn, three times, medians: on a shared machine the load drifts, and one
            # long run each would compare the three at different loads.
            rates: dict[str, list[float]] = {"api": [], "static": [], "304": []}
            for _ in range(3):
                rates["api"].append(wrk(artifact, max(args.seconds // 3, 1))[0])
                rates["static"].append(wrk(f"{base}/static/bench-metrics.json", max(args.seconds // 3, 1))[0])
                rates["304"].append(wrk(artifact, max(args.seconds // 3, 1), headers=conditional)[0])
            api_rate, static_rate, not_modified_rate = (statistics.median(rates[k]) for k in ("api", "static", "304"))
            script = Path(folder) / "post.lua"
            payload = json.dumps(APPLICATION, ensure_ascii=False).replace("\\", "\\\\").replace("]]", "] ]")
            script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                              f"wrk.body = [[{payload}]]\n"
                              "done = function(summary, latency, requests)\n"
                              '  io.write(string.format("p50 %.1f ms, p95 %.1f ms\\n", latency:percentile(50) / 1000,'
                              " latency:percentile(95) / 1000))\nend\n", encoding="utf-8")
            check = urllib.request.Request(f"{base}/api/bundles/newborn/check", data=json.dumps(APPLICATION).encode(),
                                           headers={"Content-Type": "application/json"})
            assert json.loads(urllib.request.urlopen(check, timeout=10).read())["eligible"] is True
            wrk(f"{base}/api/bundles/newborn/check", 2, script)
            check_rate, output = wrk(f"{base}/api/bundles/newborn/check", args.seconds, script)
            latency = re.search(r"p50 [\d.]+ ms, p95 [\d.]+ ms", output).group(0)  # type: ignore[union-attr]
            one_rate, output = wrk(f"{base}/api/bundles/newborn/check", args.seconds, script, clients=1)
            one_latency = re.search(r"p50 [\d.]+ ms, p95 [\d.]+ ms", output).group(0)  # type: ignore[union-attr]
        finally:
            server.terminate()
            server.wait(timeout=10)
            static_file.unlink(missing_ok=True)
    print(f"gunicorn, {workers} workers, a git workspace; wrk -t2 -c16 on loopback, the three GETs in turn "
          f"3 × {max(args.seconds // 3, 1)} s each (medians), the POSTs {args.seconds} s "
          f"({len(body)} bytes: newborn's metrics.json, the largest artifact)")
    print(f"GET metrics.json via the API:                {api_rate:8.0f} requests/s")
    print(f"GET the same bytes as a static file:         {static_rate:8.0f} requests/s")
    print(f"API / static:                                {100 * api_rate / static_rate:8.1f} %")
    print(f"GET metrics.json, If-None-Match → 304:       {not_modified_rate:8.0f} requests/s")
    print(f"304 / 200:                                   {not_modified_rate / api_rate:8.2f}x")
    print(f"POST pre-check (newborn, valid), 16 clients: {check_rate:8.0f} requests/s, {latency}")
    print(f"POST pre-check (newborn, valid), 1 client:   {one_rate:8.0f} requests/s, {one_latency}")
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
