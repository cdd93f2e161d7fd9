"""`read_yaml` gives the same data, positions and problems with libyaml's fast path as with the
pure-Python path; the fast path declines every file it cannot read exactly like PyYAML does.

The bad-input corpus (tests/data/bad) and its expected messages were written against the
pure-Python path: every corpus file must read the same both ways, and `check` must still pass
on the small project with the fast path switched off (as on a PyYAML without libyaml).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seguimiento import cli, yamlfast, yamlsource
from seguimiento.yamlsource import read_yaml

TESTS = Path(__file__).resolve().parent
CORPUS = sorted(
    path
    for folder in (TESTS / "data", TESTS.parent / "conventions")
    for path in folder.rglob("*")
    if path.is_file() and path.suffix in (".yaml", ".txt")
)
LIBYAML = yamlfast.AVAILABLE
needs_libyaml = pytest.mark.skipif(not LIBYAML, reason="PyYAML without libyaml")


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool) -> tuple:
    monkeypatch.setattr(yamlfast, "AVAILABLE", fast and LIBYAML)
    source = read_yaml(path, "data.yaml")
    problems = [str(problem) for problem in source.problems]
    return repr(source.data), list(source.values.items()), list(source.keys.items()), problems


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple, tuple]:
    return _read(path, monkeypatch, True), _read(path, monkeypatch, False)


def _fast(text: str) -> object:
    return yamlfast.load(
        text,
        yamlsource._Loader.yaml_implicit_resolvers,
        yamlsource._STANDARD_TAGS,
        yamlsource.MAX_NODES,
    )


def test_libyaml_is_used_when_pyyaml_has_it():
    assert yaml.__with_libyaml__ == yamlfast.AVAILABLE


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(TESTS.parent)))
def test_corpus_reads_the_same_both_ways(path: Path, monkeypatch):
    fast, careful = _both(path, monkeypatch)
    assert fast == careful


@needs_libyaml
def test_clean_files_take_the_fast_path():
    for path in (TESTS / "data" / "small").rglob("*.yaml"):
        assert _fast(path.read_text(encoding="utf-8")) is not None, path


CLEAN = {
    "block": "a: 1\nb:\n  - x\n  - {c: 2, d: [3, 'e']}\n",
    "no final line break": "a: 1\nb: text",
    "empty values": "a:\nb: ~\nc: ''\nd:\n",
    "numbers": "a: yes\nb: 1_000\nc: 0x1F\nd: 1.5e+3\ne: .inf\nf: 1:30\ng: -.5\n",
    "dates": "a: 2024-01-31\nb: 2024-01-31 10:00:00Z\nc: 2024-01-31T10:00:00.5+02:00\n",
    "keys as typed": "2024: a\nyes: b\nnull: c\n",
    "texts": "a: \"x\\ty\\u00e9\"\nb: 'it''s'\nc: |\n  one\n  two\n\nd: >-\n  folded\n  text\n",
    "multi-line": "a: first\n  second\n\n  third\nb: 'one\n  two'\n",
    "line breaks": "a: 1\r\nb: 2\r\n",
    "unicode": "título: ñandú 😀\nlista: [é, ü]\n",
    "comments": "# top\na: 1 # end\n# middle\nb: 2\n",
    "explicit document": "---\na: 1\n...\n",
    "top-level list": "- 1\n- 2\n",
    "question mark outside brackets": "a: ¿qué? sí\n",
}


@needs_libyaml
@pytest.mark.parametrize("text", CLEAN.values(), ids=CLEAN.keys())
def test_fast_path_reads_clean_text_like_pyyaml(text: str, tmp_path: Path, monkeypatch):
    assert _fast(text) is not None
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    fast, careful = _both(path, monkeypatch)
    assert fast == careful


CAREFUL = {
    "tab": "a:\tb\n",
    "byte order mark inside": "a: x\ufeffy\n",
    "question mark in brackets": "a: [x?y]\n",
    "empty value in braces": "a: {b: , c: 1}\n",
    "bare key in braces": "a: {es: Versión final, junio de 2006}\n",
    "empty value at the very end": "a: 1\nb:",
    "comment right after a block indicator": "a: |#\n  x\n",
    "anchor and alias": "a: &x 1\nb: *x\n",
    "alias alone": "a: *x\n",
    "tag": "a: !!str 1\n",
    "custom tag": "a: !thing 1\n",
    "merge key": "b: {c: 1}\n<<: {a: 1}\n",
    "duplicate key": "a: 1\na: 2\n",
    "list as a key": "? [a]\n: b\n",
    "bad date": "a: 2024-02-30\n",
    "value tag": "a: =\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "deep nesting": "[" * 150 + "]" * 150 + "\n",
    "unclosed quote": "a: 'text\nb: 2\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
}


@pytest.mark.parametrize("text", CAREFUL.values(), ids=CAREFUL.keys())
def test_fast_path_declines_and_careful_path_answers(text: str, tmp_path: Path, monkeypatch):
    assert _fast(text) is None
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    fast, careful = _both(path, monkeypatch)
    assert fast == careful


def test_node_limit_holds_on_both_paths(tmp_path: Path, monkeypatch):
    path = tmp_path / "data.yaml"
    path.write_text("a: [1, 2, 3]\nb: {c: 4, d: 5}\ne: 6\n", encoding="utf-8")
    monkeypatch.setattr(yamlsource, "MAX_NODES", 5)
    fast, careful = _both(path, monkeypatch)
    assert fast == careful
    assert fast[3] == ["data.yaml:2:4: (file): more than 5 values; split the file"]


def test_alias_bomb_is_refused_on_both_paths(monkeypatch):
    path = TESTS / "data" / "bad" / "yaml-bomb.yaml"
    fast, careful = _both(path, monkeypatch)
    assert fast == careful
    assert any("anchors and aliases are not allowed" in problem for problem in fast[3])


def test_check_passes_without_libyaml(small_project: Path, monkeypatch, capsys):
    monkeypatch.setattr(yamlfast, "AVAILABLE", False)
    calls = []
    monkeypatch.setattr(yamlsource._Loader, "get_single_node", _spy(calls))
    monkeypatch.chdir(small_project)
    assert cli.main(["--root", str(small_project), "check"]) == 0, capsys.readouterr().err
    assert "ok: 3 conventions valid" in capsys.readouterr().out
    assert len(calls) >= 13  # every file went through the pure-Python path


def _spy(calls: list) -> object:
    original = yamlsource._Loader.get_single_node

    def get_single_node(self: yamlsource._Loader) -> yaml.Node:
        calls.append(self)
        return original(self)

    return get_single_node


# ------------------------------------------------------------------ differential, bounded

DIFF = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
WORDS = ["yes", "no", "~", "", "1", "1.5", "0x1F", "1:30", ".nan", "2024-01-01", "2024-S1", "<<"]
texts = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))
documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.dates() | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)
styles = st.fixed_dictionaries(
    {
        "default_flow_style": st.sampled_from([True, False, None]),
        "default_style": st.sampled_from([None, '"', "'", "|", ">"]),
        "width": st.sampled_from([10, 40, 1000]),
        "allow_unicode": st.booleans(),
        "line_break": st.sampled_from([None, "\r\n", "\r"]),
        "explicit_start": st.booleans(),
    }
)
PIECES = [" ", "  ", "\n", "\n  ", "- ", ": ", ":", "?", ",", "[", "]", "{", "}", "#", "'", '"']
PIECES += ["|", ">-", "&a ", "*a", "!", "\\", "é", "\x85", "\u2028", "---\n", "...", "%YAML 1.1\n"]
PIECES += ["a", "key", "1", "2024", "yes", "\t", "\r\n"]


@DIFF
@given(data=documents, style=styles)
def test_dumped_documents_read_the_same_both_ways(tmp_path_factory, data, style):
    path = tmp_path_factory.mktemp("diff") / "data.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, **style), encoding="utf-8", newline="")
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, careful = _both(path, monkeypatch)
    assert fast == careful


@DIFF
@given(pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=20))
def test_yaml_like_text_reads_the_same_both_ways(tmp_path_factory, pieces):
    path = tmp_path_factory.mktemp("diff") / "data.yaml"
    path.write_text("".join(pieces), encoding="utf-8", newline="")
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, careful = _both(path, monkeypatch)
    assert fast == careful
