"""Read a YAML file safely and remember where every key and value stands.

Only PyYAML's safe node composer is used; the tree of nodes is turned into plain Python values
here, which lets us refuse what a data file never needs and what attacks use: duplicate keys (the
second would silently win), anchors and aliases (exponential "billion laughs" expansion), merge
keys, custom tags, files above a size limit, text that is not UTF-8. Every refusal is a `Problem`
with a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from seguimiento.problems import PathKey, Problem

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
        from seguimiento.problems import format_path

        line, col = self.where(path, key)
        severity = "warning" if warning else "error"
        return Problem(self.display, line, col, format_path(path), message, severity)


def _position(mark: yaml.Mark | None) -> tuple[int, int]:
    if mark is None:
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or str(error)
    if "'\\t'" in problem or "\t" in problem:
        return "a tab character: indent YAML with spaces, never tabs"
    context = f" {error.context}" if error.context else ""
    if "expected a single document" in str(error):
        return "more than one YAML document ('---'); keep one document per file"
    return f"YAML syntax: {problem}{context}; check indentation, colons and quotes on this line"


class _Builder:
    """Turns composed nodes into Python values, recording positions and refusing unsafe shapes."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.constructor = yaml.constructor.SafeConstructor()
        self.seen: set[int] = set()
        self.count = 0

    def fail(self, node: yaml.Node, path: PathKey, message: str) -> None:
        line, col = _position(node.start_mark)
        from seguimiento.problems import format_path

        self.source.problems.append(
            Problem(self.source.display, line, col, format_path(path), message)
        )

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge(node)
        self.source.values[path] = _position(node.start_mark)
        if node.tag not in _STANDARD_TAGS:
            self.fail(node, path, f"custom tag '{node.tag}' is not allowed; remove it")
            return None
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except (yaml.constructor.ConstructorError, ValueError) as error:
                self.fail(node, path, f"cannot read this value ({error}); put it in quotes")
                return None
        if id(node) in self.seen:
            self.fail(
                node, path, "anchors and aliases (&name, *name) are not allowed; write it out"
            )
            return None
        self.seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        return self.mapping(node, path)

    def mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, path, "merge keys ('<<') are not allowed; write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, path, "a key must be a plain word")
                continue
            key = str(self.constructor.construct_object(key_node))
            child = path + (key,)
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
        return result


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
        source.problems.append(
            Problem(display, 1, 1, "(file)", "file is empty; see docs/data-format.md for its keys")
        )
        return source
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        line, col = _position(error.problem_mark)
        source.problems.append(Problem(display, line, col, "(file)", _yaml_message(error)))
        return source
    except yaml.YAMLError as error:
        source.problems.append(Problem(display, 1, 1, "(file)", f"YAML: {error}"))
        return source
    except RecursionError:
        source.problems.append(Problem(display, 1, 1, "(file)", "nested too deeply"))
        return source
    finally:
        loader.dispose()
    builder = _Builder(source)
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
