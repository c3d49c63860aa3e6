"""Issue 24, points 3 and 4: every form page shows a problem beside the field it concerns, errors and
warnings alike, each styled as what it is (web/feedback.place, the one way); the list at the top
names the field by its label and gives the fix; the error code and the YAML line sit only in a
detail toggle (and plainly in the source editor)."""

import re

import pytest

from tests.test_authoring_web import form_of, submit
from tests.web_helpers import login, make_site

ALWAYS = "sells_tobacco or not sells_tobacco"  # a condition true for every answer: a warning (W406)


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path)


@pytest.fixture
def client(site):
    client = site.app.test_client()
    login(client, "alice")
    return client


def beside(body):
    """(kind, field, text) of each problem shown beside a field."""
    found = re.findall(r'<div class="(field-errors|field-warnings)" data-severity="(\w+)" data-field="([^"]+)">(.*?)</div>',
                       body, re.S)
    return [(kind, field, re.sub(r"<[^>]+>", "", text)) for kind, severity, field, text in found
            if (kind == "field-errors") == (severity == "error")]


def control_classes(body, control_id):
    tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(control_id)}"[^>]*>', body)
    assert tag, control_id
    return re.search(r'class="([^"]*)"', tag.group(0)).group(1).split()


def listed(body):
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)).strip()
            for m in re.findall(r'<li class="problem[^"]*"[^>]*>(.*?)</li>', body, re.S)]


# (page, form id, what is typed, the field the error sits beside, its control, the warning's field,
# its control, the warning field's label as the page shows it)
PAGES = [
    ("/admin/bundles/restaurant/items/1/", "item-form", {"when": ALWAYS, "statutory": "1"},
     "promised", "promised", "when", "when", "何时办理（条件，留空为所有情形）"),
    ("/admin/bundles/restaurant/materials/1/", "material-form", {"when": ALWAYS, "produced_by": "tobacco_retail_licence"},
     "produced_by", "produced_by", "when", "when", "何时需要（条件，留空为所有情形）"),
    ("/admin/bundles/restaurant/section/situations/", "section-form",
     {"4-when": "has_business_licence or not has_business_licence", "1-when": "nosuch"},
     "1-when", "1-when", "4-when", "4-when", "何时问（条件）"),
    ("/admin/bundles/restaurant/edit/items/1", "node-form", {"when": ALWAYS, "time_limit.statutory": "1"},
     "time_limit.promised", "f-time_limit-promised", "when", "f-when", "只在此条件成立时才办理"),
]


@pytest.mark.parametrize(("url", "form_id", "typed", "error_field", "error_control", "warning_field",
                          "warning_control", "warning_label"), PAGES, ids=["item", "material", "section", "node"])
def test_errors_and_warnings_sit_beside_their_fields_each_styled_as_what_it_is(
        site, client, url, form_id, typed, error_field, error_control, warning_field, warning_control, warning_label):
    before = site.bundle_file("restaurant").read_bytes()
    body = submit(client, url, typed, form_id).get_data(as_text=True)
    shown = beside(body)
    assert [s for s in shown if s[0] == "field-errors" and s[1] == error_field], shown
    warnings = [s for s in shown if s[0] == "field-warnings"]
    assert [(f, t.split("：", 1)[0]) for _, f, t in warnings] == [(warning_field, "提醒")], shown
    assert "对任何回答都成立" in warnings[0][2]
    assert "is-invalid" in control_classes(body, error_control)
    warned = control_classes(body, warning_control)
    assert "has-warning" in warned and "is-invalid" not in warned  # a warning does not look like an error
    assert site.bundle_file("restaurant").read_bytes() == before  # the error blocked the save
    items = listed(body)
    assert "E" in items[0].rsplit("错误代码", 1)[-1] and items[-1].startswith("提醒：")  # errors first
    assert any(warning_label + "：这个条件对任何回答都成立" in i for i in items), items  # named by its label
    anchors = re.findall(r'<a href="#([^"]+)" class="problem-field', body)
    assert anchors and all(f'id="{a}"' in body for a in anchors), anchors  # each name jumps to its field
    top = body[body.index('id="problems"'):]
    top = top[:top.index("</div>")]
    # the code and the line only in the detail toggle
    outside = re.sub(r"<details.*?</details>", "", top, flags=re.S)
    assert not re.search(r"\b[EW]\d{3}\b", outside) and "行" not in re.sub(r"<[^>]+>", "", outside), outside
    assert re.search(r"<details class=\"problem-detail\"><summary>详情</summary>错误代码 <code>W406</code>；源文件第 \d+ 行",
                     top), top


def test_a_saved_warning_stays_beside_its_field_when_the_page_is_opened_again(site, client):
    """Warnings used to vanish on the item and material pages: said once in the flash, never again."""
    url = "/admin/bundles/restaurant/items/1/"
    submit(client, url, {"when": ALWAYS}, "item-form")
    assert ALWAYS in site.bundle_file("restaurant").read_text(encoding="utf-8")  # a warning does not block
    body = client.get(url).get_data(as_text=True)
    assert [(k, f) for k, f, _ in beside(body)] == [("field-warnings", "when")]
    assert 'id="problems"' in body and "alert-warning" in body[body.index('id="problems"') - 80:body.index('id="problems"')]
    assert 'aria-describedby="err-when"' in body


def test_the_source_editor_still_shows_lines_and_codes(site, client):
    url = "/admin/bundles/restaurant/source/"
    page = client.get(url).get_data(as_text=True)
    data = form_of(page, "source-form")
    data.setlist("text", [data["text"].replace("when: sells_tobacco\n", f"when: {ALWAYS}\n", 1)])
    body = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)  # saved: a warning
    assert re.search(r'<span class="problem-line">第 \d+ 行：</span><code>W406</code>', body), body[-4000:]


def materials_of(site):
    import yaml

    return yaml.safe_load(site.bundle_file("restaurant").read_text(encoding="utf-8"))["materials"]


@pytest.mark.parametrize(("url", "form_id"), [("/admin/bundles/restaurant/add/materials", "node-form"),
                                              ("/admin/bundles/restaurant/materials/new/", "material-form")])
def test_a_material_picked_from_the_catalogue_gets_its_id(site, client, url, form_id):
    """Issue 24: picking a material from the catalogue gave no id and the save failed with E202."""
    body = submit(client, url, {"id": "", "material": "resident_id_card", "source": "applicant",
                                "requirement": "required"}, form_id).get_data(as_text=True)
    assert "已保存" in body and "E202" not in body, listed(body)
    assert {"id": "resident_id_card", "source": "applicant"}.items() <= materials_of(site)[-1].items()
    assert "material" not in materials_of(site)[-1]  # known by the catalogue's id: no second reference
    # picked again: the id is taken, so one is made from the catalogue's name
    body = submit(client, url, {"id": "", "material": "resident_id_card", "source": "applicant",
                                "requirement": "required"}, form_id).get_data(as_text=True)
    again = materials_of(site)[-1]
    assert again["material"] == "resident_id_card" and again["id"].startswith("jumin"), (again, listed(body))


def test_a_required_choice_left_empty_is_named_beside_its_field(site, client):
    before = site.bundle_file("restaurant").read_bytes()
    body = submit(client, "/admin/bundles/restaurant/add/materials",
                  {"id": "", "material": "resident_id_card", "source": ""}).get_data(as_text=True)
    assert [(k, f) for k, f, _ in beside(body)] == [("field-errors", "source")]
    assert listed(body)[0].startswith("来源：材料“居民身份证”的必填项“来源”还没有填写"), listed(body)
    assert site.bundle_file("restaurant").read_bytes() == before
