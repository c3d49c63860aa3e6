"""Every key of the bundle schema has an editor, and what the forms write reads back as typed.

Walks schemas/bundle.schema.json on its own (not through the widgets) so a key added to the schema
without an editor fails here; then round-trips every object of every shipped bundle through its form.
"""

import copy
import json
import re

import pytest

from configurator.authoring.conditionhelp import check_condition
from configurator.authoring.formedits import LANGUAGES, entry_edits, entry_from_form, form_values
from configurator.authoring.naming import suggest_id
from configurator.authoring.newbundle import Start, blank, item_companions
from configurator.authoring.newbundle import copy as copy_bundle
from configurator.authoring.references import delete_edits, usages
from configurator.authoring.schemaform import all_widgets, bundle_widgets, schema_paths
from configurator.authoring.textedits import AppendEntry, MoveEntry, apply_edits
from configurator.language.check import check_bundle
from configurator.language.loader import load_yaml
from configurator.workspace.files import Workspace
from configurator.workspace.store import BundleStore
from tests.helpers import ROOT

SCHEMA = json.loads((ROOT / "schemas" / "bundle.schema.json").read_text(encoding="utf-8"))
BUNDLES = sorted((ROOT / "bundles").glob("*.yaml"))
TEMPLATES = ROOT / "configurator" / "web" / "templates" / "configurator"
WIDGETS = "".join((TEMPLATES / name).read_text(encoding="utf-8") for name in ("_widgets.html", "node.html"))
KINDS = {"id", "text", "condition", "ref", "refs", "enum", "enums", "str", "version", "int", "number", "bool",
         "producers", "object", "list", "varying", "limit"}


def catalogues():
    return BundleStore(Workspace.find(ROOT)).catalogues()


def read(text):
    loaded = load_yaml(text.encode("utf-8"), "t.yaml")
    assert loaded.ok
    return loaded.data


def every_object(data, widgets, path=()):
    yield path, data, widgets
    for widget in widgets:
        if widget.kind == "list":
            for index, entry in enumerate(data.get(widget.key) or []):
                yield from every_object(entry, widget.children, path + (widget.key, index))


def test_every_schema_path_has_an_editor_and_every_editor_a_control():
    edited = {w.pattern for w in all_widgets()}
    missing = [path for path in schema_paths(SCHEMA) if path not in edited]
    assert missing == []
    assert {w.kind for w in all_widgets()} <= KINDS
    # every kind the widgets use is rendered by the template (by name, or as the plain input)
    for kind in {w.kind for w in all_widgets()} - {"str", "version", "int", "number", "id", "limit"}:
        assert re.search(rf"'{kind}'", WIDGETS), kind
    # every enum has a label for each value and every reference a source of choices
    for widget in all_widgets():
        if widget.kind in ("enum", "enums"):
            assert widget.choices and all(zh for _, zh, _ in widget.choices), widget.pattern
        if widget.kind in ("ref", "refs", "producers"):
            assert widget.source, widget.pattern


def test_the_schema_walk_sees_the_nested_keys():
    paths = set(schema_paths(SCHEMA))
    for expected in ("items[].after[].reason", "situations[].options[].label", "items[].time_limit.statutory",
                     "items[].special_stages[].day_kind", "consultation.phone", "fallback.window", "steps[].items"):
        assert expected in paths


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.stem)
def test_every_object_round_trips_through_its_form_unchanged(path):
    text = path.read_text(encoding="utf-8")
    count = 0
    for where, entry, widgets in every_object(read(text), bundle_widgets()):
        new, problems = entry_from_form(widgets, form_values(widgets, entry), entry)
        assert problems == []
        assert entry_edits(where, widgets, entry, new) == [], where
        count += 1
    assert count > 20


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.stem)
def test_each_value_typed_in_a_form_reads_back_as_typed(path):
    """Change every scalar of every item in its form; the file then holds exactly the new values."""
    text = path.read_text(encoding="utf-8")
    data = read(text)
    for index, item in enumerate(data["items"]):
        widgets = next(w for w in bundle_widgets() if w.key == "items").children
        form = form_values(widgets, item)
        form["name.en"] = f"Item {index}"
        form["time_limit.promised"] = "3"
        form["time_limit.statutory"] = "30"
        form["visits"] = "0"
        form["fee"] = "12.5"
        form["note.zh-CN"] = "备注：含“引号”与 #号"
        form["when"] = ""
        for key in [k for k in form if ".cases." in k and k.split(".cases.")[0] in ("time_limit.promised", "time_limit.statutory",
                                                                                    "visits")]:
            form[key] = ""  # one value for every case
        new, problems = entry_from_form(widgets, form, item)
        assert problems == []
        after = read(apply_edits(text, entry_edits(("items", index), widgets, item, new)))["items"][index]
        assert after["name"]["en"] == f"Item {index}"
        limits = dict(after["time_limit"])
        marker = limits.pop("illustrative", None)  # a marker is its own choice in the form: kept as it was
        assert limits == {"promised": 3, "statutory": 30}
        assert marker == (item["time_limit"].get("illustrative") if isinstance(item["time_limit"], dict) else None)
        assert after["visits"] == 0 and after["fee"] == 12.5
        typed = "备注：含“引号”与 #号"  # only the Chinese was typed: an English note already there stays
        english = item["note"].get("en") if isinstance(item.get("note"), dict) else None
        assert after["note"] == ({"zh-CN": typed, "en": english} if english else typed)
        assert "when" not in after
        unchanged = {k: v for k, v in item.items() if k not in ("name", "time_limit", "visits", "fee", "note", "when")}
        assert {k: after[k] for k in unchanged} == unchanged


