"""Walking the admin in English: every GET route, then the links found on the pages, looking
for Chinese (CJK) text that is not bundle content.

What counts as content (and is allowed to stay Chinese in an English admin): every string in the
workspace's YAML files (bundles, catalogues, regions, calendars), every record people wrote (change
request titles, descriptions and comments, audit details, commit messages, user names), and text a
user edits as text (textarea, pre, input values). Everything else on the page is the admin's own
text and must be English: what remains of a text after the content strings are cut out may not
hold a CJK ideograph, CJK punctuation or a fullwidth form (a "：" or "（" left in English is a
sentence that was not translated).
"""

from __future__ import annotations

import json
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Text a user edits as text, and code: content, whatever its language.
SKIPPED = {"script", "style", "textarea", "pre"}
SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm")


class _Texts(HTMLParser):
    """The human-readable texts of a page: text nodes and spoken attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.lang = ""
        self._skipping = 0
        self._chinese: list[str] = []  # an element marked lang="zh…" inside the page (a language switcher)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        elif (self._chinese and tag == self._chinese[0]) or (not self._chinese and (found.get("lang") or "").startswith("zh")):
            self._chinese.append(tag)
        if tag in SKIPPED:
            self._skipping += 1
        if self._chinese:
            return
        self.texts.extend(v for k, v in attrs if k in SPOKEN_ATTRIBUTES and v)
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.texts.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self._skipping:
            self._skipping -= 1
        if self._chinese and tag == self._chinese[0]:
            self._chinese.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping and not self._chinese and data.strip():
            self.texts.append(data)


def _squash(text: str) -> str:
    return " ".join(text.split())


class Content:
    """Strings that are content; ``strip`` cuts every occurrence out of a text (longest first)."""

    def __init__(self, strings: Iterable[str]) -> None:
        pieces = {_squash(line) for s in strings for line in [s, *s.splitlines()] if CJK.search(s)}
        pieces.discard("")
        ordered = sorted(pieces, key=len, reverse=True)
        self.count = len(ordered)
        self._pieces = ordered
        self._pattern = re.compile("|".join(re.escape(p) for p in ordered)) if ordered else None

    def strip(self, text: str) -> str:
        text = _squash(text)
        if text.endswith("…") and any(p.startswith(text[:-1]) for p in self._pieces):
            return ""  # a long name shortened to fit (the diagram's labels), the full one in its tooltip
        return self._pattern.sub(" ", text) if self._pattern else text


def untranslated(page: str, content: Content, is_json: bool = False) -> list[str]:
    """The texts of ``page`` that still hold CJK once content is cut out."""
    if is_json:
        texts = [s for s in _json_strings(json.loads(page))]
    else:
        parser = _Texts()
        parser.feed(page)
        parser.close()
        texts = parser.texts
        if parser.lang and parser.lang != "en":
            texts.append(f'<html lang="{parser.lang}"> on an English page（the page says it is Chinese）')
    return [_squash(t) for t in texts if CJK.search(content.strip(t))]


def _json_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def yaml_strings(root: Path) -> list[str]:
    """Every string (keys too) in the workspace's YAML files."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(str(k))
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted(root.rglob("*.yaml")):
        if ".git" not in path.parts:
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


_HREF = re.compile(r'href="([^"#]+)')


@dataclass
class Walk:
    """What a walk saw: pages answered (by endpoint), statuses, and the untranslated texts found."""

    visited: list[str] = field(default_factory=list)
    endpoints: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    found: dict[str, list[str]] = field(default_factory=dict)


def walk(get: Callable[[str], tuple[int, str, str]], endpoint_of: Callable[[str], str | None], seeds: list[str],
         content: Content, per_endpoint: int = 3, limit: int = 400) -> Walk:
    """Visit ``seeds`` and then the same-site admin links on each page, at most ``per_endpoint``
    pages of each endpoint. ``get`` answers (status, content type, body) after redirects."""
    done = Walk()
    queue = deque(seeds)
    seen: set[str] = set()
    while queue and len(done.visited) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        endpoint = endpoint_of(url)
        if endpoint is None or (done.endpoints[endpoint] >= per_endpoint and url not in seeds):
            continue
        status, kind, body = get(url)
        done.visited.append(url)
        done.endpoints[endpoint] += 1
        done.statuses[status] += 1
        problems = untranslated(body, content, is_json=kind.startswith("application/json"))
        if problems:
            done.found[url] = problems
        if kind.startswith("text/html"):
            for href in _HREF.findall(body):
                target = urljoin(url, href.replace("&amp;", "&"))
                if not urlsplit(target).netloc and target.startswith(("/admin", "/login")):
                    queue.append(target)
    return done
