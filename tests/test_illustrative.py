"""Values a bundle does not take from its cited source are marked where they stand
(``illustrative: [keys]``): the checker refuses a marker naming a key that is not there, and the
report, metrics.json and the preview count them, so a province sees what it must confirm."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from click.testing import CliRunner

from configurator.cli import main
from configurator.planning.compiled import Compiled
from configurator.present.report import render, report_rows
from configurator.writers.metrics import write_metrics
from tests.helpers import BASE_BUNDLE, ROOT, base_with, check_text, codes, line_of, only, shipped_catalogues
from tests.web_helpers import login, make_site

# The base bundle with a marker in every place the format allows one: 9 values in all.
MARKED = (BASE_BUNDLE
          .replace("id: base\n", "id: marked\nillustrative: [version]\n", 1)
          .replace("    type: boolean\n", "    type: boolean\n    illustrative: [label]\n", 1)
          .replace("  message: 兜底窗口会帮您办理\n", "  message: 兜底窗口会帮您办理\n  illustrative: [department]\n", 1)
          .replace("    channel: e_licence\n", "    channel: e_licence\n    illustrative: [shared_from, channel]\n", 1)
          .replace("    time_limit: {promised: 3, statutory: 20}\n",
                   "    time_limit: {promised: 3, statutory: 20, illustrative: [statutory]}\n"
                   "    special_stages:\n      - {kind: public_notice, days: 5, illustrative: [days]}\n"
                   "    illustrative: [visits]\n", 1)
          .replace("    time_limit: 3\n", "    time_limit: 3\n    illustrative: [time_limit]\n", 1)
          + "baseline:\n  source: 示例出处\n  figures:\n    days: {before: 32, after: 5, illustrative: [before]}\n")
MARKED_PLACES = {"/": ["version"], "/situations/0": ["label"], "/materials/0": ["shared_from", "channel"],
                 "/steps/3": ["time_limit"], "/fallback": ["department"], "/items/1": ["visits"],
                 "/items/1/time_limit": ["statutory"], "/items/1/special_stages/0": ["days"],
                 "/baseline/figures/days": ["before"]}


def marked_bundle() -> Compiled:
    result = check_text(MARKED, "bundles/marked.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    return Compiled(result.bundle, shipped_catalogues())


def test_a_marker_in_every_allowed_place_checks_clean_and_each_listed_key_counts():
    compiled = marked_bundle()
    assert compiled.bundle.illustrative_count == 10
    values = json.loads(write_metrics(compiled))["illustrative_values"]
    assert values["count"] == 10
    assert {mark["path"]: mark["keys"] for mark in values["marked"]} == MARKED_PLACES


def test_an_unmarked_bundle_counts_none():
    result = check_text(BASE_BUNDLE)
    assert result.ok and result.bundle is not None
    assert json.loads(write_metrics(Compiled(result.bundle, shipped_catalogues())))["illustrative_values"] == \
        {"count": 0, "marked": []}


@pytest.mark.parametrize(("old", "new", "key", "suggestion"), [
    # the statutory limit lives in time_limit: marked on the item, it names nothing there
    ("    visits: 1\n    steps: 4\n", "    visits: 1\n    steps: 4\n    illustrative: [statutory]\n", "statutory", None),
    ("    time_limit: {promised: 1, statutory: 5}\n",
     "    time_limit: {promised: 1, statutory: 5, illustrative: [statutary]}\n", "statutary", "statutory"),
    ("  message: 兜底窗口会帮您办理\n", "  message: 兜底窗口会帮您办理\n  illustrative: [address]\n", "address", None),
    ("    owner: police\n    time_limit: 3\n", "    owner: police\n    time_limit: 3\n    illustrative: [time_limits]\n",
     "time_limits", "time_limit"),
])
def test_a_marker_naming_a_key_the_mapping_lacks_is_refused_at_that_name(old, new, key, suggestion):
    text = base_with(old, new)
    diagnostic = only(check_text(text), "E309")
    assert diagnostic.line == line_of(text, f"illustrative: [{key}]")
    assert diagnostic.column == line_of_column(text, key)
    assert f"“{key}”" in diagnostic.message() and f'"{key}"' in diagnostic.message("en")
    if suggestion:
        assert f"did you mean \"{suggestion}\"" in diagnostic.message("en")
    assert "示意值" in diagnostic.fix() and "illustrative" in diagnostic.message()


def line_of_column(text: str, needle: str) -> int:
    line = text.splitlines()[line_of(text, f"illustrative: [{needle}]") - 1]
    return line.index(needle, line.index("illustrative")) + 1


def test_a_misspelt_baseline_figure_key_is_refused():
    text = BASE_BUNDLE + "baseline:\n  source: 示例出处\n  figures:\n    visits: {before: 4, after: 1, illustrative: [befor]}\n"
    diagnostic = only(check_text(text), "E309")
    assert diagnostic.line == line_of(text, "befor]") and 'did you mean "before"' in diagnostic.message("en")


@pytest.mark.parametrize(("old", "new"), [
    ("    field: person_name\n", "    field: person_name\n    illustrative: [label]\n"),  # fields: not a place for it
    ("    visits: 1\n    steps: 4\n", "    visits: 1\n    steps: 4\n    illustrative: []\n"),  # empty
    ("    visits: 1\n    steps: 4\n", "    visits: 1\n    steps: 4\n    illustrative: [steps, steps]\n"),
    ("    visits: 1\n    steps: 4\n", "    visits: 1\n    steps: 4\n    illustrative: steps\n"),  # not a list
])
def test_the_schema_refuses_a_marker_where_or_as_the_format_does_not_allow(old, new):
    found = codes(check_text(base_with(old, new)))
    assert found and all(code.startswith("E2") for code in found), found


def test_the_report_has_a_column_of_illustrative_values_with_a_total():
    rows = report_rows([marked_bundle(), marked_bundle()])
    text = render(rows, "text", "zh-CN")
    header, first = text.splitlines()[:2]
    assert "示意值" in header and re.search(r"\s10(\s|$)", first)
    assert re.search(r"^合计.*\s20(\s|$)", text.splitlines()[-1])
    english = render(rows, "markdown", "en")
    assert "| Illustrative values |" in english.splitlines()[0]
    table = list(csv.DictReader(io.StringIO(render(rows, "csv", "en"))))
    assert [row["illustrative_values"] for row in table] == ["10", "", "10", "", "20"]  # bundle, published, ..., total


def test_the_report_command_counts_the_markers_written_in_each_shipped_bundle(in_repo):
    result = CliRunner().invoke(main, ["report", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(result.output)):
        table.setdefault(row["id"], row)  # a bundle's own row comes before its published figures
    for path in sorted((ROOT / "bundles").glob("*.yaml")):
        written = re.findall(r"illustrative: \[([^\]]*)\]", path.read_text(encoding="utf-8"))
        assert table[path.stem]["illustrative_values"] == str(sum(len(keys.split(",")) for keys in written))


def test_the_preview_lists_the_marked_values(tmp_path):
    site = make_site(tmp_path)
    site.bundle_file("marked").write_text(MARKED, encoding="utf-8")
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/bundles/marked/preview/").get_data(as_text=True)
    fragment = html.unescape(re.search(r'data-fragment="([^"]+)"', page).group(1))
    figures = client.get(fragment).get_json()["figures"]
    shown = re.search(r'<p class="small" id="illustrative-values">(.*?)</p>', figures, re.DOTALL).group(1)
    assert "10 个值不是取自所引出处" in shown
    assert "<code>/items/1/time_limit</code> statutory" in shown and "<code>/materials/0</code> shared_from, channel" in shown
