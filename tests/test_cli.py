"""`configurator check` as a user and a CI system see it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from configurator.cli import main
from tests.helpers import ROOT

BAD = "tests/corpus/bad/e301-unknown-department.yaml"


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_default_checks_the_shipped_bundles(in_repo):
    result = run("check")
    assert result.exit_code == 0, result.output
    files = len(list((ROOT / "bundles").glob("*.yaml"))) + len(list((ROOT / "regions").glob("*.yaml")))
    # the bundles and the regions; a region written from a guide that names only some agencies is told,
    # once, which roles it still has to bind (W605) — nothing else
    *warnings, summary = result.output.strip().splitlines()
    assert summary == f"检查了 {files} 个文件，没有发现问题。" or summary.startswith(f"检查了 {files} 个文件：0 个错误")
    assert all("warning[W605]" in line and line.startswith("regions/") for line in warnings), warnings


def test_console_script_and_module_both_work():
    script = Path(sys.executable).parent / "configurator"  # installed next to this Python
    for command in ([str(script)], [sys.executable, "-m", "configurator"]):
        done = subprocess.run([*command, "check"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr


def test_text_format_is_file_line_column_severity_code_message_fix(in_repo):
    result = run("check", BAD)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{BAD}:54:17: error[E301]: 部门目录中没有“polise”（是不是想写“police”？） — ")


def test_english_on_request(in_repo):
    assert "did you mean \"police\"" in run("check", "--lang", "en", BAD).output
    assert "did you mean" in run("check", BAD, env={"CONFIGURATOR_LANG": "en"}).output


def test_json_format_for_tools(in_repo):
    result = run("check", "--format", "json", BAD)
    report = json.loads(result.output)
    assert (report["files"], report["errors"], report["warnings"]) == (1, 1, 0)
    problem = report["diagnostics"][0]
    assert problem["code"] == "E301" and problem["line"] == 54 and problem["path"] == "/items/1/department"


def test_github_format_makes_annotations(in_repo):
    line = run("check", "--format", "github", BAD).output.splitlines()[0]
    assert line.startswith(f"::error file={BAD},line=54,col=17,title=E301::")


def test_problems_sorted_by_file_then_place(in_repo):
    result = run("check", "--format", "json", "tests/corpus/bad/e503-promised-over-statutory.yaml",
                 "tests/corpus/bad/e301-unknown-department.yaml")
    places = [(d["file"], d["line"], d["column"]) for d in json.loads(result.output)["diagnostics"]]
    assert places == sorted(places) and len(places) == 3


def test_warnings_pass_unless_strict(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "catalogues", tmp_path / "catalogues")
    (tmp_path / "bundles").mkdir()
    text = (ROOT / "tests/corpus/base.yaml").read_text(encoding="utf-8")
    text = text.replace("id: base", "id: warned").replace("    items: [birth_registration]\n", "    items: []\n")
    (tmp_path / "bundles/warned.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("check").exit_code == 0
    assert run("check", "--strict").exit_code == 1


def test_missing_path_is_a_usage_error(in_repo):
    result = run("check", "bundles/nope.yaml")
    assert result.exit_code == 2
    assert "找不到" in result.output


def test_no_workspace_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 2
    assert "catalogues" in result.output


def test_unreadable_file_is_exit_2(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "catalogues", tmp_path / "catalogues")
    (tmp_path / "bundles").mkdir()
    os.symlink(tmp_path / "nowhere.yaml", tmp_path / "bundles" / "dangling.yaml")  # exists as a name only
    monkeypatch.chdir(tmp_path)
    result = run("check", "bundles")
    assert result.exit_code == 2
    assert "[E120]" in result.output


def test_broken_catalogue_is_reported_at_its_place(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "catalogues", tmp_path / "catalogues")
    shutil.copytree(ROOT / "bundles", tmp_path / "bundles")
    departments = tmp_path / "catalogues/departments.yaml"
    departments.write_text(departments.read_text(encoding="utf-8") + "  - id: health\n    name: 重复\n",
                           encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 1
    assert "catalogues/departments.yaml:" in result.output and "[E307]" in result.output


def test_many_files_are_checked_in_parallel_with_the_same_result(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "catalogues", tmp_path / "catalogues")
    (tmp_path / "bundles").mkdir()
    base = (ROOT / "tests/corpus/base.yaml").read_text(encoding="utf-8")
    for index in range(70):
        text = base.replace("id: base", f"id: b{index:03d}")
        if index % 7 == 0:
            text = text.replace("    department: police\n", "    department: polise\n")
        (tmp_path / "bundles" / f"b{index:03d}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    serial = json.loads(run("check", "--format", "json", "--jobs", "1").output)
    parallel = json.loads(run("check", "--format", "json", "--jobs", "2").output)
    assert serial == parallel
    assert serial["errors"] == 10
