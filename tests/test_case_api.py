"""The case API over real HTTP (issue 26): the admin served on loopback, the real Temporal
development server and a `configurator worker` process; department systems pull and complete
their tasks with their tokens. Nothing of Temporal is mocked. Ports 7252-7253."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

pytest.importorskip("temporalio")

import requests  # noqa: E402

from configurator.cases import store  # noqa: E402
from configurator.cases.engine import start_engine  # noqa: E402
from configurator.conformance.applications import field_value  # noqa: E402
from configurator.planning.resolution import resolve  # noqa: E402
from configurator.web import create_app  # noqa: E402
from tests.compile_helpers import compiled  # noqa: E402
from tests.test_temporal_cases import wait_for  # noqa: E402
from tests.test_working_days import FULL_NEWBORN  # noqa: E402
from tests.web_helpers import Site, serve  # noqa: E402

pytestmark = pytest.mark.temporal
ADDRESS = "127.0.0.1:7252"


def application(answers: dict[str, Any]) -> dict[str, Any]:
    c = compiled("newborn")
    case = resolve(c, answers)
    return {"situations": answers,
            "fields": {f.id: field_value(c.fields[f.id]) for f in case.fields if not f.from_situation},
            "uploads": {m.id: [f"upload-{m.id}"] for m in case.materials if m.source == "applicant"}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import shutil

    from tests.helpers import ROOT

    tmp = tmp_path_factory.mktemp("cases")
    instance = tmp / "instance"
    workspace = instance / "workspace"
    for part in ("bundles", "catalogues", "regions"):
        shutil.copytree(ROOT / part, workspace / part)
    engine = start_engine(7252, None)
    worker = subprocess.Popen([sys.executable, "-m", "configurator", "worker", "--instance", str(instance),
                               "--temporal", ADDRESS], stdout=subprocess.DEVNULL)
    app = create_app({"SECRET_KEY": "test-" + "k" * 40, "WORKSPACE": str(workspace), "TEMPORAL": ADDRESS,
                      "DATABASE_URL": f"sqlite:///{(instance / 'configurator.db').resolve()}"})
    served = serve(Site(app, workspace))
    db = store.open_database(app.config["DATABASE_URL"])
    tokens = {dept: store.add_token(db, dept)[1] for dept in ("health", "police", "medical_insurance", "hrss")}
    served.db = db
    yield served, tokens
    served.server.shutdown()
    worker.kill()
    worker.wait(30)
    engine.terminate()
    engine.wait(30)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ready_tasks(url: str, department: str, token: str) -> list[dict[str, Any]]:
    response = requests.get(f"{url}/api/departments/{department}/tasks", params={"state": "ready"},
                            headers=auth(token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["tasks"]


def test_departments_pull_and_complete_their_tasks_in_dependency_order_with_their_own_fields(site):
    served, tokens = site
    url = served.url
    body = application(FULL_NEWBORN)
    first = requests.post(f"{url}/api/bundles/newborn/applications", json=body, headers={"Idempotency-Key": "k-1"}, timeout=30)
    again = requests.post(f"{url}/api/bundles/newborn/applications", json=body, headers={"Idempotency-Key": "k-1"}, timeout=30)
    assert first.status_code == 201 and again.status_code == 201, first.text
    case_id = first.json()["id"]
    assert again.json()["id"] == case_id and first.json()["links"]["self"] == f"/api/applications/{case_id}"
    # the same key with another application is refused, not answered with the first case
    other = {**body, "fields": {**body["fields"], next(iter(body["fields"])): "改过的值"}}
    reused = requests.post(f"{url}/api/bundles/newborn/applications", json=other, headers={"Idempotency-Key": "k-1"}, timeout=30)
    assert reused.status_code == 422 and reused.json()["type"].endswith("idempotency-key-reused"), reused.text
    assert len(case_id) > 20
    # the police wait for the birth certificate; health has its tasks at once, with its own fields only
    health = wait_for(lambda: [t for t in ready_tasks(url, "health", tokens["health"]) if t["application"] == case_id])
    assert ready_tasks(url, "police", tokens["police"]) == []
    certificate = next(t for t in health if t["item"] == "issue_birth_certificate")
    c = compiled("newborn")
    item = next(i for i in c.bundle.items if i.id == "issue_birth_certificate")
    assert set(certificate["fields"]) == set(item.fields) & set(body["fields"])
    assert "home_address" not in certificate["fields"]  # asked for other items, not this one
    # another department's token, no token, a wrong token
    assert requests.get(f"{url}/api/departments/health/tasks", headers=auth(tokens["police"]), timeout=30).status_code == 403
    assert requests.get(f"{url}/api/departments/health/tasks", timeout=30).status_code == 401
    complete = f"{url}/api/departments/health/tasks/{certificate['id']}/complete"
    assert requests.post(complete, json={}, headers=auth(tokens["police"]), timeout=30).status_code == 403
    done = requests.post(complete, json={"results": {"certificate_number": "Q310000001"}}, headers=auth(tokens["health"]), timeout=30)
    assert done.status_code == 200 and done.json()["already_done"] is False
    twice = requests.post(complete, json={"results": {}}, headers=auth(tokens["health"]), timeout=30)
    assert twice.status_code == 200 and twice.json()["already_done"] is True
    police = wait_for(lambda: ready_tasks(url, "police", tokens["police"]))
    assert [t["item"] for t in police] == ["birth_registration"]
    assert police[0]["handed"] == {"issue_birth_certificate": {"certificate_number": "Q310000001"}}
    # everyone completes what is ready until the case is done
    while True:
        state = requests.get(f"{url}/api/applications/{case_id}", timeout=30).json()
        if state["state"] == "done":
            break
        for department, token in tokens.items():
            for task in ready_tasks(url, department, token):
                answer = requests.post(f"{url}/api/departments/{department}/tasks/{task['id']}/complete", json={},
                                       headers=auth(token), timeout=30)
                assert answer.status_code == 200, answer.text
        time.sleep(0.2)
    by_item = {t["item"]: t for t in state["tasks"]}
    for task in c.bundle.items:
        if task.id in by_item and by_item[task.id]["state"] == "done":
            for before in (a.item for a in task.after):
                if by_item.get(before, {}).get("state") == "done":
                    assert by_item[before]["done_at"] <= by_item[task.id]["ready_at"]


def test_an_ineligible_application_gets_the_fallback_and_no_case_and_an_invalid_one_422(site):
    served, _ = site
    url = served.url
    outside = requests.post(f"{url}/api/bundles/newborn/applications",
                            json={"situations": {**FULL_NEWBORN, "child_age_months": 7}, "fields": {}, "uploads": {}}, timeout=30)
    assert outside.status_code == 200 and outside.json()["eligible"] is False and "id" not in outside.json()
    invalid = requests.post(f"{url}/api/bundles/newborn/applications", json={"situations": FULL_NEWBORN}, timeout=30)
    assert invalid.status_code == 422 and invalid.json()["errors"]
    assert requests.get(f"{url}/api/applications/app_nonesuch", timeout=30).status_code == 404


def test_an_application_naming_its_region_runs_on_the_regions_limits_and_keeps_its_code(site):
    """西湖区 (330106) gives 出生登记 1 working day, the standard 3: due two working days earlier."""
    served, _ = site
    url = served.url
    due = {}
    for region in (None, "330106"):
        body = {**application(FULL_NEWBORN), "received": "2026-03-02", **({"region": region} if region else {})}
        submitted = requests.post(f"{url}/api/bundles/newborn/applications", json=body, timeout=30)
        assert submitted.status_code == 201, submitted.text
        case_id = submitted.json()["id"]
        state = wait_for(lambda: requests.get(f"{url}/api/applications/{case_id}", timeout=60).json().get("tasks"), 120)  # noqa: B023
        due[region] = {t["item"]: t["due_date"] for t in state}
        assert store.application(served.db, case_id)["region"] == region
    assert due[None]["birth_registration"] == "2026-03-06"
    assert due["330106"]["birth_registration"] == "2026-03-04"


RETIREMENT = {"insured_type": "employee", "retirement_type": "normal", "reached_statutory_age": True,
              "deemed_contribution_years": True, "review_passed": True, "only_child_parent": True,
              "household_in_province": True, "pays_housing_fund": True, "withdraw_fund_now": True}


def test_a_deferred_material_holds_its_task_until_delivered_and_a_return_waits_for_the_correction(site):
    served, _ = site
    url = served.url
    db_token = store.add_token(store.open_database(served.app.config["DATABASE_URL"]), "hrss")[1]
    c = compiled("retirement")
    case = resolve(c, RETIREMENT)
    body = {"situations": RETIREMENT,
            "fields": {f.id: field_value(c.fields[f.id]) for f in case.fields if not f.from_situation},
            "uploads": {m.id: [f"upload-{m.id}"] for m in case.materials
                        if m.source == "applicant" and m.requirement != "deferrable"}}
    submitted = requests.post(f"{url}/api/bundles/retirement/applications", json=body, timeout=30)
    assert submitted.status_code == 201, submitted.text
    case_id = submitted.json()["id"]
    task = wait_for(lambda: [t for t in ready_tasks(url, "hrss", db_token) if t["application"] == case_id])[0]
    assert task["item"] == "normal_retirement" and "only_child_certificate" not in task["materials"]
    complete = f"{url}/api/departments/hrss/tasks/{task['id']}/complete"
    early = requests.post(complete, json={}, headers=auth(db_token), timeout=30)
    assert early.status_code == 409 and "only_child_certificate" in early.json()["title"]
    returned = requests.post(f"{url}/api/departments/hrss/tasks/{task['id']}/return", headers=auth(db_token), timeout=30,
                             json={"reason": "请补交独生子女证", "materials": ["only_child_certificate"]})
    assert returned.status_code == 200
    assert requests.post(complete, json={}, headers=auth(db_token), timeout=30).status_code == 409  # returned
    delivered = requests.post(f"{url}/api/applications/{case_id}/materials", timeout=30,
                              json={"material": "only_child_certificate", "value": ["upload-later"]})
    assert delivered.status_code == 200 and delivered.json()["resumed"] == ["normal_retirement"]
    unknown = requests.post(f"{url}/api/applications/{case_id}/materials", json={"material": "nonesuch"}, timeout=30)
    assert unknown.status_code == 409
    done = requests.post(complete, json={"results": {"approval": "R-1"}}, headers=auth(db_token), timeout=30)
    assert done.status_code == 200 and done.json()["already_done"] is False
    handled = requests.get(f"{url}/api/departments/hrss/tasks", params={"state": "done"}, headers=auth(db_token), timeout=30)
    mine = next(t for t in handled.json()["tasks"] if t["application"] == case_id)
    assert mine["materials"]["only_child_certificate"] == ["upload-later"]  # the department gets what was delivered
