"""Words and phrases the writers share (notice, form schema, explain, the admin's choices):
one place for each label, so the notice and the form never name the same thing two ways."""

from __future__ import annotations

from typing import Any

from configurator.model import BundleMaterial
from configurator.planning.compiled import Compiled

SOURCE = {
    "applicant": "由申请人提交",
    "shared": "通过数据共享获取，无需提交",
    "produced": "由本一件事中前面的事项产生，无需提交",
    "generated": "由系统根据申请信息生成，无需提交",
}
FORM = {"original": "原件", "copy": "复印件", "electronic": "电子文件", "original_and_copy": "原件和复印件"}
REQUIREMENT = {"required": "必需", "optional": "可选", "deferrable": "可容缺（先受理，承诺后补）"}
DELIVERY = {"window": "窗口领取", "post": "邮寄送达", "e_licence": "电子证照", "online": "网上查看"}



def answer_text(compiled: Compiled, situation_id: str, value: Any) -> str:
    situation = next(s for s in compiled.bundle.situations if s.id == situation_id)
    labels = {o.value: compiled.text(o.label) for o in situation.options}
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(labels.get(v, str(v)) for v in value) or "（未选）"
    return labels.get(value, str(value))


def material_form(material: BundleMaterial) -> str:
    return f"{FORM[material.form]} {material.count} 份" if material.form else f"{material.count} 份"


def material_source(compiled: Compiled, material: BundleMaterial) -> str:
    text = SOURCE[material.source]
    if material.source == "shared" and material.shared_from:
        department = compiled.department_name(material.shared_from)
        text = (f"通过{department}的电子证照获取，无需提交" if material.channel == "e_licence"
                else f"由{department}通过数据共享提供，无需提交")
    if material.source == "produced" and material.produced_by:
        names = "或".join(compiled.text(i.name) for i in compiled.bundle.items if i.id in material.produced_by)
        text = f"由“{names}”产生，无需提交"
    return text
