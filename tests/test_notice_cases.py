"""The one-time notice tells each citizen their own values (issue 23, "one declaration, one truth").

For every case of every shipped bundle and of a bundle whose time limit, visits, 容缺 and
special-stage length depend on the case, the notice is read back (notice.md and notice.html, in
Chinese and English): under the condition that holds for the case, it must state the value the
plan resolves. And it says which items run in parallel and which wait, as the plan schedules them.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest

from configurator.planning.compiled import Compiled
from configurator.planning.plan import Plan
from configurator.planning.schedule import units
from configurator.writers.notice import notice_document
from configurator.writers.phrases import say
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.helpers import check_text, shipped_catalogues
from tests.notice_reading import bullets_after, case_conditions, read_html, read_markdown, table, told_value

# Case-dependent values of every kind. A label with markup and Markdown punctuation must be shown
# as text; the second requirement case overlaps the first (the first that holds gives the value).
TAX = """
id: tax_cases
name: 纳税人变更一件事
version: 1
service_object: legal_person
lead_department: market_regulation
cooperating_departments: [police]
situations:
  - id: tax_credit
    label: 纳税信用等级 <script>alert(1)</script> *A|B]？
    type: choice
    options:
      - {value: a, label: A 级}
      - {value: b, label: "B 级 *|]"}
      - {value: c, label: C 级}
  - id: simplified
    label: 是否适用简易程序？
    type: boolean
  - id: has_branch
    label: 是否有分支机构？
    type: boolean
fallback:
  department: government_services
  message: 兜底窗口会帮您办理
fields:
  - id: company_name
    field: person_name
    label: 企业名称
materials:
  - id: financial_statement
    name: 财务报表
    source: applicant
    requirement:
      cases:
        - when: tax_credit in ["a", "b"]
          value: deferrable
        - when: simplified
          value: optional
      default: required
  - id: change_record
    name: 变更登记记录
    source: produced
    produced_by: change_registration
items:
  - id: change_registration
    name: 变更登记
    department: market_regulation
    result:
      name: 变更登记记录
      materials: [change_record]
    time_limit:
      promised:
        cases:
          - when: tax_credit in ["a", "b"]
            value: 0
        default: 10
      statutory: 20
    visits: {cases: [{when: tax_credit == "a", value: 0}], default: 1}
    steps: 2
    fields: [company_name]
    materials: [financial_statement]
    special_stages:
      - kind: public_notice
        name: 公示
        days:
          cases:
            - when: simplified
              value: 5
          default: 20
        day_kind: calendar
  - id: branch_update
    name: 分支机构备案
    department: police
    when: has_branch
    time_limit: {promised: 3, statutory: 5}
    visits: 1
    steps: 1
    fields: [company_name]
    materials: [change_record]
  - id: tax_update
    name: 税务信息变更
    department: police
    time_limit: {promised: 2, statutory: 5}
    visits: 1
    steps: 1
    fields: [company_name]
    combined_with: branch_update
steps:
  - {id: apply, name: 申请, kind: application, owner: applicant, time_limit: 0}
  - {id: intake, name: 受理, kind: intake, owner: market_regulation, time_limit: 1}
  - {id: registration, name: 登记, kind: handling, owner: market_regulation, time_limit: 10,
     items: [change_registration]}
  - {id: branch, name: 备案, kind: handling, owner: police, time_limit: 3, items: [branch_update, tax_update]}
"""

BUNDLES = [*SHIPPED_IDS, "tax_cases"]
LANGS = ["zh-CN", "en"]


@functools.cache
def bundle_in(bundle_id: str, lang: str) -> Compiled:
    if bundle_id != "tax_cases":
        shipped = compiled(bundle_id)
        return Compiled(shipped.bundle, shipped.catalogues, lang)
    result = check_text(TAX, "bundles/tax_cases.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    return Compiled(result.bundle, shipped_catalogues(), lang)


def read(c: Compiled, answers: dict[str, Any] | None, form: str) -> dict[str, list]:
    doc = notice_document(c, answers)
    return read_markdown(doc.markdown()) if form == "md" else read_html(doc.html(c.lang))


# ---------------------------------------------------------------- what a value reads like

def days_words(lang: str, days: int) -> str:
    if lang == "en":
        return "same day" if days == 0 else f"{days} working day{'' if days == 1 else 's'}"
    return "即办" if days == 0 else f"{days} 个工作日"


def stage_words(lang: str, days: int, day_kind: str) -> str:
    if lang == "en":
        return f"{days} {'working' if day_kind == 'working' else 'calendar'} days"
    return f"{days} 个{'工作日' if day_kind == 'working' else '自然日'}"


def visits_words(lang: str, visits: int) -> str:
    if lang == "en":
        return "no visit in person" if visits == 0 else f"{visits} visit{'' if visits == 1 else 's'} in person"
    return "无需到现场" if visits == 0 else f"到现场 {visits} 次"


def stage_statement(c: Compiled, bullets: list[str], item: str, stage: str) -> str:
    """The part of a special stage's line that gives its length."""
    lead = f"{item}: {stage}" if c.lang == "en" else f"{item}：{stage}"
    [line] = [b for b in bullets if b.startswith(lead)]
    told = "not counted in the promised time. " if c.lang == "en" else "不计入承诺时限。"
    return line.split(told, 1)[1] if told in line else line


