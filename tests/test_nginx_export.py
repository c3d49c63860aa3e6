"""nginx serving `configurator export-api` with the configuration docs/operations.md gives answers as the
API does: every document of every shipped bundle in each language, to GET and HEAD, byte for byte and
header for header; 304 for every way a portal or a proxy writes If-None-Match; the API's own 400, 404
and 405 problems; POSTs (the pre-check) passed to the app; a new publish served after export + reload.

Real parts only: the app in its own process over HTTP on a git workspace, the `configurator export-api`
command (in this process; tests/test_docs_run.py runs the installed one), real publishes (git commits on
main), Debian's nginx (needing no root, in a prefix of its own) running the doc's configuration."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from configurator.cli import main
from configurator.writers import WRITERS
from tests.helpers import ROOT
from tests.nginx_site import MISSING, NGINX, deploy
from tests.served import prepare, start_app
from tests.test_api_etags import publish

pytestmark = pytest.mark.skipif(bool(MISSING) and not os.environ.get("CI"), reason=MISSING or "")

CONFIGURATOR = str(Path(sys.executable).parent / "configurator")
# Per connection, or naming the server: not part of what a portal reads.
PER_CONNECTION = {"date", "server", "connection", "keep-alive"}
LANGS = ("", "?lang=zh-CN", "?lang=en")


class Deployment:
    def __init__(self, tmp: Path) -> None:
        database = f"sqlite:///{tmp}/db.sqlite"
        self.workspace = prepare(tmp, database, users={})
        self.app = start_app(self.workspace, database)
        self.site = tmp / "site"
        self.export()
        self.nginx = deploy(self.site, tmp / "nginx", self.app.url)
        self.api_client, self.nginx_client = requests.Session(), requests.Session()
        for client in (self.api_client, self.nginx_client):  # the bytes as stored (gzip: its own test)
            client.headers["Accept-Encoding"] = "identity"

    def export(self) -> str:
        """`configurator export-api` as a user runs it (in this process: measured by coverage; the docs
        test runs the installed command)."""
        done = CliRunner().invoke(main, ["export-api", "--workspace", str(self.workspace), "--out", str(self.site)])
        assert done.exit_code == 0, done.output
        return done.output

    def reload(self) -> None:
        prefix = self.nginx.prefix
        subprocess.run([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-t", "-q"], check=True)
        subprocess.run([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-s", "reload"], check=True)

    def both(self, method: str, path: str, headers: dict[str, str] | None = None,
             **kwargs: object) -> tuple[requests.Response, requests.Response]:
        return (self.api_client.request(method, self.app.url + path, headers=headers, timeout=30, **kwargs),  # type: ignore[arg-type]
                self.nginx_client.request(method, self.nginx.url + path, headers=headers, timeout=30, **kwargs))  # type: ignore[arg-type]

    def same(self, method: str, path: str, headers: dict[str, str] | None = None) -> requests.Response:
        """The API's answer and nginx's are the same: status, bytes, every header. nginx's answer."""
        api, served = self.both(method, path, headers)
        where = f"{method} {path} {headers or ''}"
        assert served.status_code == api.status_code, f"{where}: nginx {served.status_code}, API {api.status_code}"
        assert served.content == api.content, f"{where}: the bodies differ"
        assert named(served) == named(api), f"{where}: the headers differ"
        return served

    def stop(self) -> None:
        self.api_client.close()
        self.nginx_client.close()
        self.nginx.stop()
        self.app.stop()


def named(response: requests.Response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items() if name.lower() not in PER_CONNECTION}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    served = Deployment(tmp_path_factory.mktemp("nginx-export"))
    yield served
    served.stop()


def test_every_document_of_every_shipped_bundle_is_the_apis_bytes_and_headers(deployment):
    shipped = sorted(path.stem for path in (ROOT / "bundles").glob("*.yaml"))
    listing = deployment.same("GET", "/api/bundles").json()
    assert sorted(row["id"] for row in listing["bundles"]) == shipped
    compared = 0
    for lang in LANGS:
        for method in ("GET", "HEAD"):
            deployment.same(method, f"/api/bundles{lang}")
            for bundle_id in shipped:
                deployment.same(method, f"/api/bundles/{bundle_id}{lang}")
                for name in WRITERS:
                    served = deployment.same(method, f"/api/bundles/{bundle_id}/{name}{lang}")
                    assert served.headers["ETag"].strip('"') != "" and "Last-Modified" not in served.headers
                    compared += 1
    assert compared == len(LANGS) * 2 * len(shipped) * len(WRITERS)
    english = deployment.same("GET", "/api/bundles/newborn?lang=en").json()
    assert english["name"] == "Newborn birth"


