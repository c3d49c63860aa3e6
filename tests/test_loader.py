"""The YAML rules policy staff rely on: text stays text, mistakes are located, nothing unsafe runs."""

import pytest

from configurator.language.loader import MAX_FILE_BYTES, load_yaml, plain_scalar_is_text


def load(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_yaml(raw, "t.yaml")


@pytest.mark.parametrize("written, value", [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("Y", "Y"),
    ("010203", "010203"), ("000131024000", "000131024000"), ("0", 0), ("12", 12), ("-7", -7),
    ("1.5", 1.5), ("1e3", 1000.0), ("2024-05-01", "2024-05-01"), ("1:30", "1:30"),
    ("true", True), ("false", False), ("null", None), ("~", None), ("0x1F", 31), ("0o17", 15),
    ("'5'", "5"), ('"true"', "true"), ("12:00:00", "12:00:00"), ("1_000", "1_000"),
])
def test_scalars_follow_yaml_1_2_and_keep_codes_and_dates_as_text(written, value):
    loaded = load(f"value: {written}\n")
    assert loaded.ok
    assert loaded.data["value"] == value
    assert type(loaded.data["value"]) is type(value)


def test_keys_are_always_text():
    assert load("1: a\ntrue: b\n").data == {"1": "a", "true": "b"}


def test_every_value_can_be_located_by_its_path():
    loaded = load("items:\n  - id: a\n    name: 甲\n  - id: b\n    name: 乙\n")
    assert loaded.source.position(("items", 1, "name")) == (5, 11)
    assert loaded.source.key_position(("items", 1, "name")) == (5, 5)
    # A path that goes past what exists points at the nearest enclosing value.
    assert loaded.source.position(("items", 1, "missing")) == (4, 5)


def test_duplicate_keys_are_errors_and_the_first_value_is_kept():
    loaded = load("a: 1\nb: 2\na: 3\n")
    [problem] = loaded.diagnostics
    assert (problem.code, problem.line, problem.column) == ("E106", 3, 1)
    assert problem.params["first_line"] == 1
    assert loaded.data == {"a": 1, "b": 2}
    assert loaded.usable  # checking can go on


def test_python_object_tags_are_refused_and_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    loaded = load(f"a: !!python/object/apply:os.system ['touch {marker}']\n")
    assert [d.code for d in loaded.diagnostics] == ["E107"]
    assert not marker.exists()


def test_an_alias_bomb_is_refused_quickly_with_one_error():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]" for i in range(1, 12)]
    loaded = load("\n".join(lines) + "\n")
    assert [d.code for d in loaded.diagnostics] == ["E108"]


@pytest.mark.parametrize("text, line", [
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", 1),  # crashes libyaml if it gets that far
    ("a:\n" + "- " * 100_000 + "x\n", 2),
])
def test_absurd_nesting_is_refused_before_parsing(text, line):
    [problem] = load(text).diagnostics
    assert (problem.code, problem.line) == ("E109", line)


def test_nesting_deeper_than_the_limit_is_refused():
    text = "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "end\n"
    assert [d.code for d in load(text).diagnostics] == ["E109"]


def test_a_file_over_the_size_limit_is_refused_without_parsing():
    problem, = load(b"a: " + b"x" * MAX_FILE_BYTES + b"\n").diagnostics
    assert problem.code == "E101"
    assert problem.params["limit"] == MAX_FILE_BYTES


def test_bytes_that_are_not_utf8_are_located():
    problem, = load("name: 新生儿\nlead: 卫健委\n".encode("gbk")).diagnostics
    assert (problem.code, problem.line) == ("E102", 1)


def test_a_bom_is_refused():
    assert [d.code for d in load(b"\xef\xbb\xbfa: 1\n").diagnostics] == ["E103"]


def test_tab_indentation_is_named_as_such():
    problem, = load("a:\n\tb: 1\n").diagnostics
    assert (problem.code, problem.line) == ("E104", 2)


