"""The admin's banners in Chromium under axe-core: the "您看到的是已发布的版本" banner an editor
sees on a published bundle had a contrast of 3.85 (issue 24, serious)."""

from __future__ import annotations

import pytest

from tests.browser import MISSING
from tests.test_authoring_browser import AXE, axe, log_in
from tests.web_helpers import make_site, serve

pytestmark = pytest.mark.skipif(MISSING, reason="Debian chromium is not installed (make test installs it as root)")

PAGES = ["/admin/bundles/restaurant/", "/admin/bundles/restaurant/edit/", "/admin/bundles/restaurant/source/"]


@pytest.fixture
def site(tmp_path):
    site = serve(make_site(tmp_path, git=True))
    yield site
    site.server.shutdown()


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_published_version_banner_passes_axe(browser, site, language, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    log_in(page, site, "alice")
    if language == "en":
        with page.expect_navigation():  # the switch sits in the collapsed menu at 390 px
            page.evaluate("document.querySelector(\"form[action$='/lang/en']\").submit()")
    found = {}
    for url in PAGES:
        page.goto(site.url + url)
        assert page.locator("#editing-change").is_visible(), url  # the banner is there to be checked
        violations = axe(page)
        if violations:
            found[url] = violations
    context.close()
    assert found == {}, "\n".join(f"{url}: {v}" for url, vs in found.items() for v in vs)
