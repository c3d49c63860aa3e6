"""WTForms input widgets with a faster attribute writer, byte for byte the same HTML.

WTForms writes each attribute through ``Markup('{k}="{v}"').format(...)``, i.e. Python's
``string.Formatter`` once per attribute of every input and every option: three quarters of
the time of form.html for a big bundle. ``html_params`` below writes the same text with the
same escaping (markupsafe's, C-accelerated) in one f-string per attribute; tests/test_widgets.py
checks it against WTForms' own on generated attributes.
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


def html_params(**kwargs: Any) -> Markup:
    """What ``wtforms.widgets.html_params`` returns for the same arguments."""
    params: list[str] = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(_name(key))
        elif value is not False:
            params.append(f'{_name(key)}="{escape(value)}"')
    return Markup(" ".join(params))


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
