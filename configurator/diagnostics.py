"""Diagnostics: every problem the configurator finds is a value with a place.

One catalogue (``CODES``) holds every error code with its message and its fix, in Chinese and
English. Nothing else in the package writes user-facing problem text: checks create a
``Diagnostic`` with a code and parameters, and the text is rendered in the reader's language
only when it is shown. ``docs/errors.md`` has a section per code (a test enforces it).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ErrorCode:
    code: str
    severity: Severity
    title: Mapping[str, str]
    message: Mapping[str, str]
    fix: Mapping[str, str]


def _code(
    code: str,
    severity: Severity,
    title_zh: str,
    title_en: str,
    message_zh: str,
    message_en: str,
    fix_zh: str,
    fix_en: str,
) -> ErrorCode:
    return ErrorCode(
        code,
        severity,
        {"zh-CN": title_zh, "en": title_en},
        {"zh-CN": message_zh, "en": message_en},
        {"zh-CN": fix_zh, "en": fix_en},
    )


E, W = Severity.ERROR, Severity.WARNING

# Message templates use str.format with the diagnostic's params. A param called
# ``suggestion`` adds a "did you mean" sentence automatically (see Diagnostic.render).
_CATALOGUE = [
    # --- E1xx: reading the file -----------------------------------------------------------
    _code("E101", E, "文件过大", "File too large",
          "文件有 {size} 字节，超过上限 {limit} 字节",
          "the file has {size} bytes, more than the limit of {limit}",
          "一件事文件通常只有几百行；请检查是否误放了其他文件，或把内容拆分",
          "a bundle is usually a few hundred lines; check that this is the right file"),
    _code("E102", E, "不是 UTF-8 编码", "Not UTF-8",
          "第 {line} 行有不是 UTF-8 编码的字节 {byte}",
          "line {line} has a byte that is not UTF-8: {byte}",
          "用编辑器把文件另存为“UTF-8（无 BOM）”编码",
          "save the file as UTF-8 (without BOM) in your editor"),
    _code("E103", E, "文件带 BOM", "Byte order mark",
          "文件开头有 BOM（字节顺序标记）",
          "the file starts with a byte order mark (BOM)",
          "用编辑器把文件另存为“UTF-8（无 BOM）”编码",
          "save the file as UTF-8 without BOM"),
    _code("E104", E, "用制表符缩进", "Tab indentation",
          "这一行用制表符（Tab）缩进，源文件只能用空格缩进",
          "this line is indented with a tab; the source file allows only spaces",
          "把行首的 Tab 换成空格（每级两个空格）",
          "replace the leading tab with spaces (two per level)"),
    _code("E105", E, "源文件写法有误", "Source file cannot be read here",
          "源文件这里的写法有误：{problem}",
          "the source file is wrong here: {problem}",
          "{fix}",
          "{fix}"),
    _code("E106", E, "重复的键", "Duplicate key",
          "“{key}”在同一处写了两次（第一次在第 {first_line} 行）",
          "\"{key}\" is written twice in the same place (first on line {first_line})",
          "删除或合并重复的一项；否则后写的会悄悄覆盖先写的",
          "remove or merge the duplicate; otherwise one silently overrides the other"),
    _code("E107", E, "不支持“!”标签", "Tags are not allowed",
          "源文件中不能用“!”开头的标签（{tag}）",
          "the source file may not use a tag starting with \"!\" ({tag})",
          "删除“!”开头的标签，直接写值；文本若像数字，请加引号",
          "remove the tag starting with \"!\" and write the value; quote text that looks like a number"),
    _code("E108", E, "不支持锚点和别名", "Anchors and aliases are not allowed",
          "源文件中不能用锚点（&）和别名（*）",
          "the source file may not use anchors (&) or aliases (*)",
          "把别名处的内容直接写出来；每个值只写一次、在一个地方",
          "write the content out where the alias stands"),
    _code("E109", E, "嵌套过深", "Nesting too deep",
          "嵌套超过 {limit} 层",
          "nesting is deeper than {limit} levels",
          "检查缩进或括号是否写错；一件事文件不需要这么深的结构",
          "check the indentation and brackets; a bundle never needs such depth"),
    _code("E110", E, "文件开头不是一件事的设置", "Not a bundle's settings",
          "文件应当从一件事的各项设置写起（每行“名称: 值”），实际是{found}",
          "the file must start with the bundle's settings (one \"name: value\" a line), found {found}",
          "参照 docs/bundle-format.md 中的完整示例，从“id:”开始写",
          "start from the complete example in docs/bundle-format.md"),
    _code("E111", E, "一个文件多个文档", "Several documents in one file",
          "一个文件里写了几份内容（用“---”分隔）",
          "the file holds several documents (separated by \"---\")",
          "每个一件事单独一个文件；删除多余的“---”",
          "put each bundle in its own file; remove the extra \"---\""),
    _code("E112", E, "冒号前不是一个名称", "Not a plain name before the colon",
          "冒号前必须是一个简单的名称",
          "what stands before the colon must be a plain name",
          "冒号前只写一个名称，不要写几项，也不要用“?”",
          "write one plain name before the colon: no list, no group of settings, no \"?\""),
    _code("E113", E, "数字过长", "Number too long",
          "这个数字有 {length} 个字符，最多 {limit} 个",
          "this number has {length} characters; at most {limit} are allowed",
          "检查是否多打了数字；编号、证件号这类文本请加引号",
          "check for extra digits; quote identifiers such as codes or ID numbers"),
    _code("E120", E, "无法读取文件", "Cannot read file",
          "无法读取文件：{reason}",
          "cannot read the file: {reason}",
          "检查路径是否正确、文件是否存在并且有读取权限",
          "check the path, that the file exists and that it is readable"),
    # --- E2xx: the shape of the file (JSON Schema) ----------------------------------------
    _code("E201", E, "不认识的设置", "Unknown setting",
          "{where}中不能写“{key}”，格式中没有这一项",
          "{where} cannot have \"{key}\": the format has no such setting",
          "检查拼写；这里能写的有：{allowed}",
          "check the spelling; here you can write: {allowed}"),
    _code("E202", E, "缺少必填的键", "Missing required key",
          "{where}的必填项“{key_title}”还没有填写（{key}）",
          "the required \"{key_title}\" of {where} is not filled in ({key})",
          "填写“{key_title}”（源文件中是补上“{key}: …”）",
          "fill in \"{key_title}\" (in the source file, add \"{key}: ...\")"),
    _code("E203", E, "填写的内容不对", "Wrong kind of value",
          "{where}应当填{expected}，现在是{found}",
          "{where} must be {expected}; it is {found}",
          "{fix}",
          "{fix}"),
    _code("E204", E, "不能选这个值", "Value not allowed",
          "{where}不能是“{value}”",
          "{where} cannot be \"{value}\"",
          "从这些中选一个：{allowed}",
          "choose one of: {allowed}"),
    _code("E205", E, "格式不对", "Wrong format",
          "{where}写成了“{value}”，格式不对：{rule}",
          "{where} is \"{value}\", in the wrong format: {rule}",
          "按上述格式改写",
          "rewrite it in that format"),
    _code("E206", E, "内容太多或太少", "Too much or too little",
          "{where}{problem}",
          "{where} {problem}",
          "{fix}",
          "{fix}"),
    _code("E207", E, "数值超出范围", "Number out of range",
          "{where}是 {value}，{problem}",
          "{where} is {value}, {problem}",
          "改为允许范围内的数值",
          "use a number in the allowed range"),
    _code("E208", E, "写法不符合格式", "Does not match the format",
          "{where}的写法不符合格式：{detail}",
          "{where} is not written as the format says: {detail}",
          "按格式说明（docs/bundle-format.md）中这一项的写法改写",
          "write it as the format reference (docs/bundle-format.md) shows for this setting"),
    _code("E209", E, "同一项选了两次", "Same entry twice",
          "{where}中同一项出现了两次",
          "{where} has the same entry twice",
          "删除重复的那一项",
          "remove the duplicate"),
    _code("E210", E, "标识与文件名不一致", "Id does not match file name",
          "一件事的标识（id）是“{id}”，但文件名是“{filename}”",
          "the bundle's identifier (id) is \"{id}\" but the file is named \"{filename}\"",
          "把文件改名为“{id}.yaml”，或把标识改为“{stem}”",
          "rename the file to \"{id}.yaml\" or change the identifier to \"{stem}\""),
    _code("E211", E, "不安全的格式规则（pattern）", "Unsafe pattern", "格式规则（pattern）{pattern} 不能使用：{problem}",
          "the format rule (pattern) {pattern} cannot be used: {problem}", "只用线性时间可匹配的写法（不用反向引用 \\1、环视 (?=…)、"
          "占有量词），须是 JavaScript 正则也接受的写法，且每个字符只有一种匹配方式（不写 (a|aa)+、(a+)+、a*a* 这样"
          "重叠或嵌套的重复）", "use only what a linear-time engine (RE2) accepts and what JavaScript regexes accept "
          "(no back-references, look-around or possessive quantifiers), and let each character match in one way only "
          "(no overlapping or nested repetition such as (a|aa)+, (a+)+ or a*a*)"),
    _code("E212", E, "allow_none 只用于多选问题", "allow_none is for several-choice questions only",
          "问题“{id}”是{kind}，allow_none（可以一项也不选）对它不起作用：被问到时仍必须回答",
          "question \"{id}\" is {kind_en}; allow_none (no option ticked is an answer) does nothing for it: "
          "when asked it must still be answered",
          "取消“可以一项也不选”（allow_none）；要让申请人可以说“都不是”，加一个选项（如 value: none，label: 以上都不是），"
          "或把“回答类型”改为“多选”（type: multi_choice）",
          "untick \"no option ticked is an answer\" (allow_none); to let applicants answer \"none of these\", add an "
          "option (e.g. value: none, label: None of these), or make the answer type several-choice (type: multi_choice)"),
    # --- E3xx: references and identity ---------------------------------------------------
    _code("E301", E, "未知的部门", "Unknown department",
          "部门目录中没有“{ref}”",
          "the departments catalogue has no \"{ref}\"",
          "改选部门目录中已有的部门，或先在部门目录（catalogues/departments.yaml）中添加该部门",
          "choose a department from the departments catalogue, or add it there first (catalogues/departments.yaml)"),
    _code("E302", E, "未知的材料", "Unknown material",
          "材料目录中没有“{ref}”，本一件事中也没有填写它的名称（name）",
          "the materials catalogue has no \"{ref}\" and the bundle gives it no name",
          "改选材料目录中已有的材料（catalogues/materials.yaml）；本一件事特有的材料请填写“本一件事中的名称”（name）",
          "choose a material from the materials catalogue (catalogues/materials.yaml), or give a bundle-specific "
          "material a name"),
    _code("E303", E, "未知的字段", "Unknown field",
          "字段目录中没有“{ref}”，本一件事中也没有填写它的“字段类型”（type）和“名称”（label）",
          "the fields catalogue has no \"{ref}\" and the bundle gives it no field type (type) and name (label)",
          "改选字段目录中已有的字段（catalogues/fields.yaml）；本一件事特有的字段请填写“字段类型”（type）和“名称”（label）",
          "choose a field from the fields catalogue (catalogues/fields.yaml), or give a bundle-specific field a field "
          "type (type) and a name (label)"),
    _code("E304", E, "未知的事项", "Unknown item",
          "本一件事中没有事项“{ref}”",
          "this bundle has no item \"{ref}\"",
          "改选本一件事中已有的事项",
          "choose an item of this bundle"),
    _code("E305", E, "未列出的材料", "Material not in the bundle",
          "本一件事的材料中没有“{ref}”",
          "\"{ref}\" is not one of the bundle's materials",
          "先在一件事的材料中添加这份材料（materials），再在事项的“需要的材料”中选它",
          "add the material to the bundle's materials first (materials), then tick it in the item's materials"),
    _code("E306", E, "未列出的字段", "Field not in the bundle",
          "本一件事的字段中没有“{ref}”",
          "\"{ref}\" is not one of the bundle's fields",
          "先在一件事的字段中添加这个字段（fields），再在事项的“需要的字段”中选它",
          "add the field to the bundle's fields first (fields), then tick it in the item's fields"),
    _code("E307", E, "重复的标识", "Same identifier twice",
          "有两个{kind}的标识都是“{id}”",
          "two of the {kind}s have the identifier \"{id}\"",
          "每个{kind}的标识（id）只能用一次：改掉其中一个，或删除重复的那个",
          "each {kind} needs its own identifier (id): change one, or remove the duplicate"),
    _code("E308", E, "未知的步骤负责方", "Unknown step owner",
          "环节负责方“{ref}”既不是部门目录中的部门，也不是 applicant（申请人）",
          "step owner \"{ref}\" is neither a catalogued department nor applicant",
          "“负责方”选部门目录中的部门；申请环节选申请人（applicant）",
          "choose a catalogued department as the owner, or the applicant (applicant) for the application step"),
    _code("E309", E, "示意值标记了不存在的键", "Illustrative marker names a missing key",
          "“示意值”（illustrative）列出了“{key}”，但这里只写了这些设置：{keys}",
          "the illustrative values (illustrative) list \"{key}\", but only these settings are written here: {keys}",
          "“示意值”只能列出这里已写出的设置（其值不是取自所引出处）；改正拼写，或删去这个名字",
          "list only settings written here (whose values are not from the cited source); "
          "correct the spelling or remove the name"),
    # --- E4xx: conditions ----------------------------------------------------------------
    _code("E401", E, "条件语法错误", "Condition syntax error",
          "条件写法有误：{problem}",
          "condition syntax error: {problem}",
          "在管理界面的条件编辑器中按问题选，不必手写；手写的写法示例：area_sqm > 300 or investment > 300000；"
          "not born_in_wedlock and register_with == \"father\"",
          "pick the questions in the admin's condition builder, or type it, e.g.: "
          "area_sqm > 300 or investment > 300000; not born_in_wedlock and register_with == \"father\""),
    _code("E402", E, "条件中有未知的情形", "Unknown situation in condition",
          "条件中的“{name}”不是本一件事的情形问题",
          "\"{name}\" in the condition is not a situation question of this bundle",
          "改用已有情形问题的标识（条件编辑器中可以按问题选），或先添加这个情形问题",
          "use the id of an existing situation question (the condition builder picks it by the question), or add the question first"),
    _code("E403", E, "条件中的类型不匹配", "Type mismatch in condition",
          "条件有误：{problem}",
          "the condition is wrong: {problem}",
          "{fix}",
          "{fix}"),
    _code("E404", E, "条件中的选项不存在", "Choice value does not exist",
          "问题“{question}”没有选项“{value}”",
          "the question \"{question}\" has no option \"{value}\"",
          "从它的选项中选一个：{allowed}",
          "choose one of its options: {allowed}"),
    _code("E405", E, "条件永远不成立", "Condition can never be true",
          "这个条件对任何回答都不成立：{condition}",
          "this condition is false for every possible answer: {condition}",
          "检查比较的方向和 and/or 是否写反；永远不成立的{what}永远不会用到",
          "check the comparison directions and and/or; the {what} would never apply"),
    _code("W406", W, "条件永远成立", "Condition is always true",
          "这个条件对任何回答都成立：{condition}",
          "this condition is true for every possible answer: {condition}",
          "清空这个条件（留空即所有情形都适用），或检查是否写错",
          "clear the condition (empty means every case), or check it for a mistake"),
    _code("E407", E, "情形引用了后面的情形", "Situation depends on a later one",
          "情形“{situation}”的“何时问”（when）引用了“{name}”，但“{name}”排在它后面",
          "situation \"{situation}\" asks depending on \"{name}\", which is not asked before it",
          "情形按顺序提问：把“{name}”移到“{situation}”之前",
          "situations are asked in order: move \"{name}\" before \"{situation}\""),
    _code("E408", E, "条件与上下文矛盾", "Condition contradicts its context",
          "{what}“{id}”的条件在{context}时永远不成立，它永远不会用到：{condition}",
          "the condition of {what} \"{id}\" is never true when {context}, so it never applies: {condition}",
          "检查这个条件与{context_fix}是否写反",
          "check this condition against {context_fix}"),
    _code("E409", E, "命名条件引用不当", "Named condition referred to wrongly", "{problem}",
          "{problem}", "命名条件只能用到情形问题和排在它前面的命名条件，名字也不能与情形问题相同：改名，或调整顺序",
          "a named condition may use situation questions and the named conditions before it, and may not share a "
          "question's name: rename it, or change the order"),
    _code("E410", E, "字段不能取自这个情形", "Field cannot take that situation's answer", "{problem}", "{problem}",
          "“取自情形问题的回答”（from_situation）选一个类型相同、在需要这个字段的每种情形下都会问到的情形",
          "name a situation of the same type that is asked in every case where the field is needed"),
    _code("E411", E, "跨字段规则写法不当", "Cross-field rule is wrong", "{problem}", "{problem}", "{fix}", "{fix}"),
    _code("E412", E, "跨字段规则永远不会检查", "Cross-field rule never applies",
          "规则“{rule}”用到的字段 {fields} 在{context}的任何情形下都不会同时填写，这条规则永远不会检查",
          "the fields {fields} of rule \"{rule}\" are never asked together {context}, so the rule is never checked",
          "检查这些字段、使用它们的事项和这条规则的条件（when）；按情形分开写成几条规则",
          "check the conditions (when) of these fields, of the items using them and of the rule; write one rule per "
          "case"),
    # --- E5xx: structure, order, responsibilities ------------------------------------------
    _code("E501", E, "依赖成环", "Dependency cycle",
          "事项之间的先后关系成环：{cycle}",
          "the items depend on each other in a cycle: {cycle}",
          "删除其中一条“必须在哪些事项之后”（after），或更正某份材料的“产出事项”（produced_by）；成环的事项永远无法开始",
          "remove one \"must follow\" entry (after), or correct a material's producing item (produced_by); items in a "
          "cycle can never start"),
    _code("E502", E, "材料的产出事项不产出它", "Producer does not produce it",
          "材料“{material}”写明由事项“{item}”产出，但该事项的“办理结果”（result.materials）中没有它",
          "material \"{material}\" is said to be produced by item \"{item}\", whose result (result.materials) does not "
          "list it",
          "在事项“{item}”的“办理结果”中加上“{catalogue_id}”，或更正材料的“产出事项”（produced_by）",
          "add \"{catalogue_id}\" to the result of item \"{item}\", or correct the material's producing item "
          "(produced_by)"),
    _code("E503", E, "承诺时限长于法定时限", "Promised limit exceeds statutory",
          "承诺时限 {promised} 个工作日长于法定时限 {statutory} 个工作日",
          "the promised limit of {promised} working days is longer than the statutory {statutory}",
          "承诺时限不得超过法定时限；改小承诺时限或更正法定时限",
          "the promised limit may not exceed the statutory one"),
    _code("E504", E, "配合部门没有职责", "Cooperating department has no duty",
          "配合部门“{department}”不负责任何事项或环节",
          "cooperating department \"{department}\" owns no item and no step",
          "让它作为某个事项的“办理部门”或某个环节的“负责方”，或把它从“配合部门”（cooperating_departments）中删除",
          "make it the department of an item or the owner of a step, or remove it from the cooperating departments "
          "(cooperating_departments)"),
    _code("E505", E, "牵头部门没有职责", "Lead department has no duty",
          "牵头部门“{department}”既不负责任何事项，也不负责任何环节（如一窗受理）",
          "lead department \"{department}\" owns no item and no step (such as intake)",
          "让牵头部门作为受理环节的“负责方”，或更正“牵头部门”（lead_department）",
          "make the lead department the owner of the intake step, or correct the lead department (lead_department)"),
    _code("E506", E, "环节负责部门与事项不符", "Step owner does not own the item",
          "环节“{step}”由“{owner}”负责，但事项“{item}”由“{department}”办理",
          "step \"{step}\" is owned by \"{owner}\" but item \"{item}\" is handled by \"{department}\"",
          "把事项放到“{department}”负责的办理环节中",
          "put the item in a handling step owned by \"{department}\""),
    _code("W507", W, "事项不在任何办理环节", "Item in no handling step",
          "事项“{item}”不在任何办理环节中",
          "item \"{item}\" is not handled in any handling step",
          "打开其办理部门负责的办理环节，把这个事项加进去",
          "open the handling step of its department and add the item to it"),
    _code("W508", W, "重复声明的先后关系", "Ordering stated twice",
          "事项“{item}”在“{after}”之后，这已由材料“{material}”的产出和使用推出，无需再填“必须在哪些事项之后”（after）",
          "item \"{item}\" already follows \"{after}\" through material \"{material}\"; this \"must follow\" entry "
          "(after) is redundant",
          "删除“必须在哪些事项之后”中的这一条；先后关系由“谁产出、谁使用”自动推出",
          "remove this \"must follow\" entry; the order follows from who produces and who uses the material"),
    _code("W509", W, "未被使用", "Declared but unused",
          "{kind}“{id}”没有被任何事项使用",
          "{kind} \"{id}\" is used by no item",
          "在需要它的事项中引用它，或删除它",
          "refer to it from the items that need it, or remove it"),
    _code("W510", W, "情形没有被使用", "Situation never used",
          "情形“{id}”没有被任何条件使用，问了也不影响结果",
          "situation \"{id}\" is used by no condition, so its answer changes nothing",
          "在相关事项、材料或资格条件的条件（when）中使用它，或删除这个问题",
          "use it in the condition (when) of an item, a material or an eligibility rule, or remove the question"),
    _code("E511", E, "材料来源信息不一致", "Material source is inconsistent",
          "材料“{material}”的“来源”为“{source_label}”（{source}）时不能填写“{key_label}”（{key}）",
          "material \"{material}\" is {source_label} ({source}), so it cannot have a {key_label} ({key})",
          "清空“{key_label}”，或把“来源”改为“{needed_label}”（{needed}）",
          "clear the {key_label}, or set the source to {needed_label} ({needed})"),
    _code("E512", E, "办理环节时限短于事项", "Step shorter than its item",
          "环节“{step}”的时限 {step_days} 个工作日短于事项“{item}”的承诺时限 {item_days} 个工作日",
          "step \"{step}\" has {step_days} working days, less than the {item_days} promised for item \"{item}\"",
          "延长该环节的时限，或缩短事项的承诺时限",
          "lengthen the step, or shorten the item's promised limit"),
    _code("E513", E, "缺少受理环节", "No intake step",
          "没有“环节类型”为“受理”的环节（kind: intake），案件无人接收",
          "there is no intake step (kind: intake), so nobody receives the case",
          "添加一个由牵头部门负责的受理环节（一窗受理）",
          "add an intake step owned by the lead department"),
    _code("E514", E, "产出材料的事项可能不办理", "Producer may not run",
          "材料“{material}”由{producers}产出，但在这种情形下需要它而产出事项都不办理：{case}",
          "material \"{material}\" is produced by {producers}, but in this case it is needed and no producer runs: "
          "{case}", "让产出事项在需要它的情形下都办理，或给材料或使用它的事项加上相应的条件（when），或把“来源”改为“申请人提交”",
          "make a producer run wherever the material is needed, narrow the condition (when) of the material or its "
          "users, or set the source to submitted by the applicant"),
    _code("E515", E, "合并办理写法不当", "Combined handling is wrong", "{problem}", "{problem}",
          "“合并办理”（combined_with）选另一个由同一部门办理、自身不与别的事项合并办理的事项", "combine it with "
          "(combined_with) another item of the same department that is not itself combined with a third"),
    # --- E6xx: region files and working-day calendars (docs/bundle-format.md, docs/working-days.md) --------------
    _code("E601", E, "地区代码与文件名不一致", "Region code does not match file name", "地区代码“{region}”与文件名“{stem}”不一致",
          "region code \"{region}\" does not match the file name \"{stem}\"",
          "把文件改名为 regions/{region}.yaml，或改正“地区代码”（code）",
          "rename the file to regions/{region}.yaml or correct the region code (code)"),
    _code("E602", E, "上级地区不对", "Wrong parent region", "{problem}", "{problem}", "{fix}", "{fix}"),
    _code("E603", E, "地区文件引用了未知的对象", "Unknown reference in a region file", "{where}没有{kind}“{ref}”",
          "{where} has no {kind} \"{ref}\"", "改成已有的{kind}（可用的有：{known}）",
          "use an existing {kind} (these exist: {known})"),
    _code("E604", E, "地区差异不利于群众", "Regional deviation against citizens", "{what}（{rule}）", "{what} ({rule})",
          "只能缩短时限、减少材料、减少跑动、增加送达方式；删除这项差异或改为便民方向", "{fix_en}"),
    _code("W605", W, "部门角色没有本地机构", "No local agency for a department role",
          "一件事用到的 {count} 个部门角色在本地区及其上级都没有绑定机构：{roles}", "{count} department roles the bundles "
          "use have no agency in this region or above it: {roles}", "在 agencies 下为这些部门角色写上机构（本级写，或由上级继承）",
          "add agencies for these roles under agencies (here, or in a region above to inherit)"),
    _code("W606", W, "按情形的标准比地区更便民", "A case of the standard is better than the region's value",
          "{what}：这一情形仍按标准办理", "{what}: that case keeps the standard's value",
          "不必改动；若要本地的值在每一种情形下都适用，把它改得与这一情形的标准一样便民或更便民",
          "nothing needs changing; for the region's value to apply in every case, make it at least as favourable "
          "as the standard's in that case"),
    _code("E620", E, "工作日日历有误", "Working-day calendar problem", "{problem}", "{problem}", "{fix}", "{fix}"),
    # --- E9xx: the configurator itself ------------------------------------------------------
    _code("E900", E, "内部错误", "Internal error",
          "配置器内部错误（{error}），这不是你的错",
          "internal error in the configurator ({error}); this is not your fault",
          "请把这个文件和这条信息报告给配置器的维护者",
          "please report this file and this message to the configurator maintainers"),
]

CODES: dict[str, ErrorCode] = {entry.code: entry for entry in _CATALOGUE}
assert len(CODES) == len(_CATALOGUE), "duplicate error code in the catalogue"

_DID_YOU_MEAN = {"zh-CN": "（是不是想写“{suggestion}”？）", "en": " (did you mean \"{suggestion}\"?)"}


@dataclass(frozen=True)
class Diagnostic:
    """One problem, at one place. Text is rendered on demand, in the reader's language."""

    code: str
    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    path: tuple[str | int, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    # Id → name in each language (language/naming): the words name things, the params keep the ids.
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        lang = _language(lang)
        text = _fill(CODES[self.code].message[lang], self.params, lang, self.names)
        if self.params.get("suggestion"):
            text += _fill(_DID_YOU_MEAN[lang], self.params, lang)
        return text

    def fix(self, lang: str = DEFAULT_LANGUAGE) -> str:
        lang = _language(lang)
        return _fill(CODES[self.code].fix[lang], self.params, lang, self.names)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message(lang),
            "fix": self.fix(lang),
            "path": "/" + "/".join(str(part) for part in self.path) if self.path else "",
        }


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


