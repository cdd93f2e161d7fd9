"""Fast path of `yamlsource`: libyaml's C parser events turned straight into values and positions.

PyYAML's pure-Python scanner and parser take nearly all of the time of `check`. libyaml (bundled
with PyYAML's wheels) parses the same text in C; this module walks its events in one pass,
building the values and the line/column of every key and value without composing nodes.

It only handles a clean file: one document of plain mappings, lists and scalars with standard
tags. As soon as anything needs a careful answer (a syntax error, an anchor or alias, any explicit
tag, a merge key, a duplicate key, a key that is not a scalar, a bare key inside `{...}`, a value
the constructor refuses, too many values, deep nesting) or where libyaml is known to read a text
differently from PyYAML (tabs, a byte order mark inside the text, `?` in a plain text inside
`[...]`/`{...}`, an empty value at the very end of a file without a final line break), `load`
returns None and the caller runs the pure-Python path, which reports exactly what it always did.
"""

from __future__ import annotations

import gc
from collections.abc import Collection
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

AVAILABLE = CParser is not None and bool(getattr(yaml, "__with_libyaml__", False))
MAX_DEPTH = 100  # deeper files go the pure-Python way, which has its own "nested too deeply"

_STR = "tag:yaml.org,2002:str"
_AFTER_HEADER = " \r\n\x85\u2028\u2029"

Position = tuple[int, int]


class _Careful(Exception):
    """The file needs the pure-Python path."""


class _Walker:
    """One pass over the events of one text."""

    def __init__(
        self,
        text: str,
        resolvers: dict[Any, list[tuple[str, Any]]],
        standard_tags: Collection[str],
        max_nodes: int,
    ) -> None:
        self.text = text
        self.end = len(text)
        self.next_event = CParser(text).get_event
        self.resolvers = resolvers
        self.standard_tags = standard_tags
        self.max_nodes = max_nodes
        self.tags: dict[str, str] = {}  # plain text → its standard tag
        self.constructed: dict[str, Any] = {}  # plain text → its value when not a text
        self.constructor = SafeConstructor()
        self.values: dict[tuple, Position] = {}
        self.keys: dict[tuple, Position] = {}

    def document(self) -> Any:
        next_event = self.next_event
        next_event()  # stream start
        if type(next_event()) is StreamEndEvent:  # no document: let the careful path say so
            raise _Careful
        data = self.node(next_event(), (), 0, False)
        next_event()  # document end
        if type(next_event()) is not StreamEndEvent:  # a second document
            raise _Careful
        if len(self.values) > self.max_nodes:  # one position per value
            raise _Careful
        return data

    def tag(self, event: ScalarEvent, in_flow: bool) -> str:
        """The tag PyYAML's resolver gives this untagged scalar (only standard tags pass)."""
        if event.tag is not None or event.anchor is not None:
            raise _Careful
        if not event.implicit[0]:  # quoted or block text
            if event.style in ("|", ">"):
                self.block_header(event.start_mark.index)
            return _STR
        value = event.value
        if not value:
            # Inside [...] or {...}, PyYAML places an empty value right after its ':' (libyaml:
            # at the next token; a bare key has one too); libyaml counts one more line at the end.
            if in_flow or event.start_mark.index >= self.end:
                raise _Careful
        elif in_flow and "?" in value:  # PyYAML ends a plain text at '?' inside [...] or {...}
            raise _Careful
        tag = self.tags.get(value)
        if tag is None:
            tag = _STR
            resolvers = self.resolvers
            for candidate, regexp in resolvers.get(value[:1], []) + resolvers.get(None, []):
                if regexp.match(value):
                    tag = candidate
                    break
            if tag not in self.standard_tags:
                raise _Careful
            self.tags[value] = tag
        return tag

    def block_header(self, index: int) -> None:
        """PyYAML wants a space or a line break after `|+2`-style indicators; libyaml does not."""
        text, end = self.text, self.end
        index += 1
        while index < end and text[index] in "+-0123456789":
            index += 1
        if index < end and text[index] not in _AFTER_HEADER:
            raise _Careful

    def construct(self, tag: str, event: ScalarEvent) -> Any:
        """A number, date, true/false or null, as the safe constructor makes it."""
        value = event.value
        if value not in self.constructed:
            node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
            try:
                self.constructed[value] = self.constructor.construct_object(node, deep=True)
            except (ConstructorError, ValueError) as error:
                raise _Careful from error
        return self.constructed[value]

    def node(self, event: Any, path: tuple, depth: int, in_flow: bool) -> Any:
        mark = event.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is ScalarEvent:
            tag = self.tag(event, in_flow)
            return event.value if tag == _STR else self.construct(tag, event)
        if kind is not SequenceStartEvent and kind is not MappingStartEvent:
            raise _Careful  # an alias
        if event.tag is not None or event.anchor is not None or depth >= MAX_DEPTH:
            raise _Careful
        in_flow = in_flow or bool(event.flow_style)
        if kind is SequenceStartEvent:
            return self.sequence(path, depth + 1, in_flow)
        return self.mapping(path, depth + 1, in_flow)

    def sequence(self, path: tuple, depth: int, in_flow: bool) -> list[Any]:
        result: list[Any] = []
        next_event = self.next_event
        while True:
            event = next_event()
            if type(event) is SequenceEndEvent:
                return result
            result.append(self.node(event, (*path, len(result)), depth, in_flow))

    def mapping(self, path: tuple, depth: int, in_flow: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        next_event = self.next_event
        keys = self.keys
        while True:
            event = next_event()
            if type(event) is MappingEndEvent:
                return result
            if type(event) is not ScalarEvent:  # a list or a mapping as a key
                raise _Careful
            self.tag(event, in_flow)
            key = event.value  # as typed, whatever its tag
            if key in result:
                raise _Careful
            child = (*path, key)
            mark = event.start_mark
            keys[child] = (mark.line + 1, mark.column + 1)
            result[key] = self.node(next_event(), child, depth, in_flow)


def load(
    text: str,
    resolvers: dict[Any, list[tuple[str, Any]]],
    standard_tags: Collection[str],
    max_nodes: int,
) -> tuple[Any, dict[tuple, Position], dict[tuple, Position]] | None:
    """`(data, value positions, key positions)` of a clean file, or None to take the careful path.

    `resolvers` is the implicit-resolver table of the pure-Python loader, so both paths give a
    plain scalar the same type; positions are 1-based (line, column), as in `yamlsource`.
    """
    if not AVAILABLE or "\t" in text or "\ufeff" in text:
        return None
    walker = _Walker(text, resolvers, standard_tags, max_nodes)
    collecting = gc.isenabled()
    gc.disable()  # the walk makes many objects and no cycles; collection passes only slow it
    try:
        data = walker.document()
    except Exception:  # a syntax error, _Careful or any surprise: take the careful path
        return None
    finally:
        if collecting:
            gc.enable()
    return data, walker.values, walker.keys