def test_a_word_where_a_number_goes_is_a_form_problem_not_an_edit():
    widgets = next(w for w in bundle_widgets() if w.key == "items").children
    item = read((ROOT / "bundles" / "restaurant.yaml").read_text(encoding="utf-8"))["items"][0]
    form = form_values(widgets, item)
    form["time_limit.promised"] = "三"
    _, problems = entry_from_form(widgets, form, item)
    assert [p.name for p in problems] == ["time_limit.promised"]


def test_a_translation_without_chinese_is_refused():
    widgets = next(w for w in bundle_widgets() if w.key == "items").children
    form = {f"name.{lang}": "" for lang in LANGUAGES} | {"name.en": "Seal"}
    _, problems = entry_from_form(widgets, form, {})
    assert [p.name for p in problems] == ["name.zh-CN"]


def test_moving_an_entry_keeps_its_comments_with_it():
    text = "steps:\n  - id: a  # first\n    x: 1\n  # about b\n  - id: b\n    x: 2\nrest: 1\n"
    moved = apply_edits(text, [MoveEntry(("steps", 1), -1)])
    assert read(moved)["steps"] == [{"id": "b", "x": 2}, {"id": "a", "x": 1}]
    assert "  - id: a  # first\n" in moved and moved.endswith("rest: 1\n")
    assert apply_edits(moved, [MoveEntry(("steps", 0), 1)]) == text


def test_the_first_entry_of_an_empty_list_is_written_as_a_block():
    text = "id: x\nsituations: []  # asked first\nitems: []\n"
    out = apply_edits(text, [AppendEntry(("situations",), {"id": "a", "label": "是否？", "type": "choice",
                                                           "options": [{"value": "y", "label": "是"}, {"value": "n", "label": "否"}]})])
    assert out.startswith("id: x\nsituations:  # asked first\n  - id: a\n    label: 是否？\n    type: choice\n    options:\n      - value:")
    assert read(out)["situations"][0]["options"][1] == {"value": "n", "label": "否"}


def test_deleting_an_item_lists_its_uses_and_takes_it_out_of_them():
    text = (ROOT / "bundles" / "restaurant.yaml").read_text(encoding="utf-8")
    data = read(text)
    index = [i["id"] for i in data["items"]].index("fire_safety_inspection")
    uses = usages(data, "items", "fire_safety_inspection")
    assert [u.path for u in uses] == [("steps", 3, "items")]
    after = apply_edits(text, delete_edits(data, ("items", index)))
    result = check_bundle(after.encode("utf-8"), "bundles/restaurant.yaml", catalogues())
    assert [d.code for d in result.diagnostics if d.severity == "error"] == []
    new = read(after)
    assert "fire_safety_inspection" not in [i["id"] for i in new["items"]]
    assert "fire_handling" not in [s["id"] for s in new["steps"]]  # its own handling step went too
    assert "fire_rescue" not in new["cooperating_departments"]  # and its department had nothing left


def test_a_situation_in_use_names_the_conditions_that_use_it():
    data = read((ROOT / "bundles" / "restaurant.yaml").read_text(encoding="utf-8"))
    uses = usages(data, "situations", "premises_ownership")
    assert len(uses) == 2 and all("premises_ownership" in u.zh for u in uses)


def test_ids_are_suggested_from_chinese_names_and_kept_unique():
    assert suggest_id("企业开办一件事") == "qiyekaiban"
    assert suggest_id("营业执照", {"yingyezhizhao"}) == "yingyezhizhao_2"
    assert re.match(r"^[a-z][a-z0-9_]*$", suggest_id("2024 年度 A 类"))


