"""The shipped region files (regions/): each checks clean, the consistency report finds no
violation in any of them, and a case resolved in a region gets that region's time limits and
agencies in every consumer — `explain --region`, the regional artifacts (routing.json, metrics.json,
the notice, region.json), the portal's pre-check and the task graph a case runs on.

What each file states comes from the guide cited in its comments (docs/bundle-format.md, 地区绑定);
the expectations below are this test's own reading of those files, not the library's."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import textwrap

import pytest
from click.testing import CliRunner

from configurator.cli import main
from configurator.planning.calendar import WorkingCalendar
from configurator.planning.casegraph import case_graph
from configurator.planning.resolution import in_region, resolve
from configurator.workspace.files import Workspace
from configurator.workspace.region_build import workspace_regions
from configurator.writers.regional import render_region
from tests.compile_helpers import compiled
from tests.helpers import ROOT
from tests.test_region_api import FIELDS
from tests.test_working_days import FULL_NEWBORN
from tests.web_helpers import make_site

SHIPPED = sorted(path.stem for path in (ROOT / "regions").glob("*.yaml"))
MONDAY = dt.date(2026, 3, 2)
# 遂宁市 (510900): 出生登记“手续齐全的当场办结” (standard: 3 working days); 船山区 (510903) inherits it
# and names the window of the 船山政务中心 with its hours.
SUINING_POLICE = {"510900": ("遂宁市公安局", None), "510903": ("遂宁市公安局（船山政务中心公安户政窗口）",
                                                           "工作日上午 9:00~12:00，下午 1:30~5:00")}


def answers_as_pairs(answers):
    return [f"{key}={str(value).lower() if isinstance(value, bool) else value}" for key, value in answers.items()]


@pytest.fixture(scope="module")
def shipped():
    workspace = Workspace.find(ROOT)
    bundles, regions, _ = workspace_regions(workspace)
    return bundles, regions, workspace.catalogue_check.catalogues


def test_every_shipped_region_file_checks_clean(in_repo):
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)["diagnostics"]
    assert not [d for d in found if d["file"].startswith("regions/") and d["severity"] == "error"]
    # only W605 (roles no agency is named for: the guides read name only some) may be warned about,
    # once per region, each unbound role named once with the bundles that use it
    warned = [d for d in found if d["file"].startswith("regions/")]
    assert {d["code"] for d in warned} <= {"W605"}
    assert len(warned) == len({d["file"] for d in warned})
    zhangdian = next(d["message"] for d in warned if d["file"] == "regions/370303.yaml")
    # each role and bundle by its name, the role's id in brackets for the source editor
    assert re.search(r"“公安局”（police，用于[^）]*“新生儿出生一件事”[^）]*）", zhangdian), zhangdian
    assert "残疾人联合会" not in zhangdian and "disabled_federation" not in zhangdian
    assert zhangdian.count("“卫生健康委员会”（") == 1
    assert not any(d["file"] == "regions/140100.yaml" for d in warned)  # a city binding nothing itself


def test_the_consistency_report_covers_every_shipped_region_without_violations(in_repo):
    result = CliRunner().invoke(main, ["report", "--regions", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["violations"] == 0
    assert sorted({cell["region"] for cell in data["cells"]}) == SHIPPED
    differences = {(c["region"], c["bundle"], d["aspect"], d["subject"]): d for c in data["cells"] for d in c["differences"]}
    for code in ("510900", "510903"):
        found = differences[(code, "newborn", "time", "birth_registration")]
        assert (found["standard"], found["local"], found["written_in"], found["allowed"]) == ("3", "0", "510900", True)
    assert not any(region == "510000" for region, *_ in differences)  # the province writes no difference


@pytest.mark.parametrize("code", ["510900", "510903"])
def test_a_case_in_suining_is_registered_the_same_day_in_explain(in_repo, code):
    pairs = [*answers_as_pairs(FULL_NEWBORN), "--received", MONDAY.isoformat(), "--format", "json"]
    standard = json.loads(CliRunner().invoke(main, ["explain", "newborn", *pairs]).output)
    local = json.loads(CliRunner().invoke(main, ["explain", "newborn", *pairs, "--region", code]).output)
    before = {i["id"]: i for i in standard["items"]}
    after = {i["id"]: i for i in local["items"]}
    assert before["birth_registration"]["promised_days"] == 3 and after["birth_registration"]["promised_days"] == 0
    # registered the day its birth certificate is issued, not three working days later
    assert after["birth_registration"]["due_date"] == after["issue_birth_certificate"]["due_date"] == "2026-03-03"
    assert before["birth_registration"]["due_date"] == "2026-03-06"
    # what waits for the household record starts earlier too
    assert after["social_security_card"]["due_date"] < before["social_security_card"]["due_date"]


@pytest.mark.parametrize("code", ["510900", "510903"])
def test_suinings_artifacts_carry_its_limit_and_its_agency(shipped, code):
    bundles, regions, catalogues = shipped
    resolved = regions.resolved(code)
    assert [r.code for r in resolved.chain] == ["510000", "510900", "510903"][: 2 if code == "510900" else 3]
    artifacts = render_region(bundles["newborn"], catalogues, resolved)
    tasks = {task["id"]: task for task in json.loads(artifacts["routing.json"])["tasks"]}
    assert tasks["birth_registration"]["time_limit"]["promised_days"] == 0
    assert tasks["issue_birth_certificate"]["time_limit"]["promised_days"] == 1  # not bound: the standard's
    name, hours = SUINING_POLICE[code]
    binding = json.loads(artifacts["region.json"])
    assert binding["agencies"]["police"] == {"name": name, "uscc": None, "address": None, "phone": None,
                                             "hours": hours, "online": None}
    assert binding["region"]["inherits"] == ["510000", "510900"][: 1 if code == "510900" else 2]
    notice = artifacts["notice.md"]
    row = next(line for line in notice.splitlines() if line.startswith("| 公安局 |"))
    assert name in row and (hours is None or "1:30\\~5:00" in row)  # markdown-escaped, as every cell is
    assert "出生登记（户口） | 公安局 | 即办" in notice
    metrics = json.loads(artifacts["metrics.json"])
    standard = json.loads(render_region(bundles["newborn"], catalogues, regions.resolved("510000"))["metrics.json"])
    assert metrics["overall"]["days"]["before"] < standard["overall"]["days"]["before"]  # 3 days fewer to add up


def test_the_task_graph_of_a_case_in_chuanshan_is_due_on_its_limit(shipped):
    _, regions, _ = shipped
    region = regions.resolved("510903")
    graph = case_graph(resolve(in_region(compiled("newborn"), region), FULL_NEWBORN, region, WorkingCalendar(), MONDAY),
                       "c0ffee")
    due = {task.item: (task.promised_days, task.due_date) for task in graph.tasks}
    assert due["birth_registration"] == (0, dt.date(2026, 3, 3))
    assert graph.region == "510903"


def test_the_portal_pre_check_for_chuanshan_answers_as_explain_does(tmp_path, in_repo):
    site = make_site(tmp_path)
    shutil.copytree(ROOT / "regions", site.workspace / "regions")
    client = site.app.test_client()
    body = {"situations": FULL_NEWBORN, "fields": FIELDS, "uploads": {}, "received": MONDAY.isoformat()}
    response = client.post("/api/regions/510903/bundles/newborn/check", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    items = {i["id"]: i for i in response.json["items"]}
    assert items["birth_registration"]["promised_days"] == 0 and items["birth_registration"]["due_date"] == "2026-03-03"
    notice = client.get("/api/regions/510903/bundles/newborn/notice.html").get_data(as_text=True)
    assert "船山政务中心公安户政窗口" in notice
    listing = client.get("/api/regions").json
    assert [r["code"] for r in listing["regions"]] == SHIPPED


def test_an_agency_may_be_named_without_what_its_guide_does_not_give(tmp_path, monkeypatch):
    """Only the name is required; a wrong credit code is still refused where it is written, and an
    agency without a name is refused by the schema, located."""
    for folder in ("bundles", "catalogues"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "510000.yaml").write_text(textwrap.dedent("""\
        code: "510000"
        name: 示例省
        agencies:
          police:
            name: 只有名称的机构
          health:
            name: 代码写错的机构
            uscc: "11510000MB00000010"
        """), encoding="utf-8")
    (tmp_path / "regions" / "510100.yaml").write_text(textwrap.dedent("""\
        code: "510100"
        name: 示例市
        parent: "510000"
        agencies:
          hrss:
            hours: 没有写名称
        """), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 1
    found = {(d["file"], d["code"], d["line"]) for d in json.loads(result.output)["diagnostics"] if d["severity"] == "error"}
    assert ("regions/510000.yaml", "E205", 8) in found  # the wrong GB 32100 check character, where it is written
    assert not any(file == "regions/510000.yaml" and line in (4, 5) for file, _, line in found)  # a name alone is enough
    assert any(file == "regions/510100.yaml" and line in (5, 6) for file, _, line in found), found  # hrss has no name


def test_zhangdian_names_its_disabled_persons_federation_in_the_disability_artifacts(shipped, tmp_path, in_repo):
    """张店区 (370303) binds only the agency its guide names (with the credit code of the page's index
    number and its phone); it writes no limit, as its published 7 days are longer than the standard's."""
    bundles, regions, catalogues = shipped
    resolved = regions.resolved("370303")
    assert [r.code for r in resolved.chain] == ["370000", "370300", "370303"]
    artifacts = render_region(bundles["disability"], catalogues, resolved)
    binding = json.loads(artifacts["region.json"])
    assert binding["agencies"] == {"disabled_federation": {
        "name": "张店区残疾人联合会", "uscc": "13370303MB2317407H", "address": None, "phone": "15725750400",
        "hours": None, "online": None}}
    row = next(line for line in artifacts["notice.md"].splitlines() if line.startswith("| 残疾人联合会 |"))
    assert "张店区残疾人联合会" in row and "15725750400" in row
    tasks = {task["id"]: task for task in json.loads(artifacts["routing.json"])["tasks"]}
    standard = {task["id"]: task for task in json.loads(render_region(
        bundles["disability"], catalogues, regions.resolved("370000"))["routing.json"])["tasks"]}
    assert tasks["new_disability_certificate"]["time_limit"] == standard["new_disability_certificate"]["time_limit"]
    site = make_site(tmp_path)
    shutil.copytree(ROOT / "regions", site.workspace / "regions")
    served = site.app.test_client().get("/api/regions/370303/bundles/disability/notice.md").get_data(as_text=True)
    assert "张店区残疾人联合会" in served and "15725750400" in served