def check_values(c: Compiled, notice: dict[str, list], plan: Plan, general: bool) -> None:
    """Every case-dependent value the plan resolves for this case is what the notice tells it."""
    lang, answers = c.lang, plan.answers
    known = case_conditions(c.bundle, lang)
    items_heading = say(lang, "notice.items" if general else "notice.items_for_you")
    rows = {row[say(lang, "notice.item")]: row for row in table(notice[items_heading])}
    for item in plan.items:
        told = told_value(rows[c.text(item.name)][say(lang, "notice.promised")], answers, known, lang)
        assert told == days_words(lang, item.promised_days), (item.id, answers)
    to_bring = plan.applicant_materials
    if to_bring:
        materials = {row[say(lang, "notice.material")]: row for row in table(notice[say(lang, "notice.materials")])}
        for material in to_bring:
            told = told_value(materials[c.material_name(material)][say(lang, "notice.requirement")], answers, known, lang)
            assert told == say(lang, "requirement." + material.requirement), (material.id, answers)
    time = notice[say(lang, "notice.time")]
    stage_lines = [line for kind, content in time if kind == "ul" for line in content]
    for item in plan.items:
        for stage in item.special_stages:
            told = told_value(stage_statement(c, stage_lines, c.text(item.name), c.text(stage.name) or stage.kind),
                              answers, known, lang)
            assert stage_words(lang, stage.days, stage.day_kind) in told, (item.id, stage.kind, answers)
    intro = {("zh-CN", True): "按情形不同，以下事项到现场的次数：", ("zh-CN", False): "按您的情形，以下事项到现场的次数：",
             ("en", True): "Visits in person for these services depend on your case:",
             ("en", False): "Visits in person for these services, in your case:"}[lang, general]
    visits = dict(line.split(": " if lang == "en" else "：", 1) for line in bullets_after(time, intro))
    for item in plan.items:
        declared = c.bundle.item(item.id)
        assert declared is not None
        if any(v.attribute == "visits" for v in declared.varies):
            assert told_value(visits[c.text(item.name)], answers, known, lang) == visits_words(lang, item.visits), \
                (item.id, answers)


