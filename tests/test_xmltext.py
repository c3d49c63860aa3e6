"""The BPMN writers' serializer writes exactly what ElementTree's does."""

import copy
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.writers.bpmn import process_xml
from configurator.writers.camunda8 import ZEEBE_DIALECT
from configurator.writers.xmltext import to_text
from tests.compile_helpers import SHIPPED_IDS, compiled


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_every_shipped_process_reads_back_to_the_same_text_as_elementtree_writes(bundle_id):
    for dialect in (None, ZEEBE_DIALECT):
        text = process_xml(compiled(bundle_id)) if dialect is None else process_xml(compiled(bundle_id), dialect)
        root = ET.fromstring(text.encode("utf-8"))
        assert to_text(root) == ET.tostring(root, encoding="unicode")


NAMES = st.sampled_from(["a", "b", "{urn:x}c", "{http://www.omg.org/spec/BPMN/20100524/MODEL}task",
                         "{urn:unregistered}d", "{urn:other}e"])
TEXTS = st.one_of(st.none(), st.text(alphabet='ab<>&"\'\r\n\t 是', max_size=6))


@st.composite
def trees(draw, depth=0):
    element = ET.Element(draw(NAMES), {draw(NAMES): draw(st.text(alphabet='x<>&"\r\n\t 是', max_size=5))
                                       for _ in range(draw(st.integers(0, 3)))})
    element.text, element.tail = draw(TEXTS), draw(TEXTS)
    if depth < 3:
        element.extend(draw(st.lists(trees(depth + 1), max_size=3)))
    return element


@settings(deadline=None)
@given(trees())
def test_generated_trees_are_written_as_elementtree_writes_them(root):
    assert to_text(root) == ET.tostring(root, encoding="unicode")


@settings(deadline=None)
@given(trees())
def test_text_put_before_the_end_tag_lands_where_splicing_elementtree_text_puts_it(root):
    """``head``, ``before_end`` and ``tail`` are joined in once, where the BPMN writer used to splice them."""
    if not len(root) and not root.text:
        return  # written as <root />: nothing to put anything before
    text = ET.tostring(root, encoding="unicode")
    end = text.rindex("</")
    expected = "<?xml?>\n" + text[:end] + "  <x/>\n" + text[end:] + "\n"
    assert to_text(root, head="<?xml?>\n", before_end="  <x/>\n", tail="\n") == expected


WHITESPACE = st.sampled_from([None, "", " ", "\n", "\n  ", "\t"])


@st.composite
def spaced_trees(draw, depth=0):
    """Trees whose texts and tails are often whitespace only, as ET.indent replaces them."""
    element = draw(trees(3))
    element.text, element.tail = draw(st.one_of(WHITESPACE, TEXTS)), draw(st.one_of(WHITESPACE, TEXTS))
    if depth < 3:
        element.extend(draw(st.lists(spaced_trees(depth + 1), max_size=3)))
    return element


@settings(deadline=None)
@given(spaced_trees(), st.sampled_from(["  ", "\t", ""]))
def test_indenting_while_writing_gives_what_et_indent_then_tostring_give(root, space):
    expected_tree = copy.deepcopy(root)
    ET.indent(expected_tree, space)
    before = ET.tostring(root, encoding="unicode")
    assert to_text(root, indent=space) == ET.tostring(expected_tree, encoding="unicode")
    assert ET.tostring(root, encoding="unicode") == before  # the tree itself is left as it was
