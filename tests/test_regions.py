"""Region files: inheritance, deviations only towards citizens, per-region artifacts, the report."""

import csv
import io
import json
import shutil
import textwrap

import pytest
from click.testing import CliRunner

from configurator.cli import main
from configurator.language.fieldtypes import gb32100_check_char
from tests.helpers import ROOT

FIXTURES = ROOT / "tests" / "regions"
# The fixture's forbidden deviations, one of each kind, all in 440106 (示例县乙); nothing else may be flagged.
FORBIDDEN = {("440106", "newborn", "time", "birth_registration"), ("440106", "newborn", "trips", "issue_birth_certificate"),
             ("440106", "newborn", "materials", "marriage_certificate"), ("440106", "newborn", "delivery", "newborn"),
             ("440106", "newborn", "eligibility", "age_limit")}


def workspace(tmp_path, regions_from=FIXTURES, only=None):
    for folder in ("bundles", "catalogues"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "regions").mkdir()
    for path in sorted(regions_from.glob("*.yaml")):
        if only is None or path.stem in only:
            shutil.copy(path, tmp_path / "regions" / path.name)
    return tmp_path


def run(*args, cwd):
    import os

    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(previous)


def test_shipped_example_regions_check_clean_and_inherit_county_over_city_over_province(in_repo):
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    from configurator.workspace.files import Workspace
    from configurator.workspace.region_build import workspace_regions

    _, regions, _ = workspace_regions(Workspace.find(ROOT))
    county = regions.resolved("330106")
    assert [r.code for r in county.chain] == ["330000", "330100", "330106"]
    binding = county.binding("newborn")
    assert binding.items["birth_registration"].promised_days == 1  # county (1) over city (2)
    assert binding.items["issue_birth_certificate"].implementation_code == "330100000131024000001"  # from the city
    assert county.agencies["police"].name.get() == "杭州市公安局西湖区分局"  # county
    assert county.agencies["health"].name.get() == "杭州市卫生健康委员会"  # city over province
    assert county.agencies["tobacco"].name.get() == "浙江省烟草专卖局"  # province
    assert county.fallback is not None and county.fallback.name.get() == "西湖区政务服务中心兜底窗口"
    city = regions.resolved("330100")
    assert city.binding("newborn").items["birth_registration"].promised_days == 2


def test_the_report_flags_exactly_the_forbidden_deviations_and_exits_1(tmp_path):
    root = workspace(tmp_path)
    result = run("report", "--regions", "--format", "json", cwd=root)
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    flagged = {(c["region"], c["bundle"], d["aspect"], d["subject"]) for c in data["cells"] for d in c["differences"]
               if not d["allowed"]}
    assert flagged == FORBIDDEN
    assert data["violations"] == len(FORBIDDEN)
    allowed = {(c["region"], d["aspect"], d["subject"], d["written_in"]) for c in data["cells"] for d in c["differences"]
               if d["allowed"]}
    # Allowed differences are shown too, with the file they come from (inherited by the counties).
    assert ("440104", "time", "birth_registration", "440104") in allowed
    assert ("440104", "materials", "out_of_wedlock_statement", "440100") in allowed
    assert ("440100", "delivery", "newborn", "440100") in allowed
    assert ("440104", "trips", "social_security_card", "440104") in allowed
    assert not any(d["subject"] == "newborn" and d["aspect"] == "trips"
                   for c in data["cells"] if c["region"] == "440104" for d in c["differences"])  # same as standard


@pytest.mark.parametrize("output_format", ["text", "markdown", "csv"])
def test_the_report_in_every_format_shows_the_violations(tmp_path, output_format):
    root = workspace(tmp_path)
    result = run("report", "--regions", "--format", output_format, cwd=root)
    assert result.exit_code == 1
    if output_format == "csv":
        rows = list(csv.DictReader(io.StringIO(result.output)))
        row = next(r for r in rows if r["地区"].startswith("440106") and r["一件事"] == "newborn")
        assert row["违规"] == "5" and "✘ birth_registration：3 → 5" in row["时限"]
        assert all(r["违规"] == "0" for r in rows if not r["地区"].startswith("440106"))
    else:
        assert "✘" in result.output and "440106" in result.output


def test_without_violations_the_report_exits_0(tmp_path):
    root = workspace(tmp_path, only={"440000", "440100", "440104"})
    result = run("report", "--regions", cwd=root)
    assert result.exit_code == 0, result.output
    assert "违规 0 处" in result.output


def test_check_reports_each_forbidden_deviation_where_it_is_written(tmp_path):
    root = workspace(tmp_path)
    result = run("check", "--format", "json", cwd=root)
    assert result.exit_code == 1
    found = [d for d in json.loads(result.output)["diagnostics"] if d["code"] == "E604"]
    text = (root / "regions" / "440106.yaml").read_text(encoding="utf-8").splitlines()
    lines = {d["line"] for d in found}
    assert all(d["file"] == "regions/440106.yaml" for d in found) and len(found) == 5
    for needle in ("promised_days: 5", "visits: 2", "marriage_certificate: required", "delivery: [window, post]",
                   "age_limit: child_age_months"):
        assert next(i for i, line in enumerate(text, 1) if needle in line) in lines, needle
    assert all("国发〔2024〕3号" in d["message"] for d in found)
    english = run("check", "--format", "json", "--lang", "en", cwd=root)
    assert all("State Council" in d["message"] for d in json.loads(english.output)["diagnostics"] if d["code"] == "E604")


def write_region(root, code, body):
    (root / "regions" / f"{code}.yaml").write_text(textwrap.dedent(body), encoding="utf-8")


