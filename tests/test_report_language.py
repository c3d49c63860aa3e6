"""`configurator report` says why its figures are not exact in one language: every word of the
warning Chinese by default, English with --lang en (metrics.json keeps its English notes)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from configurator.planning import cases
from configurator.planning.compiled import Compiled
from configurator.planning.figures import metrics
from configurator.present.report import render, report_rows
from tests.helpers import check_text, shipped_catalogues
from tests.test_cases import large_bundle

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture
def sampled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits low enough that the large bundle is sampled and lists only some of its cases."""
    monkeypatch.setattr(cases, "EXACT_LIMIT", 3)  # the group of q0 and the several-choice behind it has more
    monkeypatch.setattr(cases, "SEARCH_LIMIT", 1)  # and the search by live answers gives up
    monkeypatch.setattr(cases, "SAMPLE_SIZE", 300)
    monkeypatch.setattr(cases, "MAX_SAMPLED_CASES", 20)


def flags(lang: str, output_format: str) -> str:
    result = check_text(large_bundle(), "bundles/large.yaml")
    assert result.bundle is not None
    c = Compiled(result.bundle, shipped_catalogues(), lang)
    assert c.case_search.sampled
    text = render(report_rows([c]), output_format, lang)
    if output_format == "csv":
        return list(csv.reader(io.StringIO(text)))[1][-1]
    if output_format == "markdown":
        return text.splitlines()[2].split(" | ")[-1].rstrip(" |")
    return text.splitlines()[1].split("  ")[-1]


@pytest.mark.usefixtures("sampled")
@pytest.mark.parametrize("output_format", ["csv", "text", "markdown"])
def test_the_warning_is_all_chinese_by_default(output_format: str) -> None:
    warning = flags("zh-CN", output_format)
    assert "数字不精确" in warning and "300 组抽样" in warning and "只列出前 20 种" in warning
    assert not LATIN_WORD.search(warning), warning


@pytest.mark.usefixtures("sampled")
@pytest.mark.parametrize("output_format", ["csv", "text", "markdown"])
def test_the_warning_is_all_english_with_lang_en(output_format: str) -> None:
    warning = flags("en", output_format)
    assert "Figures not exact" in warning and "a sample of 300" in warning and "only the first 20" in warning
    assert not CJK.search(warning), warning


@pytest.mark.usefixtures("sampled")
def test_metrics_json_keeps_its_notes_in_english() -> None:
    result = check_text(large_bundle(), "bundles/large.yaml")
    assert result.bundle is not None
    notes = metrics(Compiled(result.bundle, shipped_catalogues()))["case_search"]["warnings"]
    assert notes == ["more than 3 answer combinations: figures come from a sample of 300 and may miss cases",
                     "more than 20 distinct cases: only the first 20 are listed"]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_preview_warns_in_the_admins_language(tmp_path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    from tests.test_admin_english import english
    from tests.test_preview_parts import PAGE, parts_url
    from tests.web_helpers import login, make_site

    monkeypatch.setattr(cases, "EXACT_LIMIT", 2)  # a group of the newborn bundle has more answer sets: it is sampled

    monkeypatch.setattr(cases, "SEARCH_LIMIT", 1)  # and the search by live answers gives up
    monkeypatch.setattr(cases, "SAMPLE_SIZE", 30)
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    if lang == "en":
        english(client)
    login(client, "alice")
    figures = client.get(parts_url(client.get(PAGE).get_data(as_text=True))).get_json()["figures"]
    warning = re.search(r'<div class="alert[^>]*id="figures-warning">(.*?)</div>\s*\n', figures, re.S)
    assert warning, figures[:500]
    words = re.sub(r"<[^>]+>", " ", warning.group(1))
    assert "30" in words
    assert not (CJK.search(words) if lang == "en" else LATIN_WORD.search(words)), words
