"""Read a YAML file safely and remember where every key and value stands.

Only PyYAML's safe node composer is used; the tree of nodes is turned into plain Python values
here, which lets us refuse what a data file never needs and what attacks use: duplicate keys (the
second would silently win), anchors and aliases (exponential "billion laughs" expansion: aliases
are never resolved, so refusing them costs nothing), merge keys, custom tags, files above a size
limit, text that is not UTF-8. Every refusal is a `Problem` with a line, and common syntax errors
and pitfalls (tabs, an unclosed quote, a comma inside `{...}`) are explained in plain words.

Speed: a clean file is first read by `yamlfast` (libyaml's C parser, same values and positions);
only a file with something to refuse or explain, or where libyaml may read differently, goes
through the pure-Python scanner and composer below, so every message stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from seguimiento import yamlfast
from seguimiento.problems import PathKey, Problem, format_path

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass
class Source:
    """A parsed file: its data, the position of each value and key, and the problems found."""

    display: str
    data: Any = None
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: PathKey, key: bool = False) -> tuple[int, int]:
        """Line and column of `path` (of its key when `key`), or of its nearest known parent."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def problem(self, path: PathKey, message: str, *, key: bool = False, warning: bool = False):
        """A Problem located at `path` in this file."""
        line, col = self.where(path, key)
        severity = "warning" if warning else "error"
        return Problem(self.display, line, col, format_path(path), message, severity)


def _position(mark: yaml.Mark | None) -> tuple[int, int]:
    if mark is None:
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


# PyYAML's wording → what to do, for the syntax errors people make by hand. The first entry whose
# phrase is in the error's problem or context wins; `True` means "point at the context mark" (where
# the broken construct starts) instead of where the parser gave up.
_SYNTAX_HINTS: tuple[tuple[str, bool, str], ...] = (
    ("'\\t'", False, "a tab character: indent YAML with spaces, never tabs"),
    (
        "while scanning a quoted scalar",
        True,
        "a quoted text starts here and its closing quote is missing; add it (or remove this one)",
    ),
    (
        "expected <block end>",
        False,
        "this line is not indented like the lines above it; align it with the other keys of its "
        "block, using spaces",
    ),
    (
        "mapping values are not allowed here",
        False,
        "unexpected ':' (a colon followed by a space inside a text, or a key indented too far); "
        "put the text in quotes or fix the indentation",
    ),
    (
        "could not find expected ':'",
        True,
        "this line has no ':'; write 'key: value', or indent it further to continue the text above",
    ),
    (
        "while parsing a flow",
        True,
        "a [...] or {...} list starting here is not closed correctly; check its commas, quotes "
        "and closing bracket",
    ),
)


def _yaml_message(error: yaml.MarkedYAMLError) -> tuple[tuple[int, int], str]:
    """Where to point and what to say for a YAML syntax error."""
    problem = error.problem or str(error)
    context = error.context or ""
    if "expected a single document" in context:
        return _position(error.problem_mark), (
            "more than one YAML document ('---'); keep one document per file"
        )
    for phrase, at_context, message in _SYNTAX_HINTS:
        if phrase in problem or phrase in context:
            mark = error.context_mark if at_context and error.context_mark else error.problem_mark
            return _position(mark), message
    detail = f"{problem} {context}".strip()
    return _position(error.problem_mark), (
        f"YAML syntax: {detail}; check indentation, colons and quotes on this line"
    )


