"""Read a YAML knowledge file safely, keeping line numbers for error messages.

`yaml.safe_load` alone is not enough for files users write themselves:
* it forgets where things were, so a validation error could not name a line;
* it silently keeps the last of two duplicate keys;
* anchors and aliases let a 1 KB file expand into billions of nodes when a validator walks
  it ("billion laughs"). Knowledge files have no use for them, so they are refused.
Tags outside the safe set (`!!python/object`, ...) are refused by the SafeLoader itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from pathlib import Path
from typing import Any

import yaml

from stemcheck.errors import KnowledgeError

MAX_BYTES = 5 * 1024 * 1024  # a knowledge file larger than this is a mistake, not knowledge
MAX_NODES = 200_000
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)


@dataclass
class Marks:
    """Line (1-based) of every mapping key and sequence item, addressed by its path."""

    lines: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, loc: tuple) -> int | None:
        """The line of the deepest known prefix of `loc` (pydantic error locations)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)


def read_yaml(path: Path) -> tuple[Any, Marks]:
    """Parse `path` into plain Python data plus line marks, or raise KnowledgeError(file:line)."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise KnowledgeError(f"{path}: cannot read: {e.strerror or e}") from None
    if size > MAX_BYTES:
        raise KnowledgeError(f"{path}:1: file is {size} bytes; knowledge files are limited to {MAX_BYTES}")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise KnowledgeError(f"{path}: cannot read: {e.strerror or e}") from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise KnowledgeError(f"{path}:{_line_at(raw, nul)}: binary file, not YAML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise KnowledgeError(f"{path}:{_line_at(raw, e.start)}: not UTF-8 (byte {e.start})") from None
    return parse_yaml(text, str(path))


def _line_at(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false. In YAML 1.1 `on:`, `no` and `yes`
    are booleans, which turns a series point's `on:` key into True and Norway's code into False."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"] for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A date-shaped scalar that is not a real date (2025-02-30) stays text, so the validator
    reports it with its file, line and assertion id instead of PyYAML raising ValueError."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def parse_yaml(text: str, name: str) -> tuple[Any, Marks]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Marks()
        marks = Marks()
        _walk(node, (), marks, name, set(), [0])
        data = loader.construct_document(node)
    except KnowledgeError:
        raise
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        what = (e.problem or e.context or "invalid YAML").strip()
        raise KnowledgeError(f"{where}: malformed YAML: {what}") from None
    except yaml.YAMLError as e:
        raise KnowledgeError(f"{name}: malformed YAML: {str(e).splitlines()[0]}") from None
    except RecursionError:
        raise KnowledgeError(f"{name}:1: YAML nested too deeply") from None
    finally:
        loader.dispose()
    return data, marks


def _walk(node: yaml.Node, path: tuple, marks: Marks, name: str, seen: set[int], count: list[int]) -> None:
    if id(node) in seen:
        raise KnowledgeError(
            f"{name}:{node.start_mark.line + 1}: YAML anchors and aliases are not allowed in knowledge files"
        )
    seen.add(id(node))
    count[0] += 1
    if count[0] > MAX_NODES:
        raise KnowledgeError(f"{name}:{node.start_mark.line + 1}: more than {MAX_NODES} YAML nodes; split the file")
    if node.tag not in _PLAIN_TAGS:
        raise KnowledgeError(f"{name}:{node.start_mark.line + 1}: YAML tag {node.tag!r} is not allowed")
    marks.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set = set()
        for k, v in node.value:
            if k.tag == "tag:yaml.org,2002:merge":
                raise KnowledgeError(f"{name}:{k.start_mark.line + 1}: YAML merge keys (<<) are not allowed in knowledge files")
            if not isinstance(k, yaml.ScalarNode) or k.tag not in _PLAIN_TAGS:
                raise KnowledgeError(f"{name}:{k.start_mark.line + 1}: mapping keys must be plain words")
            if k.value in keys:
                raise KnowledgeError(f"{name}:{k.start_mark.line + 1}: duplicate key {k.value!r}")
            keys.add(k.value)
            marks.lines[path + (k.value,)] = k.start_mark.line + 1
            _walk(v, path + (k.value,), marks, name, seen, count)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            marks.lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), marks, name, seen, count)