def codes_at(root):
    result = run("check", "--format", "json", cwd=root)
    return {(d["code"], d["file"], d["line"]) for d in json.loads(result.output)["diagnostics"]}


def test_region_file_mistakes_are_located(tmp_path):
    root = workspace(tmp_path, only={"440000"})
    write_region(root, "440300", """\
        code: "440303"
        name: 文件名不对
        parent: "440000"
        """)
    write_region(root, "440500", """\
        code: "440500"
        name: 上级不对
        parent: "450000"
        """)
    first = "11440600MB0000001"
    write_region(root, "440600", f"""\
        code: "440600"
        name: 引用不对
        parent: "440000"
        agencies:
          polise:
            name: 某机构
            uscc: "{first}{gb32100_check_char(first)}"
            address: 示例路
            phone: "020-1234567"
          police:
            name: 某机构
            uscc: "{first}0"
            address: 示例路
            phone: "020-1234567"
        bundles:
          newbron: {{}}
          newborn:
            items:
              birth_registraton:
                promised_days: 1
        """)
    write_region(root, "440700", """\
        code: "440700"
        name: 缺上级文件
        parent: "440000"
        """)
    (root / "regions" / "440000.yaml").unlink()
    found = codes_at(root)
    assert ("E601", "regions/440300.yaml", 1) in found
    assert ("E602", "regions/440500.yaml", 3) in found  # 450000 is not above 440500
    assert ("E602", "regions/440700.yaml", 3) in found  # no file for 440000
    assert ("E603", "regions/440600.yaml", 5) in found  # polise
    assert ("E205", "regions/440600.yaml", 12) in found  # wrong GB 32100 check character
    assert ("E603", "regions/440600.yaml", 16) in found  # newbron
    assert ("E603", "regions/440600.yaml", 19) in found  # birth_registraton


def test_a_county_without_an_agency_for_a_role_is_warned(tmp_path):
    root = workspace(tmp_path, only=set())
    write_region(root, "440000", """\
        code: "440000"
        name: 示例省
        """)
    write_region(root, "440106", """\
        code: "440106"
        name: 示例县
        parent: "440000"
        """)
    found = codes_at(root)
    assert ("W605", "regions/440106.yaml", 1) in found
    assert not any(code == "W605" and file == "regions/440000.yaml" for code, file, _ in found)


def test_build_region_writes_the_regional_artifacts_with_allowed_deviations_applied(tmp_path):
    root = workspace(tmp_path)
    out = tmp_path / "dist"
    result = run("build", "--region", "all", "--out", str(out), cwd=root)
    assert result.exit_code == 1, result.output  # 440106 has errors: reported, not built
    assert "E604" in result.output
    assert not (out / "regions" / "440106").exists()
    county = out / "regions" / "440104" / "newborn"
    notice = (county / "notice.md").read_text(encoding="utf-8")
    assert "示例县甲公安分局" in notice and "示例县甲兜底窗口" in notice and "020-55503333" in notice
    assert "示例省health机构" in notice  # inherited from the province
    assert "非婚生育说明" not in notice.split("## 需要准备的材料")[1].split("##")[0]  # waived by the city
    routing = json.loads((county / "region.json").read_text(encoding="utf-8"))
    assert routing["region"]["inherits"] == ["440000", "440100"]
    index = json.loads((out / "regions" / "index.json").read_text(encoding="utf-8"))
    assert [r["code"] for r in index["regions"]] == ["440000", "440100", "440104"]
    one = run("build", "--region", "440100", "--out", str(tmp_path / "one"), cwd=workspace(tmp_path / "w2", only={"440000", "440100"}))
    assert one.exit_code == 0, one.output
    unknown = run("build", "--region", "999999", "--out", str(tmp_path / "x"), cwd=root)
    assert unknown.exit_code == 2 and "999999" in unknown.output


def test_explain_for_a_region_uses_its_limits_and_its_local_holidays(tmp_path, monkeypatch):
    root = workspace(tmp_path, regions_from=ROOT / "regions")
    (root / "calendars").mkdir()
    (root / "calendars" / "hangzhou.yaml").write_text(textwrap.dedent("""\
        # 示意的地方假日 [I]
        regions: ["330100"]
        holidays:
          - date: "2026-10-09"
            name: 地方假日
        """), encoding="utf-8")
    monkeypatch.chdir(root)
    pairs = ["born_in_province_hospital=true", "child_age_months=0", "parents_province_household=true",
             "born_in_wedlock=true", "register_with=father", "surname=father", "household_kind=family",
             "parents_different_ethnicity=false",
             "enrol_health_insurance=false", "apply_social_security_card=false", "mother_maternity_insurance=false",
             "want_parenting_guidance=false", "--received", "2026-09-30", "--format", "json"]
    standard = json.loads(CliRunner().invoke(main, ["explain", "newborn", *pairs]).output)
    # Standard: 出生医学证明 1 day then 出生登记 3 days: 10-8 1, 10-9 2, Sat 10-10 (make-up) 3, Mon 10-12 4.
    assert standard["due_date"] == "2026-10-12"
    county = json.loads(CliRunner().invoke(main, ["explain", "newborn", *pairs, "--region", "330106"]).output)
    # 西湖区: 出生登记 takes 1 day, and 10-9 is a local holiday in 杭州市 (and so in 西湖区):
    # 10-8 1, [10-9 local], Sat 10-10 (make-up) 2.
    assert county["due_date"] == "2026-10-10"
    other = json.loads(CliRunner().invoke(main, ["explain", "newborn", *pairs, "--region", "330000"]).output)
    assert other["due_date"] == "2026-10-12"  # the province has neither the shorter limit nor the local day
    assert CliRunner().invoke(main, ["check"]).exit_code == 0
