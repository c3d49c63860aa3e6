"""Edits keep the file as staff know it: one value, one line; comments and order stay."""

import difflib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.authoring.textedits import AppendEntry, DeleteEntry, DeleteKey, SetValue, apply_edits, render_scalar
from configurator.language.loader import load_yaml
from tests.helpers import ROOT

NEWBORN = (ROOT / "bundles" / "newborn.yaml").read_text(encoding="utf-8")


def changed_lines(before, after):
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def read(text):
    loaded = load_yaml(text.encode("utf-8"), "t.yaml")
    assert loaded.ok, [d.message("en") for d in loaded.diagnostics]
    return loaded.data


def test_changing_one_value_changes_one_line_and_keeps_its_comment():
    after = apply_edits(NEWBORN, [SetValue(("items", 2, "time_limit", "promised"), 2)])
    assert changed_lines(NEWBORN, after) == ["-    time_limit: {promised: 3, statutory: 20}  # [I]",
                                             "+    time_limit: {promised: 2, statutory: 20}  # [I]"]


def test_setting_the_same_values_changes_nothing():
    data = read(NEWBORN)
    edits = [SetValue(("items", 0, "name"), data["items"][0]["name"]),
             SetValue(("items", 0, "materials"), data["items"][0]["materials"]),
             SetValue(("version",), 1)]
    assert apply_edits(NEWBORN, edits) == NEWBORN


def test_adding_and_deleting_keys_and_entries():
    after = apply_edits(NEWBORN, [DeleteKey(("items", 0, "fee")), SetValue(("items", 1, "when"), "want_parenting_guidance"),
                                  AppendEntry(("items", 1, "materials"), "mother_id_card")])
    data = read(after)
    assert "fee" not in data["items"][0]
    assert data["items"][1]["when"] == "want_parenting_guidance"
    assert data["items"][1]["materials"] == ["mother_id_card"]
    assert len(changed_lines(NEWBORN, after)) == 3
    removed = apply_edits(NEWBORN, [DeleteEntry(("materials", 0))])
    assert [m["id"] for m in read(removed)["materials"]][0] == "father_id_card"


def test_a_new_material_entry_goes_at_the_end_of_the_list_in_the_files_style():
    after = apply_edits(NEWBORN, [AppendEntry(("materials",), {"id": "photo", "source": "applicant", "count": 2})])
    assert changed_lines(NEWBORN, after) == ["+  - id: photo", "+    source: applicant", "+    count: 2"]
    assert read(after)["materials"][-1] == {"id": "photo", "source": "applicant", "count": 2}


def test_text_that_could_be_misread_is_quoted():
    for text in ("000131024000", "yes", "no", "1:30", "2024-05-01", "true", "null", "12", "注意: 带证件", "#1", "- x",
                 " lead", "trail ", "a # b", "{x}", "[x]", "'q'", '"q"'):
        assert read(f"v: {render_scalar(text)}\n")["v"] == text, text
    assert render_scalar("出生医学证明") == "出生医学证明"


values = st.one_of(st.text(max_size=20), st.integers(-10**6, 10**6), st.booleans(),
                   st.floats(allow_nan=False, allow_infinity=False, width=32))
places = st.sampled_from([("name", "zh-CN"), ("summary",), ("items", 0, "name"), ("items", 3, "time_limit", "promised"),
                          ("materials", 1, "note"), ("fields", 0, "label"), ("consultation", "phone"),
                          ("steps", 2, "time_limit"), ("situations", 1, "help")])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(places, values)
def test_any_value_set_anywhere_reads_back_exactly_and_touches_only_its_line(path, value):
    after = apply_edits(NEWBORN, [SetValue(path, value)])
    data = read(after)
    for part in path:
        data = data[part]
    assert data == value and type(data) is type(value)
    assert len([line for line in changed_lines(NEWBORN, after) if line.startswith("-")]) <= 1
    assert len([line for line in changed_lines(NEWBORN, after) if line.startswith("+")]) <= 1
