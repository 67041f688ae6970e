"""Output formats: the name -> class mapping is exhaustive both ways, SARIF validates
against the official 2.1.0 schema, GitHub workflow commands are escaped and capped,
rdjsonl is one JSON object per line with UTF-8 byte columns, json/jsonl follow the
DESIGN.md result contract, text honours --color."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scan_helpers import AS_OF, FUZZ_SCALE, REPO, run, scan
from stemcheck.formats.base import Formatter, Report
from stemcheck.formats.registry import CHECK_FORMATS, FORMATTERS, SCAN_FORMATS
from stemcheck.formats.base import Notice
from stemcheck.formats.github import GITHUB_CAP, GithubFormatter, escape_data, escape_property
from stemcheck.model import AssertionRef, Location, Result, Source, Verdict

SEEDS_DIR = REPO / "tests" / "fixtures" / "seeds"
DOCS = ["tests/fixtures/docs/article.md", "tests/fixtures/docs/article.html", "tests/fixtures/docs/article.txt", "tests/fixtures/docs/cjk-emoji.md"]
ALL = [*DOCS, "tests/fixtures/seeds"]
CONTRACT_SCAN_FORMATS = ("text", "json", "jsonl", "sarif", "github", "rdjsonl")  # DESIGN.md, "Command line"
CONTRACT_CHECK_FORMATS = ("text", "json", "jsonl")


def sarif_schema() -> dict:
    """The official schema: ../shared when present, else the copy kept in tests/fixtures."""
    shared = Path(__file__).parents[1].parent / "shared/schemas/sarif-schema-2.1.0.json"
    copy = Path(__file__).parent / "fixtures/sarif-schema-2.1.0.json"
    return json.loads((shared if shared.is_file() else copy).read_text(encoding="utf-8"))


def validate_sarif(doc: dict) -> None:
    schema = sarif_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    cls(schema).validate(doc)


def result(claim: str, verdict: Verdict = Verdict.REFUTED, path: str = "docs/a.md", line: int = 3, col: int = 5, note: str | None = None) -> Result:
    src = Source(title="A source", publisher="Pub, Inc.", url="https://example.org/a?b=1,2", published=dt.date(2025, 1, 3))
    return Result(
        claim=claim,
        verdict=verdict,
        confidence=0.9,
        judged_at=dt.date(2026, 11, 22),
        assertion=None
        if verdict is Verdict.UNVERIFIED
        else AssertionRef(id="cn.approvals.stem-cell-drug", statement="China has approved a stem cell drug", valid_from=dt.date(2025, 1, 2), valid_until=None),
        note=note,
        sources=() if verdict is Verdict.UNVERIFIED else (src,),
        location=Location(path=path, line=line, column=col, end_line=line, end_column=col + len(claim), byte_column=col, byte_end_column=col + len(claim.encode())),
    )


def report(*results: Result, notices: tuple[Notice, ...] = ()) -> Report:
    return Report(command="scan", as_of=dt.date(2026, 11, 22), results=tuple(results), files_scanned=1, notices=notices)


# --------------------------------------------------------------------------- the mapping


def test_scan_and_check_formats_are_the_contract():
    assert SCAN_FORMATS == CONTRACT_SCAN_FORMATS
    assert CHECK_FORMATS == CONTRACT_CHECK_FORMATS


def test_every_formatter_class_is_registered_and_reachable():
    def subclasses(c):
        for s in c.__subclasses__():
            yield s
            yield from subclasses(s)

    concrete = {c for c in subclasses(Formatter) if not inspect.isabstract(c) and c.__module__.startswith("stemcheck.")}
    assert concrete == set(FORMATTERS.values())
    for name, cls in FORMATTERS.items():
        assert cls.name == name
        assert cls.modes and cls.modes <= {"check", "scan"}
        assert name in SCAN_FORMATS or name in CHECK_FORMATS  # reachable from some command
    assert set(SCAN_FORMATS) | set(CHECK_FORMATS) == set(FORMATTERS)


def test_scan_format_rejects_others_and_lists_the_accepted_ones():
    r = scan(["tests/fixtures/docs/article.md"], "--as-of", AS_OF, "--format", "xml")
    assert r.code == 2 and len(r.err_lines) == 1
    listed = tuple(x.strip() for x in r.err_lines[0].split("is not one of", 1)[1].split(","))
    assert listed == SCAN_FORMATS


@pytest.mark.parametrize("name", CONTRACT_SCAN_FORMATS)
def test_each_scan_format_value_renders_with_its_class(name, monkeypatch):
    used = []
    for cls in set(FORMATTERS.values()):
        # a format renders whole (render) or as findings arrive (open_stream); either counts
        for method in ("render", "open_stream"):
            original = getattr(cls, method)

            def spy(self, rep, _original=original):
                used.append(type(self))
                return _original(self, rep)

            monkeypatch.setattr(cls, method, spy)
    r = scan(["tests/fixtures/docs/article.md"], "--as-of", AS_OF, "--format", name, "--color", "never")
    assert r.code == 1, r.err
    assert used == [FORMATTERS[name]]
    assert r.out.endswith("\n")


@pytest.mark.parametrize("name", sorted(set(FORMATTERS) - set(CHECK_FORMATS)))
def test_scan_only_formats_are_refused_by_check(name):
    r = run(["check", "--as-of", AS_OF, "--format", name, "CAR-T cells are a type of stem cell."])
    assert r.code == 2 and len(r.err_lines) == 1


@pytest.mark.parametrize("name", SCAN_FORMATS)
def test_every_format_renders_an_empty_report(name):
    out = FORMATTERS[name]().render(report())
    if name == "json":
        assert json.loads(out)["results"] == []
    elif name == "sarif":
        validate_sarif(json.loads(out))
    elif name == "text":
        assert "0 errors" in out
    else:
        assert out == ""


# --------------------------------------------------------------------------- SARIF


def test_sarif_validates_against_the_official_schema():
    r = scan(ALL, "--as-of", AS_OF, "--format", "sarif")
    assert r.code == 1, r.err
    doc = r.json()
    validate_sarif(doc)
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert len({x["id"] for x in rules}) == len(rules)
    findings = [x for x in run_["results"] if x["ruleId"] != "unused-suppression"]
    assert findings and any(x["ruleId"] == "unused-suppression" for x in run_["results"])
    for res in run_["results"]:
        rule = rules[res["ruleIndex"]]
        assert rule["id"] == res["ruleId"]
        assert rule["help"]["text"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    # each assertion's rule carries its id, help text and a helpUri (its first source)
    jsonl = {(x["location"]["path"], x["location"]["line"], x["location"]["column"]): x for x in scan(ALL, "--as-of", AS_OF, "--format", "jsonl").jsonl()}
    for res in findings:
        region = res["locations"][0]["physicalLocation"]["region"]
        key = (res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], region["startLine"], region["startColumn"])
        contract = jsonl[key]
        rule = rules[res["ruleIndex"]]
        if contract["assertion"] is None:
            assert res["ruleId"] == "stemcheck.unverified" and res["level"] == "note"
            continue
        assert rule["id"] == contract["assertion"]["id"]
        assert contract["assertion"]["statement"] in rule["help"]["text"]
        assert rule["helpUri"] == contract["sources"][0]["url"]
        assert rule["help"]["markdown"]
        assert res["level"] == {"refuted": "error", "misleading": "error", "outdated": "warning"}[contract["verdict"]]
        assert res["properties"]["verdict"] == contract["verdict"]
        assert res["partialFingerprints"]


def test_sarif_uri_is_a_valid_uri_reference(tmp_path):
    d = tmp_path / "my docs"
    d.mkdir()
    (d / "news #1.md").write_text("CAR-T cells are a type of stem cell.\n", encoding="utf-8")
    doc = scan(["my docs/news #1.md"], "--as-of", AS_OF, "--format", "sarif", cwd=tmp_path).json()
    validate_sarif(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20docs/news%20%231.md"


# --------------------------------------------------------------------------- GitHub


def test_github_escape_data():
    assert escape_data("100% sure\r\nnext") == "100%25 sure%0D%0Anext"
    assert escape_data("%0A") == "%250A"  # '%' first, so an escape in the input stays literal
    assert escape_data("a: b, c") == "a: b, c"


def test_github_escape_property():
    assert escape_property("docs/a:b,c.md") == "docs/a%3Ab%2Cc.md"
    assert escape_property("50%\n:,\r") == "50%25%0A%3A%2C%0D"


def test_github_rendered_line_is_escaped_and_one_line():
    r = result("Growth of 50% in 2024,\nthen more: really.", path="docs/a:b,c.md", note="line one\rline two")
    out = GithubFormatter().render(report(r))
    assert out.count("\n") == 1 and "\r" not in out
    assert out == (
        f"::error file=docs/a%3Ab%2Cc.md,line=3,col=5,endLine=3,endColumn={5 + len(r.claim)},"
        "title=stemcheck refuted (cn.approvals.stem-cell-drug)::"
        "Refuted: Growth of 50%25 in 2024,%0Athen more: really. — line one%0Dline two "
        "(source: Pub, Inc., https://example.org/a?b=1,2)\n"
    )


def test_github_notice_after_more_than_ten_errors():
    eleven = [result(f"Claim number {i} about stem cells.", line=i + 1) for i in range(GITHUB_CAP + 1)]
    out = GithubFormatter().render(report(*eleven)).splitlines()
    assert len(out) == GITHUB_CAP + 2
    assert out[-1].startswith("::notice title=stemcheck::") and "at most 10 error annotations" in out[-1]
    assert "--format sarif" in out[-1] and "rdjsonl" in out[-1]
    ten = GithubFormatter().render(report(*eleven[:GITHUB_CAP])).splitlines()
    assert len(ten) == GITHUB_CAP and not any(x.startswith("::notice title=stemcheck::") for x in ten)
    warnings = [result(f"Claim {i}.", verdict=Verdict.OUTDATED, line=i + 1) for i in range(GITHUB_CAP + 1)]
    assert "warning annotations" in GithubFormatter().render(report(*warnings)).splitlines()[-1]


def test_github_cap_notice_from_a_scan(tmp_path):
    doc = tmp_path / "many.md"
    doc.write_text("\n\n".join(["CAR-T cells are a type of stem cell."] * 12) + "\n", encoding="utf-8")
    r = scan(["many.md"], "--as-of", AS_OF, "--format", "github", cwd=tmp_path)
    lines = r.out.splitlines()
    assert r.code == 1 and sum(ln.startswith("::error ") for ln in lines) == 12
    assert lines[-1].startswith("::notice title=stemcheck::")


def test_github_lines_from_fixtures_are_well_formed():
    out = scan(ALL, "--as-of", AS_OF, "--format", "github").out
    rx = re.compile(r"^::(error|warning|notice) ([a-zA-Z]+=[^,:]*)(,[a-zA-Z]+=[^,:]*)*::[^\r\n]*$")
    for ln in out.splitlines():
        assert rx.match(ln), ln


# --------------------------------------------------------------------------- rdjsonl


def test_rdjsonl_lines_are_json_with_utf8_byte_columns():
    paths = ["tests/fixtures/docs/cjk-emoji.md", "tests/fixtures/docs/article.md"]
    rd = scan(paths, "--as-of", AS_OF, "--format", "rdjsonl")
    assert rd.code == 1
    lines = rd.out.splitlines()
    contract = scan(paths, "--as-of", AS_OF, "--format", "jsonl").jsonl()
    diags = [json.loads(ln) for ln in lines]
    findings = [d for d in diags if d["code"]["value"] != "unused-suppression"]
    assert len(findings) == len(contract)
    for d, c in zip(findings, contract):
        assert d["severity"] in ("ERROR", "WARNING", "INFO")
        assert d["source"] == {"name": "stemcheck"}
        assert c["claim"] in d["message"]
        loc = c["location"]
        text = (REPO / loc["path"]).read_text(encoding="utf-8").split("\n")[loc["line"] - 1]
        rng = d["location"]["range"]
        assert rng["start"]["column"] == len(text[: loc["column"] - 1].encode("utf-8")) + 1
        assert rng["end"]["column"] == len(text[: loc["end_column"] - 1].encode("utf-8")) + 1
        raw = text.encode("utf-8")[rng["start"]["column"] - 1 : rng["end"]["column"] - 1].decode("utf-8")
        assert raw == c["claim"]


def test_rdjsonl_notice_column_is_in_bytes(tmp_path):
    doc = tmp_path / "n.md"
    doc.write_text("中文段落 <!-- stemcheck: ignore nothing.here -->\n\nCAR-T cells are a type of stem cell.\n", encoding="utf-8")
    rd = scan(["n.md"], "--as-of", AS_OF, "--format", "rdjsonl", cwd=tmp_path).jsonl()
    notice = [d for d in rd if d["code"]["value"] == "unused-suppression"]
    assert [d["location"]["range"]["start"] for d in notice] == [{"line": 1, "column": len("中文段落 ".encode()) + 1}]
    js = scan(["n.md"], "--as-of", AS_OF, "--format", "json", cwd=tmp_path).json()
    assert [n["column"] for n in js["summary"]["notices"]] == [len("中文段落 ") + 1]


# --------------------------------------------------------------------------- json, jsonl, text


def test_json_and_jsonl_follow_the_result_contract():
    js = scan(ALL, "--as-of", AS_OF, "--format", "json").json()
    assert js["schema_version"] == 1 and js["as_of"] == AS_OF
    assert js["summary"]["files"] == 9
    jl = scan(ALL, "--as-of", AS_OF, "--format", "jsonl").jsonl()
    assert jl == js["results"]
    keys = ["claim", "verdict", "confidence", "judged_at", "assertion", "note", "cues", "sources", "location"]
    for r in jl:
        assert list(r) == keys
        assert r["verdict"] in ("refuted", "outdated", "misleading", "unverified")
        assert 0 <= r["confidence"] <= 1
        assert (r["assertion"] is None) == (r["verdict"] == "unverified")
        assert set(r["location"]) == {"path", "line", "column", "end_line", "end_column"}
        if r["assertion"]:
            assert set(r["assertion"]) == {"id", "statement", "valid_from", "valid_until"}
            assert r["sources"] and all(set(s) == {"title", "publisher", "url", "published"} for s in r["sources"])


def _dumped(r: Result) -> str:
    return json.dumps(r.to_json(), ensure_ascii=False, sort_keys=False, separators=(", ", ": ")) + "\n"


def test_jsonl_line_is_json_dumps_of_to_json_on_real_results(checker):
    """The jsonl line is written directly for speed; it must be the bytes json.dumps writes
    for the contract object, on every result the seed articles give, supported included."""
    from stemcheck.scanner import scan_document

    seen = 0
    for path in sorted(SEEDS_DIR.iterdir()):
        for as_of in (dt.date(2024, 6, 1), dt.date(2026, 11, 22)):
            text = path.read_text(encoding="utf-8")
            for r in scan_document(text, str(path), checker, as_of, show_supported=True).results:
                assert FORMATTERS["jsonl"].render_result(r) == _dumped(r)
                seen += 1
    assert seen > 100


_odd_text = st.text(st.characters(codec="utf-8") | st.sampled_from(['"', "\\", "\n", "\x00", "\u2028", "\ud800", "\U0001f9ec", "国"]), max_size=40)


@settings(max_examples=200 * FUZZ_SCALE, deadline=None)
@given(
    claim=_odd_text,
    note=st.none() | _odd_text,
    cues=st.lists(_odd_text, max_size=3),
    verdict=st.sampled_from(list(Verdict)),
    confidence=st.floats(0.0, 1.0),
    path=_odd_text,
    nums=st.tuples(*[st.integers(0, 10**9)] * 4),
    window=st.tuples(st.none() | st.dates(), st.none() | st.dates()),
)
def test_jsonl_line_is_json_dumps_of_to_json_on_random_results(claim, note, cues, verdict, confidence, path, nums, window):
    src = Source(title=claim or "t", publisher=path or "p", url="https://example.org/\u00e9?a=\"b\"", published=dt.date(2025, 1, 3))
    ref = AssertionRef(id="x.y", statement=note or "s", valid_from=window[0], valid_until=window[1])
    r = Result(
        claim=claim,
        verdict=verdict,
        confidence=confidence,
        judged_at=dt.date(2026, 11, 22),
        assertion=None if verdict is Verdict.UNVERIFIED else ref,
        note=note,
        cues=tuple(cues),
        sources=() if verdict is Verdict.UNVERIFIED else (src, src),
    )
    assert FORMATTERS["jsonl"].render_result(r) == _dumped(r)
    placed = r.at(Location(path=path, line=nums[0], column=nums[1], end_line=nums[2], end_column=nums[3]))
    assert FORMATTERS["jsonl"].render_result(placed) == _dumped(placed)


def test_text_color_never_and_always():
    plain = scan(DOCS, "--as-of", AS_OF, "--format", "text", "--color", "never").out
    assert "\x1b[" not in plain
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?, \d+ infos? in 4 files \(4 files scanned\)", plain.splitlines()[-1])
    colored = scan(DOCS, "--as-of", AS_OF, "--format", "text", "--color", "always").out
    assert "\x1b[" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain
