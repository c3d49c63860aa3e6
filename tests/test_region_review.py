"""Region files edited in the admin go through change requests: checked before anything is
written, never published without a second person, served by the API only once published."""

import shutil
import subprocess

import pytest

from configurator.workspace import git
from tests.helpers import ROOT
from tests.review_helpers import act, change_of
from tests.web_helpers import csrf_token, login, make_site

SOURCE = "/admin/regions/330106/source/"


@pytest.fixture
def site(tmp_path):
    site = make_site(tmp_path, git=True)
    shutil.copytree(ROOT / "regions", site.workspace / "regions")
    for args in (["add", "regions"], ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "地区"]):
        subprocess.run(["git", "-C", str(site.workspace), *args], check=True, capture_output=True)
    return site


def client_for(site, name):
    client = site.app.test_client()
    login(client, name)
    return client


def save(client, text, url=SOURCE):
    page = client.get(url).get_data(as_text=True)
    seen = page.split('name="seen" value="')[1].split('"')[0]
    return client.post(url, data={"csrf_token": csrf_token(page), "seen": seen, "text": text, "message": "缩短时限"})


def published(site):
    return git.read_file(site.workspace, "main", "regions/330106.yaml").decode("utf-8")


def test_a_region_edit_is_checked_goes_to_a_change_request_and_is_published_after_review(site):
    alice, rita, victor = client_for(site, "alice"), client_for(site, "rita"), client_for(site, "victor")
    original = published(site)
    api = site.app.test_client()
    assert "即办" not in api.get("/api/regions/330106/bundles/newborn/notice.md").get_data(as_text=True).split("出生登记（户口）")[1][:40]

    refused = save(alice, original.replace("promised_days: 1", "promised_days: 5"))  # longer than the standard's 3
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "E604" in body and "promised_days: 5" in body  # input kept
    assert published(site) == original and not git.ref(site.workspace, "changes/1")

    assert save(victor, original).status_code == 403  # a viewer may look, not save

    response = save(alice, original.replace("promised_days: 1", "promised_days: 0"))
    assert response.status_code == 302
    number = change_of(response.headers["Location"])
    assert published(site) == original  # saved to the change request only
    assert "promised_days: 0" in alice.get(f"{SOURCE}?change={number}").get_data(as_text=True)

    act(alice, number, "submit")
    body = act(rita, number, "publish").get_data(as_text=True)
    assert "已发布变更申请" in body, body[-2000:]
    assert "promised_days: 0" in published(site)
    notice = api.get("/api/regions/330106/bundles/newborn/notice.md").get_data(as_text=True)
    assert "| 出生登记（户口） | 公安局 | 即办 |" in notice


def test_a_new_region_starts_from_a_skeleton_and_a_broken_one_is_never_written(site):
    alice = client_for(site, "alice")
    assert alice.get("/admin/regions/new/?code=330108").headers["Location"].endswith("/admin/regions/330108/source/")
    page = alice.get("/admin/regions/330108/source/").get_data(as_text=True)
    assert 'code: &#34;330108&#34;' in page or 'code: "330108"' in page
    refused = save(alice, 'code: "330108"\nname: 滨江区\nparent: "440000"\n', url="/admin/regions/330108/source/")
    assert "E602" in refused.get_data(as_text=True)
    assert alice.get("/admin/regions/abc/source/").status_code == 404


CALENDAR = "/admin/regions/calendars/2027/source/"


def test_a_calendar_for_a_new_year_is_reviewed_before_due_dates_use_it(site):
    from tests.test_region_api import application
    from tests.test_working_days import CALENDAR_2027

    alice, rita = client_for(site, "alice"), client_for(site, "rita")
    api = site.app.test_client()
    assert api.post("/api/bundles/newborn/check", json=application("2027-02-05")).status_code == 422  # unknown year
    assert "year: 2027" in alice.get(CALENDAR).get_data(as_text=True)  # a skeleton for a year file
    refused = save(alice, "year: 2027\nholidays:\n  - date: \"2027-02-30\"\n    name: 春节\n", url=CALENDAR)
    assert "E620" in refused.get_data(as_text=True)
    assert git.read_file(site.workspace, "main", "calendars/2027.yaml") is None
    import textwrap

    response = save(alice, textwrap.dedent(CALENDAR_2027), url=CALENDAR)
    number = change_of(response.headers["Location"])
    assert api.post("/api/bundles/newborn/check", json=application("2027-02-05")).status_code == 422  # not yet published
    act(alice, number, "submit")
    assert "已发布变更申请" in act(rita, number, "publish").get_data(as_text=True)
    answer = api.post("/api/bundles/newborn/check", json=application("2027-02-05"))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["due_date"] == "2027-02-18"  # hand count in tests/test_working_days.py