class _Loader(yaml.SafeLoader):
    """A safe loader that never shares nodes: each alias (*name) becomes an empty placeholder and is
    recorded, so an alias bomb costs nothing and every anchor can be reported where it stands."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.anchored: dict[int, str] = {}
        self.aliases: dict[str, list[yaml.Mark]] = {}
        self.placeholders: dict[int, str] = {}
        self.anchor_names: set[str] = set()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            self.aliases.setdefault(event.anchor, []).append(event.start_mark)
            node = yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
            self.placeholders[id(node)] = event.anchor
            return node
        anchor = self.peek_event().anchor
        self.anchors.pop(anchor, None)  # a repeated anchor name is reported like any other
        node = super().compose_node(parent, index)
        if anchor is not None:
            self.anchored[id(node)] = anchor
            self.anchor_names.add(anchor)
        return node


def _anchor_message(name: str, uses: list[yaml.Mark]) -> str:
    if not uses:
        return f"anchors ('&{name}') are not allowed; remove '&{name}'"
    lines = sorted({mark.line + 1 for mark in uses})
    where = ", ".join(str(n) for n in lines[:5]) + (", ..." if len(lines) > 5 else "")
    times = "once" if len(uses) == 1 else f"{len(uses)} times"
    return (
        f"anchors and aliases are not allowed: '&{name}' is repeated by '*{name}' {times} "
        f"(line{'s' if len(lines) > 1 else ''} {where}); write the value out in full at each place"
    )


class _Builder:
    """Turns composed nodes into Python values, recording positions and refusing unsafe shapes."""

    def __init__(self, source: Source, loader: _Loader, text: str) -> None:
        self.source = source
        self.loader = loader
        self.text = text
        self.constructor = yaml.constructor.SafeConstructor()
        self.count = 0

    def fail(self, node: yaml.Node, path: PathKey, message: str) -> None:
        line, col = _position(node.start_mark)
        self.source.problems.append(
            Problem(self.source.display, line, col, format_path(path), message)
        )

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge(node)
        self.source.values[path] = _position(node.start_mark)
        anchor = self.loader.anchored.get(id(node))
        if anchor is not None:
            self.fail(node, path, _anchor_message(anchor, self.loader.aliases.pop(anchor, [])))
        alias = self.loader.placeholders.get(id(node))
        if alias is not None and alias not in self.loader.anchor_names:
            self.fail(
                node,
                path,
                f"alias '*{alias}' is not allowed (and no '&{alias}' defines "
                "it); write the value out in full",
            )
            return None
        if node.tag not in _STANDARD_TAGS:
            self.fail(node, path, _tag_message(node.tag))
            return None
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except (yaml.constructor.ConstructorError, ValueError) as error:
                self.fail(node, path, f"cannot read this value ({error}); put it in quotes")
                return None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        return self.mapping(node, path)

    def _bare_key(self, key_node: yaml.Node, value_node: yaml.Node) -> bool:
        """True for a key typed without ':' inside {...}: `{es: Versión final, junio de 2006}`."""
        if not (
            isinstance(value_node, yaml.ScalarNode)
            and value_node.tag == "tag:yaml.org,2002:null"
            and value_node.value == ""
        ):
            return False
        return ":" not in self.text[key_node.end_mark.index : value_node.start_mark.index]

    def mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        previous: tuple[str, Any] | None = None
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, path, "merge keys ('<<') are not allowed; write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, path, "a key must be a plain word")
                continue
            key = key_node.value  # as typed: 'yes' stays 'yes', '2024' stays '2024'
            child = path + (key,)
            if key_node.tag not in _STANDARD_TAGS:
                self.fail(key_node, child, _tag_message(key_node.tag))
                continue
            if node.flow_style and self._bare_key(key_node, value_node):
                self.fail(key_node, child, _bare_key_message(key, previous))
                continue
            if key in result:
                self.fail(
                    key_node,
                    child,
                    f"duplicate key '{key}' (first at line {first_line[key]}); "
                    "keep one and delete the other",
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            self.source.keys[child] = _position(key_node.start_mark)
            result[key] = self.build(value_node, child)
            previous = (key, result[key])
        return result


def _tag_message(tag: str) -> str:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return (
        f"tag '{shown}' is not allowed: data files hold only texts, numbers, dates, "
        "true/false, lists and 'key: value' blocks; remove the tag"
    )


def _bare_key_message(key: str, previous: tuple[str, Any] | None) -> str:
    message = f"'{key}' has no ':'; inside {{...}} a comma ends a text"
    if previous and isinstance(previous[1], str):
        text = f"{previous[1]}, {key}".replace("'", "''")
        return f"{message}, so quote texts that contain commas: {previous[0]}: '{text}'"
    return f"{message}; write 'key: value' and quote texts that contain commas"


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def read_yaml(path: Path, display: str) -> Source:
    """Parse `path`; problems (never exceptions) describe anything wrong with the file itself."""
    source = Source(display)
    try:
        raw = path.read_bytes()
    except OSError as error:
        source.problems.append(Problem(display, 1, 1, "(file)", f"cannot read: {error.strerror}"))
        return source
    if len(raw) > MAX_BYTES:
        source.problems.append(
            Problem(
                display,
                1,
                1,
                "(file)",
                f"file is {len(raw):,} bytes, over the {MAX_BYTES:,}-byte limit; split it",
            )
        )
        return source
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = (
            f"not UTF-8 text (byte 0x{raw[error.start]:02X}); save the file as UTF-8 in your editor"
        )
        source.problems.append(Problem(display, line, col, "(file)", message))
        return source
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        what = "is empty" if not text.strip() else "has only comments"
        message = f"file {what}: no data; see docs/data-format.md for its keys"
        source.problems.append(Problem(display, 1, 1, "(file)", message))
        return source
    try:
        yaml.reader.Reader(text)  # the loader's first check, on the whole text
    except yaml.reader.ReaderError as error:  # a control character such as NUL in the text
        line = text.count("\n", 0, error.position) + 1
        col = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        message = (
            f"control character U+{error.character:04X} is not allowed in YAML; delete it "
            "(it often comes from copying text out of a PDF)"
        )
        source.problems.append(Problem(display, line, col, "(file)", message))
        return source
    if not _Loader.yaml_path_resolvers:
        fast = yamlfast.load(text, _Loader.yaml_implicit_resolvers, _STANDARD_TAGS, MAX_NODES)
        if fast is not None:  # libyaml read a clean file; anything else takes the path below
            source.data, source.values, source.keys = fast
            return source
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        (line, col), message = _yaml_message(error)
        source.problems.append(Problem(display, line, col, "(file)", message))
        return source
    except yaml.YAMLError as error:
        source.problems.append(Problem(display, 1, 1, "(file)", f"YAML: {error}"))
        return source
    except RecursionError:
        source.problems.append(Problem(display, 1, 1, "(file)", "nested too deeply"))
        return source
    finally:
        loader.dispose()
    builder = _Builder(source, loader, text)
    try:
        source.data = builder.build(node, ())
    except _TooLarge as error:
        line, col = _position(error.node.start_mark)
        source.problems.append(
            Problem(display, line, col, "(file)", f"more than {MAX_NODES:,} values; split the file")
        )
        source.data = None
    except RecursionError:
        source.problems.append(Problem(display, 1, 1, "(file)", "nested too deeply"))
        source.data = None
    return source
