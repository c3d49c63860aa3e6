"""The docs stay true (datasette's habit): every ```console block in README.md and docs/*.md is run,
and what it shows must be what the commands print today.

A console block is a session in a fresh workspace made by `configurator init`: lines starting with
``$ `` are commands (run by bash, in order, with the project's `configurator` on PATH); the lines
after a command are its expected output (stdout and stderr together). A line ``...`` stands for
any number of lines. Other code blocks (```sh, ```yaml) are illustrations and are not run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```console\n(.*?)^```", re.DOTALL | re.MULTILINE)


def sessions() -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text[:match.start()].count("\n") + 1
            found.append((f"{path.relative_to(ROOT)}:{line}", match.group(1)))
    return found


def steps(block: str) -> list[tuple[str, list[str]]]:
    parsed: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            parsed.append((line[2:], []))
        elif parsed:
            parsed[-1][1].append(line.rstrip())
    return parsed


def matches(expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


@pytest.mark.parametrize("where, block", sessions(), ids=[where for where, _ in sessions()])
def test_console_examples_print_what_the_docs_show(where, block, tmp_path):
    bin_dir = Path(sys.executable).parent
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONFIGURATOR_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", COLUMNS="120", GIT_AUTHOR_NAME="张三",
               GIT_AUTHOR_EMAIL="zhang@example.org", GIT_COMMITTER_NAME="张三", GIT_COMMITTER_EMAIL="zhang@example.org")
    subprocess.run([str(bin_dir / "configurator"), "init", "workspace"], cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    for command, expected in steps(block):
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path / "workspace", env=env, capture_output=True,
                              text=True, timeout=120)
        actual = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
        assert matches(expected, actual), f"{where}: `{command}` printed:\n" + "\n".join(actual)


def test_the_docs_show_console_sessions():
    assert sessions(), "no ```console block found: the README's examples should be runnable"


# What never belongs in a doc: this machine's paths, installer logs, package-index addresses.
FORBIDDEN = [
    (re.compile(r"(?<![\w.])/(?:work|root|home|opt|tmp|var/tmp)/[\w.-]"), "a machine path"),
    (re.compile(r"/\.venv/lib/|site-packages/"), "an installed-package path"),
    (re.compile(r"Successfully installed|Requirement already satisfied|Collecting \w|Downloading \S+\.whl"),
     "pip output"),
    (re.compile(r"^(?:Get:\d+ |Hit:\d+ |Setting up |Unpacking |Preparing to unpack|Selecting previously)", re.MULTILINE),
     "apt output"),
    (re.compile(r"added \d+ packages|npm (?:WARN|notice)"), "npm output"),
    (re.compile(r"pypi\.org/simple|files\.pythonhosted\.org|deb\.debian\.org|registry\.npmjs\.org|file:///"),
     "a package-index address"),
    (re.compile(r"Usage: wrk |Running \d+s test @"), "a tool's own usage or banner text"),
]


@pytest.mark.parametrize("path", [*DOCS, ROOT / "CHANGES.md"], ids=lambda p: p.name)
def test_docs_hold_no_machine_paths_or_installer_logs(path):
    text = path.read_text(encoding="utf-8")
    found = [f"{what}: {match.group(0)!r} (line {text[:match.start()].count(chr(10)) + 1})"
             for pattern, what in FORBIDDEN for match in pattern.finditer(text)]
    assert found == []


def test_every_performance_section_was_written_by_a_run():
    """docs/performance.md is bench/report.py's output: each section names its command, date and machine."""
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    assert sections
    for section in sections:
        title = section.splitlines()[0]
        assert re.search(r"^Command: `python bench/\S+\.py[^`]*` — run \d{4}-\d\d-\d\d \d\d:\d\d UTC on .+ cores",
                         section, re.MULTILINE), title
        assert "```text\n" in section or "Skipped in this run" in section, title
