"""WTForms input widgets with a faster attribute writer, byte for byte the same HTML; and the
HTML those widgets write for an unanswered input, written without a WTForms form at all.

WTForms writes each attribute through ``Markup('{k}="{v}"').format(...)``, i.e. Python's
``string.Formatter`` once per attribute of every input and every option: three quarters of
the time of form.html for a big bundle. ``html_params`` below writes the same text with the
same escaping (markupsafe's, C-accelerated) in one f-string per attribute; tests/test_widgets.py
checks it against WTForms' own on generated attributes.

form.html (the empty form every compile writes) needs no form object: building the WTForms
form and rendering a field through it cost most of that artifact's time. ``blank_input``,
``blank_textarea`` and ``blank_option`` write what ``FAST_TEXT``, ``TextArea``,
``FAST_RADIO`` and ``FAST_CHECKBOX`` write for a field nothing was posted to (WTForms 3:
the id is the name, an option's id is ``<name>-<index>``, ``render_kw`` under the call's
attributes); tests/test_widgets.py compares the pages written both ways for every bundle.
"""

from __future__ import annotations

import functools
from typing import Any

from markupsafe import Markup, escape
from wtforms.widgets import CheckboxInput, RadioInput, TextInput
from wtforms.widgets.core import clean_key


@functools.lru_cache(maxsize=512)
def _name(key: str) -> str:
    """An attribute's name as WTForms writes it (a few dozen distinct keys; bounded, keyed by the text)."""
    return str(escape(clean_key(key)))


def _value(value: Any) -> str:
    """``markupsafe.escape(value)`` as text; plain text and numbers without making a Markup."""
    if type(value) is str:  # noqa: E721 (exactly str: Markup and other __html__ objects go to markupsafe)
        text = value
    elif type(value) in (int, float):  # noqa: E721 (not bool, which never gets here)
        return str(value)
    else:
        return str(escape(value))
    if "&" in text:
        text = text.replace("&", "&amp;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    if '"' in text:
        text = text.replace('"', "&#34;")
    return text


def attributes_text(params: dict[str, Any]) -> str:
    """The text of ``html_params(**params)``, as a plain string."""
    written: list[str] = []
    for key in sorted(params):
        value = params[key]
        if value is True:
            written.append(_name(key))
        elif value is not False:
            written.append(f'{_name(key)}="{_value(value)}"')
    return " ".join(written)


def html_params(**kwargs: Any) -> Markup:
    """What ``wtforms.widgets.html_params`` returns for the same arguments."""
    return Markup(attributes_text(kwargs))


def blank_input(name: str, render_kw: dict[str, Any] | None, attributes: dict[str, Any]) -> str:
    """``<input>`` of an unanswered text-like field."""
    params = {"id": name, "type": "text", "value": "", **(render_kw or {}), **attributes, "name": name}
    return f"<input {attributes_text(params)}>"


def blank_textarea(name: str, render_kw: dict[str, Any] | None, attributes: dict[str, Any]) -> str:
    """``<textarea>`` of an unanswered field (WTForms starts its content with a line break)."""
    params = {"id": name, **(render_kw or {}), **attributes, "name": name}
    return f"<textarea {attributes_text(params)}>\r\n</textarea>"


def blank_option(name: str, index: int, value: str, kind: str, attributes: dict[str, Any]) -> str:
    """One unticked radio button or checkbox (``kind``) of a field's options."""
    params = {"id": f"{name}-{index}", "type": kind, "value": value, **attributes, "name": name}
    return f"<input {attributes_text(params)}>"


class FastTextInput(TextInput):  # type: ignore[misc]  # WTForms has no type hints
    html_params = staticmethod(html_params)


class FastRadioInput(RadioInput):  # type: ignore[misc]  # WTForms has no type hints
    html_params = staticmethod(html_params)


class FastCheckboxInput(CheckboxInput):  # type: ignore[misc]  # WTForms has no type hints
    html_params = staticmethod(html_params)



# One instance each: widgets keep no state between calls.
FAST_TEXT = FastTextInput()
FAST_RADIO = FastRadioInput()
FAST_CHECKBOX = FastCheckboxInput()