def test_conditions_are_said_in_words_or_their_problem_is_named():
    bundle = check_bundle((ROOT / "bundles" / "restaurant.yaml").read_bytes(), "bundles/restaurant.yaml", catalogues()).bundle
    said = check_condition(bundle, "sells_tobacco and floor_area_sqm > 300")
    assert said.ok and "是否销售卷烟" in said.sentence and "超过300" in said.sentence
    assert not check_condition(bundle, "floor_area_sqm = 3").ok
    assert "没有选项" in check_condition(bundle, 'premises_ownership == "rent"').problems[0]
    assert not check_condition(bundle, "floor_area_sqm > 3 and floor_area_sqm < 2").ok  # can never hold
    assert check_condition(bundle, "sells_tobacco or not sells_tobacco").problems  # always holds: a warning


def _builder_text(group: dict) -> str | None:
    """What condition-builder.js writes for a tree (its rowText / groupText, for the test)."""
    def row(r: dict) -> str:
        sit, op, value = r["sit"], r["op"], r["value"]
        if op in ("yes", "no"):
            return sit if op == "yes" else f"not {sit}"
        if op == "in":
            return f"{sit} in [" + ", ".join(json.dumps(v, ensure_ascii=False) for v in r["values"]) + "]"
        if op in ("contains", "not contains"):
            text = f"{sit} contains {json.dumps(value, ensure_ascii=False)}"
            return text if op == "contains" else f"not ({text})"
        is_number = re.fullmatch(r"-?[0-9.e+]+", value) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
        return f"{sit} {op} {value if is_number else json.dumps(value, ensure_ascii=False)}"

    parts = [row(c) if c["kind"] == "row" else f"({_builder_text(c)})" for c in group["children"]]
    joined = (" or " if group["op"] == "or" else " and ").join(parts)
    return f"not ({joined})" if group["negate"] else joined


def test_the_builder_reads_back_every_condition_it_can_show_with_the_same_meaning():
    """Every condition of every shipped bundle: as builder rows, or None where the builder cannot
    show it; rows written back as the builder writes them mean exactly the same (truth tables)."""
    from configurator.authoring.conditionhelp import builder_tree
    from configurator.language import conditions as lang

    shown = hidden = 0
    for path in sorted((ROOT / "bundles").glob("*.yaml")):
        bundle = check_bundle(path.read_bytes(), f"bundles/{path.name}", catalogues()).bundle
        variables = bundle.variables()
        for text in sorted({c.text for c in _conditions(bundle)}):
            tree = check_condition(bundle, text).builder
            if tree is None:
                hidden += 1
                continue
            shown += 1
            again = lang.parse(_builder_text(tree))
            assert lang.truth_table(again, variables) is not None
            assert _same_meaning(lang.parse(text), again, variables), (text, _builder_text(tree))
    assert shown >= 30 and hidden >= 1  # 34 and 1 (newborn's named condition) today
    bundle = check_bundle((ROOT / "bundles" / "restaurant.yaml").read_bytes(), "bundles/restaurant.yaml", catalogues()).bundle
    tree = builder_tree(lang.parse('not (sells_tobacco or floor_area_sqm >= 300) and premises_ownership in ["own"]'), bundle)
    assert tree == {"kind": "group", "op": "and", "negate": False, "children": [
        {"kind": "group", "op": "or", "negate": True, "children": [
            {"kind": "row", "sit": "sells_tobacco", "op": "yes", "value": "", "values": []},
            {"kind": "row", "sit": "floor_area_sqm", "op": ">=", "value": "300", "values": []}]},
        {"kind": "row", "sit": "premises_ownership", "op": "in", "value": "", "values": ["own"]}]}
    assert builder_tree(lang.parse("300 < floor_area_sqm"), bundle) is None  # written the other way round
    assert builder_tree(lang.parse('premises_ownership not in ["own"]'), bundle) is None


def _conditions(bundle):
    for entry in (*bundle.items, *bundle.materials, *bundle.fields, *bundle.situations):
        if entry.when:
            yield entry.when
    yield from (rule.require for rule in bundle.eligibility)


def _same_meaning(one, other, variables) -> bool:
    from configurator.language import conditions as lang

    both = lang.BoolOp("or", (lang.BoolOp("and", (one, lang.Not(other, 0)), 0), lang.BoolOp("and", (lang.Not(one, 0), other), 0)), 0)
    return lang.truth_table(both, variables) == {False}  # they never differ


@pytest.mark.parametrize("template", [None, "natural_person", "legal_person"])
def test_a_new_bundle_passes_the_check_from_its_first_save(template):
    start = Start("qiyekaiban", "企业开办一件事", "Start a business", "legal_person", "market_regulation",
                  "yingyezhizhao", "营业执照", "police", 3, "请到政务服务中心咨询。")
    text = blank(start, template)
    result = check_bundle(text.encode("utf-8"), "bundles/qiyekaiban.yaml", catalogues())
    assert [d.code for d in result.diagnostics if d.severity == "error"] == []
    assert text.startswith("# yaml-language-server") and "\nitems:\n  - id: yingyezhizhao\n" in text