class _KeepMissing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def localized(zh: str, en: str) -> dict[str, str]:
    """A parameter value that differs by language (rendered in the reader's language)."""
    return {"zh-CN": zh, "en": en}


def listing(values: Iterable[str]) -> dict[str, str]:
    """A list of values as a parameter: 、-separated in Chinese, comma-separated in English."""
    values = list(values)
    return localized("、".join(values), ", ".join(values))


def _fill(template: str, params: Mapping[str, Any], lang: str, names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    values = _KeepMissing(
        (key, _named(key, value[lang] if isinstance(value, dict) and lang in value else value, lang, names or {}))
        for key, value in params.items()
    )
    return template.format_map(values)


# Parameters that hold condition text or what the official typed, never a reference to rename.
_VERBATIM = {"condition", "value", "found", "key", "keys", "allowed", "tag", "pattern", "filename",
             "suggestion"}  # "did you mean …" offers what to type in place of a mistyped id
_SEPARATORS = re.compile(r"( → |、|, | \+ |＋)")
_QUOTED = re.compile(r"(“)([^“”]+)(”)|(\")([^\"]+)(\")")


def _named(key: str, value: Any, lang: str, names: Mapping[str, Mapping[str, str]]) -> Any:
    """A parameter in words: an id that names one thing becomes its name (ids joined as a list or
    a cycle, each; ids quoted in a sentence a check wrote, each)."""
    if not names or key in _VERBATIM or not isinstance(value, str):
        return value
    parts = _SEPARATORS.split(value)
    if all(part in names for part in parts[::2]):
        return "".join(names[p][lang] if i % 2 == 0 else p for i, p in enumerate(parts))

    def swap(match: re.Match[str]) -> str:
        inner = match.group(2) if match.group(1) else match.group(5)
        return match.group(0).replace(inner, names[inner][lang]) if inner in names else match.group(0)
    return _QUOTED.sub(swap, value)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by place, each problem once (two checks may meet the same mistake)."""
    unique: dict[tuple[Any, ...], Diagnostic] = {}
    for diagnostic in diagnostics:
        identity = (
            diagnostic.code, diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.path,
            tuple(sorted((key, str(value)) for key, value in diagnostic.params.items())),
        )
        unique.setdefault(identity, diagnostic)
    return sorted(unique.values(), key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
