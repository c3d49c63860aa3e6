"""Words and phrases the writers share (notice, form schema, form page, explain): one place for
each label, in Chinese and English, so the notice and the form never name the same thing two
ways and an English artifact is English throughout.

``say(lang, key, **values)`` picks the phrase for the language (Chinese unless ``lang`` is
"en") and fills its ``{placeholders}``.
"""

from __future__ import annotations

from typing import Any

from configurator.model import BundleMaterial
from configurator.planning.compiled import Compiled

_ZH, _EN = 0, 1

PHRASES: dict[str, tuple[str, str]] = {
    # answers
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "none_chosen": ("（未选）", "(none chosen)"),
    "list_sep": ("、", ", "),
    "or": ("或", " or "),
    # material sources, forms, requirements, delivery
    "source.applicant": ("由申请人提交", "handed in by the applicant"),
    "source.shared": ("通过数据共享获取，无需提交", "obtained by data sharing; nothing to hand in"),
    "source.produced": ("由本一件事中前面的事项产生，无需提交", "produced by an earlier item of this bundle; nothing to hand in"),
    "source.generated": ("由系统根据申请信息生成，无需提交", "generated from the application; nothing to hand in"),
    "source.e_licence": ("通过{department}的电子证照获取，无需提交", "obtained as an e-licence from {department}; nothing to hand in"),
    "source.shared_from": ("由{department}通过数据共享提供，无需提交", "provided by {department} by data sharing; nothing to hand in"),
    "source.produced_by": ("由“{names}”产生，无需提交", "produced by “{names}”; nothing to hand in"),
    "form.original": ("原件", "original"),
    "form.copy": ("复印件", "copy"),
    "form.electronic": ("电子文件", "electronic file"),
    "form.original_and_copy": ("原件和复印件", "original and copy"),
    "copies": ("{count} 份", "{count} cop{plural}"),
    "requirement.required": ("必需", "required"),
    "requirement.optional": ("可选", "optional"),
    "requirement.deferrable": ("可容缺（先受理，承诺后补）", "may follow later (accepted on a promise to hand it in)"),
    "deferrable_note": ("可容缺受理，承诺后补", "may follow later, on a promise to hand it in"),
    "deferrable_note_by_case": ("部分情形可容缺受理，承诺后补", "in some cases may follow later, on a promise to hand it in"),
    "delivery.window": ("窗口领取", "collect at the window"),
    "delivery.post": ("邮寄送达", "by post"),
    "delivery.e_licence": ("电子证照", "as an e-licence"),
    "delivery.online": ("网上查看", "online"),
    # the notice
    "notice.title": ("{name} · 一次告知", "{name} · What you need"),
    "notice.lead": ("牵头部门：{lead}", "Lead department: {lead}"),
    "notice.cooperating": ("；配合部门：{names}", "; with: {names}"),
    "notice.end": ("。", "."),
    "notice.ineligible": ("您的情况不在本一件事的办理范围内", "Your case is outside this service"),
    "notice.conditions": ("办理条件", "Who can apply"),
    "notice.condition": ("{rule}（否则：{message}）", "{rule} (otherwise: {message})"),
    "notice.questions": ("先回答这些问题", "Questions you will be asked first"),
    "notice.answers": ("您的回答", "Your answers"),
    "notice.items_for_you": ("将为您办理的事项", "What will be done for you"),
    "notice.items": ("联办事项", "Services in this bundle"),
    "notice.item": ("事项", "Service"),
    "notice.department": ("办理部门", "Department"),
    "notice.promised": ("承诺时限", "Promised time"),
    "notice.when": ("何时办理", "When it applies"),
    "notice.materials": ("需要准备的材料", "Documents to prepare"),
    "notice.material": ("材料", "Document"),
    "notice.form_count": ("形式和份数", "Form and copies"),
    "notice.requirement": ("要求", "Requirement"),
    "notice.material_when": ("何时需要", "When needed"),
    "notice.nothing_to_bring": ("无需提交任何纸质或电子材料。", "You need not hand in any paper or electronic documents."),
    "notice.not_needed": ("无需提交的材料", "Documents you need not hand in"),
    "notice.fields": ("需要填写的信息（一表申请，每项只填一次）", "Information to fill in (one form, each item once)"),
    "notice.time": ("办理时间和跑动次数", "Time and visits"),
    "notice.days_case": ("各部门并联办理，预计 {days} 个工作日内办结（自受理之日起，不含公示等特殊环节）。",
                         "The departments work in parallel; expect completion within {days} working days of "
                         "acceptance (special stages such as public notice not included)."),
    "notice.days_max": ("各部门并联办理，视情形不同，最长 {days} 个工作日内办结（自受理之日起，不含公示等特殊环节）。",
                        "The departments work in parallel; depending on your case it takes at most {days} working "
                        "days from acceptance (special stages such as public notice not included)."),
    "notice.stage": ("{item}：{stage} {days} 个{unit}，不计入承诺时限", "{item}: {stage}, {days} {unit}, not counted in the promised time"),
    # what differs by case and what waits for what (writers/notice_parts.py)
    "notice.days_case_ordered": ("预计 {days} 个工作日内办结（自受理之日起，不含公示等特殊环节）。",
                                 "Expect completion within {days} working days of acceptance (special stages such "
                                 "as public notice not included)."),
    "notice.days_max_ordered": ("视情形不同，最长 {days} 个工作日内办结（自受理之日起，不含公示等特殊环节）。",
                                "Depending on your case it takes at most {days} working days from acceptance "
                                "(special stages such as public notice not included)."),
    "notice.stage_cases": ("{item}：{stage}，不计入承诺时限。{cases}", "{item}: {stage}, not counted in the promised time. {cases}"),
    "stage_days": ("{days} 个{unit}", "{days} {unit}"),
    "case.if": ("{when}：{value}", "If {when}: {value}"),
    "case.otherwise_if": ("否则，{when}：{value}", "Otherwise, if {when}: {value}"),
    "case.default": ("其他情形：{value}", "In any other case: {value}"),
    "case.sep": ("。", ". "),
    "notice.item_visits": ("按情形不同，以下事项到现场的次数：", "Visits in person for these services depend on your case:"),
    "notice.item_visits_case": ("按您的情形，以下事项到现场的次数：", "Visits in person for these services, in your case:"),
    "item_visits": ("{item}：{visits}", "{item}: {visits}"),
    "visits.none": ("无需到现场", "no visit in person"),
    "visits.some": ("到现场 {visits} 次", "{visits} visit{plural} in person"),
    "notice.order": ("办理顺序：", "Order of handling:"),
    "order.together": ("{names}受理后同时开始，并联办理", "{names} start{s} together on acceptance and run in parallel"),
    "order.alone": ("{names}受理后即开始", "{names} start{s} on acceptance"),
    "order.waits": ("{item}在{waits}办结后开始", "{item} waits for {waits} to finish"),
    "order.needs": ("{names}（需要“{material}”）", "{names} (it needs “{material}”)"),
    "order.reason": ("{names}（{reason}）", "{names} ({reason})"),
    "order.and": ("和", " and "),
    "order.combined": ("{names}合并办理，同时开始、同时办结", "{names} are handled together: they start and finish together"),
    "order.combined_when": ("{names}都办理时合并办理，同时开始、同时办结",
                            "{names}, when both apply, are handled together: they start and finish together"),
    "working_days": ("工作日", "working days"),
    "calendar_days": ("自然日", "calendar days"),
    "days": ("{days} 个工作日", "{days} working day{plural}"),
    "immediately": ("即办", "same day"),
    "all_cases": ("所有情形", "in every case"),
    "fill_when": ("（{when}时填写）", " (when {when})"),
    "when_doing": ("办理{names}时", "when applying for {names}"),
    "fill_when_doing": ("（办理{names}时填写）", " (when applying for {names})"),
    "quoted": ("“{name}”", "“{name}”"),
    "online_only": ("全程网上办理，无需到现场。", "Everything is done online; no visit needed."),
    "visits": ("最多到现场 {visits} 次。", "At most {visits} visit{plural} in person."),
    "notice.delivery": ("结果送达", "How you receive the results"),
    "notice.delivery_any": ("{ways}，可任选。", "{ways}: your choice."),
    "notice.help": ("遇到问题怎么办", "If something goes wrong"),
    "consultation": ("咨询电话：{phone}", "Enquiries: {phone}"),
    "consultation_note": ("（{note}）", " ({note})"),
    # `configurator explain` (present/explain.py, present/due.py)
    "label_value": ("{label}：{value}", "{label}: {value}"),
    "answer.pair": ("“{pair}”应写成 名称=值，例如 born_in_wedlock=true",
                    "“{pair}” should be written NAME=VALUE, e.g. born_in_wedlock=true"),
    "answer.unknown": ("没有情形“{name}”", "there is no situation “{name}”"),
    "answer.hint": ("（是不是想写“{hint}”？）", " (did you mean “{hint}”?)"),
    "answer.known": ("；可用的有：{names}", "; there are: {names}"),
    "answer.file": ("答案文件应是“情形 id: 回答”的映射，或含有 situations 的申请",
                    "an answers file maps situation ids to answers, or is an application with a situations object"),
    "answer.none_chosen": ("“{id}”至少要选一项（这个问题不允许一项不选）",
                           "“{id}” needs at least one choice (this question allows no empty answer)"),
    "none": ("无", "none"),
    "explain.heading": ("{name}（{id}，版本 {version}）", "{name} ({id}, version {version})"),
    "explain.answers": ("回答：", "Answers:"),
    "explain.ignored": ("  （未问到的问题的回答已忽略：{ids}）", "  (answers to questions not asked were ignored: {ids})"),
    "explain.unanswered": ("还需回答：", "Still to answer: "),
    "explain.unanswered_moot": ("未回答（不影响结论）：", "Not answered (does not change the outcome): "),
    "explain.waiting": ("是否要问还要看上面的回答：", "Asked or not depending on the answers above: "),
    "explain.not_yet_known": ("？还不能判断是否符合受理条件：要看尚未回答的问题。",
                              "? Eligibility is not known yet: it depends on questions not answered yet."),
    "explain.eligible_so_far": ("✔ 符合受理条件。", "✔ Eligible."),
    "explain.so_far": ("按目前的回答适用的事项（{count} 项）：", "Items that apply on the answers so far ({count}):"),
    "explain.undecided": ("是否适用要看尚未回答的问题：{names}", "Whether these apply depends on the questions not answered yet: {names}"),
    "explain.incomplete": ("回答完全部问题后，才能列出材料、各部门收到的信息和办理时间。",
                           "The documents, what each department receives and the timeline follow once every question is answered."),
    "explain.field_error": ("✘ {label}（{pointer}）：{message}", "✘ {label} ({pointer}): {message}"),
    "explain.rule_error": ("✘ {message}（规则 {rule}：{fields}）", "✘ {message} (rule {rule}: {fields})"),
    "explain.ineligible": ("✘ 不符合本一件事的受理条件：", "✘ Not eligible for this bundle:"),
    "explain.fallback": ("→ 转{window}：{message}", "→ Go to {window}: {message}"),
    "explain.eligible": ("✔ 符合受理条件。适用的事项（{count} 项）：", "✔ Eligible. Items that apply ({count}):"),
    "explain.combined": ("（与“{name}”合并办理）", " (done together with “{name}”)"),
    "explain.stages": ("特殊环节（不计入承诺时限）：", "Special stages (not counted in the promised time):"),
    "explain.stage": ("  - {item}：{stage} {days} 个{unit}", "  - {item}: {stage}, {days} {unit}"),
    "explain.hand_in": ("需要提交的材料：", "Documents to hand in:"),
    "explain.hand_in_none": ("需要提交的材料：无", "Documents to hand in: none"),
    "explain.deferrable": ("，可容缺", ", may follow later"),
    "explain.optional": ("，可选", ", optional"),
    "explain.not_handed_in": ("无需提交：", "Not handed in:"),
    "explain.payloads": ("各部门收到的信息（只含其事项需要的）：", "What each department receives (only what its items need):"),
    "explain.payload": ("  {name}：字段 {fields}；材料 {materials}", "  {name}: fields {fields}; documents {materials}"),
    "explain.timeline": ("办理时间线（工作日，预计 {days} 个工作日办结）：",
                         "Timeline (working days; done in {days} working day{plural}):"),
    "explain.same_day": ("（即办）", " (same day)"),
    "due.received": ("受理日 {received}，自下一个工作日 {start} 起算（法定节假日不计，调休上班日计入）：",
                     "Received {received}; counting starts on the next working day, {start} (public holidays not counted, "
                     "make-up working days counted):"),
    "due.case": ("  预计 {date} 前办结", "  Expected done by {date}"),
    "due.item": ("  - {name}：{date} 前", "  - {name}: by {date}"),
    "due.item_stages": ("（含特殊环节 {date} 前）", " (by {date} with special stages)"),
    "due.stage": ("  特殊环节（不计入承诺时限）{name}：{days} 个{unit}，{start} 至 {end}",
                  "  Special stage (not counted in the promised time) {name}: {days} {unit}, {start} to {end}"),
    # `configurator report` (present/report.py)
    "report.bundle": ("一件事", "Bundle"),
    "report.materials": ("材料（份）", "Documents (copies)"),
    "report.steps": ("环节（个）", "Steps"),
    "report.days": ("时间（工作日）", "Time (working days)"),
    "report.visits": ("跑动（次）", "Visits"),
    "report.illustrative": ("示意值", "Illustrative values"),
    "report.flags": ("提示", "Notes"),
    "report.total": ("合计", "Total"),
    "report.published": ("  公开数字（{source}）", "  Published figures ({source})"),
    "report.sep": ("；", "; "),
    "report.source_sep": ("，", ", "),
    "report.more_visits": ("跑动 {visits} 次（最多跑一次未达成）", "{visits} visits (the at-most-one-visit goal is not met)"),
    "report.no_visits": ("未写明跑动次数", "the number of visits is not stated"),
    "report.serial": ("{item} 在 {after} 之后且无数据往来（可考虑串联改并联）",
                      "{item} comes after {after} with no data passed between them (could run in parallel)"),
    "report.inexact": ("⚠ 数字不精确：情形组合过多，只抽样计算（{warnings}）",
                       "⚠ Figures not exact: too many combinations of cases, only a sample was computed ({warnings})"),
    "report.sampled": ("回答组合超过 {limit} 种，数字来自 {sample} 组抽样，可能漏掉一些情形",
                       "more than {limit} answer combinations: figures come from a sample of {sample} and may miss cases"),
    "report.truncated": ("不同情形超过 {limit} 种，只列出前 {limit} 种",
                         "more than {limit} distinct cases: only the first {limit} are listed"),
    "report.reduction": ("{before} → {after}（−{percent}%）", "{before} → {after} (−{percent}%)"),
    # process.bpmn / process.camunda8.bpmn (writers/bpmn.py)
    "bpmn.start": ("申请", "Application"),
    "bpmn.eligible": ("符合受理条件？", "Eligible?"),
    "bpmn.eligible_yes": ("符合", "eligible"),
    "bpmn.not_eligible": ("不符合", "not eligible"),
    "bpmn.to_fallback": ("转兜底办理", "Sent to the fallback window"),
    "bpmn.join": ("前序事项办结", "Earlier items done"),
    "bpmn.applies": ("适用？", "Applies?"),
    "bpmn.yes": ("适用", "applies"),
    "bpmn.no": ("不适用", "does not apply"),
    "bpmn.yes_instant": ("适用，即办", "applies, done on the spot"),
    "bpmn.instant": ("即办：承诺时限 0 个工作日，不设超时督办", "done on the spot: promised within 0 working days, no chasing"),
    "bpmn.promised": ("承诺时限 {days} 个工作日", "promised within {days} working days"),
    "bpmn.code": ("（{code}）", " ({code})"),
    "bpmn.merge": ("合流", "Merge"),
    "bpmn.fork_next": ("分发后续事项", "Start the following items"),
    "bpmn.late": ("超过承诺时限", "Past the promised time"),
    "bpmn.escalate": ("督办：{name}", "Chase: {name}"),
    "bpmn.escalated": ("已督办", "Chased"),
    "bpmn.fork": ("并联办理", "In parallel"),
    "bpmn.finish": ("全部办结", "All done"),
    "bpmn.deliver": ("结果送达", "Deliver the results"),
    "bpmn.end": ("办结", "Done"),
    # the regional notice (writers/regional.py)
    "regional.agencies": ("{region}办理机构", "Offices in {region}"),
    "regional.unbound": ("（本地区未绑定，请咨询兜底窗口）", "(not assigned in this region; ask the fallback window)"),
    "regional.department": ("部门", "Department"),
    "regional.agency": ("办理机构", "Office"),
    "regional.address": ("地址", "Address"),
    "regional.phone": ("电话", "Phone"),
    "regional.hours": ("办公时间", "Opening hours"),
    "regional.online": ("网上办理", "Online"),
    "regional.fallback": ("本地兜底窗口", "Local fallback window"),
    "regional.window": ("{name}，地址：{address}，电话：{phone}{hours}。", "{name}, address: {address}, phone: {phone}{hours}."),
    "regional.opening": ("，办公时间：{hours}", ", opening hours: {hours}"),
    # the semantic diff (present/semantic_diff.py)
    "diff.nothing": ("（无）", "(none)"),
    "diff.entry": ("{kind}“{name}”", "{kind} “{name}”"),
    "diff.key_removed": ("{what} 删除（原为 {old}）", "{what} removed (was {old})"),
    "diff.key_added": ("{what} 增加：{new}", "{what} added: {new}"),
    "diff.more": ("（另有 {count} 处改动）", "({count} more changes)"),
    "diff.entry_added": ("{entry} 增加", "{entry} added"),
    "diff.entry_removed": ("{entry} 删除", "{entry} removed"),
    "diff.order": ("{what}的顺序改为 {order}", "order of {what} now {order}"),
    "diff.value_added": ("{what} {value} 增加", "{what} {value} added"),
    "diff.value_removed": ("{what} {value} 删除", "{what} {value} removed"),
    "diff.days": (" 个工作日", " working days"),
    "diff.serial": ("“{second}”现在在“{first}”之后办理（串联）", "“{second}” now waits for “{first}” (in series)"),
    "diff.parallel": ("“{second}”现在与“{first}”并联办理", "“{second}” now runs in parallel with “{first}”"),
    "diff.figure.materials": ("减材料（提交材料份数）", "documents handed in"),
    "diff.figure.steps": ("减环节", "steps"),
    "diff.figure.days": ("减时间（工作日）", "time (working days)"),
    "diff.figure.visits": ("减跑动", "visits"),
    "diff.new_bundle": ("新增一件事", "new bundle"),
    "diff.removed_bundle": ("删除一件事", "bundle removed"),
    "diff.none": ("没有改动。", "No changes."),
    "diff.place": ("{place}：", "{place}: "),
    # the fallback window
    "fallback.window": ("兜底窗口", "Fallback window"),
    "fallback.address": ("地址", "Address"),
    "fallback.phone": ("电话", "Phone"),
    "fallback.hours": ("办公时间", "Opening hours"),
    # the form
    "form.title": ("{name} · 一表申请", "{name} · Application"),
    "form.step.situations": ("第一步：回答几个问题", "Step 1: a few questions"),
    "form.step.fields": ("第二步：填写申请信息", "Step 2: your details"),
    "form.step.uploads": ("第三步：上传材料", "Step 3: upload documents"),
    "form.submit": ("提交申请", "Submit application"),
    "form.error_summary": ("提交前请改正以下问题", "There is a problem"),
    "form.ineligible": ("您的情况不能在这里申请", "You cannot apply here"),
    "form.ineligible_next": ("请到以下兜底窗口办理，不需要继续填写本表：",
                             "Please go to this window instead; you need not fill in the rest of this form:"),
    "form.optional": ("（选填）", " (optional)"),
    "form.unit": ("单位：{unit}", "in {unit}"),
    "form.choose_files": ("选择文件", "Choose files"),
    "group.situations": ("情形", "Your situation"),
    "group.fields": ("申请信息", "Application"),
    "group.uploads": ("上传材料", "Documents"),
    # messages next to a field
    "error.missing": ("此项必填", "Answer this question"),
    "error.not_applicable": ("按您的回答，此项不适用，请留空", "Leave this empty: it does not apply to your answers"),
    "error.number": ("请填写数字", "Enter a number"),
    "error.integer": ("请填写整数", "Enter a whole number"),
    "error.minimum": ("不能小于 {limit}", "Must be {limit} or more"),
    "error.maximum": ("不能大于 {limit}", "Must be {limit} or less"),
    "error.yes_no": ("请选择“是”或“否”", "Choose yes or no"),
    "error.choice": ("请从选项中选择", "Choose one of the options"),
    "error.duplicate": ("有重复的选项", "An option is chosen twice"),
    "error.min_items": ("至少需要 {count} 项", "At least {count} needed"),
    "error.min_chars": ("至少 {count} 个字", "At least {count} characters"),
    "error.max_chars": ("最多 {count} 个字", "At most {count} characters"),
    "error.format": ("格式不正确", "Not in the right format"),
    "error.check_digit_id": ("校验位不符：按 GB 11643 最后一位应为 {expected}，请核对号码",
                             "Check digit does not match: by GB 11643 the last character should be {expected}; check the number"),
    "error.check_digit_uscc": ("校验位不符：按 GB 32100 最后一位应为 {expected}，请核对代码",
                               "Check character does not match: by GB 32100 the last character should be {expected}; check the code"),
}


