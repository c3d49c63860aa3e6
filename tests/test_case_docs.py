"""The local end-to-end setup as docs/cases.md and the README show it: the three commands run as
written (on this suite's ports), then an application submitted and a department's task completed
with a token made by the documented command. Ports 7254 (engine) and 5141 (admin)."""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest

pytest.importorskip("temporalio")

import requests  # noqa: E402

from tests.helpers import ROOT  # noqa: E402
from tests.test_case_api import FULL_NEWBORN, application  # noqa: E402

pytestmark = pytest.mark.temporal
BIN = ROOT / ".venv" / "bin"


def shown_commands(path: Path) -> list[str]:
    """The first sh block that runs `configurator engine`, without comments."""
    for block in re.findall(r"```sh\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        if "configurator engine" in block:
            return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    raise AssertionError(f"{path} shows no engine command")


def localised(command: str, instance: Path) -> list[str]:
    command = command.replace("7233", "7254").replace("instance/", f"{instance}/").replace(" instance ", f" {instance} ")
    words = shlex.split(command)
    words[0] = str(Path(words[0]).resolve()) if words[0].startswith("/") else str(ROOT / words[0])
    if words[1] == "serve":
        words += ["--port", "5141"]
    return words


def test_the_three_documented_commands_run_a_case_end_to_end(tmp_path):
    commands = shown_commands(ROOT / "docs" / "cases.md")
    assert commands == shown_commands(ROOT / "README.md")
    assert [shlex.split(c)[1] for c in commands] == ["engine", "worker", "serve"]
    instance = tmp_path / "instance"
    processes = [subprocess.Popen(localised(c, instance), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path)
                 for c in commands]
    try:
        url = "http://127.0.0.1:5141"
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{url}/api/bundles", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the admin did not start"
            time.sleep(0.3)
        added = subprocess.run([str(BIN / "configurator"), "token", "add", "--department", "health", "--instance",
                                str(instance)], capture_output=True, text=True, check=True)
        token = added.stdout.strip().split("\t")[2]
        submitted = requests.post(f"{url}/api/bundles/newborn/applications", json=application(FULL_NEWBORN), timeout=30)
        assert submitted.status_code == 201, submitted.text
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 60
        while not (tasks := requests.get(f"{url}/api/departments/health/tasks?state=ready", headers=headers,
                                         timeout=30).json()["tasks"]):
            assert time.monotonic() < deadline, "no task was handed over"
            time.sleep(0.3)
        first = next(t for t in tasks if t["item"] == "issue_birth_certificate")
        done = requests.post(f"{url}/api/departments/health/tasks/{first['id']}/complete", json={}, headers=headers, timeout=30)
        assert done.status_code == 200 and done.json()["state"] == "done"
        assert (instance / "engine.db").exists()  # the engine keeps its cases where the docs say
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            assert process.stdout is not None
            process.stdout.close()