@pytest.mark.parametrize("form", ["md", "html"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("bundle_id", BUNDLES)
def test_the_notice_for_every_case_tells_each_case_its_own_values(bundle_id: str, lang: str, form: str) -> None:
    c = bundle_in(bundle_id, lang)
    notice = read(c, None, form)
    for case in c.scenarios[0]:
        check_values(c, notice, case.plan, general=True)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("bundle_id", BUNDLES)
def test_a_tailored_notice_tells_the_values_of_its_case(bundle_id: str, lang: str) -> None:
    c = bundle_in(bundle_id, lang)
    for case in c.scenarios[0]:
        check_values(c, read(c, case.answers, "md"), case.plan, general=False)


def test_the_citizens_given_same_day_handling_or_deferral_are_not_told_ten_days_and_required() -> None:
    c = bundle_in("tax_cases", "zh-CN")
    notice = read(c, None, "md")
    [row] = [r for r in table(notice["联办事项"]) if r["事项"] == "变更登记"]
    assert row["承诺时限"] == ("「纳税信用等级 <script>alert(1)</script> *A|B]？」是以下之一：“A 级”、“B 级 *|]”：即办。"
                           "其他情形：10 个工作日")
    [material] = table(notice["需要准备的材料"])
    assert material["要求"].endswith("可容缺（先受理，承诺后补）。否则，「是否适用简易程序？」答“是”：可选。其他情形：必需")


@pytest.mark.parametrize("lang", LANGS)
def test_labels_in_a_condition_stay_text_in_both_formats(lang: str) -> None:
    c = bundle_in("tax_cases", lang)
    doc = notice_document(c)
    markdown, page = doc.markdown(), doc.html(lang)
    assert "<script>" not in markdown and "<script>alert" not in page
    # the condition in the promised-time cell names the question by its label, as text
    [row] = [line for line in markdown.splitlines() if line.startswith("| 变更登记 |")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\*A\\|B\\]" in row and "B 级 \\*\\|\\]" in row
    [cell] = re.findall(r'<td data-label="(?:承诺时限|Promised time)">([^<]*)</td>', page)[:1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; *A|B]" in cell
    # every row of the items table keeps its columns: no "|" of a label splits a cell
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert {len(re.split(r"(?<!\\)\|", line)) for line in rows} == {6}


# ------------------------------------------------------------- what runs in parallel, what waits

def order_bullets(c: Compiled, notice: dict[str, list]) -> list[str]:
    return bullets_after(notice[say(c.lang, "notice.time")], "Order of handling:" if c.lang == "en" else "办理顺序：")


def quoted(c: Compiled, item_id: str) -> str:
    item = c.bundle.item(item_id)
    assert item is not None
    return say(c.lang, "quoted", name=c.text(item.name))


def check_order(c: Compiled, notice: dict[str, list], plan: Plan) -> None:
    """Each item that waits has a line naming every item it waits for; an item that waits for
    nothing is said to start on acceptance (or to be handled together with another); and the
    notice claims that all departments work in parallel only when nothing waits."""
    lines = order_bullets(c, notice)
    time = " ".join(content for kind, content in notice[say(c.lang, "notice.time")] if kind == "p")
    unit = units(list(plan.items))
    waiting = [task for task in plan.tasks if task.after]
    combined = len(set(unit.values())) < len(unit)
    claim = "各部门并联办理" if c.lang != "en" else "The departments work in parallel"
    assert (claim in time) == (not waiting and not combined), (plan.answers, time)
    wait_word = "waits for" if c.lang == "en" else "办结后开始"
    others = [line for line in lines if wait_word not in line]  # who starts on acceptance, who is handled together
    for task in plan.tasks:
        name = quoted(c, task.item.id)
        if task.after:
            [own] = [line for line in lines if line.startswith(name) and wait_word in line]
            assert all(quoted(c, before) in own for before in task.after), (task.item.id, plan.answers, lines)
        elif waiting or combined:
            assert any(name in line for line in others), (task.item.id, plan.answers, lines)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("bundle_id", BUNDLES)
def test_the_notice_says_which_items_wait_for_which_in_every_case(bundle_id: str, lang: str) -> None:
    c = bundle_in(bundle_id, lang)
    general = read(c, None, "md")
    general_lines = order_bullets(c, general)
    for case in c.scenarios[0]:
        check_order(c, read(c, case.answers, "md"), case.plan)
        for task in case.plan.tasks:  # the notice for every case names every wait of this one too
            if task.after:
                [line] = [line for line in general_lines if line.startswith(quoted(c, task.item.id))
                          and ("waits for" in line or "办结后开始" in line)]
                assert all(quoted(c, before) in line for before in task.after), (task.item.id, line)


def test_the_newborn_notice_no_longer_says_every_department_works_in_parallel() -> None:
    notice = notice_document(bundle_in("newborn", "zh-CN")).markdown()
    assert "各部门并联办理" not in notice
    assert "- “出生登记（户口）”在“出生医学证明首次签发”（需要“出生医学证明”）办结后开始" in notice
    assert "- “出生医学证明首次签发”、“预防接种证办理”、“科学育儿指导服务登记”受理后同时开始，并联办理" in notice


def test_alternatives_are_not_said_to_run_in_parallel() -> None:
    notice = notice_document(bundle_in("retirement", "zh-CN")).markdown()
    assert "- “正常退休申请”、“提前退休申请（审核通过后）”受理后即开始\n" in notice
    assert "“住房公积金账户封存”在“正常退休申请”或“提前退休申请（审核通过后）”" in notice


def test_a_bundle_where_nothing_waits_still_says_all_work_in_parallel() -> None:
    notice = notice_document(bundle_in("restaurant", "zh-CN")).markdown()
    # the longest: the fire inspection without 告知承诺 (13 working days)
    assert "各部门并联办理，视情形不同，最长 13 个工作日内办结" in notice and "办理顺序" not in notice
