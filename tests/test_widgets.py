"""form.html's inputs are what WTForms writes: the faster attribute writer, and the empty form written
without a WTForms form."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wtforms.widgets import html_params as wtforms_html_params

from configurator.planning.compiled import Compiled
from configurator.writers.form_html import render_form_page
from configurator.writers.form_wtforms import form_class
from configurator.writers.widgets import html_params
from tests.compile_helpers import SHIPPED_IDS, compiled

KEYS = st.sampled_from(["id", "name", "class_", "for_", "data_when", "aria_describedby", "required", "value",
                        "type", "placeholder", "maxlength", "inputmode", "data-boolean", "checked"])
VALUES = st.one_of(st.booleans(), st.integers(-5, 500), st.text(max_size=12),
                   st.sampled_from(['"', "'", "<b>&amp;</b>", "a\"b'c<d>&e", "是"]))


@settings(deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_the_same_text_as_wtforms(attributes):
    ours, theirs = html_params(**attributes), wtforms_html_params(**attributes)
    assert ours == theirs
    assert type(ours) is type(theirs)


# A bundle with every kind of question and field, with help, units, placeholders, limits and
# text that needs escaping: what the shipped bundles do not all have.
EVERY_KIND = """id: every_kind
name: 每种输入 <&"'>
version: 1
service_object: natural_person
lead_department: health
situations:
  - {id: yes_no, label: 是否？, type: boolean, help: 说明 <b>}
  - id: one
    label: 选一项
    type: choice
    options: [{value: a, label: 甲 & 乙}, {value: b, label: "\\"乙\\""}]
  - id: several
    label: 选几项
    type: multi_choice
    allow_none: true
    when: yes_no
    options: [{value: x, label: 某}, {value: y, label: 另}]
  - {id: count, label: 几个, type: number, integer: true, minimum: 0, maximum: 9, unit: 个}
  - {id: day, label: 哪天, type: date}
fallback: {department: government_services, message: 兜底}
fields:
  - {id: note, type: textarea, label: 备注 <i>, help: 多行, max_length: 200, placeholder: 写点什么}
  - {id: plain, type: text, label: 文本, min_length: 2, max_length: 20, required: false}
  - {id: amount, type: number, label: 金额, minimum: 0, unit: 元}
  - {id: people, type: integer, label: 人数}
  - {id: when_, type: date, label: 日期}
  - {id: agree, type: boolean, label: 同意？}
  - {id: size, type: choice, label: 大小, options: [{value: s, label: 小}, {value: l, label: 大}]}
  - {id: tags, type: multi_choice, label: 标签, options: [{value: t1, label: 一}, {value: t2, label: 二}]}
  - {id: who, type: id_number, label: 身份证}
  - {id: firm, type: uscc, label: 信用代码}
  - {id: phone_no, type: mobile, label: 手机}
  - {id: mail, type: email, label: 邮箱, when: one == "a"}
  - {id: account, type: bank_account, label: 账号}
  - {id: zip, type: postal_code, label: 邮编}
materials:
  - {id: photo, material: photo, source: applicant, count: 2}
  - {id: extra, name: 补充材料, source: applicant, requirement: optional, note: 可以不交}
items:
  - id: only
    name: 唯一事项
    department: health
    time_limit: {promised: 1, statutory: 5}
    visits: 1
    steps: 1
    fields: [note, plain, amount, people, when_, agree, size, tags, who, firm, phone_no, mail, account, zip]
    materials: [photo, extra]
steps:
  - {id: apply, name: 申请, kind: application, owner: applicant, time_limit: 0}
  - {id: intake, name: 受理, kind: intake, owner: health, time_limit: 1}
  - {id: h, name: 办理, kind: handling, owner: health, time_limit: 1, items: [only]}
"""


def _every_kind():
    from tests.helpers import check_text, shipped_catalogues

    result = check_text(EVERY_KIND, "bundles/every_kind.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    return result.bundle, shipped_catalogues()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("bundle_id", [*SHIPPED_IDS, "every_kind"])
def test_the_empty_form_is_the_page_wtforms_writes(bundle_id, lang):
    """form.html writes the empty form without WTForms; an empty WTForms form renders the same page."""
    if bundle_id == "every_kind":
        bundle, catalogues = _every_kind()
    else:
        shipped = compiled(bundle_id)
        bundle, catalogues = shipped.bundle, shipped.catalogues
    ours = render_form_page(Compiled(bundle, catalogues, lang))
    fresh = Compiled(bundle, catalogues, lang)
    theirs = render_form_page(fresh, form_class(fresh)())
    assert ours == theirs
    assert "<textarea" in ours or bundle_id != "every_kind"
