"""Bundle text cannot attack a citizen or an editor: payloads (script tags, event handlers,
javascript: links in HTML and in Markdown syntax) in every text of a bundle come out inert in
notice.md (rendered by a CommonMark renderer that lets raw HTML through, as many portals do),
notice.html, form.html and the admin's pages."""

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from configurator.planning.compiled import Compiled
from configurator.writers import render_compiled
from tests.helpers import ROOT, check_text, shipped_catalogues
from tests.web_helpers import PASSWORD, csrf_token, make_site

PAYLOAD = ('<script>alert(1)</script><img src=x onerror=alert(2)>[link](javascript:alert(3))'
           '![i](javascript:alert(4))<a href=\\"javascript:alert(5)\\">a</a>*b* _c_ `d` | e\\n# f')
TEXT_KEYS = ("label", "name", "message", "help", "summary", "note", "window", "address", "hours", "zh-CN", "en")


def payload_bundle() -> str:
    """newborn.yaml with the payload in every text value."""
    text = (ROOT / "bundles" / "newborn.yaml").read_text(encoding="utf-8")
    keys = "|".join(re.escape(k) for k in TEXT_KEYS)
    return re.sub(rf'^(\s*(?:- )?(?:{keys}):[ ]+)(?![\[{{|>])(\S.*)$', lambda m: f'{m.group(1)}"{PAYLOAD}"', text,
                  flags=re.MULTILINE)


class Active(HTMLParser):
    """Everything in an HTML document that could run: elements and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed", "svg"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag}[{name}]")


def active(html: str) -> list[str]:
    parser = Active()
    parser.feed(html)
    return parser.found


@pytest.fixture(scope="module")
def artifacts():
    source = payload_bundle()
    assert source.count("onerror") > 30  # the payload is everywhere
    result = check_text(source, "bundles/newborn.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    return {lang: render_compiled(Compiled(result.bundle, shipped_catalogues(), lang)) for lang in ("zh-CN", "en")}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_notice_markdown_renders_inert(artifacts, lang):
    markdown = artifacts[lang]["notice.md"]
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown)  # raw HTML allowed: the worst case
    assert active(rendered) == []
    assert "javascript:" not in re.sub(r"&[a-z]+;", "", "".join(re.findall(r'href="([^"]*)"', rendered)))
    assert "<h1>" in rendered and rendered.count("<h1>") == 1  # no heading smuggled in by a newline
    assert "&lt;script&gt;" in rendered  # shown as the text it is


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("name", ["notice.html", "form.html"])
def test_html_artifacts_are_inert(artifacts, lang, name):
    found = active(artifacts[lang][name])
    assert found == (["script"] if name == "form.html" else [])  # only the form's own script


def test_the_admin_shows_the_payloads_as_text(tmp_path):
    site = make_site(tmp_path)
    site.bundle_file("newborn").write_text(payload_bundle(), encoding="utf-8")
    client = site.app.test_client()
    page = client.get("/login")
    client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_token(
        page.get_data(as_text=True))})
    for url in ("/admin/bundles/", "/admin/bundles/newborn/", "/admin/bundles/newborn/preview/",
                "/admin/bundles/newborn/items/0/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x onerror" not in html, url
        assert not [a for a in active(html) if a not in ("script", "svg", "iframe")], url  # the admin's own
        assert "alert(1)" in html  # the text is there, escaped
