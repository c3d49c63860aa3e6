"""The portal API's read side written out as files and nginx configuration: same URLs, bytes, headers.

`configurator export-api` asks the API itself (the Flask app, in this process, on the workspace as
published) for everything it serves to a GET — the list, each bundle, each artifact, in each
language — and for each kind of error it answers, and writes what it was given:

- the bodies: ``<lang>/bundles.json``, ``<lang>/bundles/<id>.json``, ``<lang>/bundles/<id>/<artifact>``;
- ``api-maps.conf`` (nginx ``http`` context): from a request (method, ``lang``, path) to its
  answer — a file, or a problem — and from an answer to each header the API sent with it, the
  problem's status and body, and whether an ``If-None-Match`` matches the answer's ETag;
- ``api-headers.conf`` (nginx ``location`` context): one ``add_header`` per header the API sends,
  and nginx's own validators (mtime-size ETag, Last-Modified, ranges) turned off;
- ``api-types.conf`` (``location`` context): the media type of each kind of file.

Copied, not derived again: the ETag is the API's (the SHA-256 of the bytes; nginx's own is the
file's mtime and size), the headers are exactly the API's, and a header the API adds tomorrow is
exported tomorrow. nginx answers 304 itself, before opening the file. docs/operations.md gives the
server block that includes these files; tests/test_nginx_export.py serves it and compares every
answer with the API's over HTTP.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from configurator.web.api_cache import MEDIA_TYPES, content_type

LANGUAGES = ("zh-CN", "en")
MAPS = "api-maps.conf"
HEADERS = "api-headers.conf"
TYPES = "api-types.conf"
# Stands for the requested name in the error answers, which nginx fills in ($cfg_name).
PLACEHOLDER = "configurator-export-placeholder"
# What JSON (orjson) must escape in a string: a name with any of these cannot be put into the
# problem's JSON by nginx, so it gets the plain "not found" problem instead (escaped as \x..
# for PCRE, see nginx_string).
JSON_SAFE_NAME = r'[^/"\x5c\x00-\x1f]+'
# Headers of one connection or computed by nginx itself from the file.
NOT_COPIED = frozenset({"content-type", "content-length", "date", "server", "connection"})
PROBLEM_TYPE = "application/problem+json"


class ExportError(Exception):
    """The workspace cannot be exported (nothing published, or the folder is not an export's).
    Told in English, and in Chinese where a user can act on it (the rest would be a defect here)."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.zh = zh

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh-CN" and self.zh else str(self)


@dataclass(frozen=True)
class Answer:
    """One answer of the API: a file (``name`` is its path under the export, from ``/``) or a
    problem (``name`` is its kind and language, its body a template for nginx)."""

    name: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Exported:
    commit: str
    bundles: tuple[str, ...]
    files: int


def export_api(workspace: Path, out_dir: Path) -> Exported:
    """Write the API's answers for ``workspace`` as published into ``out_dir`` (replaced whole)."""
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MAPS).exists():
        raise ExportError(f"{out_dir} is not empty and holds no earlier export ({MAPS}): choose a new or empty folder",
                          f"{out_dir} 不是空文件夹，也不是先前的导出（没有 {MAPS}）：请换一个新的或空的文件夹")
    with tempfile.TemporaryDirectory() as folder:
        requests = _Requests(workspace, Path(folder))
        files, problems, bundle_ids = requests.answers()
    if len({answer.headers.get("X-Source-Commit") for answer in files}) > 1:
        raise ExportError("main moved (a publish) while exporting: run the export again",
                          "导出期间有新的发布（main 变了）：请重新导出")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the folder and swapped in whole: nginx never serves half of two exports.
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for answer in files:
            target = staging / answer.name.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(answer.body)
        (staging / MAPS).write_text(maps_conf(files, problems, bundle_ids, requests.commit), encoding="utf-8")
        (staging / HEADERS).write_text(headers_conf(files + problems), encoding="utf-8")
        (staging / TYPES).write_text(types_conf(), encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp's 0700 would keep nginx's workers out
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{secrets.token_hex(4)}")
            out_dir.rename(old)
            staging.rename(out_dir)
            shutil.rmtree(old)
        else:
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Exported(requests.commit, tuple(bundle_ids), len(files))


class _Requests:
    """The API in process: GETs through Flask's test client, as a portal would send them."""

    def __init__(self, workspace: Path, folder: Path) -> None:
        from configurator.web import create_app

        # The app needs a database (users, sessions); the API's answers never read it.
        self.app = create_app({"SECRET_KEY": secrets.token_hex(32), "WORKSPACE": str(workspace),
                               "DATABASE_URL": f"sqlite:///{folder}/export.db", "PROXY_FIX": 0})
        self.client = self.app.test_client()
        self.commit = ""

    def get(self, path: str, name: str, expect: int = 200) -> Answer:
        response = self.client.get(path)
        if response.status_code != expect:
            raise ExportError(f"GET {path} answered {response.status_code}, not {expect}: {response.get_data(as_text=True)[:300]}")
        headers = {key: value for key, value in response.headers.items() if key.lower() not in NOT_COPIED}
        if "set-cookie" in (key.lower() for key in headers):
            raise ExportError(f"GET {path} set a cookie: an answer for everyone cannot be exported")
        if expect == 200:
            suffix = Path(name).suffix
            if response.headers["Content-Type"] != content_type(MEDIA_TYPES.get(suffix, "")):
                raise ExportError(f"GET {path} is {response.headers['Content-Type']}, not what nginx gives {suffix} files")
        elif response.headers["Content-Type"] != content_type(PROBLEM_TYPE):
            raise ExportError(f"GET {path} is {response.headers['Content-Type']}, not {PROBLEM_TYPE}")
        return Answer(name, response.status_code, headers, response.get_data())

    def answers(self) -> tuple[list[Answer], list[Answer], list[str]]:
        from configurator.writers import WRITERS

        files: list[Answer] = []
        problems: list[Answer] = []
        bundle_ids: list[str] = []
        for lang in LANGUAGES:
            listing = self.get(f"/api/bundles?lang={lang}", f"/{lang}/bundles.json")
            files.append(listing)
            document = json.loads(listing.body)
            self.commit = document["source_commit"] or "none"
            bundle_ids = [row["id"] for row in document["bundles"]]
            for bundle_id in bundle_ids:
                files.append(self.get(f"/api/bundles/{bundle_id}?lang={lang}", f"/{lang}/bundles/{bundle_id}.json"))
                files.extend(self.get(f"/api/bundles/{bundle_id}/{name}?lang={lang}", f"/{lang}/bundles/{bundle_id}/{name}")
                             for name in WRITERS)
            problems.append(self.get(f"/api/bundles/{PLACEHOLDER}?lang={lang}", f"unknown-bundle {lang}", 404))
            problems.append(self.get(f"/api/bundles/{PLACEHOLDER}/{PLACEHOLDER}/x?lang={lang}", f"not-found {lang}", 404))
            if bundle_ids:
                problems.append(self.get(f"/api/bundles/{bundle_ids[0]}/{PLACEHOLDER}?lang={lang}",
                                         f"unknown-artifact {lang}", 404))
                problems.append(self.get(f"/api/bundles/{bundle_ids[0]}/check?lang={lang}", f"check-get {lang}", 405))
        problems.append(self.get(f"/api/bundles?lang={PLACEHOLDER}", "bad-language", 400))
        return files, problems, bundle_ids


def nginx_string(text: str, value: bool = False) -> str:
    """``text`` as one quoted nginx token: nginx reads back \\\\, \\" and \\n. In a ``value``
    nginx fills in ``$name``, so a literal ``$`` is refused there (a map's key is taken as written)."""
    if value and re.search(r"\$(?!cfg_name\b|request_method\b|[1-9])", text):
        raise ExportError(f"a literal $ cannot be written in nginx configuration: {text[:80]}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def header_variable(header: str) -> str:
    return "$cfg_h_" + re.sub(r"[^a-z0-9]+", "_", header.lower())


def _template(answer: Answer) -> str:
    """A problem's body with the requested name (and method) left for nginx to fill in."""
    text = answer.body.decode("utf-8")
    if answer.name.startswith("check-get"):
        text = text.replace("GET", "$request_method", 1)
    return text.replace(PLACEHOLDER, "$cfg_name")


def _map(source: str, variable: str, entries: Iterable[tuple[str, str]], default: str = '""') -> list[str]:
    lines = [f"map {source} {variable} {{"]
    lines += [f"    {key} {value};" for key, value in entries]
    return [*lines, f"    default {default};", "}"]


def _header_maps(answers: list[Answer]) -> list[str]:
    """Each header the API sends, per answer, and whether If-None-Match names the answer's ETag."""
    lines = ["# Each header the API sends, per answer (an empty value sends no header)."]
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for answer in answers:
        for header, value in answer.headers.items():
            values[header][answer.name] = value
    for header in sorted(values, key=str.lower):  # exact keys (hashed): no regular expression per request
        lines += _map("$cfg_answer", header_variable(header),
                      [(nginx_string(name), nginx_string(value, value=True)) for name, value in values[header].items()])
    return [*lines, "", "# If-None-Match compared weakly with the answer's ETag (RFC 9110 13.1.2), as the API does:",
            "# a list, W/ (a compressing proxy), unquoted, or *.",
            *_map('"$cfg_h_etag $http_if_none_match"', "$cfg_not_modified",
                  [(nginx_string('~^"([0-9a-f]+)" (.*,)?\\s*([Ww]/)?"?\\1"?\\s*(,.*)?$'), "1"),
                   (nginx_string('~^"[0-9a-f]+" \\s*\\*\\s*$'), "1")], "0")]


def maps_conf(files: list[Answer], problems: list[Answer], bundle_ids: list[str], commit: str) -> str:
    answers = files + problems
    served = {answer.name for answer in files}
    ids = "|".join(re.escape(bundle_id) for bundle_id in bundle_ids) or "(?!)"  # (?!): no bundle published
    known = f"(?:{ids})"
    lines = [f"# Written by `configurator export-api` from the API's own answers at commit {commit}.",
             "# Include it in nginx's http block; docs/operations.md gives the server block. Regenerated by",
             "# every export: reload nginx after it (nginx -s reload).", "",
             "map_hash_bucket_size 128;", "",
             "# GET and HEAD are answered from the files; anything else goes to the app (the pre-check).",
             *_map("$request_method", "$cfg_read", [("GET", "1"), ("HEAD", "1")], "0"), "",
             "# ?lang= as the API reads it: absent means zh-CN; anything but zh-CN or en is refused.",
             "# The first lang parameter, by exact name ($arg_lang would also take LANG=).",
             *_map("$args", "$cfg_lang_given", [(nginx_string("~(?:^|&)lang(?:=(?<cfg_lang_value>[^&]*))?(?:&|$)"), "1")], "0"),
             *_map('"$cfg_lang_given:$cfg_lang_value"', "$cfg_lang",
                   [('"0:"', "zh-CN"), *((nginx_string(f"~^1:{re.escape(lang)}$"), lang) for lang in LANGUAGES)]), "",
             "# The request → its answer: a file of this export, a problem, or the app (proxied).",
             "# $cfg_path is $uri as the request gave it (set first in the location: a rewrite changes $uri)."]
    # Regular expressions, not the (faster) exact keys: nginx compares those ignoring case, the API does not.
    langs = "(" + "|".join(re.escape(lang) for lang in LANGUAGES) + ")"
    artifacts = sorted({answer.name.rsplit("/", 1)[1] for answer in files if answer.name.count("/") == 4})
    expected = {f"/{lang}/bundles.json" for lang in LANGUAGES} | {
        f"/{lang}/bundles/{bundle_id}{suffix}" for lang in LANGUAGES for bundle_id in bundle_ids
        for suffix in (".json", *(f"/{name}" for name in artifacts))}
    if expected != served:  # the patterns below name every file as a product of these
        raise ExportError(f"the API's documents are not every artifact of every bundle: {sorted(expected ^ served)[:5]}")
    names = "(" + "|".join(re.escape(name) for name in artifacts) + ")"
    entries: list[tuple[str, str]] = [
        (nginx_string("~^0 .* /api/bundles"), "proxied"),
        (nginx_string(f"~^1 {langs} /api/bundles$"), nginx_string("/$1/bundles.json", value=True)),
        (nginx_string(f"~^1 {langs} /api/bundles/({ids})$"), nginx_string("/$1/bundles/$2.json", value=True)),
        (nginx_string(f"~^1 {langs} /api/bundles/({ids})/{names}$"), nginx_string("/$1/bundles/$2/$3", value=True))]
    entries.append((nginx_string("~^1  /api/bundles(/[^/]+){0,2}$"), "bad-language"))
    for lang in LANGUAGES:
        entries += [(nginx_string(f"~^1 {lang} /api/bundles/{known}/check$"), nginx_string(f"check-get {lang}")),
                    (nginx_string(f"~^1 {lang} /api/bundles/{known}/(?<cfg_name>{JSON_SAFE_NAME})$"),
                     nginx_string(f"unknown-artifact {lang}")),
                    (nginx_string(f"~^1 {lang} /api/bundles/(?!{known}/)(?<cfg_name>{JSON_SAFE_NAME})(/[^/]+)?$"),
                     nginx_string(f"unknown-bundle {lang}"))]
    entries += [(nginx_string("~^1 en /api/bundles"), nginx_string("not-found en")),
                (nginx_string("~^1 \\S* /api/bundles"), nginx_string("not-found zh-CN"))]
    lines += _map('"$cfg_read $cfg_lang $cfg_path"', "$cfg_answer", entries)
    lines += ["", "# A file's path in the export.",
              *_map("$cfg_answer", "$cfg_file", [(nginx_string("~^/"), "$cfg_answer")]), "",
              "# A problem's status and body, with the name asked for filled in.",
              *_map("$cfg_answer", "$cfg_status", [(nginx_string(a.name), str(a.status)) for a in problems]),
              *_map("$cfg_answer", "$cfg_body", [(nginx_string(a.name), nginx_string(_template(a), value=True)) for a in problems]),
              ""]
    lines += _header_maps(answers)
    return "\n".join(lines) + "\n"


def headers_conf(answers: list[Answer]) -> str:
    header_names = sorted({header for answer in answers for header in answer.headers}, key=str.lower)
    lines = ["# Written by `configurator export-api`: include it where the export answers (docs/operations.md).",
             "charset utf-8;",
             # text/html is always among them: naming it again makes nginx warn
             "charset_types " + " ".join(sorted({*MEDIA_TYPES.values(), PROBLEM_TYPE} - {"text/html"})) + ";",
             "etag off;              # nginx's ETag is the file's mtime and size: the API's is sent instead",
             "if_modified_since off; # the API answers no If-Modified-Since",
             "max_ranges 0;          # the API answers a Range request with the whole artifact",
             'add_header Last-Modified "";',
             *(f"add_header {header} {header_variable(header)} always;" for header in header_names),
             "# A 304 has no body: no Content-Type, no Content-Length (RFC 9110 8.6), as the API's.",
             "more_clear_headers -s 304 Content-Type Content-Length;"]
    return "\n".join(lines) + "\n"


def types_conf() -> str:
    """The media type of each kind of file, as the API gives it (charset from api-headers.conf)."""
    return ("# Written by `configurator export-api`: include it where the export's files are served.\ntypes {\n"
            + "".join(f"    {media_type} {suffix[1:]};\n" for suffix, media_type in sorted(MEDIA_TYPES.items())) + "}\n")
