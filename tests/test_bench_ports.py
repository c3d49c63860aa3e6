"""The served benchmarks listen where they are told (`--port`, issue 29), on loopback only."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.helpers import ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("script", ["bench/admin.py", "bench/review.py"])
def test_a_served_benchmark_listens_on_the_port_given(script, tmp_path):
    port = _free_port()
    log = (tmp_path / "bench.log").open("w")
    bench = subprocess.Popen(_args(script, port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
    try:
        answered = None
        deadline = time.monotonic() + 120  # a liveness bound, not a speed claim
        while answered is None and time.monotonic() < deadline and bench.poll() is None:
            try:
                answered = requests.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code
            except requests.ConnectionError:
                time.sleep(0.2)
        assert answered == 200, (tmp_path / "bench.log").read_text(encoding="utf-8")[-2000:]
    finally:
        with contextlib.suppress(ProcessLookupError):  # the benchmark and the app process it started
            os.killpg(bench.pid, signal.SIGKILL)
        bench.wait(timeout=30)
        log.close()


def _args(script: str, port: int) -> list[str]:
    extra = ["--publishes", "1"] if script.endswith("review.py") else ["--skip-list"]
    return [sys.executable, script, "--rounds", "1", *extra, "--port", str(port)]
