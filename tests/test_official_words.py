"""Issue 24: every problem an official can meet in the admin speaks the official's words.

Every code of the catalogue is raised here from a real mistake (the corpus of bad bundles, mutations
of the base bundle, region and calendar files with mistakes) and rendered the way the admin renders
it (``web.feedback.problem``, in Chinese and in English). What may stand only in brackets, as a hint
for the source editor, is the YAML key; outside brackets the text has no YAML vocabulary, no JSON
type words, no key paths and no id of a thing that has a name. The source editor and the command
line keep the file, line, column and code: they are fields of the diagnostic, not of its words.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from configurator.diagnostics import CODES, Diagnostic
from configurator.language.check import check_bundle
from configurator.language.loader import load_yaml
from configurator.planning.calendar_files import read_calendars
from configurator.web.feedback import Problem, problem
from configurator.workspace.files import Workspace
from configurator.workspace.region_build import workspace_regions
from configurator.workspace.regions import check_region_sources
from tests.helpers import BASE_BUNDLE, CORPUS, ROOT, base_with, shipped_catalogues
from tests.web_helpers import make_site

# A mistake of each kind the corpus has no file for: the base bundle with one edit.
_MUTATIONS = {
    "W406": ("    when: born_in_wedlock\n", "    when: born_in_wedlock or not born_in_wedlock\n"),
    "W507": ("    items: [birth_registration]\n", "    items: []\n"),
    "W508": ("    when: born_in_wedlock\n",
             "    when: born_in_wedlock\n    after:\n      - {item: issue_certificate, reason: 要先有证明}\n"),
    "W509": ("fields:\n", "fields:\n  - id: father_name\n    field: person_name\n    label: 父亲姓名\n"),
    "W510": ("situations:\n", "situations:\n  - id: has_twins\n    label: 是否多胞胎？\n    type: boolean\n"),
}

_TYPE_WORDS = re.compile(r"\b(string|array|object|integer|null|boolean|mapping|YAML)\b|(?<!\.)\byaml\b|字符串|映射|列表")
_KEY_PATH = re.compile(r"\b[a-z_]+\[[^\]]*\]|\b[a-z]+_[a-z_]+\.[a-z_]+\b|`")


def _outside_brackets(text: str) -> str:
    """The text without what stands in brackets (the YAML key, an id for the source editor)."""
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"（[^（）]*）|\([^()]*\)", "", text)
    return text


def _words(shown: Problem) -> str:
    return f"{shown.message} — {shown.fix}"


def _bundle_instances() -> list[tuple[str, bytes, str]]:
    found = [(path.stem, path.read_bytes(), f"bundles/{path.name}") for path in sorted((CORPUS / "bad").glob("*.yaml"))]
    found += [(code.lower(), base_with(old, new).encode(), "bundles/base.yaml") for code, (old, new) in _MUTATIONS.items()]
    return found


def _named_ids(raw: bytes) -> set[str]:
    """Ids of the things the bundle gives a name that is not the id itself."""
    loaded = load_yaml(raw, "bundles/base.yaml")
    data = loaded.data if loaded.usable else None
    if not isinstance(data, dict):
        return set()
    ids = set()
    for section, name_keys in (("items", ("name",)), ("steps", ("name",)), ("situations", ("label",)),
                               ("fields", ("label",)), ("materials", ("name",))):
        for entry in data.get(section) or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and any(entry.get(k) for k in name_keys):
                ids.add(entry["id"])
    for unnamed in ("conditions", "field_rules", "eligibility"):  # an id two things share is left as written
        ids -= {e.get("id") for e in data.get(unnamed) or [] if isinstance(e, dict)}
    return ids | set(shipped_catalogues().departments)


def _every_instance() -> list[tuple[Diagnostic, set[str]]]:
    catalogues = shipped_catalogues()
    found: list[tuple[Diagnostic, set[str]]] = []
    for _, raw, name in _bundle_instances():
        found += [(d, _named_ids(raw)) for d in check_bundle(raw, name, catalogues).diagnostics]
    found += [(d, set()) for d in check_bundle(BASE_BUNDLE.encode() * 3, "bundles/base.yaml", catalogues,
                                               max_bytes=1000).diagnostics]
    found += [(d, set()) for d in _region_and_calendar_problems()]
    found.append((Diagnostic("E120", "bundles/gone.yaml", 0, 0, (), {"reason": "Permission denied"}), set()))
    found.append((Diagnostic("E900", "bundles/base.yaml", 0, 0, (), {"error": "RecursionError: too deep"}), set()))
    return found


def _region_and_calendar_problems() -> list[Diagnostic]:
    """The region fixtures (with their forbidden deviations) and region and calendar files with mistakes."""
    bundles = workspace_regions(Workspace.find(ROOT))[0]
    files = [(f"regions/{p.name}", p.read_bytes()) for p in sorted((ROOT / "tests" / "regions").glob("*.yaml"))]
    files += [("regions/440300.yaml", b'code: "440303"\nname: x\nparent: "440000"\n'),
              ("regions/440500.yaml", b'code: "440500"\nname: x\nparent: "450000"\n'),
              ("regions/440000b.yaml", b'code: "440000b"\n'),
              ("regions/440600.yaml", b'code: "440600"\nname: x\nparent: "440000"\nagencies:\n  polise:\n    name: x\n'
                                      b'    uscc: "91440600MA0000000X"\n    address: x\n    phone: "020-1234567"\n')]
    found = check_region_sources(files, bundles, shipped_catalogues()).diagnostics
    # A region whose value is worse than a case of the standard (W606), on the bundle with values by case.
    by_case = check_bundle((CORPUS / "good" / "large-event.yaml").read_bytes(), "bundles/large-event.yaml",
                           shipped_catalogues()).bundle
    assert by_case is not None
    files = [(f"regions/{p.name}", p.read_bytes()) for p in sorted((ROOT / "tests" / "regions_by_case").glob("*.yaml"))]
    files.append(("regions/460106.yaml", b'code: "460106"\nname: x\nparent: "460000"\nbundles:\n  large-event:\n'
                                         b'    items:\n      safety_permit:\n        promised_days: 3\n'))
    found += check_region_sources(files, {"large-event": by_case}, shipped_catalogues()).diagnostics
    calendar = textwrap.dedent("""\
        year: 2027
        holidays:
          - date: "2027-02-30"
            name: 不存在
          - {from: "2027-05-05", to: "2027-05-01", name: 倒过来}
          - date: "2027-05-01"
            name: 劳动节
        workdays:
          - date: "2027-05-01"
            name: 冲突
        """).encode()
    both = b'year: 2028\nholidays:\n  - {date: "2028-06-01", from: "2028-06-01", to: "2028-06-02", name: x}\n'
    return found + read_calendars([("calendars/2027.yaml", calendar), ("calendars/2028.yaml", both)])[1]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every instance as the admin shows it, in each language: (diagnostic, named ids, lang, text)."""
    app = make_site(tmp_path_factory.mktemp("site")).app
    shown = []
    for lang in ("zh-CN", "en"):
        with app.test_request_context("/"):
            from flask import session

            session["lang"] = lang
            for diagnostic, ids in _every_instance():
                shown.append((diagnostic, ids, lang, problem(diagnostic)))
    return shown


