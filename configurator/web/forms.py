"""The WTForms forms of the admin's editing pages, with the choices they offer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from configurator.authoring.formedits import unprintable

NOT_NEGATIVE = lazy_gettext("不能为负数")


def plain_text(form: FlaskForm, field: Any) -> None:
    """No control characters (a pasted NUL): git refuses them in the commit message, YAML in the file."""
    if isinstance(field.data, str) and unprintable(field.data):
        raise ValidationError(gettext("这里有看不见的控制字符（如 NUL，多由复制粘贴带入），请删除后再保存；没有保存任何内容。"))


def named(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(id, what a picker shows) for (id, name) pairs: the name alone, as the official knows the
    entry; only where two entries share a name is the id added to tell them apart (the pinyin id
    is nobody's word for a department or a material)."""
    pairs = list(pairs)
    counts = Counter(name for _, name in pairs)
    pattern = gettext("%(name)s（%(id)s）") if any(n > 1 for n in counts.values()) else ""
    return [(entry_id, pattern % {"name": name, "id": entry_id} if counts[name] > 1 else name) for entry_id, name in pairs]


def picked(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """A WTForms field's choices, labelled as ``named`` labels them."""
    return [SelectChoice(value, label) for value, label in named(pairs)]


def shown_section(spec: dict[str, Any]) -> dict[str, Any]:
    """A section form's spec (configurator/authoring/formedits.py, marked N_) with its title and labels translated."""
    return {**spec, "title": gettext(spec["title"]),
            **{part: [(key, gettext(label), kind) for key, label, kind in spec[part]] for part in ("keys", "new") if part in spec}}

# --------------------------------------------------------------------------- structured forms


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemForm(FlaskForm):
    version = StringField()
    name = StringField(lazy_gettext("事项名称"), validators=[plain_text])
    code = StringField(lazy_gettext("事项编码"), validators=[Optional(), plain_text])
    department = SelectField(lazy_gettext("办理部门"))
    promised = IntegerField(lazy_gettext("承诺时限（工作日）"), validators=[NumberRange(min=0, message=NOT_NEGATIVE)])
    statutory = IntegerField(lazy_gettext("法定时限（工作日）"), validators=[Optional(), NumberRange(min=0, message=NOT_NEGATIVE)])
    visits = IntegerField(lazy_gettext("单独办理时到现场次数"), validators=[NumberRange(min=0, message=NOT_NEGATIVE)])
    steps = IntegerField(lazy_gettext("单独办理时的环节数"), validators=[NumberRange(min=1, message=lazy_gettext("至少 1 个"))])
    when = StringField(lazy_gettext("何时办理（条件，留空为所有情形）"), validators=[Optional(), plain_text])
    fields = Checkboxes(lazy_gettext("需要的字段"), validate_choice=False)
    materials = Checkboxes(lazy_gettext("需要的材料"), validate_choice=False)
    after = TextAreaField(lazy_gettext("必须在哪些事项之后（每行：事项 id：理由；使用前面事项产出的材料时无需填写）"),
                          validators=[Optional(), plain_text])



SOURCE_CHOICES = [SelectChoice(value, label) for value, label in (
    ("applicant", lazy_gettext("申请人提交")),
    ("shared", lazy_gettext("数据共享/电子证照（免提交）")),
    ("produced", lazy_gettext("前面事项产出（免提交）")),
    ("generated", lazy_gettext("系统生成（免提交）")),
)]

FORM_CHOICES = [SelectChoice(value, label) for value, label in (
    ("", lazy_gettext("（不限）")),
    ("original", lazy_gettext("原件")),
    ("copy", lazy_gettext("复印件")),
    ("electronic", lazy_gettext("电子文件")),
    ("original_and_copy", lazy_gettext("原件和复印件")),
)]

REQUIREMENT_CHOICES = [SelectChoice(value, label) for value, label in (
    ("required", lazy_gettext("必需")),
    ("optional", lazy_gettext("可选")),
    ("deferrable", lazy_gettext("容缺")),
)]


class MaterialForm(FlaskForm):
    version = StringField()
    id = StringField(lazy_gettext("标识（id）：不用填写，选了目录中的材料就用它的标识，否则根据名称生成"), validators=[plain_text])
    material = SelectField(lazy_gettext("材料目录中的材料"))
    name = StringField(lazy_gettext("本一件事中的名称（可选）"), validators=[Optional(), plain_text])
    source = SelectField(lazy_gettext("来源"), choices=SOURCE_CHOICES)
    shared_from = SelectField(lazy_gettext("共享部门（来源为共享时）"), validators=[Optional()])
    produced_by = SelectField(lazy_gettext("产出事项（来源为产出时）"), validators=[Optional()])
    form = SelectField(lazy_gettext("形式"), choices=FORM_CHOICES, validators=[Optional()])
    count = IntegerField(lazy_gettext("份数"), default=1, validators=[NumberRange(min=1, message=lazy_gettext("至少 1 份"))])
    requirement = SelectField(lazy_gettext("要求"), choices=REQUIREMENT_CHOICES)
    when = StringField(lazy_gettext("何时需要（条件，留空为所有情形）"), validators=[Optional(), plain_text])
    used_by = Checkboxes(lazy_gettext("由哪些事项使用"), validate_choice=False)


