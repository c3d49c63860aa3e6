"""An ElementTree tree as text: exactly what ``ET.tostring(root, encoding="unicode")`` writes,
in about a third of the time, for the trees the BPMN writers build.

The standard serializer walks the tree twice (once to find the namespaces, once to write) and
calls a function per element, attribute and text; for a big bundle's process that was most of
the BPMN writers' time. This one writes in one pass and puts the namespace declarations on the
root afterwards, in the order ElementTree would (sorted by prefix; a prefix from
``ET.register_namespace``, else ``ns<n>`` in order of first use). Comments, processing
instructions and ``QName`` objects are not supported: such a tree goes to ElementTree itself.
tests/test_xmltext.py compares the two on every shipped bundle's processes and on generated trees.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from collections.abc import Callable


class _Unsupported(Exception):
    pass


def _escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_attribute(text: str) -> str:
    text = _escape_text(text)  # "&" first, as in text; then what only an attribute value must escape
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def to_text(root: ET.Element, namespaces: tuple[str, ...] = (), *, head: str = "", before_end: str = "",
            tail: str = "", indent: str | None = None) -> str:
    """The tree as text; ``namespaces`` (registered URIs) are declared on the root as if the tree
    used them, for text the caller adds to it: ``before_end`` goes right before the root's end
    tag (writers/bpmn_diagram.py), ``head`` before everything and ``tail`` after (one join, no
    copies of a big document to splice them in). ``indent``: the text as ``ET.indent(root, indent)``
    would make it, written in the same pass (the tree is left as it is)."""
    try:
        return _Writer(namespaces).write(root, head, before_end, tail, indent)
    except _Unsupported:
        if namespaces:  # ElementTree cannot declare what the tree does not use
            raise ValueError("a tree with extra namespaces must be one the fast writer supports") from None
        if indent is not None:
            root = copy.deepcopy(root)
            ET.indent(root, indent)
        text = ET.tostring(root, encoding="unicode")
        end = text.rindex("</") if before_end and (len(root) or root.text) else len(text)
        return head + text[:end] + before_end + text[end:] + tail


class _Writer:
    def __init__(self, namespaces: tuple[str, ...] = ()) -> None:
        self.qnames: dict[str, str] = {}
        self.namespaces: dict[str, str] = {}  # uri → prefix, in order of first use
        self.parts: list[str] = []
        self.breaks: list[str] | None = None
        self.indent = ""
        for uri in namespaces:
            self._qname(f"{{{uri}}}_")

    def _qname(self, name: object) -> str:
        if not isinstance(name, str) or isinstance(name, ET.QName):
            raise _Unsupported
        found = self.qnames.get(name)
        if found is not None:
            return found
        if name[:1] == "{":
            uri, local = name[1:].rsplit("}", 1)
            prefix = self.namespaces.get(uri)
            if prefix is None:
                prefix = ET.register_namespace._namespace_map.get(uri)  # type: ignore[attr-defined]
                if prefix is None:
                    prefix = f"ns{len(self.namespaces)}"
                if prefix != "xml":
                    self.namespaces[uri] = prefix
            found = f"{prefix}:{local}" if prefix else local
        else:
            found = name
        self.qnames[name] = found
        return found

    def write(self, root: ET.Element, head: str = "", before_end: str = "", tail: str = "",
              indent: str | None = None) -> str:
        parts = self.parts
        self.breaks = None if indent is None else ["\n"]  # per depth, "\n" and the indentation there
        self.indent = indent or ""
        self._element(root, parts.append, self.qnames, {}, 0)
        # the root's start tag is parts[0] + parts[1:attributes]; declarations go right after its name
        declarations = "".join(f' xmlns{":" + prefix if prefix else ""}="{escape_attribute(uri)}"'
                               for uri, prefix in sorted(self.namespaces.items(), key=lambda entry: entry[1]))
        parts[0] = head + parts[0] + declarations
        if before_end:
            if len(root) or root.text:  # parts[-1] is the root's end tag
                parts.insert(len(parts) - 1, before_end)
            else:  # written as <root ... />: nothing inside to put it before
                raise _Unsupported
        if root.tail:
            parts.append(_escape_text(root.tail))
        parts.append(tail)
        return "".join(parts)

    def _element(self, element: ET.Element, write: Callable[[str], None], qnames: dict[str, str],
                 escaped: dict[str, str], depth: int) -> None:
        """One element and what it holds, not its tail (its parent writes that). ``escaped``
        memoizes attribute values (names, types and flow ids recur); text that is only
        whitespace needs no escaping. With ``indent``, whitespace-only text and tails around
        children are replaced as ``ET.indent`` replaces them, without a pass of its own."""
        tag = qnames.get(element.tag) or self._qname(element.tag)
        write("<" + tag)
        for key, value in element.items():
            if type(value) is not str:  # noqa: E721 (exactly str: a QName or a number goes to ElementTree)
                raise _Unsupported
            written = escaped.get(value)
            if written is None:
                written = escaped[value] = escape_attribute(value)
            write(f' {qnames.get(key) or self._qname(key)}="{written}"')
        text = element.text
        count = len(element)
        if not count:
            if text:
                write(">")
                write(text if text.isspace() else _escape_text(text))
                write("</" + tag + ">")
            else:
                write(" />")
            return
        breaks = self.breaks
        inner = outer = ""
        if breaks is not None:
            while len(breaks) < depth + 2:
                breaks.append(breaks[-1] + self.indent)
            inner, outer = breaks[depth + 1], breaks[depth]
            if not text or text.isspace():
                text = inner
        write(">")
        if text:
            write(text if text.isspace() else _escape_text(text))
        last = count - 1
        for index, child in enumerate(element):
            if len(child) or child.attrib:
                self._element(child, write, qnames, escaped, depth + 1)
            else:
                # a leaf without attributes (most of a BPMN file: incoming, outgoing, flowNodeRef),
                # written here rather than by a call of its own
                name = qnames.get(child.tag) or self._qname(child.tag)
                leaf_text = child.text
                if leaf_text:
                    write(f"<{name}>{leaf_text if leaf_text.isspace() else _escape_text(leaf_text)}</{name}>")
                else:
                    write(f"<{name} />")
            child_tail = child.tail
            if breaks is not None and (not child_tail or child_tail.isspace()):
                child_tail = outer if index == last else inner
            if child_tail:
                write(child_tail if child_tail.isspace() else _escape_text(child_tail))
        write("</" + tag + ">")
