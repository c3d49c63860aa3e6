"""The WTForms forms of the admin's editing pages, with the choices they offer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

# --------------------------------------------------------------------------- structured forms


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemForm(FlaskForm):
    version = StringField()
    name = StringField("事项名称")
    code = StringField("事项编码", validators=[Optional()])
    department = SelectField("办理部门")
    promised = IntegerField("承诺时限（工作日）", validators=[NumberRange(min=0, message="不能为负数")])
    statutory = IntegerField("法定时限（工作日）", validators=[Optional(), NumberRange(min=0, message="不能为负数")])
    visits = IntegerField("单独办理时到现场次数", validators=[NumberRange(min=0, message="不能为负数")])
    steps = IntegerField("单独办理时的环节数", validators=[NumberRange(min=1, message="至少 1 个")])
    when = StringField("何时办理（条件，留空为所有情形）", validators=[Optional()])
    fields = Checkboxes("需要的字段", validate_choice=False)
    materials = Checkboxes("需要的材料", validate_choice=False)
    after = TextAreaField("必须在哪些事项之后（每行：事项 id：理由；使用前面事项产出的材料时无需填写）",
                          validators=[Optional()])



SOURCE_CHOICES = [SelectChoice(value, label) for value, label in (
    ("applicant", "申请人提交"),
    ("shared", "数据共享/电子证照（免提交）"),
    ("produced", "前面事项产出（免提交）"),
    ("generated", "系统生成（免提交）"),
)]

FORM_CHOICES = [SelectChoice(value, label) for value, label in (
    ("", "（不限）"),
    ("original", "原件"),
    ("copy", "复印件"),
    ("electronic", "电子文件"),
    ("original_and_copy", "原件和复印件"),
)]

REQUIREMENT_CHOICES = [SelectChoice(value, label) for value, label in (
    ("required", "必需"),
    ("optional", "可选"),
    ("deferrable", "容缺"),
)]


class MaterialForm(FlaskForm):
    version = StringField()
    id = StringField("材料 id（小写字母、数字、下划线）")
    material = SelectField("材料目录中的材料")
    name = StringField("本一件事中的名称（可选）", validators=[Optional()])
    source = SelectField("来源", choices=SOURCE_CHOICES)
    shared_from = SelectField("共享部门（来源为共享时）", validators=[Optional()])
    produced_by = SelectField("产出事项（来源为产出时）", validators=[Optional()])
    form = SelectField("形式", choices=FORM_CHOICES, validators=[Optional()])
    count = IntegerField("份数", default=1, validators=[NumberRange(min=1, message="至少 1 份")])
    requirement = SelectField("要求", choices=REQUIREMENT_CHOICES)
    when = StringField("何时需要（条件，留空为所有情形）", validators=[Optional()])
    used_by = Checkboxes("由哪些事项使用", validate_choice=False)


