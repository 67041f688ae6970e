"""Load and validate knowledge directories into one `KnowledgeBase`.

The loader knows the model, not the matcher: it returns validated assertions and aliases,
with the file and line each came from, and reports every problem it can find (not only
the first) so that `stemcheck kb validate` is a useful linter for knowledge authors.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from stemcheck.errors import KnowledgeError
from stemcheck.knowledge.files import KnowledgeBase, Origin, builtin_dir, knowledge_files
from stemcheck.knowledge.yamlsafe import Marks, read_yaml
from stemcheck.model import Alias, AliasFile, Assertion, FieldError, TopicFile

__all__ = ["KnowledgeBase", "Origin", "builtin_dir", "knowledge_files", "load_files", "load_knowledge", "parse"]


def load_knowledge(dirs: list[Path]) -> KnowledgeBase:
    """Load every file in `dirs`; raise KnowledgeError listing all problems found."""
    return load_files(knowledge_files(dirs))


def load_files(files: list[Path]) -> KnowledgeBase:
    problems: list[str] = []
    assertions: list[Assertion] = []
    aliases: list[Alias] = []
    origins: dict[str, Origin] = {}
    alias_origin: dict[str, tuple[str, int]] = {}  # canonical -> (file, position in `aliases`)
    topics: dict[str, str] = {}
    domain: list[str] = []
    for path in files:
        try:
            data, marks = read_yaml(path)
        except KnowledgeError as e:
            problems.extend(e.problems)
            continue
        name = str(path)
        if not isinstance(data, dict):
            problems.append(f"{name}:1: expected a mapping with `topic:` and `assertions:` (or `aliases:`)")
            continue
        if "topic" not in data and set(data) <= {"aliases", "domain"}:
            parsed = _validate(AliasFile, data, marks, name, problems)
            file_aliases = parsed.aliases if parsed else ()
            domain.extend(parsed.domain if parsed else ())
        else:
            parsed_topic = _validate_topic(data, marks, name, problems)
            if parsed_topic is None:
                continue
            topic = parsed_topic.topic
            expected = topic.replace(".", "-")
            if path.stem != expected:
                problems.append(f"{name}:{marks.line_of(('topic',)) or 1}: topic {topic!r} belongs in a file named {expected}.yaml")
            if topic in topics:
                problems.append(f"{name}:{marks.line_of(('topic',)) or 1}: topic {topic!r} is defined in two files")
            topics[topic] = parsed_topic.title or topic
            file_aliases = parsed_topic.aliases
            for i, a in enumerate(parsed_topic.assertions):
                line = marks.line_of(("assertions", i)) or 1
                if not a.id.startswith(topic + "."):
                    problems.append(f"{name}:{line}: {a.id}: id must start with the file's topic {topic!r}")
                if a.id in origins:
                    o = origins[a.id]
                    problems.append(f"{name}:{line}: {a.id}: duplicate id (first defined at {o.path}:{o.line})")
                    continue
                origins[a.id] = Origin(name, line, topic)
                assertions.append(a)
        for i, al in enumerate(file_aliases):
            key = al.canonical.strip().lower()
            if key in alias_origin:
                first_file, pos = alias_origin[key]
                first = aliases[pos]
                if first.jurisdiction != al.jurisdiction:
                    line = marks.line_of(("aliases", i)) or 1
                    problems.append(
                        f"{name}:{line}: alias {al.canonical!r} is defined in {first_file} with jurisdiction "
                        f"{first.jurisdiction}, here with {al.jurisdiction}"
                    )
                    continue
                # the same entity named again (a user's knowledge on top of the built-in): merge variants
                merged = tuple(dict.fromkeys(first.variants + al.variants))
                aliases[pos] = replace(first, variants=merged)
                continue
            alias_origin[key] = (name, len(aliases))
            aliases.append(al)
    problems.extend(_cross_checks(assertions, origins))
    if problems:
        raise KnowledgeError(problems[0], problems)
    return KnowledgeBase(tuple(assertions), tuple(aliases), origins, topics, tuple(dict.fromkeys(domain)))


def _validate_topic(data: dict, marks: Marks, name: str, problems: list[str]) -> TopicFile | None:
    """Validate a topic file, applying `defaults` to each assertion first."""
    defaults = data.get("defaults") or {}
    if isinstance(defaults, dict) and isinstance(data.get("assertions"), list):
        merged = []
        for item in data["assertions"]:
            if isinstance(item, dict):
                item = {**{k: v for k, v in defaults.items() if v is not None}, **item}
            merged.append(item)
        data = {**data, "assertions": merged}
    return _validate(TopicFile, data, marks, name, problems)


@functools.cache
def _adapter(model: type) -> TypeAdapter:
    return TypeAdapter(model)  # building one builds the model's schema: once per model


def parse(model: type, data: object):
    """Validate `data` (parsed YAML) as `model` (a stemcheck.model dataclass): types, shapes,
    unknown keys and value rules. Raises pydantic.ValidationError."""
    return _adapter(model).validate_python(data)


def _validate(model, data: dict, marks: Marks, name: str, problems: list[str]):
    try:
        return parse(model, data)
    except ValidationError as e:
        for err in e.errors():
            cause = (err.get("ctx") or {}).get("error")
            if isinstance(cause, FieldError):  # value rules: one problem each, at its key's line
                for field, message in cause.problems:
                    loc = tuple(err["loc"]) + ((field,) if field else ())
                    problems.append(_problem(name, marks, data, loc, message))
                continue
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
                msg = "unknown key"
            problems.append(_problem(name, marks, data, tuple(err["loc"]), msg))
        return None


def _problem(name: str, marks: Marks, data: dict, loc: tuple, msg: str) -> str:
    """"file:line: id: field.path: message" for a validation error at `loc`."""
    line = marks.line_of(loc) or 1
    ident = ""
    if len(loc) >= 2 and loc[0] == "assertions" and isinstance(loc[1], int):
        items = data.get("assertions") or []
        if loc[1] < len(items) and isinstance(items[loc[1]], dict):
            ident = f"{items[loc[1]].get('id', '?')}: "
        loc = loc[2:]
    field_path = ".".join(str(x) for x in loc) or ("(assertion)" if ident else "(file)")
    return f"{name}:{line}: {ident}{field_path}: {msg}"


def _cross_checks(assertions: list[Assertion], origins: dict[str, Origin]) -> list[str]:
    """Checks that need the whole base: example verdicts that the kind cannot produce."""
    problems = []
    for a in assertions:
        o = origins[a.id]
        for ex in a.examples:
            if a.kind.value == "red-flag" and any(v.value in ("outdated",) for v in ex.acceptable) and len(ex.acceptable) == 1:
                problems.append(f"{o.path}:{o.line}: {a.id}: a red-flag is never outdated (example {ex.claim!r})")
    return problems
