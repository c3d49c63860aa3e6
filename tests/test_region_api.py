"""The portal API: region artifacts beside the standard's, and due dates in the pre-check."""

import shutil

import pytest

from configurator.web.openapi import document
from tests.helpers import ROOT
from tests.test_working_days import FULL_NEWBORN
from tests.web_helpers import make_site

FIELDS = {"child_name": "张小明", "child_gender": "male", "child_birth_date": "2026-09-28", "child_birth_time": "08:30",
          "child_ethnicity": "汉族", "mother_name": "李丽", "mother_id_number": "11010519491231002X", "father_name": "张伟",
          "father_id_number": "11010519491231002X", "guardian_mobile": "13800138000", "home_address": "某市某路 1 号",
          "mother_bank_name": "某银行", "mother_bank_account": "6222020000000000000"}

SHIPPED = sorted(path.stem for path in (ROOT / "regions").glob("*.yaml"))  # every shipped region file, by code


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("region-api"))
    shutil.copytree(ROOT / "regions", site.workspace / "regions")
    return site.app.test_client()


def test_a_region_notice_names_that_regions_agencies_and_fallback_window(client):
    county = client.get("/api/regions/330106/bundles/newborn/notice.md")
    assert county.status_code == 200, county.get_data(as_text=True)
    text = county.get_data(as_text=True)
    assert "杭州市公安局西湖区分局" in text and "杭州市西湖区示例路 31 号" in text and "0571-55500031" in text
    assert "西湖区政务服务中心兜底窗口" in text and "0571-55507777" in text
    assert county.headers["ETag"] and county.headers["Content-Type"].startswith("text/markdown")
    city = client.get("/api/regions/330100/bundles/newborn/notice.html").get_data(as_text=True)
    assert "杭州市公安局" in city and "西湖区分局" not in city and "杭州市民中心兜底窗口" in city
    standard = client.get("/api/bundles/newborn/notice.md").get_data(as_text=True)
    assert "西湖区" not in standard and "杭州" not in standard  # today's URLs stay the provincial standard
    binding = client.get("/api/regions/330106/bundles/newborn/region.json").json
    assert binding["agencies"]["police"]["name"] == "杭州市公安局西湖区分局"
    assert binding["implementation_codes"]["birth_registration"] == "330106000131024000003"


def test_region_listing_and_clear_404s(client):
    listing = client.get("/api/regions").json
    assert [r["code"] for r in listing["regions"]] == SHIPPED
    county = next(r for r in listing["regions"] if r["code"] == "330106")
    assert county["inherits"] == ["330000", "330100"]
    assert client.get(county["bundles"]["newborn"]["routing.json"]).status_code == 200
    for url in ("/api/regions/999999/bundles/newborn/notice.md", "/api/regions/330106/bundles/nope/notice.md",
                "/api/regions/330106/bundles/newborn/nope.txt"):
        response = client.get(url)
        assert response.status_code == 404 and response.headers["Content-Type"].startswith("application/problem+json")


def application(received):
    body = {"situations": FULL_NEWBORN, "fields": FIELDS, "uploads": {}}
    if received is not None:
        body["received"] = received
    return body


def test_the_pre_check_gives_due_dates_when_told_the_date_of_receipt(client):
    response = client.post("/api/bundles/newborn/check", json=application("2026-09-30"))
    assert response.status_code == 200, response.get_data(as_text=True)
    plan = response.json
    assert plan["due_date"] == "2026-10-13"  # hand count in tests/test_working_days.py
    assert plan["due_dates"]["case"] == "2026-10-13T23:59:59+08:00"
    assert all("due_date" in item for item in plan["items"])
    without = client.post("/api/bundles/newborn/check", json=application(None)).json
    assert "due_date" not in without and without["eligible"] is True