def say(lang: str, key: str, **values: Any) -> str:
    """The phrase ``key`` in ``lang`` (English for "en", Chinese otherwise), filled in."""
    text = PHRASES[key][_EN if lang == "en" else _ZH]
    return text.format(**values) if values else text


def plural(count: int) -> str:
    return "" if count == 1 else "s"


def answer_text(compiled: Compiled, situation_id: str, value: Any) -> str:
    situation = next(s for s in compiled.bundle.situations if s.id == situation_id)
    labels = {o.value: compiled.text(o.label) for o in situation.options}
    if isinstance(value, bool):
        return say(compiled.lang, "yes" if value else "no")
    if isinstance(value, list):
        return say(compiled.lang, "list_sep").join(labels.get(v, str(v)) for v in value) or say(compiled.lang, "none_chosen")
    return labels.get(value, str(value))


def material_form(material: BundleMaterial, lang: str = "zh-CN") -> str:
    count = say(lang, "copies", count=material.count, plural="y" if material.count == 1 else "ies")
    separator = ", " if lang == "en" else " "
    return f"{say(lang, 'form.' + material.form)}{separator}{count}" if material.form else count


def material_source(compiled: Compiled, material: BundleMaterial) -> str:
    lang = compiled.lang
    text = say(lang, "source." + material.source)
    if material.source == "shared" and material.shared_from:
        department = compiled.department_name(material.shared_from)
        text = say(lang, "source.e_licence" if material.channel == "e_licence" else "source.shared_from",
                   department=department)
    if material.source == "produced" and material.produced_by:
        # the producers in file order, found by position (a scan of every item per material was quadratic)
        positions = compiled.item_positions
        producers = sorted((p for p in dict.fromkeys(material.produced_by) if p in positions), key=positions.__getitem__)
        names = say(lang, "or").join(compiled.text(compiled.bundle.items[positions[p]].name) for p in producers)
        text = say(lang, "source.produced_by", names=names)
    return text


def fallback_window(compiled: Compiled) -> list[tuple[str, str]]:
    """The fallback window as (label, value) rows: name, address, phone, hours (those known).
    The phone falls back to the bundle's consultation line when the window has none."""
    bundle, lang = compiled.bundle, compiled.lang
    fallback = bundle.fallback
    name = compiled.text(fallback.window) or compiled.department_name(fallback.department)
    phone = fallback.phone or (bundle.consultation.phone if bundle.consultation else None)
    rows = [(say(lang, "fallback.window"), name)]
    if fallback.address:
        rows.append((say(lang, "fallback.address"), compiled.text(fallback.address)))
    if phone:
        rows.append((say(lang, "fallback.phone"), phone))
    if fallback.hours:
        rows.append((say(lang, "fallback.hours"), compiled.text(fallback.hours)))
    return rows