@pytest.mark.parametrize(("code", "market", "credit"), [("140000", "山西省市场监督管理局", "山西省发展和改革委员会"),
                                                      ("140100", "太原市市场监督管理局", "太原市发展和改革委员会")])
def test_shanxi_and_taiyuan_name_their_credit_repair_agencies(shipped, code, market, credit):
    bundles, regions, catalogues = shipped
    resolved = regions.resolved(code)
    artifacts = render_region(bundles["credit_repair"], catalogues, resolved)
    binding = json.loads(artifacts["region.json"])
    assert binding["agencies"]["market_regulation"]["name"] == market
    assert binding["agencies"]["development_reform"] == {"name": credit, "uscc": None, "address": None, "phone": None,
                                                         "hours": None, "online": "https://www.creditchina.gov.cn"}
    rows = {line.split("|")[1].strip(): line for line in artifacts["notice.md"].splitlines() if line.startswith("| ")}
    assert market in rows["市场监督管理局"] and credit in rows["发展和改革委员会"]
    assert "https://www.creditchina.gov.cn" in rows["发展和改革委员会"]
    tasks = {task["id"]: task for task in json.loads(artifacts["routing.json"])["tasks"]}
    assert tasks["creditchina_sync"]["time_limit"]["promised_days"] == 3  # the page's 三个工作日, as the standard
    assert "credit_repair" in resolved.bindings  # the province carries the bundle out; 太原 inherits it