@pytest.mark.parametrize("received", ["2026-13-01", "30/09/2026", 20260930, None, "2027-03-01"])
def test_a_bad_or_unknown_date_of_receipt_is_a_422_pointing_at_it(client, received):
    body = application("x")
    body["received"] = received
    response = client.post("/api/bundles/newborn/check", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [e["pointer"] for e in response.json["errors"]] == ["/received"]


def test_a_regions_pre_check_uses_its_limits_and_local_holidays_as_explain_region_does(tmp_path, monkeypatch):
    """A district portal's pre-check: 西湖区 handles 出生登记 in 1 day, and 杭州市 has a local day off;
    the answer is the one `configurator explain --region` gives, and the standard's stays as it was."""
    import json
    import textwrap

    from click.testing import CliRunner

    from configurator.cli import main

    site = make_site(tmp_path)
    shutil.copytree(ROOT / "regions", site.workspace / "regions")
    (site.workspace / "calendars").mkdir()
    (site.workspace / "calendars" / "hangzhou.yaml").write_text(textwrap.dedent("""\
        regions: ["330100"]
        holidays:
          - date: "2026-10-09"
            name: 地方假日
        """), encoding="utf-8")
    client = site.app.test_client()
    county = client.post("/api/regions/330106/bundles/newborn/check", json=application("2026-09-30"))
    assert county.status_code == 200, county.get_data(as_text=True)
    assert {i["id"]: i["promised_days"] for i in county.json["items"]}["birth_registration"] == 1
    # 出生医学证明 1 day then 出生登记 1 day: 10-8 1, [10-9 local day off], Sat 10-10 (make-up) 2; the case
    # is still 5 working days (生育津贴), one of them lost to the local day: 10-12 3, 10-13 4, 10-14 5
    due = {i["id"]: i["due_date"] for i in county.json["items"]}
    assert due["birth_registration"] == "2026-10-10" and county.json["due_date"] == "2026-10-14"
    standard = client.post("/api/bundles/newborn/check", json=application("2026-09-30")).json
    assert standard["due_date"] == "2026-10-13"
    assert {i["id"]: i["due_date"] for i in standard["items"]}["birth_registration"] == "2026-10-12"
    monkeypatch.chdir(site.workspace)
    pairs = [f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in FULL_NEWBORN.items()]
    explained = CliRunner().invoke(main, ["explain", "newborn", *pairs, "--received", "2026-09-30", "--region", "330106",
                                          "--format", "json"])
    assert explained.exit_code == 0, explained.output
    assert county.json == json.loads(explained.output)
    bad = client.post("/api/regions/330106/bundles/newborn/check", json={"situations": {}, "fields": {}})
    assert bad.status_code == 422 and bad.headers["Content-Type"].startswith("application/problem+json")
    for url in ("/api/regions/999999/bundles/newborn/check", "/api/regions/330106/bundles/nope/check"):
        assert client.post(url, json=application(None)).status_code == 404


def test_the_openapi_document_describes_received_and_the_region_routes(client):
    full = client.get("/api/openapi.json").json
    assert "/api/regions/{code}/bundles/{bundle_id}/{artifact}" in full["paths"]
    assert "/api/regions/{code}/bundles/{bundle_id}/check" in full["paths"]
    body = full["paths"]["/api/bundles/newborn/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "received" in body["properties"]
    assert "due_dates" in document()["paths"]["/api/bundles/{bundle_id}/check"]["post"]["responses"]["200"]["content"][
        "application/json"]["schema"]["properties"]


def test_the_admin_regions_page_is_a_read_only_table_that_flags_violations(tmp_path):
    from tests.test_regions import FIXTURES
    from tests.web_helpers import login

    site = make_site(tmp_path)
    shutil.copytree(FIXTURES, site.workspace / "regions")
    client = site.app.test_client()
    assert client.get("/admin/regions/").status_code == 302  # login first
    login(client, "victor")  # a viewer may look
    page = client.get("/admin/regions/").get_data(as_text=True)
    assert 'id="regions-table"' in page and "440106</a> 示例县乙" in page and "继承 440000 → 440100" in page
    assert page.split('id="regions-table"')[1].count("✘ ") == 5 and "违规：5" in page
    assert "<form" not in page.split('id="regions-table"')[1]  # the table itself edits nothing: sources are edited on their own page
    (site.workspace / "regions" / "440106.yaml").write_text('code: "440106"\nname: 示例县乙\nparent: "440100"\nbundles:\n  nope: {}\n',
                                                            encoding="utf-8")
    page = client.get("/admin/regions/").get_data(as_text=True)
    assert "E603" in page and "违规：0" in page


def test_the_simulator_says_when_a_case_received_today_will_be_done(tmp_path):
    import datetime as dt

    from configurator.planning.calendar import CalendarError, WorkingCalendar
    from tests.web_helpers import csrf_token, login

    site = make_site(tmp_path)
    client = site.app.test_client()
    login(client, "victor")
    page = client.get("/admin/bundles/newborn/simulate/").get_data(as_text=True)
    answers = {k: str(v).lower() for k, v in FULL_NEWBORN.items()}
    result = client.post("/admin/bundles/newborn/simulate/", data={**answers, "csrf_token": csrf_token(page)})
    text = result.get_data(as_text=True)
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    try:
        due = WorkingCalendar().add_working_days(today, 5)  # the full case takes 5 working days
    except CalendarError as error:  # a machine clock past the library's years: said, not guessed
        assert error.text("zh-CN") in text
    else:
        assert f"今天受理，预计 {due.month} 月 {due.day} 日前办结" in text


@pytest.mark.parametrize("git_mode", [False, True], ids=["folder", "git"])
def test_region_files_are_read_once_per_published_version_not_per_request(tmp_path, monkeypatch, git_mode):
    """The region API keeps what it read with the app's API cache, keyed on what is published (the
    main commit, or the files' stamp): requests read no region file until a region changes."""
    import subprocess

    from configurator.web import region_api

    site = make_site(tmp_path, git=git_mode)
    shutil.copytree(ROOT / "regions", site.workspace / "regions")

    def publish() -> None:
        if git_mode:
            subprocess.run(["git", "-C", str(site.workspace), "add", "regions"], check=True)
            subprocess.run(["git", "-C", str(site.workspace), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm",
                            "regions"], check=True)

    publish()
    reads = []
    original = region_api.published_region_sources
    monkeypatch.setattr(region_api, "published_region_sources", lambda *a: reads.append(1) or original(*a))
    client = site.app.test_client()
    for _ in range(3):
        assert [r["code"] for r in client.get("/api/regions").json["regions"]] == SHIPPED
        assert "0571-55500031" in client.get("/api/regions/330106/bundles/newborn/notice.md").get_data(as_text=True)
    assert client.post("/api/regions/330106/bundles/newborn/check", json=application(None)).status_code == 200
    assert len(reads) == 1
    county = site.workspace / "regions" / "330106.yaml"
    county.write_text(county.read_text(encoding="utf-8").replace("0571-55500031", "0571-55500099"), encoding="utf-8")
    publish()
    for _ in range(2):
        assert "0571-55500099" in client.get("/api/regions/330106/bundles/newborn/notice.md").get_data(as_text=True)
    assert len(reads) == 2


@pytest.mark.parametrize("code", ["330100", "330106"])
def test_a_regions_pre_check_points_at_the_entry_the_case_does_not_ask_for(client, code):
    """As the provincial pre-check (tests/test_api.py): the one problem names the entry, not /fields."""
    from tests.test_api import NOT_APPLICABLE, unasked_entries

    url = f"/api/regions/{code}/bundles/newborn/check"
    for valid, application, pointer in unasked_entries("newborn"):
        assert client.post(url, json=valid).status_code == 200, valid
        response = client.post(url, json=application)
        assert response.status_code == 422 and response.json["errors"] == [
            {"pointer": pointer, "message": NOT_APPLICABLE["zh-CN"]}], (pointer, application["situations"])