def test_a_copy_gets_a_new_id_and_name_and_keeps_the_rest():
    text = (ROOT / "bundles" / "restaurant.yaml").read_text(encoding="utf-8")
    copied = copy_bundle(text, "restaurant_b", "开办餐饮店一件事（乙地）")
    old, new = read(text), read(copied)
    assert new["id"] == "restaurant_b" and new["name"] == {"zh-CN": "开办餐饮店一件事（乙地）"}
    assert "code" not in new
    rest = copy.deepcopy(old)
    for key in ("id", "name", "code"):
        rest.pop(key, None)
        new.pop(key, None)
    assert new == rest


def test_field_rules_round_trip_and_a_limit_is_a_number_or_a_field():
    path = ROOT / "tests/corpus/good/field-rules.yaml"
    data = read(path.read_text(encoding="utf-8"))
    widgets = next(w for w in bundle_widgets() if w.key == "field_rules").children
    for index, rule in enumerate(data["field_rules"]):
        new, problems = entry_from_form(widgets, form_values(widgets, rule), rule)
        assert problems == [] and entry_edits(("field_rules", index), widgets, rule, new) == []
    rule = data["field_rules"][0]
    for typed, kept in (("99.5", 99.5), ("100", 100), ("floor_area", "floor_area")):
        form = form_values(widgets, rule)
        form["equals"] = typed
        new, problems = entry_from_form(widgets, form, rule)
        assert problems == [] and new["equals"] == kept and type(new["equals"]) is type(kept)


def test_a_field_or_situation_a_rule_uses_names_the_rule_and_deleting_it_leaves_the_rule_to_the_check():
    text = (ROOT / "tests/corpus/good/field-rules.yaml").read_text(encoding="utf-8")
    data = read(text)
    uses = usages(data, "fields", "share_2")
    assert [u.path for u in uses] == [("items", 0, "fields"), ("field_rules", 0, "sum"), ("field_rules", 1, "sum")]
    assert uses[1].zh == "跨字段规则“两位共有人的份额合计应为 100%”比较它"
    assert [u.path for u in usages(data, "fields", "floor_area")][1:] == [("field_rules", 3, "at_most")]
    assert ("field_rules", 0, "when") in [u.path for u in usages(data, "situations", "owner_count")]
    index = [f["id"] for f in data["fields"]].index("share_2")
    after = apply_edits(text, delete_edits(data, ("fields", index)))
    assert read(after)["field_rules"][0]["sum"] == ["share_1", "share_2"]  # not rewritten into another rule
    result = check_bundle(after.encode("utf-8"), "bundles/field-rules.yaml", catalogues())
    assert {d.code for d in result.diagnostics if d.severity == "error"} == {"E306"}


def test_the_live_condition_check_knows_the_bundles_named_conditions():
    """The admin's live check once called a named condition unknown (“不是本一件事的情形”), in red,
    under a condition the bundle's check accepts."""
    bundle = check_bundle((ROOT / "bundles" / "newborn.yaml").read_bytes(), "bundles/newborn.yaml", catalogues()).bundle
    said = check_condition(bundle, "father_known and not born_in_wedlock")
    assert said.ok and not said.problems and "婚内生育或随父亲登记户口" in said.sentence
    assert not check_condition(bundle, "father_known and not father_known").ok  # its meaning is what can hold
    assert "father_known" in check_condition(bundle, "fathr_known").problems[0]  # a misspelling is still named


def test_a_new_item_brings_its_department_and_a_handling_step_before_delivery():
    """The authoring rule of a new item, without Flask: a department that is neither the lead nor
    cooperating joins the cooperating ones, and the item's handling step goes before delivery."""
    text = (ROOT / "bundles" / "newborn.yaml").read_text(encoding="utf-8")
    data = load_yaml(text.encode("utf-8"), "newborn.yaml").data
    item = {"id": "tax_record", "name": "税务登记", "department": "tax", "time_limit": {"promised": 2}}
    text = apply_edits(text, [AppendEntry(("items",), item), *item_companions(data, item, with_step=True)])
    after = load_yaml(text.encode("utf-8"), "newborn.yaml").data
    assert after["cooperating_departments"] == ["police", "medical_insurance", "hrss", "tax"]
    assert [s["id"] for s in after["steps"]][-2:] == ["tax_record_handling", "deliver"]
    added = after["steps"][-2]
    assert (added["owner"], added["time_limit"], added["items"], added["name"]) == ("tax", 2, ["tax_record"], "办理税务登记")


def test_a_new_item_of_a_known_department_adds_nothing_unless_a_step_is_asked_for():
    data = load_yaml((ROOT / "bundles" / "newborn.yaml").read_bytes(), "newborn.yaml").data
    for department in ("health", "police"):  # the lead, and one already cooperating
        assert item_companions(data, {"id": "x", "name": "某事", "department": department}, with_step=False) == []
