"""The package and the make targets a newcomer types: building prints no warning a maintainer has to act
on (issue 25: the licence table made setuptools warn three times per install that builds stop working
after 2027-02-18), and `make run` serves where it is told."""

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import ROOT


def test_the_wheel_builds_offline_without_deprecation_warnings(tmp_path: Path) -> None:
    # Offline and with the venv's own setuptools (the test extra pins its floor), so it is fast and
    # needs no index; `make wheel-check` builds it the user's way, with build isolation.
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--no-build-isolation",
                            "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    output = built.stdout + built.stderr
    assert built.returncode == 0, output
    assert "deprecat" not in output.lower(), output
    [wheel] = tmp_path.glob("configurator-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        [metadata] = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        headers = archive.read(metadata).decode("utf-8")
    assert "License-Expression: Apache-2.0" in headers.splitlines()


def test_make_run_passes_port_and_host_to_serve() -> None:
    # -n prints the recipe without running it (nothing is installed or served).
    planned = subprocess.run(["make", "-n", "run", "PORT=8123", "HOST=0.0.0.0"], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
    assert planned.returncode == 0, planned.stderr
    [serve] = [line for line in planned.stdout.splitlines() if "configurator serve" in line]
    assert serve.split()[-4:] == ["--host", "0.0.0.0", "--port", "8123"]
