"""`configurator build`, `explain` and `report` as users and portals see them."""

import hashlib
import json
import shutil
import subprocess

from click.testing import CliRunner

from configurator.cli import main
from configurator.writers import WRITERS
from tests.helpers import ROOT

SHIPPED = sorted(p.stem for p in (ROOT / "bundles").glob("*.yaml"))


def run(*args):
    return CliRunner().invoke(main, list(args))


def workspace(tmp_path, git=False):
    shutil.copytree(ROOT / "catalogues", tmp_path / "catalogues")
    shutil.copytree(ROOT / "bundles", tmp_path / "bundles")
    if git:
        for command in (["init", "-q"], ["add", "-A"],
                        ["-c", "user.name=测试员", "-c", "user.email=t@example.cn", "commit", "-qm", "初始"]):
            subprocess.run(["git", "-c", "core.quotepath=false", *command], cwd=tmp_path, check=True)
    return tmp_path


def test_build_writes_every_artifact_and_an_index_with_hashes_and_commit(tmp_path, monkeypatch):
    monkeypatch.chdir(workspace(tmp_path, git=True))
    result = run("build", "--out", "dist")
    assert result.exit_code == 0, result.output
    index = json.loads((tmp_path / "dist/index.json").read_text(encoding="utf-8"))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    assert index["source"] == {"commit": head, "uncommitted_changes": False}
    assert [b["id"] for b in index["bundles"]] == SHIPPED
    for entry in index["bundles"]:
        assert set(entry["artifacts"]) == set(WRITERS)
        for name, artifact in entry["artifacts"].items():
            data = (tmp_path / "dist" / artifact["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == artifact["sha256"], name


def test_same_input_gives_byte_identical_output(tmp_path, monkeypatch):
    monkeypatch.chdir(workspace(tmp_path))
    assert run("build", "--out", "a").exit_code == 0
    assert run("build", "--out", "b", "--jobs", "1").exit_code == 0
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert first == second and len(first) == len(SHIPPED) * len(WRITERS) + 1


def test_invalid_bundles_are_reported_and_the_others_still_built(tmp_path, monkeypatch):
    monkeypatch.chdir(workspace(tmp_path))
    broken = tmp_path / "bundles/retirement.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("department: housing_fund\n", "department: fund\n", 1),
                      encoding="utf-8")
    result = run("build", "--out", "dist")
    assert result.exit_code == 1
    assert "bundles/retirement.yaml" in result.output and "[E301]" in result.output
    index = json.loads((tmp_path / "dist/index.json").read_text(encoding="utf-8"))
    assert [b["id"] for b in index["bundles"]] == [b for b in SHIPPED if b != "retirement"]
    assert not (tmp_path / "dist/retirement").exists()


def test_uncommitted_changes_are_recorded(tmp_path, monkeypatch):
    monkeypatch.chdir(workspace(tmp_path, git=True))
    path = tmp_path / "bundles/newborn.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    run("build", "--out", "dist")
    assert json.loads((tmp_path / "dist/index.json").read_text())["source"]["uncommitted_changes"] is True


def test_explain_a_case_in_text(monkeypatch):
    monkeypatch.chdir(ROOT)
    answers = ["born_in_province_hospital=true", "child_age_months=0", "parents_province_household=true",
               "born_in_wedlock=false", "register_with=father", "surname=father", "household_kind=family"]
    partial = run("explain", "newborn", *answers)
    assert partial.exit_code == 0, partial.output
    assert "✔ 符合受理条件" in partial.output and "出生登记（户口）" in partial.output
    # the optional services were not answered: asked for, and no timeline that guesses their answers
    assert "还需回答：父母民族是否不同？" in partial.output and "办理时间线" not in partial.output
    services = ["parents_different_ethnicity=false", "enrol_health_insurance=false", "apply_social_security_card=false",
                "mother_maternity_insurance=false", "want_parenting_guidance=false"]
    result = run("explain", "newborn", *answers, *services)
    assert result.exit_code == 0, result.output
    assert "✔ 符合受理条件" in result.output
    assert "□ 亲子鉴定证明" in result.output
    assert "办理时间线" in result.output and "出生登记（户口）" in result.output and "还需回答" not in result.output


def test_explain_json_and_answers_file(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    answers = tmp_path / "answers.yaml"
    answers.write_text("situations:\n  born_in_province_hospital: true\n  child_age_months: 8\n"
                       "  parents_province_household: true\n", encoding="utf-8")
    result = run("explain", "bundles/newborn.yaml", "--answers", str(answers), "--format", "json")
    data = json.loads(result.output)
    assert data["eligible"] is False
    assert data["not_eligible_because"][0]["rule"] == "age_limit"
    assert data["fallback"]["window"] == "政务服务中心兜底窗口"


def test_explain_refuses_answers_that_do_not_fit(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("explain", "newborn", "register_with=uncle")
    assert result.exit_code == 2 and "没有选项" in result.output
    result = run("explain", "newborn", "born_in_wedlok=true")
    assert result.exit_code == 2 and "born_in_wedlock" in result.output
    assert run("explain", "no-such-bundle").exit_code == 2


def test_report_in_three_formats(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = run("report")
    assert text.exit_code == 0 and "合计" in text.output and "新生儿出生一件事" in text.output
    markdown = run("report", "--format", "markdown").output
    published = [b for b in SHIPPED if "\nbaseline:" in (ROOT / "bundles" / f"{b}.yaml").read_text(encoding="utf-8")]
    # the header, its rule, a row per bundle, a row per bundle's published figures, the total
    assert markdown.startswith("| 一件事 |") and markdown.count("\n") == 2 + len(SHIPPED) + len(published) + 1
    assert "公开数字（绍兴" in markdown
    csv_lines = run("report", "--format", "csv").output.splitlines()
    assert csv_lines[0].startswith("id,name,materials_before,materials_after")
    assert len(csv_lines) == 1 + len(SHIPPED) + len(published) + 1
