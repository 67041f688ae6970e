"""The knowledge loader (stemcheck.knowledge.loader) and its safe YAML reader (yamlsafe).

Every problem must be a KnowledgeError whose message names the file, a line and, where
there is one, the assertion id: `stemcheck kb validate` is a linter for knowledge authors.
Hostile files (Python tags, billion laughs, huge or binary files) are refused before
anything is built from them.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path

import pytest

from stemcheck.errors import KnowledgeError
from stemcheck.knowledge.loader import builtin_dir, knowledge_files, load_knowledge
from stemcheck.knowledge.yamlsafe import MAX_BYTES, parse_yaml, read_yaml
from stemcheck.model import Kind

GOOD = """\
topic: demo
title: Loader test
defaults: {jurisdiction: CN, reviewed: 2026-11-22}
assertions:
  - id: demo.one
    statement: China has approved a stem cell drug
    terms: [[stem cell], [approv]]
    phrasings: [China has approved a stem cell drug]
    timeline:
      - {until: 2025-01-01, holds: false}
      - {from: 2025-01-02, holds: true, note: approved}
    sources:
      - {title: T, publisher: P, url: "https://example.org/a", published: 2025-01-03}
  - id: demo.two
    kind: quantity
    statement: Stem cell drugs in trials
    terms: [[stem cell], [trial]]
    counts: [stem cell drug]
    phrasings: [stem cell drugs in clinical trials]
    series:
      - on: 2023-08-31
        value: 70
      - {on: 2023-11-09, value: 56}
    sources:
      - {title: T, publisher: P, url: "https://example.org/b", published: 2023-11-10}
