"""The faster attribute writer of form.html's inputs writes what WTForms' own writes."""

from hypothesis import given, settings
from hypothesis import strategies as st
from wtforms.widgets import html_params as wtforms_html_params

from configurator.writers.widgets import html_params

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
