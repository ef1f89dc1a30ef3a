"""Every kind of malformed fact file gets a FactError naming the file and the line."""
import shutil
from pathlib import Path

import pytest

from kg.build import build_graph
from kg.errors import FactError
from kg.facts import load_facts

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture
def mini(tmp_path):
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


def edit(folder: Path, file: str, old: str, new: str) -> Path:
    path = folder / "mini" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test fixture lacks {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in l)


def test_mini_fixture_loads(mini):
    facts = load_facts(mini / "mini")
    assert facts.document["id"] == "mini"
    assert [r["id"] for r in facts.records("programs")] == ["test-program", "first-part"]
    assert facts.records("programs")[0].line == line_of(mini / "mini" / "facts.yaml", "id: test-program")


@pytest.mark.parametrize("old, new, needle, message", [
    ("type: Program", "type: Programme", "type: Programme", "'Programme' is not one of"),
    ("managed_by: amed", "managed_by: amed\n    lable: x", "lable: x", "unknown key 'lable'"),
    ("{id: first-part, type: Component,", "{type: Component,", "type: Component,", "missing required key 'id'"),
    ("number: 1,", "number: one,", "number: one", "expected a whole number"),
    ("{id: mext,", "{id: MEXT!,", "MEXT!", "must be lower-case ASCII"),
    ('amount: "600百万円"', 'amount: "6OO百万円"', "6OO", "is not"),
    ("decided: 2020-03-27", "decided: 2020-13-27", "2020-13-27", "expected a date"),
    ("{line: 8, quote:", "{line: 0, quote:", "line: 0", "line numbers start at 1"),
    ("managed_by: amed", "managed_by: amed\n    managed_by: mext", "managed_by: mext", "duplicate key"),
])
def test_malformed_record(mini, old, new, needle, message):
    path = edit(mini, "facts.yaml", old, new)
    with pytest.raises(FactError) as exc:
        load_facts(mini / "mini")
    assert message in str(exc.value)
    assert exc.value.path == str(path)
    assert exc.value.line is not None and abs(exc.value.line - line_of(path, needle)) <= 3


def test_invalid_yaml_names_line(mini):
    path = edit(mini, "facts.yaml", "  - id: test-program", "  - id: [test-program")
    with pytest.raises(FactError, match="not valid YAML") as exc:
        load_facts(mini / "mini")
    assert exc.value.path == str(path) and exc.value.line >= line_of(path, "[test-program")


def test_unknown_section(mini):
    (mini / "mini" / "extra.yaml").write_text("programmes:\n  - {id: x}\n", encoding="utf-8")
    with pytest.raises(FactError, match="unknown section 'programmes'"):
        load_facts(mini / "mini")


def test_top_level_must_be_mapping(mini):
    (mini / "mini" / "extra.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(FactError, match="mapping of sections"):
        load_facts(mini / "mini")


def test_section_must_be_list(mini):
    (mini / "mini" / "extra.yaml").write_text("flows: {id: x}\n", encoding="utf-8")
    with pytest.raises(FactError, match="must be a list"):
        load_facts(mini / "mini")


def test_missing_document_section(mini):
    (mini / "mini" / "document.yaml").unlink()
    with pytest.raises(FactError, match="no 'document' section"):
        load_facts(mini / "mini")


def test_two_document_sections(mini):
    shutil.copy(mini / "mini" / "document.yaml", mini / "mini" / "document2.yaml")
    with pytest.raises(FactError, match="a second 'document' section"):
        load_facts(mini / "mini")


def test_not_utf8(mini):
    (mini / "mini" / "bad.yaml").write_bytes("flows: []\n# ".encode() + "予算".encode("shift_jis"))
    with pytest.raises(FactError, match="not UTF-8"):
        load_facts(mini / "mini")


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FactError, match="no .yaml files"):
        load_facts(tmp_path / "empty")


def test_build_reports_shape_errors_too(mini):
    edit(mini, "facts.yaml", "instrument: subsidy", "instrument: loan")
    with pytest.raises(FactError, match="'loan' is not one of subsidy, commission, assistance"):
        build_graph(mini)


# Any mutation of a fact file gives a built graph or a KGError with a place, never a crash.
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from kg.errors import KGError  # noqa: E402

FACT_TEXT = (MINI / "mini" / "facts.yaml").read_text(encoding="utf-8")
SCALARS = st.one_of(st.integers(-5, 3000), st.text(max_size=12), st.sampled_from(
    ["", "null", "[]", "{}", "true", "2020-02-30", "'1,000百万円'", "mext", "first-part", "\"x", "- a", "&a", "*b"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_fact_files_fail_cleanly(tmp_path_factory, data):
    lines = FACT_TEXT.splitlines()
    candidates = [i for i, l in enumerate(lines) if ":" in l]
    i = data.draw(st.sampled_from(candidates))
    key_end = lines[i].index(":") + 1
    lines[i] = lines[i][:key_end] + " " + str(data.draw(SCALARS))
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(MINI, folder / "mini")
    (folder / "mini" / "mini" / "facts.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        build_graph(folder / "mini")
    except KGError as exc:
        assert str(exc) and (exc.path or exc.line or "coverage" in str(exc))