"""


def write(directory: Path, name: str, text: str | bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, marker: str) -> int:
    """1-based line of the first line containing `marker`."""
    for i, line in enumerate(text.splitlines(), 1):
        if marker in line:
            return i
    raise AssertionError(f"{marker!r} not in text")


def load_error(*dirs: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(list(dirs))
    return info.value


def assert_names(err: KnowledgeError, path: Path, line: int | None = None, ident: str | None = None, what: str | None = None) -> str:
    """One of the error's problems names `path` with a line number (== `line` when given),
    the assertion id and the `what` text; return that problem."""
    pattern = re.compile(re.escape(str(path)) + r":(\d+)(?::\d+)?: (.*)$")
    for problem in err.problems:
        m = pattern.match(problem)
        if not m:
            continue
        if line is not None and int(m.group(1)) != line:
            continue
        if ident is not None and ident not in m.group(2):
            continue
        if what is not None and what not in problem:
            continue
        return problem
    raise AssertionError(f"no problem names {path}:{line} {ident} {what!r}: {err.problems}")


# --------------------------------------------------------------------------- good files


def test_good_file_loads(tmp_path):
    path = write(tmp_path, "demo.yaml", GOOD)
    kb = load_knowledge([tmp_path])
    assert [a.id for a in kb.assertions] == ["demo.one", "demo.two"]
    assert kb.origins["demo.one"].path == str(path)
    assert kb.origins["demo.one"].line == line_of(GOOD, "id: demo.one")
    assert kb.origins["demo.two"].line == line_of(GOOD, "id: demo.two")
    assert kb.topics == {"demo": "Loader test"}
    one = kb.get("demo.one")
    assert one.jurisdiction.value == "CN"  # from defaults
    assert one.timeline[1].start.isoformat() == "2025-01-02"


def test_on_keys_are_strings_yaml_1_2_booleans(tmp_path):
    # In YAML 1.1 `on:` is the boolean True: a series point's date key would vanish.
    write(tmp_path, "demo.yaml", GOOD)
    q = load_knowledge([tmp_path]).get("demo.two")
    assert q.kind is Kind.QUANTITY
    assert [p.on.isoformat() for p in q.series] == ["2023-08-31", "2023-11-09"]
    data, _ = parse_yaml("on: 1\nno: NO\nyes: y\noff: Off\nt: true\nf: False\n", "x.yaml")
    assert data == {"on": 1, "no": "NO", "yes": "y", "off": "Off", "t": True, "f": False}


def test_marks_record_lines():
    data, marks = parse_yaml(GOOD, "demo.yaml")
    assert marks.line_of(("assertions", 1, "series", 0, "on")) == line_of(GOOD, "on: 2023-08-31")
    assert marks.line_of(("assertions", 0, "nonexistent", 3)) == line_of(GOOD, "id: demo.one")
    assert data["assertions"][0]["id"] == "demo.one"


def test_alias_file_loads(tmp_path):
    write(tmp_path, "aliases.yaml", "aliases:\n  - {canonical: nmpa, kind: regulator, jurisdiction: CN, variants: [CFDA]}\ndomain: [stem cell]\n")
    write(tmp_path, "demo.yaml", GOOD)
    kb = load_knowledge([tmp_path])
    assert kb.aliases[0].canonical == "nmpa"
    assert kb.domain == ("stem cell",)


def test_real_knowledge_base_loads():
    d = builtin_dir()
    assert d.is_dir()
    files = knowledge_files([d])
    assert files[0].name == "aliases.yaml"
    kb = load_knowledge([d])
    assert len(kb.assertions) >= 50
    assert len(kb.aliases) >= 10
    ids = [a.id for a in kb.assertions]
    assert len(ids) == len(set(ids))
    for a in kb.assertions:
        o = kb.origins[a.id]
        assert a.id.startswith(o.topic + ".")
        assert o.line >= 1
        assert a.sources


# --------------------------------------------------------------------------- problems with file:line and id


def test_malformed_yaml(tmp_path):
    text = GOOD.replace("terms: [[stem cell], [approv]]", "terms: [[stem cell], [approv]")
    path = write(tmp_path, "demo.yaml", text)
    err = load_error(tmp_path)
    problem = assert_names(err, path, what="malformed YAML")
    line = int(problem[len(str(path)) + 1 :].split(":")[0])
    assert abs(line - line_of(text, "terms: [[stem cell], [approv]")) <= 1


def test_unknown_key(tmp_path):
    text = GOOD.replace("    statement: China has", "    statment: typo\n    statement: China has")
    path = write(tmp_path, "demo.yaml", text)
    err = load_error(tmp_path)
    assert_names(err, path, line_of(text, "statment:"), "demo.one", "unknown key")
    assert "statment" in str(err)


def test_unknown_key_in_timeline(tmp_path):
    text = GOOD.replace("{until: 2025-01-01, holds: false}", "{until: 2025-01-01, hold: false}")
    path = write(tmp_path, "demo.yaml", text)
    err = load_error(tmp_path)
    assert_names(err, path, line_of(text, "hold: false"), "demo.one", "unknown key")


def test_unknown_top_level_key(tmp_path):
    text = GOOD + "extra: 1\n"
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, "extra: 1"), what="unknown key")


def test_missing_required_field(tmp_path):
    text = GOOD.replace("    statement: China has approved a stem cell drug\n", "")
    path = write(tmp_path, "demo.yaml", text)
    err = load_error(tmp_path)
    assert_names(err, path, line_of(text, "id: demo.one"), "demo.one", "statement")


def test_missing_sources(tmp_path):
    text = GOOD.replace('    sources:\n      - {title: T, publisher: P, url: "https://example.org/a", published: 2025-01-03}\n', "")
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, "id: demo.one"), "demo.one", "sources")


def test_duplicate_id_across_two_files(tmp_path):
    # topic "demo" may hold "demo.two.x" and topic "demo.two" too: the id is then defined twice
    first = write(tmp_path, "demo.yaml", GOOD.replace("id: demo.one", "id: demo.two.x"))
    second_text = GOOD.replace("topic: demo\n", "topic: demo.two\n").replace("id: demo.one", "id: demo.two.x").replace("id: demo.two\n", "id: demo.two.y\n")
    second = write(tmp_path, "demo-two.yaml", second_text)
    err = load_error(tmp_path)
    line = line_of(GOOD, "id: demo.one")
    assert line == line_of(second_text, "id: demo.two.x")
    # files load in name order ("demo-two" before "demo"): the later one is the duplicate
    later, earlier = (first, second) if str(second) < str(first) else (second, first)
    problem = assert_names(err, later, line, "demo.two.x", "duplicate id")
    assert f"{earlier}:{line}" in problem


def test_duplicate_id_across_two_directories(tmp_path):
    # a user's knowledge directory that repeats a built-in id
    write(tmp_path / "a", "demo.yaml", GOOD)
    second = write(tmp_path / "b", "demo.yaml", GOOD)
    err = load_error(tmp_path / "a", tmp_path / "b")
    assert_names(err, second, line_of(GOOD, "id: demo.one"), "demo.one", "duplicate id")
    assert_names(err, second, what="defined in two files")
    assert len(err.problems) >= 3
    assert "more" in str(err)  # str() is the first problem plus a count


def test_id_not_starting_with_topic(tmp_path):
    text = GOOD.replace("id: demo.one", "id: other.one")
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, "id: other.one"), "other.one", "topic")


def test_id_with_topic_as_mere_prefix_string(tmp_path):
    # "demonstration.x" starts with "demo" but not with "demo."
    text = GOOD.replace("id: demo.one", "id: demonstration.one")
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, "id: demonstration.one"), "demonstration.one", "topic")


def test_file_name_not_matching_topic(tmp_path):
    path = write(tmp_path, "other.yaml", GOOD)
    err = load_error(tmp_path)
    assert_names(err, path, line_of(GOOD, "topic: demo"), what="demo.yaml")


def test_dotted_topic_file_name(tmp_path):
    write(tmp_path, "demo-two.yaml", GOOD.replace("topic: demo\n", "topic: demo.two\n").replace("id: demo.", "id: demo.two."))
    assert len(load_knowledge([tmp_path]).assertions) == 2


def test_inverted_timeline_window(tmp_path):
    text = GOOD.replace("{from: 2025-01-02, holds: true, note: approved}", "{from: 2025-01-02, until: 2024-01-01, holds: true}")
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, "until: 2024-01-01"), "demo.one", "inverted")


def test_overlapping_windows(tmp_path):
    text = GOOD.replace("{from: 2025-01-02, holds: true, note: approved}", "{from: 2024-06-01, holds: true}")
    path = write(tmp_path, "demo.yaml", text)
    problem = assert_names(load_error(tmp_path), path, ident="demo.one", what="overlap")
    assert "(file)" not in problem


def test_two_open_ended_windows(tmp_path):
    text = GOOD.replace("{until: 2025-01-01, holds: false}", "{holds: false}")
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, ident="demo.one", what="overlap")


@pytest.mark.parametrize("bad", ["2025-02-30", "2025-13-01", "2025-00-10"])
def test_invalid_date(tmp_path, bad):
    text = GOOD.replace("published: 2025-01-03", f"published: {bad}")
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, bad), "demo.one", "published")


def test_date_that_is_not_a_date(tmp_path):
    text = GOOD.replace("published: 2025-01-03", "published: last Tuesday")
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, "last Tuesday"), "demo.one", "date")


def test_source_without_url(tmp_path):
    text = GOOD.replace('url: "https://example.org/a", ', "")
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, "{title: T, publisher: P, published: 2025-01-03}"), "demo.one", "url")


def test_source_with_non_http_url(tmp_path):
    text = GOOD.replace('"https://example.org/a"', '"javascript:alert(1)"')
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, line_of(text, "javascript"), "demo.one", "URL")


def test_python_tag_is_refused_and_not_executed(tmp_path):
    marker = tmp_path / "PWNED"
    tag = f"!!python/object/apply:os.system ['touch {marker}']"
    text = GOOD.replace("statement: China has approved a stem cell drug", f"statement: {tag}")
    path = write(tmp_path / "kb", "demo.yaml", text)
    err = load_error(tmp_path / "kb")
    assert_names(err, path, line_of(text, "python/object"), what="tag")
    assert not marker.exists()


@pytest.mark.parametrize(
    "doc",
    [
        "!!python/object/apply:os.system ['touch {marker}']\n",
        "topic: !!python/object/apply:os.system ['touch {marker}']\n",
        "? !!python/object/apply:os.system ['touch {marker}']\n: 1\n",
        "topic: !!python/name:os.system\n",
        "topic: !custom 1\n",
        "topic: !!binary aGVsbG8=\n",
        "topic: !!set {a, b}\n",
    ],
)
def test_non_plain_tags_are_refused(tmp_path, doc):
    marker = tmp_path / "PWNED"
    path = write(tmp_path / "kb", "demo.yaml", doc.replace("{marker}", str(marker)))
    err = load_error(tmp_path / "kb")
    assert_names(err, path, 1)
    assert not marker.exists()


def billion_laughs(levels: int = 9) -> str:
    lines = ["topic: demo", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join(["*" + prev] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_refused_quickly_with_little_memory(tmp_path):
    text = billion_laughs()
    path = write(tmp_path, "demo.yaml", text)
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        err = load_error(tmp_path)
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert_names(err, path, 2, what="anchors and aliases")  # the anchor's line
    assert elapsed < 1.0
    assert peak < 10 * 1024 * 1024


def test_single_alias_is_refused(tmp_path):
    text = GOOD.replace("    statement: China has approved a stem cell drug", "    statement: &s China has approved a stem cell drug").replace(
        "statement: Stem cell drugs in trials", "statement: *s"
    )
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, what="anchors and aliases")


def test_merge_key_is_refused(tmp_path):
    text = "topic: demo\n<<: {title: sneaky}\ntitle: x\n"
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, 2, what="merge")


def test_duplicate_mapping_keys(tmp_path):
    text = GOOD.replace("    statement: China has", "    statement: first\n    statement: China has")
    path = write(tmp_path, "demo.yaml", text)
    err = load_error(tmp_path)
    assert_names(err, path, line_of(text, "statement: China has"), what="duplicate key 'statement'")


def test_duplicate_top_level_key(tmp_path):
    text = GOOD + "topic: demo\n"
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, len(text.splitlines()), what="duplicate key 'topic'")


def test_huge_file_over_size_limit(tmp_path):
    path = tmp_path / "demo.yaml"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("topic: demo\n")
        chunk = "# " + "x" * 1022 + "\n"
        for _ in range(MAX_BYTES // len(chunk) + 2):
            fh.write(chunk)
    t0 = time.perf_counter()
    err = load_error(tmp_path)
    assert time.perf_counter() - t0 < 1.0
    assert_names(err, path, 1, what="limited to")


def test_binary_file(tmp_path):
    path = write(tmp_path, "demo.yaml", b"topic: demo\n\x00\x01\x02\xff\xfe")
    assert_names(load_error(tmp_path), path, 2, what="binary")


def test_not_utf8(tmp_path):
    path = write(tmp_path, "demo.yaml", "topic: demo\ntitle: caf\xe9\n".encode("latin-1"))
    assert_names(load_error(tmp_path), path, 2, what="UTF-8")


def test_utf8_bom_is_accepted(tmp_path):
    write(tmp_path, "demo.yaml", "\ufeff" + GOOD)
    assert len(load_knowledge([tmp_path]).assertions) == 2


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just a string\n"])
def test_not_a_mapping(tmp_path, text):
    path = write(tmp_path, "demo.yaml", text)
    assert_names(load_error(tmp_path), path, 1, what="mapping")


def test_deep_nesting(tmp_path):
    path = write(tmp_path, "demo.yaml", "topic: demo\nx: " + "[" * 3000 + "]" * 3000 + "\n")
    assert_names(load_error(tmp_path), path)


def test_non_scalar_key(tmp_path):
    path = write(tmp_path, "demo.yaml", "topic: demo\n? [a, b]\n: 1\n")
    assert_names(load_error(tmp_path), path, 2, what="plain")


def test_missing_directory(tmp_path):
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge([tmp_path / "nope"])


def test_every_problem_is_reported(tmp_path):
    text = GOOD.replace("id: demo.one", "id: other.one").replace("published: 2023-11-10", "published: 2023-11-31")
    path = write(tmp_path, "demo.yaml", text)
    write(tmp_path, "zzz.yaml", "topic: zzz\nbogus: 1\n")
    err = load_error(tmp_path)
    assert_names(err, path, ident="demo.two", what="published")
    assert_names(err, tmp_path / "zzz.yaml", 2, what="unknown key")


def test_read_yaml_directly(tmp_path):
    path = write(tmp_path, "demo.yaml", GOOD)
    data, marks = read_yaml(path)
    assert data["topic"] == "demo"
    assert marks.line_of(("topic",)) == 1
