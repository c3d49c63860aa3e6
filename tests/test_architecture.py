"""The package map holds: the pipeline's direction, a light `check`, modules a person can read, and a
map (docs/architecture.md) that names every module."""

import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "configurator"
# A module past this is doing more than one job (docs/architecture.md).
MAX_MODULE_LINES = 450
# Tables, not logic: the one catalogue of error codes grows by a few lines per code.
TABLES = {"configurator/diagnostics.py"}


def test_import_contracts_are_kept():
    """language → planning → writers → present → authoring/workspace → web/cli, never backwards
    (contracts in pyproject.toml, checked by import-linter)."""
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_no_dead_code():
    """Nothing defined and never called (vulture, configured in pyproject.toml: what frameworks and
    templates call by name is listed there)."""
    done = subprocess.run([str(Path(sys.executable).parent / "vulture")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_a_plain_check_loads_no_web_stack_and_no_writers():
    """Start-up is part of every check a user runs (issue 18): a serial check of valid files loads
    neither the web stack nor what only invalid files, parallel jobs or --version need."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "configurator", "check", "--jobs", "1", "bundles"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    heavy = sorted(m for m in loaded if m.split(".")[0] in {"flask", "flask_admin", "wtforms", "werkzeug", "sqlalchemy",
                                                            "jsonschema"}
                   or m in {"importlib.metadata", "concurrent.futures.process"}
                   or m.startswith("configurator.writers") or m.startswith("configurator.web"))
    assert heavy == []


def test_no_module_is_a_grab_bag():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES and name not in TABLES} == {}


def test_no_private_name_is_imported_from_another_module():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("from configurator") and " import " in stripped:
                names = stripped.split(" import ", 1)[1].strip("() ").split(",")
                if any(n.strip().startswith("_") and not n.strip().startswith("__") for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {stripped}")
    assert offenders == []


def package_rows() -> dict[str, str]:
    """docs/architecture.md's package table: folder (`configurator/web/`) → the text of its row."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    return {found.group(1): found.group(2) for found in re.finditer(r"^\| `(configurator/[^`]*)` \|(.*)$", text, re.MULTILINE)}


def test_the_architecture_document_names_every_module_in_its_folders_row():
    rows = package_rows()
    named = {folder: set(re.findall(r"`([^`]+)`", row)) for folder, row in rows.items()}
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        folder = path.parent.relative_to(ROOT).as_posix() + "/"
        if path.name == "__init__.py" and folder in rows:
            continue  # a package is named by its folder's row
        if not named.get(folder, set()) & {path.stem, path.name}:
            missing.append(path.relative_to(ROOT).as_posix())
    assert missing == [], "name these in docs/architecture.md, in the row of their folder"
    assert [folder for folder in rows if not (ROOT / folder).is_dir()] == []


# A view reads the request, calls the library and renders (issue 25): past this, a rule or a
# second job has crept into the web layer.
MAX_WEB_FUNCTION_LINES = 60


def long_functions(folder: Path, limit: int) -> list[str]:
    """Functions and methods under ``folder`` longer than ``limit`` lines (from ``def`` to their last line)."""
    import ast

    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{path.relative_to(folder.parent)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_in_the_web_layer_is_over_60_lines():
    assert long_functions(PACKAGE / "web", MAX_WEB_FUNCTION_LINES) == [], "split these into named steps"


def test_the_function_length_rule_sees_a_long_function(tmp_path):
    body = "".join(f"        x{n} = {n}\n" for n in range(60))
    (tmp_path / "views.py").write_text(f"class V:\n    def short(self):\n        return 1\n\n    def long(self):\n{body}",
                                       encoding="utf-8")
    assert long_functions(tmp_path, MAX_WEB_FUNCTION_LINES) == [f"{tmp_path.name}/views.py:5 long (61 lines)"]