def test_every_code_of_the_catalogue_is_met_from_a_real_mistake(rendered):
    met = {d.code for d, _, _, _ in rendered}
    assert set(CODES) - met == set(), sorted(set(CODES) - met)


def test_no_yaml_vocabulary_outside_brackets(rendered):
    bad = [(d.code, lang, _words(shown)) for d, _, lang, shown in rendered
           if _TYPE_WORDS.search(_outside_brackets(_words(shown))) or _KEY_PATH.search(_outside_brackets(_words(shown)))]
    assert not bad, "\n".join(map(str, bad))


def test_things_with_a_name_are_named_not_shown_by_id(rendered):
    """An id of a named item, material, field, question, step or department never stands in quotes
    where the admin shows a problem (E307 and E210 are about the id itself)."""
    bad = []
    for diagnostic, ids, _, shown in rendered:
        text = _words(shown)
        if diagnostic.code in ("E307", "E210"):
            continue
        typed = {str(diagnostic.params.get(key)) for key in ("value", "found")}  # what was typed, quoted back
        quoted = set(re.findall(r"“([^“”]+)”|\"([^\"]+)\"", _outside_brackets(text)))
        bad += [(diagnostic.code, i, text) for pair in quoted for i in pair
                if i in ids and not any(i in t for t in typed)]
    assert not bad, "\n".join(map(str, bad))


def test_the_detail_toggle_and_the_source_editor_keep_the_place_and_the_code(rendered):
    """Words changed; the place did not: what the admin shows carries the code, line and column."""
    for diagnostic, _, _, shown in rendered:
        assert (shown.code, shown.line, shown.column) == (diagnostic.code, diagnostic.line, diagnostic.column)


def test_conditions_are_said_in_words_with_the_written_text_only_in_brackets(rendered):
    """E405, W406 and E408 say the condition as a sentence (the question's words, the answer);
    the text as written, with its ids, stands only in brackets for the source editor."""
    met = set()
    for diagnostic, ids, lang, shown in rendered:
        if diagnostic.code not in ("E405", "W406", "E408"):
            continue
        met.add(diagnostic.code)
        outside = _outside_brackets(shown.message)
        assert not [i for i in ids if re.search(rf"\b{re.escape(i)}\b", outside)], shown.message
        assert re.search(r"[（(][^（）()]*(==|\band\b|\bor\b|\bnot\b)", shown.message), shown.message  # as written
        if lang == "zh-CN":
            assert "「" in outside, shown.message  # a question, by its words
    assert met == {"E405", "W406", "E408"}
