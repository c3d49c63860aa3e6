"""A case on the region's calendar and limits (issue 26): the task graph of a case resolved for a
region (planning/casegraph.py, no engine), and `POST /api/bundles/<id>/applications` refusing a
region it cannot run the case in before anything reaches the engine (nothing listens on the
Temporal address given here: port 7269 is this file's)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from configurator.planning.calendar import LocalDays, WorkingCalendar
from configurator.planning.casegraph import case_graph
from configurator.planning.resolution import in_region, resolve
from configurator.workspace import Workspace
from configurator.workspace.region_build import workspace_regions
from tests.compile_helpers import compiled
from tests.helpers import ROOT
from tests.test_working_days import FULL_NEWBORN

MONDAY = dt.date(2026, 3, 2)
# a local day off in 杭州 (330100) and so in 西湖区 (330106) inside it; not a national one
LOCAL = LocalDays(frozenset({"330100"}), {dt.date(2026, 3, 3): "地方假日（测试）"}, {})


def test_a_case_in_a_region_is_due_on_its_calendar_and_within_its_limits():
    _, regions, _ = workspace_regions(Workspace.find(ROOT))
    region = regions.resolved("330106")  # 西湖区 gives 出生登记 1 day (杭州 2, the standard 3)
    standard = compiled("newborn")
    calendar = WorkingCalendar(local=(LOCAL,))
    national = case_graph(resolve(standard, FULL_NEWBORN, None, calendar, MONDAY), "c0ffee")
    local = case_graph(resolve(in_region(standard, region), FULL_NEWBORN, region, calendar, MONDAY), "c0ffee")
    due = {t.item: (t.promised_days, t.due_date) for t in national.tasks}
    assert due["issue_birth_certificate"] == (1, dt.date(2026, 3, 3))
    assert due["birth_registration"] == (3, dt.date(2026, 3, 6))
    assert national.region is None and national.as_json()["region"] is None
    due = {t.item: (t.promised_days, t.due_date) for t in local.tasks}
    assert due["issue_birth_certificate"] == (1, dt.date(2026, 3, 4))  # Tuesday is a day off there
    assert due["birth_registration"] == (1, dt.date(2026, 3, 5))  # after Wednesday, its own 1 day
    assert local.region == "330106" and local.as_json()["region"] == "330106"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from configurator.web import create_app

    instance = tmp_path_factory.mktemp("instance")
    workspace = instance / "workspace"
    for part in ("bundles", "catalogues", "regions"):
        shutil.copytree(ROOT / part, workspace / part)
    app = create_app({"SECRET_KEY": "test-" + "k" * 40, "WORKSPACE": str(workspace), "TEMPORAL": "127.0.0.1:7269",
                      "DATABASE_URL": f"sqlite:///{(instance / 'configurator.db').resolve()}"})
    return app.test_client()


@pytest.mark.parametrize(("region", "named"), [("999999", "999999"), ("330000", "330000"), (330106, "330106"),
                                               (["330106"], '["330106"]')])
def test_a_region_that_cannot_run_the_case_is_refused_naming_the_field(client, region, named):
    """Unknown, not binding the bundle (浙江省 names no 一件事), or not a code string: 422 on /region."""
    response = client.post("/api/bundles/newborn/applications?lang=en", json={"situations": {}, "region": region})
    assert response.status_code == 422, response.text
    (error,) = response.json["errors"]
    assert error["pointer"] == "/region"
    assert f'no usable region "{named}" for "newborn"' in error["message"]
    assert "usable: 330100, 330106" in error["message"]
    zh = client.post("/api/bundles/newborn/applications", json={"situations": {}, "region": region}).json
    assert "没有可用的地区" in zh["errors"][0]["message"] and "330106" in zh["errors"][0]["message"]


def test_openapi_documents_the_region_of_an_application(client):
    post = client.get("/api/openapi.json").json["paths"]["/api/bundles/{bundle_id}/applications"]["post"]
    region = post["requestBody"]["content"]["application/json"]["schema"]["properties"]["region"]
    assert region["type"] == "string" and "422 on /region" in region["description"]
