"""form.html: the merged form rendered by WTForms, as a citizen sees it.

A self-contained page (no external assets). Conditional questions, fields and uploads carry
``data-when`` (the JsonLogic rule of form.ui.json) and a few lines of script show or hide
them as the applicant answers; without script everything is shown. Validation of a post is
``webform.form_class(...)(formdata).validate()``, which agrees with form.schema.json.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from configurator.planning.compiled import Compiled
from configurator.writers.document import page
from configurator.writers.form_ui import form_ui
from configurator.writers.form_wtforms import form_class

_GROUP_TITLES = {"situations": "第一步：回答几个问题", "fields": "第二步：填写申请信息", "uploads": "第三步：上传材料"}

_SCRIPT = """
(function () {
  function answers(form) {
    var data = {};
    form.querySelectorAll('[name^="situations-"]').forEach(function (input) {
      var key = input.name.slice(11);
      if ((input.type === 'radio' || input.type === 'checkbox') && !input.checked) return;
      var value = input.value;
      if (value === '') return;
      if (input.type === 'checkbox') { (data[key] = data[key] || []).push(value); return; }
      if (value === 'true') value = true; else if (value === 'false') value = false;
      else if (input.dataset.number !== undefined && !isNaN(Number(value))) value = Number(value);
      data[key] = value;
    });
    return data;
  }
  function truth(rule, data) {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return rule;
    var op = Object.keys(rule)[0], args = [].concat(rule[op]);
    var v = function (i) { return truth(args[i], data); };
    switch (op) {
      case 'var': return data.hasOwnProperty(args[0]) ? data[args[0]] : null;
      case 'and': return args.every(function (a) { return truth(a, data); });
      case 'or': return args.some(function (a) { return truth(a, data); });
      case '!': return !truth(args[0], data);
      case '===': return v(0) === v(1);
      case '!==': return v(0) !== v(1);
      case '<': return v(0) < v(1);
      case '<=': return v(0) <= v(1);
      case '>': return v(0) > v(1);
      case '>=': return v(0) >= v(1);
      case 'in': var b = v(1); return !!b && b.indexOf(v(0)) !== -1;
    }
    return false;
  }
  function refresh(form) {
    var data = answers(form);
    form.querySelectorAll('[data-when]').forEach(function (row) {
      row.hidden = !truth(JSON.parse(row.dataset.when), data);
    });
    form.querySelectorAll('fieldset').forEach(function (section) {
      var rows = section.querySelectorAll('.row');
      section.hidden = rows.length > 0 && Array.prototype.every.call(rows, function (r) { return r.hidden; });
    });
  }
  document.querySelectorAll('form.application').forEach(function (form) {
    form.addEventListener('change', function () { refresh(form); });
    refresh(form);
  });
})();
"""

_STYLE = """
body { max-width: 48rem; }
fieldset { border: 1px solid #ddd; border-radius: 6px; margin: 1.5rem 0; padding: 1rem 1.2rem; }
legend { font-weight: bold; color: #b71c1c; padding: 0 .4rem; }
.row { margin: .9rem 0; }
.row > label, .row > .label { display: block; font-weight: 600; margin-bottom: .25rem; }
.required::after { content: " *"; color: #b71c1c; }
.help { color: #555; font-size: .9rem; }
input[type=text], input[type=tel], input[type=email], input[type=date], textarea, select { width: 100%;
  max-width: 32rem; padding: .4rem; border: 1px solid #aaa; border-radius: 4px; font-size: 1rem; }
ul.choices { list-style: none; padding: 0; margin: 0; }
ul.choices li { display: inline-block; margin-right: 1.2rem; }
.errors { color: #b71c1c; } .warning { color: #8a6d00; }
button { background: #b71c1c; color: #fff; border: 0; border-radius: 4px; padding: .6rem 1.6rem; font-size: 1rem; }
"""


def _row(field: Any, when: Any, required: bool) -> str:
    render = field.render_kw or {}
    attributes = f' data-when="{escape(json.dumps(when, ensure_ascii=False))}"' if when is not None else ""
    label_class = ' class="required"' if required else ""
    if field.type in ("RadioField", "SelectMultipleField") and not render.get("data-upload"):
        widget = field(class_="choices")
        label = f'<span class="label"><span{label_class}>{escape(field.label.text)}</span></span>'
    elif render.get("data-upload"):
        widget = (f'<input type="file" name="{escape(field.name)}" id="{escape(field.id)}" multiple>')
        label = f'<label for="{escape(field.id)}"{label_class}>{escape(field.label.text)}</label>'
    else:
        extra = {"data-number": ""} if render.get("inputmode") in ("numeric", "decimal") else {}
        widget = field(**extra)
        label = f'<label for="{escape(field.id)}"{label_class}>{escape(field.label.text)}</label>'
    help_text = f'<div class="help">{escape(field.description)}</div>' if field.description else ""
    errors = "".join(f'<div class="errors">{escape(e)}</div>' for e in field.errors)
    return f'<div class="row"{attributes}>{label}{widget}{help_text}{errors}</div>'


def render_form_page(compiled: Compiled, form: Any = None, action: str = "") -> str:
    """The whole page; ``form`` is a bound form (after a post) or None for an empty one."""
    form = form if form is not None else form_class(compiled)()
    ui = form_ui(compiled)
    bundle = compiled.bundle
    required_situations = {s.id for s in bundle.situations if not s.allow_none}
    sections = []
    for group in ("situations", "fields", "uploads"):
        rows = []
        for key in ui[group]["ui:order"]:
            field = form[f"{group}-{key}"]
            when = ui[group].get(key, {}).get("ui:options", {}).get("when")
            if group == "situations":
                required = key in required_situations
            elif group == "fields":
                required = compiled.fields[key].required
            else:
                material = bundle.material(key)
                required = material is not None and material.requirement == "required"
            rows.append(_row(field, when, required))
        if rows:
            sections.append(f"<fieldset><legend>{escape(_GROUP_TITLES[group])}</legend>{''.join(rows)}</fieldset>")
    form_errors = "".join(f'<p class="errors">{escape(e)}</p>' for e in getattr(form, "form_errors", []))
    summary = f"<p>{escape(compiled.text(bundle.summary))}</p>" if bundle.summary else ""
    title = f"{compiled.text(bundle.name)} · 一表申请"
    body = (f"<h1>{escape(title)}</h1>\n{summary}\n{form_errors}\n"
            f'<form class="application" method="post" action="{escape(action)}" enctype="multipart/form-data">\n'
            f"{''.join(sections)}\n<p><button type=\"submit\">提交申请</button></p>\n</form>")
    return page(compiled.lang, title, body, style=_STYLE, script=_SCRIPT)


def write_form_html(compiled: Compiled) -> str:
    return render_form_page(compiled)