@pytest.mark.parametrize("written", ['"{etag}"', 'W/"{etag}"', 'w/"{etag}"', '"0000", W/"{etag}"', '"{etag}" , "1111"',
                                     "{etag}", "*"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_none_match_with_the_etag_is_answered_304_as_by_the_api(deployment, written, method):
    path = "/api/bundles/newborn/metrics.json?lang=en"
    etag = deployment.api_client.get(deployment.app.url + path, timeout=30).headers["ETag"].strip('"')
    served = deployment.same(method, path, {"If-None-Match": written.format(etag=etag)})
    assert served.status_code == 304 and served.content == b""
    assert "Content-Type" not in served.headers and "Content-Length" not in served.headers
    assert served.headers["ETag"] == f'"{etag}"'


@pytest.mark.parametrize("query", ["?lang=en&lang=fr", "?x=1&lang=en", "?LANG=en", "?lang", "?langs=en&lang=en", "?x=lang=en"])
def test_the_language_is_read_from_the_query_as_the_api_reads_it(deployment, query):
    deployment.same("GET", f"/api/bundles/newborn/notice.md{query}")


def test_compressed_by_nginx_the_etag_turns_weak_and_still_gets_304(deployment):
    """Debian's nginx.conf has gzip on (for text/html): nginx then weakens the ETag, as any compressing
    proxy does, and the weak comparison of If-None-Match still answers 304."""
    path = "/api/bundles/newborn/form.html"
    api = deployment.api_client.get(deployment.app.url + path, timeout=30)
    served = requests.get(deployment.nginx.url + path, headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert served.headers["Content-Encoding"] == "gzip" and served.content == api.content  # requests decompresses
    assert served.headers["ETag"] == "W/" + api.headers["ETag"]
    again = requests.get(deployment.nginx.url + path, headers={"Accept-Encoding": "gzip", "If-None-Match": served.headers["ETag"]},
                         timeout=30)
    assert again.status_code == 304 and again.headers["ETag"].removeprefix("W/") == api.headers["ETag"]


@pytest.mark.parametrize("headers", [
    {"If-None-Match": '"0000000000000000000000000000000000000000000000000000000000000000"'},
    {"If-None-Match": '"{other}"'},  # another artifact's ETag
    {"If-Modified-Since": "Sat, 01 Jan 2100 00:00:00 GMT"},  # the API answers no If-Modified-Since
    {"Range": "bytes=0-9"},  # nor a Range: the whole artifact
])
def test_other_conditions_get_the_whole_artifact_as_from_the_api(deployment, headers):
    other = deployment.api_client.get(deployment.app.url + "/api/bundles/newborn/routing.json", timeout=30).headers["ETag"]
    headers = {name: value.format(other=other.strip('"')) for name, value in headers.items()}
    served = deployment.same("GET", "/api/bundles/newborn/metrics.json", headers)
    assert served.status_code == 200 and served.json()


@pytest.mark.parametrize("path, status, problem", [
    ("/api/bundles/no_such_bundle", 404, "unknown-bundle"),
    ("/api/bundles/no_such_bundle?lang=en", 404, "unknown-bundle"),
    ("/api/bundles/no_such_bundle/form.html", 404, "unknown-bundle"),
    ("/api/bundles/%E6%96%B0%E7%94%9F", 404, "unknown-bundle"),  # 新生: named in the problem as asked
    ("/api/bundles/newborn/form.pdf", 404, "unknown-artifact"),
    ("/api/bundles/newborn/form.pdf?lang=en", 404, "unknown-artifact"),
    ("/api/bundles/newborn/form.json", 404, "unknown-artifact"),  # a .json name still gets problem+json
    ("/api/bundles/newborn/check", 405, "method-not-allowed"),
    ("/api/bundles/newborn/check?lang=en", 405, "method-not-allowed"),
    ("/api/bundles?lang=fr", 400, "bad-language"),
    ("/api/bundles/newborn/metrics.json?lang=", 400, "bad-language"),
    ("/api/bundles/newborn?lang=EN", 400, "bad-language"),
    ("/api/bundles/newborn?lang=fr&lang=en", 400, "bad-language"),  # the first lang counts
    ("/api/bundles/", 404, "http-error"),
    ("/api/bundles/newborn/", 404, "http-error"),
    ("/api/bundles/newborn/metrics.json/more", 404, "http-error"),
    ("/api/bundlesx", 404, "http-error"),
])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_what_the_export_has_not_is_the_apis_own_problem(deployment, path, status, problem, method):
    served = deployment.same(method, path)
    assert served.status_code == status
    assert served.headers["Content-Type"] == "application/problem+json; charset=utf-8"
    if method == "GET":
        assert served.json()["type"] == f"urn:configurator:problem:{problem}"


def test_a_name_json_must_escape_gets_the_plain_not_found_problem(deployment):
    """The one documented difference: nginx cannot escape a name into JSON, so it does not repeat it."""
    api, served = deployment.both("GET", "/api/bundles/a%22b%5Cc")
    assert api.status_code == served.status_code == 404
    assert api.json()["title"] == "没有已发布的一件事“a\"b\\c”"
    assert served.json()["type"] == "urn:configurator:problem:http-error"
    assert served.headers["Content-Type"] == "application/problem+json; charset=utf-8"


def test_posts_and_the_rest_of_the_api_are_the_apps_own_answers(deployment):
    application = {"situations": {}, "fields": {}, "uploads": {}}
    for path in ("/api/bundles/newborn/check", "/api/bundles/newborn/check?lang=en", "/api/bundles/newborn/metrics.json"):
        api, served = deployment.both("POST", path, json=application)
        assert (served.status_code, served.content) == (api.status_code, api.content), path
        assert served.headers["Content-Type"] == api.headers["Content-Type"]
    assert deployment.nginx_client.post(deployment.nginx.url + "/api/bundles/newborn/check", json=application,
                                        timeout=30).status_code == 422
    deployment.same("GET", "/api/regions")
    assert deployment.nginx_client.get(deployment.nginx.url + "/configurator-export/zh-CN/bundles.json",
                                       timeout=30).status_code == 404  # the files only through the API's URLs


def test_after_a_publish_an_export_and_a_reload_serve_the_new_version(deployment):
    path = "/api/bundles/newborn/notice.md"
    before = deployment.same("GET", path).headers["ETag"]
    publish(deployment.workspace, "bundles/newborn.yaml", "zh-CN: 新生儿出生一件事", "zh-CN: 新生儿出生“一件事”")
    api, stale = deployment.both("GET", path)
    assert api.headers["ETag"] != before and stale.headers["ETag"] == before  # nginx serves what was exported
    shipped = len(list((deployment.workspace / "bundles").glob("*.yaml")))
    assert f"导出了 {shipped} 个一件事的接口文件" in deployment.export()
    deployment.reload()
    for _ in range(100):  # the old workers finish their connections; new ones take the next
        deployment.nginx_client.close()
        if deployment.nginx_client.get(deployment.nginx.url + path, timeout=30).headers["ETag"] != before:
            break
        time.sleep(0.05)
    deployment.same("GET", path)
    deployment.same("GET", "/api/bundles/newborn")
    deployment.same("GET", path, {"If-None-Match": api.headers["ETag"]})


def test_export_refuses_a_folder_that_is_not_an_earlier_export(tmp_path, deployment):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", encoding="utf-8")
    done = CliRunner().invoke(main, ["export-api", "--workspace", str(deployment.workspace), "--out", str(folder)])
    assert done.exit_code == 2
    assert "不是空文件夹，也不是先前的导出" in done.output and "请换一个新的或空的文件夹" in done.output
    done = CliRunner().invoke(main, ["export-api", "--workspace", str(deployment.workspace), "--out", str(folder),
                                     "--lang", "en"])
    assert done.exit_code == 2
    assert "is not empty and holds no earlier export" in done.output and "choose a new or empty folder" in done.output
    assert [path.name for path in folder.iterdir()] == ["keep.txt"]


def test_export_of_a_folder_that_is_no_workspace_says_so_and_writes_nothing(tmp_path):
    done = subprocess.run([CONFIGURATOR, "export-api", "--workspace", str(tmp_path / "nowhere"), "--out",
                           str(tmp_path / "site")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no catalogues/ folder" in done.stderr and "--workspace DIR" in done.stderr
    assert not (tmp_path / "site").exists()


def test_a_publish_during_the_export_is_refused_not_mixed_into_it(tmp_path, monkeypatch):
    from configurator.web import api_export
    from configurator.workspace.git import init_workspace

    workspace = tmp_path / "workspace"
    init_workspace(workspace)
    asked = api_export._Requests.get

    def publishing_after_the_chinese_documents(self, path, name, expect=200):
        if path == "/api/bundles?lang=en":
            publish(workspace, "bundles/newborn.yaml", "zh-CN: 新生儿出生一件事", "zh-CN: 新生儿出生“一件事”")
        return asked(self, path, name, expect)

    monkeypatch.setattr(api_export._Requests, "get", publishing_after_the_chinese_documents)
    with pytest.raises(api_export.ExportError, match="main moved"):
        api_export.export_api(workspace, tmp_path / "site")
    assert not (tmp_path / "site").exists()