def test_syntax_errors_are_explained_in_chinese_with_the_original_words():
    problem, = load("summary: 注意: 请带身份证\n").diagnostics
    assert (problem.code, problem.line, problem.column) == ("E105", 1, 12)
    assert "加引号" in problem.fix()
    assert "mapping values are not allowed" in problem.message()
    assert "quote" in problem.fix("en")


def test_control_characters_are_located():
    problem, = load("a: 1\nb: x\x07y\n").diagnostics
    assert (problem.code, problem.line, problem.column) == ("E105", 2, 5)


@pytest.mark.parametrize("text, code", [("", "E110"), ("# only a comment\n", "E110"),
                                        ("- a\n", "E110"), ("a: 1\n---\nb: 2\n", "E111"),
                                        ("? [a, b]\n: c\n", "E112")])
def test_files_that_are_not_one_mapping(text, code):
    assert [d.code for d in load(text).diagnostics] == [code]


@pytest.mark.parametrize("text, plain", [("yes", True), ("010203", True), ("12", False),
                                         ("true", False), ("", False), (" x", False), ("1.5", False)])
def test_writers_know_which_text_can_be_written_without_quotes(text, plain):
    assert plain_scalar_is_text(text) is plain


def test_a_shared_parse_is_loaded_once_per_text_and_named_for_each_caller() -> None:
    from configurator.language import documents

    text = b"id: a\nname: [1, 2]\nname: 3\n"  # a duplicate key: a diagnostic that carries the file name
    first = documents.load_shared(text, "bundles/a.yaml")
    second = documents.load_shared(bytes(text), "edit")
    assert second.data is first.data  # loaded once
    assert second.source.position(("name",)) == first.source.position(("name",)) == (2, 7)
    assert [d.file for d in first.diagnostics] == ["bundles/a.yaml"]
    assert [d.file for d in second.diagnostics] == ["edit"] and second.source.filename == "edit"
    assert first.diagnostics == load_yaml(text, "bundles/a.yaml").diagnostics
    changed = documents.load_shared(text.replace(b"id: a", b"id: b"), "edit")
    assert changed.data["id"] == "b" and first.data["id"] == "a"  # the exact bytes are the key
    for number in range(20):  # bounded: old texts are let go
        documents.load_shared(f"id: x{number}\n".encode(), "t")
    assert documents.load_shared(text, "edit").data is not first.data
    big = b"a: 1\n" + b"#" * MAX_FILE_BYTES
    assert [d.code for d in documents.load_shared(big, "big").diagnostics] == ["E101"]


def test_a_kept_parse_holds_no_node_tree_and_still_locates_every_value() -> None:
    """The admin keeps a few dozen parses of big bundles; a kept node tree (three objects per value)
    made every full garbage collection walk them all. A loaded file keeps its text only, and
    finds a place again when a diagnostic asks for one."""
    import gc

    text = "".join(f"- id: item{n}\n  name: '名称{n}'\n  tags: [a, b]\n" for n in range(300))
    raw = f"id: big\nitems:\n{text}".encode()
    gc.collect()
    before = len(gc.get_objects())
    loaded = load_yaml(raw, "big.yaml")
    gc.collect()
    assert len(gc.get_objects()) - before < 700  # the data's 300 items and their lists, no nodes
    source = loaded.source
    assert source.position(("items", 299, "name")) == (4 + 3 * 299, 9)
    assert source.key_position(("items", 299, "name")) == (4 + 3 * 299, 3)
    assert source.scalar_style(("items", 299, "name")) == "'"
    assert source.scalar_style(("items", 0, "id")) is None
    assert source.position(("items", 2, "tags", 1)) == (5 + 3 * 2, 13)
    assert source.position(("items", 2, "missing")) == (3 + 3 * 2, 3)  # the nearest enclosing value
    assert source.position(("items", 999)) == (3, 1)
    assert source.renamed("other.yaml").diagnostic("E106", ("items", 1, "id")).line == 6
