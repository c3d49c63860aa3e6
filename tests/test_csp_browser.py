"""The Content-Security-Policy in Chromium: every admin page (ours and flask-admin's) loads with no
violation reported, and the policy really blocks an inline script."""

import re

import pytest

from tests.browser import MISSING
from tests.test_admin_security import admin_urls
from tests.web_helpers import PASSWORD, make_site, serve

pytestmark = pytest.mark.skipif(MISSING,
                                reason="Debian chromium is not installed (make test installs it as root)")


@pytest.fixture
def site(tmp_path):
    site = serve(make_site(tmp_path, git=True))
    yield site
    site.server.shutdown()


def watch(page) -> list[str]:
    """Violations as Chromium reports them: console errors and securitypolicyviolation events."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))")
    return seen


def test_every_admin_page_loads_without_a_policy_violation(browser, site):
    page = browser.new_page(locale="zh-CN")
    violations = watch(page)
    page.goto(f"{site.url}/login")
    page.fill("#username", "ada")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/admin/")
    urls = sorted({url for url, methods in admin_urls(site.app) if "GET" in methods
                   and not url.startswith(("/logout", "/lang"))} | {"/admin/bundles/newborn/preview/"})
    visited = []
    for url in urls:
        answer = page.goto(f"{site.url}{url}")
        page.wait_for_load_state("load")
        if url.endswith("/preview/"):  # the parts fetched after the page (figures, diagram, notice) too
            page.wait_for_selector("#preview-parts[data-loaded]")
        visited.append((url, answer.status if answer else None))
        assert not violations, f"{url}: {violations}"
    assert len(visited) >= 15
    # The preview's form runs its few lines of script inside the sandboxed frame (allowed by hash).
    page.goto(f"{site.url}/admin/bundles/newborn/preview/")
    frame = page.frame_locator("#form-preview")
    assert frame.locator("form").count() >= 1
    assert not violations, violations


def test_an_injected_inline_script_is_blocked(browser, site):
    page = browser.new_page()
    violations = watch(page)
    page.goto(f"{site.url}/login")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                             document.body.appendChild(s); }""")
    assert page.evaluate("() => window.ran") is None
    assert any(re.search(r"script-src", v) for v in violations), violations
