"""The package and the make targets a newcomer types: building prints no warning a maintainer has to act
on (issue 25: the licence table made setuptools warn three times per install that builds stop working
after 2027-02-18), and `make run` serves where it is told."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from configurator import __version__
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


def test_changes_has_unreleased_on_top_then_dated_versions_newest_first() -> None:
    headings = [line[3:] for line in (ROOT / "CHANGES.md").read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings[0] == "Unreleased"
    released = [re.fullmatch(r"(\d+)\.(\d+)\.(\d+) — (\d{4}-\d{2}-\d{2})", heading) for heading in headings[1:]]
    assert released and all(released), headings
    versions = [tuple(int(part) for part in match.groups()[:3]) for match in released if match]
    dates = [match.group(4) for match in released if match]
    assert versions == sorted(versions, reverse=True) and dates == sorted(dates, reverse=True)
    # main is either the newest release itself or on the way to a later one, never behind it.
    major, minor, patch = versions[0]
    assert __version__ == f"{major}.{minor}.{patch}" or (
        __version__.endswith(".dev0") and tuple(int(part) for part in __version__.removesuffix(".dev0").split(".")) > versions[0])
