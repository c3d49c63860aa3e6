"""`configurator check PATHS` reads each file as what its folder says it is (issue 23), and
`configurator build WS` builds the bundles of a workspace folder (issue 29)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from configurator.cli import main
from tests.helpers import ROOT

CALENDAR = "year: 2027\nsource: 示意\nholidays:\n  - date: \"2027-01-01\"\n    name: 元旦\n"


@pytest.fixture
def ws(tmp_path, monkeypatch):
    """A copy of the shipped workspace with its regions, a calendar file, and run from inside it."""
    for folder in ("bundles", "catalogues", "regions"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "2027.yaml").write_text(CALENDAR, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args])
    return result.exit_code, json.loads(result.output)


def _beyond_w605(diagnostics: list[dict]) -> list[dict]:
    """All but W605: a shipped region written from a guide that names only some agencies is told,
    once per region, which roles it still has to bind."""
    return [d for d in diagnostics if d["code"] != "W605"]


@pytest.mark.parametrize("folder", ["regions", "catalogues", "calendars"])
def test_every_file_of_a_folder_given_to_check_is_checked_as_what_it_is(ws, folder):
    """Read as bundles, each file gave some twenty schema errors (43 for regions/, 143 for catalogues/)."""
    code, report = _check(f"{folder}/")
    assert (code, _beyond_w605(report["diagnostics"])) == (0, [])
    assert report["files"] == len(list((ws / folder).glob("*.yaml")))
    for path in sorted((ws / folder).glob("*.yaml")):  # and one at a time
        code, report = _check(f"{folder}/{path.name}")
        assert (code, report["files"], report["errors"], _beyond_w605(report["diagnostics"])) == (0, 1, 0, [])


def test_a_region_files_own_problem_is_reported_located_and_only_it(ws):
    county = ws / "regions" / "330106.yaml"
    county.write_text(county.read_text(encoding="utf-8").replace("code: \"330106\"", "code: \"330107\""), encoding="utf-8")
    code, report = _check("regions/330106.yaml")
    assert code == 1
    assert {(d["code"], d["file"]) for d in report["diagnostics"]} == {("E601", "regions/330106.yaml")}
    assert all(d["line"] >= 1 for d in report["diagnostics"])
    assert _check("regions/330100.yaml")[0] == 0  # its parent, given alone, is fine


def test_a_calendar_files_own_problem_is_reported(ws):
    (ws / "calendars" / "2027.yaml").write_text("holidays: []\n", encoding="utf-8")
    code, report = _check("calendars/")
    assert code == 1 and {d["file"] for d in report["diagnostics"]} == {"calendars/2027.yaml"}
    assert not any(d["code"] == "E201" for d in report["diagnostics"])  # no bundle key was looked for


def test_the_workspace_folder_given_to_check_is_the_whole_workspace(ws):
    every = sum(len(list((ws / f).glob("*.yaml"))) for f in ("bundles", "regions", "calendars"))
    assert _check(".") == _check()
    code, report = _check()
    assert (code, report["files"], report["errors"], _beyond_w605(report["diagnostics"])) == (0, every, 0, [])
    assert _check(str(ws))[1]["files"] == every


def test_build_of_a_workspace_folder_builds_its_bundles(ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    result = CliRunner().invoke(main, ["build", str(ws), "--out", str(out)])
    assert result.exit_code == 0, result.output
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    built = sorted(b["id"] for b in index["bundles"])
    assert built == sorted(p.stem for p in (ws / "bundles").glob("*.yaml"))
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == built


def test_build_of_the_workspace_folder_from_elsewhere(ws, tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(main, ["build", str(ws), "--out", str(Path(elsewhere) / "dist")])
    assert result.exit_code == 0, result.output
    assert f"构建了 {len(list((ws / 'bundles').glob('*.yaml')))} 个一件事" in result.output and "0 个因有错误未构建" in result.output


def test_an_unreadable_calendar_file_is_e120_not_a_traceback(ws):
    (ws / "calendars" / "2030.yaml").symlink_to(ws / "no-such-file.yaml")
    for args in ((), ("calendars/",)):
        result = CliRunner().invoke(main, ["check", "--format", "json", *args])
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
        found = json.loads(result.output)["diagnostics"]
        assert [d["code"] for d in _beyond_w605(found)] == ["E120"]  # named as display_name names a link: by its target
