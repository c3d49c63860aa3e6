"""Benchmark: the portal API under load, with wrk on loopback against gunicorn (one worker per core).

In the same run:
  - GET /api/bundles/newborn/form.schema.json      (the API: published lookup, cached artifact, ETag)
  - GET /static/bench-form.schema.json             (the same bytes as a plain static file, same server)
  - POST /api/bundles/newborn/check                (the pre-check of a valid application: p50, p95)

Needs `wrk` (Debian package) and gunicorn (pip). Usage: python bench/api_load.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "configurator" / "web" / "static"
APPLICATION = {"situations": {
    "born_in_province_hospital": True, "child_age_months": 0, "parents_province_household": True,
    "born_in_wedlock": False, "register_with": "father", "parents_different_ethnicity": False,
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


def wrk(url: str, seconds: int, script: Path | None = None) -> tuple[float, str]:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"] + (["-s", str(script)] if script else []) + [url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if not found:
        raise SystemExit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return float(found.group(1)), done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder) / "workspace"
        for part in ("bundles", "catalogues"):
            shutil.copytree(ROOT / part, workspace / part)
        port = free_port()
        env = dict(os.environ, CONFIGURATOR_SECRET_KEY="bench-" + "k" * 40, CONFIGURATOR_WORKSPACE=str(workspace),
                   CONFIGURATOR_DATABASE_URL=f"sqlite:///{folder}/bench.db")
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b",
                                   f"127.0.0.1:{port}", "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
        static_file = STATIC / "bench-form.schema.json"
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    body = urllib.request.urlopen(f"{base}/api/bundles/newborn/form.schema.json", timeout=5).read()
                    break
                except OSError:
                    time.sleep(0.1)
            STATIC.mkdir(exist_ok=True)
            static_file.write_bytes(body)
            for url in (f"{base}/static/bench-form.schema.json", f"{base}/api/bundles/newborn/form.schema.json"):
                wrk(url, 2)  # warm every worker
            api_rate, _ = wrk(f"{base}/api/bundles/newborn/form.schema.json", args.seconds)
            static_rate, _ = wrk(f"{base}/static/bench-form.schema.json", args.seconds)
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
        finally:
            server.terminate()
            server.wait(timeout=10)
            static_file.unlink(missing_ok=True)
    print(f"gunicorn, {workers} workers; wrk -t2 -c16 -d{args.seconds}s on loopback")
    print(f"GET form.schema.json via the API:        {api_rate:8.0f} requests/s")
    print(f"GET the same bytes as a static file:     {static_rate:8.0f} requests/s")
    print(f"API / static:                            {100 * api_rate / static_rate:8.1f} %")
    print(f"POST pre-check (newborn, valid):         {check_rate:8.0f} requests/s, {latency}")


if __name__ == "__main__":
    main()
