"""`stemcheck scan`: what is and is not reported in Markdown, HTML and plain text, where
it is reported, suppressions, the document's own date, exit codes and severities, file
collection and awkward files, configuration, output files and parallel runs.

Every run passes `--as-of` or relies on a document's own date, so nothing depends on
today's date; the compiled-knowledge cache lives in a temporary directory (conftest /
scan_helpers).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scan_helpers import AS_OF, FUZZ_SCALE, NO_CONFIG, REPO, SEEDS, assert_locations_point_at_claims, run, scan, scan_results

ARTICLE = "tests/fixtures/docs/article.md"
ARTICLE_HTML = "tests/fixtures/docs/article.html"
ARTICLE_TXT = "tests/fixtures/docs/article.txt"
CJK = "tests/fixtures/docs/cjk-emoji.md"

CAR_T = "CAR-T cells are a type of stem cell."
NEVER = "China has never approved a stem cell drug."
NOT_ANY = "China has not approved any stem cell drug."
HYPE = "Stem cell injections can reverse aging with no side effects."
ALOFISEL = "Alofisel is authorised in the European Union."


def lines_of(rel: str) -> list[str]:
    return (REPO / rel).read_text(encoding="utf-8").split("\n")


def line_no(rel: str, predicate) -> int:
    """1-based number of the first line for which predicate(line) holds."""
    for i, ln in enumerate(lines_of(rel), 1):
        if predicate(ln):
            return i
    raise AssertionError(f"no such line in {rel}")


def by_line(results: list[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for r in results:
        out.setdefault(r["location"]["line"], []).append(r)
    return out


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- what is not prose


def test_code_fence_inline_code_and_link_url_are_not_reported():
    _, results = scan_results([ARTICLE], "--as-of", AS_OF, "--show-supported")
    lines = lines_of(ARTICLE)
    fence_open = line_no(ARTICLE, lambda s: s.startswith("```text"))
    fence_close = next(i for i in range(fence_open + 1, len(lines) + 1) if lines[i - 1].startswith("```"))
    inline = line_no(ARTICLE, lambda s: "`China has never" in s)
    link = line_no(ARTICLE, lambda s: "](https://example.org/" in s)
    reported = set(by_line(results))
    assert not reported & set(range(fence_open, fence_close + 1))
    assert inline not in reported
    assert link not in reported
    assert not any("example.org" in r["claim"] or "has-never" in r["claim"] for r in results)


def test_only_code_and_urls_give_no_findings(tmp_path):
    doc = write(
        tmp_path / "code.md",
        f"```\n{NEVER}\n{CAR_T}\n```\n\n    {CAR_T}\n\nSee `{NEVER}` and <https://x.org/{CAR_T.replace(' ', '-')}>.\n",
    )
    r = scan([doc], "--as-of", AS_OF, "--format", "json", "--show-supported")
    assert r.code == 0, r.err
    assert r.json()["results"] == []


def test_headings_questions_and_calls_to_action_are_silent():
    _, results = scan_results([ARTICLE], "--as-of", AS_OF, "--show-supported")
    heading = line_no(ARTICLE, lambda s: s.startswith("# China has not approved"))
    question = line_no(ARTICLE, lambda s: s.startswith("Has China approved"))
    cta = line_no(ARTICLE, lambda s: s.startswith("Contact our clinic"))
    assert not {heading, question, cta} & set(by_line(results))
    # the HTML <h1>, <title>, and the question are silent too
    _, html_results = scan_results([ARTICLE_HTML], "--as-of", AS_OF, "--show-supported")
    h1 = line_no(ARTICLE_HTML, lambda s: s.startswith("<h1>"))
    q = line_no(ARTICLE_HTML, lambda s: s.startswith("<p>Is Alofisel"))
    assert not {h1, q} & set(by_line(html_results))


def test_silent_sentences_alone_exit_zero(tmp_path):
    doc = write(
        tmp_path / "silent.md",
        "# China has never approved a stem cell drug\n\n"
        "Has China approved any stem cell drug?\n\n"
        "Contact our clinic today to book stem cell treatment in China.\n\n"
        "Call us now for stem cell therapy in China!\n",
    )
    r = scan([doc], "--as-of", AS_OF, "--format", "json", "--show-supported")
    assert (r.code, r.json()["results"]) == (0, [])


def test_html_script_style_title_skipped_and_entities_decoded():
    _, results = scan_results([ARTICLE_HTML], "--as-of", AS_OF)
    head_end = line_no(ARTICLE_HTML, lambda s: s.startswith("</head>"))
    assert all(r["location"]["line"] > head_end for r in results)
    claims = {r["claim"]: r for r in results}
    # "stem&nbsp;cell" reads as "stem cell"; the column is the real one in the source
    r = claims[NEVER]
    line = lines_of(ARTICLE_HTML)[r["location"]["line"] - 1]
    assert r["location"]["column"] == line.index("China") + 1
    assert r["location"]["end_column"] == line.index("</p>") + 1
    assert any("& lasting results." in c for c in claims)  # &amp;
    assert_locations_point_at_claims(results)


def test_plain_text_article():
    _, results = scan_results([ARTICLE_TXT], "--as-of", AS_OF)
    got = {(r["claim"], r["verdict"]) for r in results}
    assert (NOT_ANY, "outdated") in got
    assert (ALOFISEL, "outdated") in got
    assert any(v == "misleading" for _, v in got)
    assert not any(c.startswith("Stem Cell Therapy in China") or c.endswith("?") or c.startswith("Call") for c, _ in got)
    assert_locations_point_at_claims(results)


# --------------------------------------------------------------------------- suppressions


def test_suppressions_in_markdown():
    r, results = scan_results([ARTICLE], "--as-of", AS_OF)
    reported = by_line(results)
    ignored = line_no(ARTICLE, lambda s: s == NEVER)
    assert ignored not in reported  # <!-- stemcheck: ignore --> before it
    disable = line_no(ARTICLE, lambda s: "stemcheck: disable flags.marketing" in s)
    enable = line_no(ARTICLE, lambda s: "stemcheck: enable" in s)
    in_range = {ln: rs for ln, rs in reported.items() if disable < ln < enable}
    # the range silences flags.marketing only: the hype line goes, the CAR-T conflation stays
    assert [r["claim"] for rs in in_range.values() for r in rs] == [CAR_T]
    # the same hype sentence outside the range is reported
    assert any(r["claim"] == HYPE and r["verdict"] == "misleading" for r in results)
    # the unused suppression (it names flags.marketing; the next claim is an approval) is a notice
    unused = line_no(ARTICLE, lambda s: "stemcheck: ignore flags.marketing" in s)
    notices = r.json()["summary"]["notices"]
    assert [(n["line"], n["rule"]) for n in notices] == [(unused, "unused-suppression")]
    assert "ignore flags.marketing" in notices[0]["message"]
    assert ALOFISEL in {x["claim"] for x in reported[unused + 1]}


def test_unused_suppression_in_text_output():
    r = scan([ARTICLE], "--as-of", AS_OF, "--color", "never")
    unused = line_no(ARTICLE, lambda s: "stemcheck: ignore flags.marketing" in s)
    notice = [ln for ln in r.out.splitlines() if "unused suppression" in ln]
    assert len(notice) == 1 and notice[0].split()[0] == f"{unused}:1"


def test_suppressions_in_html_and_plain_text():
    _, results = scan_results([ARTICLE_HTML], "--as-of", AS_OF)
    assert CAR_T not in {r["claim"] for r in results}
    r, results = scan_results([ARTICLE_TXT], "--as-of", AS_OF)
    claims = {x["claim"] for x in results}
    # "Claim. stemcheck: ignore" at the end of a line silences that line only
    assert CAR_T not in claims and ALOFISEL in claims
    assert r.json()["summary"]["notices"] == []


def test_ignore_before_an_unreported_claim_does_not_reach_a_later_finding(tmp_path):
    # at 2024 the Alofisel claim is supported (not shown); the ignore must not slide onto CAR-T
    doc = write(tmp_path / "a.md", f"<!-- stemcheck: ignore -->\n{ALOFISEL}\n\n{CAR_T}\n")
    _, results = scan_results([doc], "--as-of", "2024-01-01")
    assert [r["claim"] for r in results] == [CAR_T]


def test_ignore_with_id_and_disable_without_id(tmp_path):
    doc = write(
        tmp_path / "b.md",
        f"<!-- stemcheck: ignore science.uses.car-t-are-stem-cells -->\n{CAR_T}\n\n"
        f"<!-- stemcheck: disable -->\n{NEVER}\n\n{HYPE}\n\n<!-- stemcheck: enable -->\n{CAR_T}\n",
    )
    r, results = scan_results([doc], "--as-of", AS_OF)
    assert [(x["claim"], x["location"]["line"]) for x in results] == [(CAR_T, 10)]
    assert r.json()["summary"]["notices"] == []


def test_suppression_shown_in_code_is_not_a_suppression(tmp_path):
    # documentation about stemcheck itself shows the comments in code; they must not act
    doc = write(
        tmp_path / "howto.md",
        "Put `<!-- stemcheck: disable -->` before a passage to silence it.\n\n"
        "```html\n<!-- stemcheck: ignore -->\n```\n\n"
        "    <!-- stemcheck: disable -->\n\n"
        f"{CAR_T}\n",
    )
    r, results = scan_results([doc], "--as-of", AS_OF)
    assert [x["claim"] for x in results] == [CAR_T]
    assert r.json()["summary"]["notices"] == []


def test_trailing_ignore_comment_covers_its_own_line(tmp_path):
    doc = write(tmp_path / "t.md", f"{CAR_T} <!-- stemcheck: ignore -->\n\n{NEVER}\n")
    r, results = scan_results([doc], "--as-of", AS_OF)
    assert [(x["claim"], x["location"]["line"]) for x in results] == [(NEVER, 3)]
    assert r.json()["summary"]["notices"] == []


# --------------------------------------------------------------------------- dates and positions


def test_front_matter_date_is_the_default_as_of():
    # no --as-of: the article's own date (2024-06-01) judges it; the claim was true then
    r, results = scan_results([ARTICLE], "--show-supported")
    assert r.json()["as_of"] == "2024-06-01"
    hit = [x for x in results if x["claim"] == NOT_ANY]
    assert [(x["verdict"], x["judged_at"]) for x in hit] == [("supported", "2024-06-01")]
    # an explicit --as-of overrides the document's date: the same claim is now outdated
    r, results = scan_results([ARTICLE], "--as-of", AS_OF, "--show-supported")
    assert r.json()["as_of"] == AS_OF
    hit = [x for x in results if x["claim"] == NOT_ANY]
    assert [(x["verdict"], x["judged_at"]) for x in hit] == [("outdated", AS_OF)]


def test_plain_text_own_date_is_the_default_as_of():
    _, results = scan_results([ARTICLE_TXT], "--show-supported")
    hit = [x for x in results if x["claim"] == NOT_ANY]
    assert [(x["verdict"], x["judged_at"]) for x in hit] == [("supported", "2024-06-01")]


def test_front_matter_shifts_no_line_numbers():
    _, results = scan_results([ARTICLE], "--as-of", AS_OF)
    real = line_no(ARTICLE, lambda s: s == NOT_ANY)
    assert real > 6  # below the front matter and the heading
    hit = [x["location"] for x in results if x["claim"] == NOT_ANY]
    assert hit == [{"path": ARTICLE, "line": real, "column": 1, "end_line": real, "end_column": len(NOT_ANY) + 1}]
    quote = [x["location"] for x in results if x["claim"] == CAR_T]
    assert [(q["line"], q["column"]) for q in quote] == [(line_no(ARTICLE, lambda s: s == f"> {CAR_T}"), 3)]
    assert_locations_point_at_claims(results)


def test_crlf_line_endings_keep_positions(tmp_path):
    doc = write(tmp_path / "crlf.md", f"---\r\ndate: 2026-01-01\r\n---\r\n\r\n# Title\r\n\r\nIntro line.\r\n\r\n{CAR_T}\r\n".encode())
    _, results = scan_results([doc])
    assert [(x["claim"], x["location"]["line"], x["location"]["column"]) for x in results] == [(CAR_T, 9, 1)]


def test_cjk_and_emoji_columns_code_points_and_utf8_bytes():
    line_n = line_no(CJK, lambda s: NEVER in s)
    line = lines_of(CJK)[line_n - 1]
    prefix = line[: line.index(NEVER)]
    assert any(ord(ch) > 0xFFFF for ch in prefix) and any("\u4e00" <= ch <= "\u9fff" for ch in prefix)
    col = len(prefix) + 1
    byte_col = len(prefix.encode("utf-8")) + 1
    assert byte_col > col

    _, results = scan_results([CJK], "--as-of", AS_OF)
    loc = next(x["location"] for x in results if x["claim"] == NEVER)
    assert (loc["line"], loc["column"], loc["end_column"]) == (line_n, col, col + len(NEVER))

    rd = scan([CJK], "--as-of", AS_OF, "--format", "rdjsonl").jsonl()
    rng = next(d["location"]["range"] for d in rd if NEVER in d["message"])
    assert rng["start"] == {"line": line_n, "column": byte_col}
    assert rng["end"] == {"line": line_n, "column": byte_col + len(NEVER.encode())}

    sarif = scan([CJK], "--as-of", AS_OF, "--format", "sarif").json()
    run_ = sarif["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    region = next(
        r["locations"][0]["physicalLocation"]["region"] for r in run_["results"] if NEVER in r["message"]["text"]
    )
    assert (region["startLine"], region["startColumn"]) == (line_n, col)


# --------------------------------------------------------------------------- the seed articles


def test_seed_articles_fail_and_point_at_their_claims():
    r, results = scan_results(["tests/fixtures/seeds"], "--as-of", AS_OF)
    assert r.code == 1
    assert len({x["location"]["path"] for x in results}) == len(list(SEEDS.glob("*.txt"))) == 5
    assert any(x["verdict"] in ("refuted", "misleading") for x in results)
    assert_locations_point_at_claims(results)


def test_shared_seed_directory_exits_1_with_lines_that_hold_the_claims():
    shared = REPO.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not available (the copy in tests/fixtures/seeds is tested above)")
    r = run(["scan", str(shared), "--as-of", AS_OF, "--format", "json", "--config", str(NO_CONFIG)])
    assert r.code == 1, r.err
    results = r.json()["results"]
    assert_locations_point_at_claims(results)
    # the same files give the same findings as the in-repo copy
    _, local = scan_results(["tests/fixtures/seeds"], "--as-of", AS_OF)
    strip = lambda rs: [(Path(x["location"]["path"]).name, x["location"]["line"], x["claim"], x["verdict"]) for x in rs]  # noqa: E731
    assert strip(results) == strip(local)


# --------------------------------------------------------------------------- exit codes and severities


def test_fail_on_and_exit_zero():
    base = scan([ARTICLE], "--as-of", AS_OF, "--format", "jsonl")
    assert base.code == 1
    never = scan([ARTICLE], "--as-of", AS_OF, "--format", "jsonl", "--fail-on", "never")
    assert never.code == 0 and never.out == base.out
    zero = scan([ARTICLE], "--as-of", AS_OF, "--format", "jsonl", "--exit-zero")
    assert zero.code == 0 and zero.out == base.out


def test_fail_on_threshold(tmp_path):
    only_warning = write(tmp_path / "w.md", f"{ALOFISEL}\n")  # outdated -> warning
    assert scan([only_warning], "--as-of", AS_OF).code == 0  # default: fail on error
    assert scan([only_warning], "--as-of", AS_OF, "--fail-on", "warning").code == 1
    assert scan([only_warning], "--as-of", AS_OF, "--fail-on", "info").code == 1
    unverified = write(tmp_path / "u.md", "Stem cell therapy in China is growing quickly every single year.\n")
    _, res = scan_results([unverified], "--as-of", AS_OF)
    assert [x["verdict"] for x in res] == ["unverified"]
    assert scan([unverified], "--as-of", AS_OF, "--fail-on", "warning").code == 0
    assert scan([unverified], "--as-of", AS_OF, "--fail-on", "info").code == 1


def test_min_severity_error_hides_warnings_info_and_notices():
    r, results = scan_results([ARTICLE, "tests/fixtures/seeds"], "--as-of", AS_OF, "--min-severity", "error")
    assert results and {x["verdict"] for x in results} <= {"refuted", "misleading"}
    assert r.json()["summary"]["notices"] == []
    r_all, all_results = scan_results([ARTICLE, "tests/fixtures/seeds"], "--as-of", AS_OF)
    assert {"outdated", "unverified"} <= {x["verdict"] for x in all_results}
    assert [x for x in all_results if x["verdict"] in ("refuted", "misleading")] == results
    warn = scan_results([ARTICLE], "--as-of", AS_OF, "--min-severity", "warning")[1]
    assert {x["verdict"] for x in warn} == {"refuted", "misleading", "outdated"}
    # hiding does not change what fails the run
    assert r.code == r_all.code == 1


def test_show_supported():
    _, hidden = scan_results([ARTICLE], "--as-of", "2024-06-01")
    _, shown = scan_results([ARTICLE], "--as-of", "2024-06-01", "--show-supported")
    assert "supported" not in {x["verdict"] for x in hidden}
    supported = [x for x in shown if x["verdict"] == "supported"]
    assert {x["claim"] for x in supported} >= {NOT_ANY}
    assert [x for x in shown if x["verdict"] != "supported"] == hidden
    text = scan([ARTICLE], "--as-of", "2024-06-01", "--show-supported", "--color", "never").out
    assert " supported in 1 file" in text.splitlines()[-1]


# --------------------------------------------------------------------------- stdin


def test_stdin_with_stdin_filename():
    data = (REPO / ARTICLE).read_bytes()
    r = scan(["-"], "--stdin-filename", "docs/pasted.md", "--as-of", AS_OF, "--format", "json", stdin=data)
    assert r.code == 1, r.err
    from_file = scan([ARTICLE], "--as-of", AS_OF, "--format", "json").json()
    got = r.json()
    assert {x["location"]["path"] for x in got["results"]} == {"docs/pasted.md"}
    # the filename picks the Markdown reader (code fences skipped, comments honoured)
    strip = lambda d: [(x["claim"], x["verdict"], x["location"]["line"], x["location"]["column"]) for x in d["results"]]  # noqa: E731
    assert strip(got) == strip(from_file)
    assert [n["line"] for n in got["summary"]["notices"]] == [n["line"] for n in from_file["summary"]["notices"]]


def test_stdin_without_filename():
    r = scan(["-"], "--as-of", AS_OF, "--format", "jsonl", stdin=f"{CAR_T}\n".encode())
    assert r.code == 1
    assert [x["location"]["path"] for x in r.jsonl()] == ["<stdin>"]


# --------------------------------------------------------------------------- collecting files


def test_directory_walk_skips_hidden_dirs_and_honours_gitignore(tmp_path):
    root = tmp_path / "site"
    claim = f"{CAR_T}\n"
    for rel in [
        "a.md",
        "sub/b.txt",
        "sub/c.html",
        ".hidden/h.md",
        "sub/.secret/s.md",
        "node_modules/pkg/readme.md",
        "drafts/d.md",
        "notes.skip.md",
        "sub/local.md",
        "sub/keep.md",
        "script.py",
        ".dotfile.md",
    ]:
        write(root / rel, claim if not rel.endswith(".html") else f"<p>{CAR_T}</p>\n")
    write(root / ".gitignore", "drafts/\n*.skip.md\n")
    write(root / "sub" / ".gitignore", "local.md\n")
    r, results = scan_results(["site"], "--as-of", AS_OF, cwd=tmp_path)
    got = sorted(x["location"]["path"] for x in results)
    assert got == ["site/a.md", "site/sub/b.txt", "site/sub/c.html", "site/sub/keep.md"]
    assert r.json()["summary"]["files"] == 4
    # a file named explicitly is read even when a walk would skip it
    _, explicit = scan_results([root / ".hidden" / "h.md", root / "script.py"], "--as-of", AS_OF)
    assert len(explicit) == 2


def test_gitignore_above_the_scanned_folder_is_honoured_inside_a_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".gitignore", "docs/drafts/\n_build/\n")
    write(tmp_path / "docs" / "a.md", f"{CAR_T}\n")
    write(tmp_path / "docs" / "drafts" / "d.md", f"{CAR_T}\n")
    write(tmp_path / "docs" / "_build" / "b.md", f"{CAR_T}\n")
    _, results = scan_results(["docs"], "--as-of", AS_OF, cwd=tmp_path)
    assert [x["location"]["path"] for x in results] == ["docs/a.md"]
    _, results = scan_results(["."], "--as-of", AS_OF, cwd=tmp_path / "docs")
    assert [x["location"]["path"] for x in results] == ["a.md"]
    # outside a git work tree, a .gitignore above the scanned folder is not git's business
    (tmp_path / ".git").rmdir()
    _, results = scan_results(["docs"], "--as-of", AS_OF, cwd=tmp_path)
    assert len(results) == 3


def test_glob_and_duplicate_paths(tmp_path):
    write(tmp_path / "x" / "a.md", f"{CAR_T}\n")
    write(tmp_path / "x" / "b.md", f"{NEVER}\n")
    r, results = scan_results(["x/*.md", "x", "x/a.md"], "--as-of", AS_OF, cwd=tmp_path)
    assert sorted(x["location"]["path"] for x in results) == ["x/a.md", "x/b.md"]
    r = scan(["nothing/*.md"], "--as-of", AS_OF, cwd=tmp_path)
    assert r.code == 0 and any("nothing/*.md" in ln and "matched no files" in ln for ln in r.err_lines)


def test_nonexistent_explicit_path_exits_2_with_one_line(tmp_path):
    write(tmp_path / "ok.md", f"{CAR_T}\n")
    r = scan(["ok.md", "missing.md"], "--as-of", AS_OF, cwd=tmp_path)
    assert r.code == 2
    assert r.out == ""
    assert len(r.err_lines) == 1
    assert "missing.md" in r.err_lines[0] and r.err_lines[0].startswith("stemcheck: error:")
    assert "Traceback" not in r.err


def test_usage_errors_exit_2_with_one_line():
    for args in (["scan"], ["scan", ARTICLE, "--as-of", "22/11/2026"], ["scan", ARTICLE, "--format", "xml"]):
        r = run([*args, "--config", str(NO_CONFIG)])
        assert r.code == 2 and len(r.err_lines) == 1 and "Traceback" not in r.err, (args, r.err)


GBK_TEXT = "中国干细胞新闻简讯。" + CAR_T + "\n"


@pytest.fixture()
def awkward_dir(tmp_path):
    d = tmp_path / "awkward"
    write(d / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(d / "latin1.txt", "Caf\u00e9 CAR-T cells are a type of stem cell.\n".encode("latin-1") + b"\xff\xfe\xfd\n")
    write(d / "utf16.txt", ("\ufeff" + f"Intro line.\n\n{CAR_T}\n").encode("utf-16-le"))
    write(d / "gbk.txt", GBK_TEXT.encode("gbk"))
    write(d / "bom.md", ("\ufeff" + f"{CAR_T}\n").encode("utf-8"))
    write(d / "empty.md", b"")
    write(d / "good.md", f"{NEVER}\n")
    os.mkfifo(d / "pipe.md")
    (d / "loop").mkdir()
    os.symlink("..", d / "loop" / "up")  # a directory link back up: not followed
    os.symlink("self.md", d / "loop" / "self.md")  # a link to itself
    os.symlink("nowhere.md", d / "dangling.md")
    return d


def test_awkward_files_are_skipped_with_a_warning_or_decoded(awkward_dir):
    r, results = scan_results(["awkward"], "--as-of", AS_OF, "--jobs", "1", cwd=awkward_dir.parent)
    skipped = {s["path"]: s["reason"] for s in r.json()["summary"]["skipped"]}
    assert set(skipped) == {
        "awkward/binary.txt",
        "awkward/latin1.txt",
        "awkward/pipe.md",
        "awkward/loop/self.md",
        "awkward/dangling.md",
    }
    assert "binary" in skipped["awkward/binary.txt"]
    assert "UTF-8" in skipped["awkward/latin1.txt"]
    assert "FIFO" in skipped["awkward/pipe.md"]
    # one stderr warning per skipped file, naming it
    for path in skipped:
        assert sum(1 for ln in r.err_lines if ln.startswith("stemcheck: warning: skipped ") and path in ln) == 1
    found = {(x["location"]["path"], x["claim"]): x["location"] for x in results}
    assert found[("awkward/utf16.txt", CAR_T)]["line"] == 3
    assert found[("awkward/gbk.txt", CAR_T)]["column"] == GBK_TEXT.index("CAR-T") + 1
    assert found[("awkward/bom.md", CAR_T)]["column"] == 1  # the BOM is not a column
    assert ("awkward/good.md", NEVER) in found
    assert r.json()["summary"]["files"] == 5  # utf16, gbk, bom, empty, good
    assert r.code == 1


def test_fifo_named_explicitly_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    write(tmp_path / "ok.md", f"{CAR_T}\n")
    p = subprocess.run(
        [sys.executable, "-m", "stemcheck", "scan", "pipe.md", "ok.md", "--as-of", AS_OF, "--config", str(NO_CONFIG), "--format", "jsonl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 1, p.stderr
    assert [ln for ln in p.stderr.splitlines() if ln.strip()] == [
        "stemcheck: warning: skipped pipe.md: not a regular file (FIFO, device or socket)"
    ]
    assert CAR_T in p.stdout


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_device_file_named_explicitly_is_skipped_not_read(tmp_path):
    """/dev/zero never ends: reading it would hang or exhaust memory."""
    write(tmp_path / "ok.md", f"{CAR_T}\n")
    r, results = scan_results(["/dev/zero", "ok.md"], "--as-of", AS_OF, cwd=tmp_path)
    skipped = r.json()["summary"]["skipped"]
    assert [s["path"] for s in skipped] == ["/dev/zero"] and "not a regular file" in skipped[0]["reason"]
    assert [x["claim"] for x in results] == [CAR_T]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_skipped(tmp_path):
    locked = write(tmp_path / "locked.md", f"{CAR_T}\n")
    write(tmp_path / "ok.md", f"{NEVER}\n")
    locked.chmod(0)
    try:
        r, results = scan_results(["."], "--as-of", AS_OF, cwd=tmp_path)
    finally:
        locked.chmod(0o644)
    assert [s["path"] for s in r.json()["summary"]["skipped"]] == ["locked.md"]
    assert any("locked.md" in ln and "skipped" in ln for ln in r.err_lines)
    assert [x["claim"] for x in results] == [NEVER]


def test_file_that_vanishes_after_collection_is_skipped(tmp_path, monkeypatch):
    import stemcheck.scan_cmd as scan_cmd

    write(tmp_path / "gone.md", f"{CAR_T}\n")
    write(tmp_path / "ok.md", f"{NEVER}\n")
    collect = scan_cmd.collect

    def collect_then_delete(*args, **kw):
        files = collect(*args, **kw)
        (tmp_path / "gone.md").unlink()  # removed between the directory walk and the read
        return files

    monkeypatch.setattr(scan_cmd, "collect", collect_then_delete)
    r, results = scan_results(["."], "--as-of", AS_OF, "--jobs", "1", cwd=tmp_path)
    assert [s["path"] for s in r.json()["summary"]["skipped"]] == ["gone.md"]
    assert "cannot read" in r.json()["summary"]["skipped"][0]["reason"]
    assert [x["claim"] for x in results] == [NEVER]
    assert r.code == 1 and "Traceback" not in r.err


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunk anything above 2 KB into ~3 KB pieces: the large-file path, on small fixtures."""
    import stemcheck.scan_plan as scan_plan

    monkeypatch.setattr(scan_plan, "STREAM_ABOVE", 2_000)
    monkeypatch.setattr(scan_plan, "CHUNK_CHARS", 3_000)


@pytest.mark.parametrize("fmt", ["jsonl", "rdjsonl", "text"])
def test_chunked_scan_gives_the_findings_of_a_whole_scan(fmt, request):
    paths = ["tests/fixtures/docs", "tests/fixtures/seeds"]
    whole = scan(paths, "--as-of", AS_OF, "--format", fmt, "--color", "never", "--jobs", "1")
    request.getfixturevalue("small_chunks")
    for jobs in ("1", "2"):
        chunked = scan(paths, "--as-of", AS_OF, "--format", fmt, "--color", "never", "--jobs", jobs)
        assert chunked.code == whole.code == 1
        assert chunked.out == whole.out


def test_large_file_that_is_not_utf8_halfway_is_skipped_whole(tmp_path, small_chunks):
    """Chunks are not scanned until the whole file is known to be text: no partial report."""
    write(tmp_path / "half.txt", (f"{NEVER}\n\n" * 400).encode() + b"\xff\xfe\x00\x01binary tail")
    r, results = scan_results(["half.txt"], "--as-of", AS_OF, cwd=tmp_path)
    assert results == [] and "UTF-8" in r.json()["summary"]["skipped"][0]["reason"]


def test_one_enormous_line_is_scanned_in_pieces_with_true_columns(tmp_path):
    """A 20 MB single line: read in chunks cut at spaces, columns counted across them."""
    filler = "lorem " * 3_500_000  # 21 MB, no sentence end, no newline
    text = filler + "Indeed. " + CAR_T + " Über. " + NEVER
    write(tmp_path / "line.txt", text.encode())
    r, results = scan_results(["line.txt"], "--as-of", AS_OF, "--format", "json", cwd=tmp_path)
    assert r.code == 1 and "Traceback" not in r.err
    found = {x["claim"]: x["location"] for x in results}
    assert found[CAR_T]["line"] == 1 and found[CAR_T]["column"] == text.index(CAR_T) + 1
    assert found[NEVER]["column"] == text.index(NEVER) + 1
    rd = scan(["line.txt"], "--as-of", AS_OF, "--format", "rdjsonl", cwd=tmp_path).jsonl()
    byte_col = {d["message"].split(" — ")[0]: d["location"]["range"]["start"]["column"] for d in rd}
    assert len(text[: text.index(NEVER)].encode()) + 1 in byte_col.values()


# --------------------------------------------------------------------------- configuration


def test_pyproject_tool_stemcheck_is_read(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "site"\n\n[tool.stemcheck]\nfail_on = "never"\n')
    write(tmp_path / "a.md", f"{CAR_T}\n")
    r = scan(["a.md"], "--as-of", AS_OF, cwd=tmp_path, config=None)
    assert r.code == 0 and CAR_T in r.out
    v = scan(["a.md"], "--as-of", AS_OF, "-v", cwd=tmp_path, config=None)
    assert f"config: {tmp_path / 'pyproject.toml'}" in v.err


def test_pyproject_without_section_is_not_a_config(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "site"\n')
    write(tmp_path / "a.md", f"{CAR_T}\n")
    v = scan(["a.md"], "--as-of", AS_OF, "-v", cwd=tmp_path, config=None)
    assert v.code == 1 and str(tmp_path / "pyproject.toml") not in v.err


def test_pyproject_naming_stemcheck_without_its_table_is_not_a_config(tmp_path):
    """A pyproject.toml that never says "stemcheck" is not even parsed; one that names it
    (a dependency, say) is parsed, and is a config only with a [tool.stemcheck] table."""
    write(tmp_path / "pyproject.toml", '[project]\nname = "site"\ndependencies = ["stemcheck"]\n')
    write(tmp_path / "a.md", f"{CAR_T}\n")
    v = scan(["a.md"], "--as-of", AS_OF, "-v", cwd=tmp_path, config=None)
    assert v.code == 1 and str(tmp_path / "pyproject.toml") not in v.err


def test_nearest_config_wins_and_config_option_overrides(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.stemcheck]\nfail_on = "never"\n')
    sub = tmp_path / "docs"
    write(sub / ".stemcheck.toml", 'fail_on = "error"\nmin_severity = "error"\n')
    write(sub / "a.md", f"{CAR_T}\n\n{ALOFISEL}\n")
    # from docs/, the nearer .stemcheck.toml wins: fail on errors, show errors only
    r = scan(["a.md"], "--as-of", AS_OF, "--format", "jsonl", cwd=sub, config=None)
    assert r.code == 1 and [x["claim"] for x in r.jsonl()] == [CAR_T]
    # from the parent, pyproject.toml is the nearest
    r = scan(["docs/a.md"], "--as-of", AS_OF, "--format", "jsonl", cwd=tmp_path, config=None)
    assert r.code == 0 and [x["claim"] for x in r.jsonl()] == [CAR_T, ALOFISEL]
    # in one folder, .stemcheck.toml beats pyproject.toml
    write(sub / "pyproject.toml", '[tool.stemcheck]\nfail_on = "never"\n')
    r = scan(["a.md"], "--as-of", AS_OF, "--format", "jsonl", cwd=sub, config=None)
    assert r.code == 1
    # --config overrides the search
    other = write(tmp_path / "ci.toml", '[tool.stemcheck]\nfail_on = "never"\n')
    r = scan(["a.md"], "--as-of", AS_OF, "--format", "jsonl", "--config", str(other), cwd=sub, config=None)
    assert r.code == 0 and len(r.jsonl()) == 2
    # command-line options beat the file
    r = scan(["a.md"], "--as-of", AS_OF, "--format", "jsonl", "--min-severity", "info", cwd=sub, config=None)
    assert len(r.jsonl()) == 2


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        (".stemcheck.toml", 'fail_on = "never"\n\nfail = "error"\n', 3),
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.stemcheck]\nfail_on = "never"\nname = "oops"\n', 6),
        ("pyproject.toml", '[tool.stemcheck]\nexclude = ["a"]\nexclud = ["b"]\n', 3),
    ],
)
def test_unknown_config_key_exits_2_naming_file_and_line(tmp_path, name, text, line):
    cfg = write(tmp_path / name, text)
    write(tmp_path / "a.md", f"{CAR_T}\n")
    r = scan(["a.md"], "--as-of", AS_OF, cwd=tmp_path, config=None)
    assert r.code == 2 and r.out == ""
    assert len(r.err_lines) == 1
    assert f"{cfg}:{line}: unknown key" in r.err_lines[0]
    # the same through --config
    r = scan(["a.md"], "--as-of", AS_OF, "--config", str(cfg), cwd=tmp_path, config=None)
    assert r.code == 2 and f"{cfg}:{line}:" in r.err


def test_bad_config_values_and_missing_config_exit_2(tmp_path):
    write(tmp_path / "a.md", f"{CAR_T}\n")
    for text in (
        'fail_on = "sometimes"\n',
        "jobs = 0\n",
        "jobs = true\n",
        "exclude = 3\n",
        "this is not toml\n",
        'format = "xml"\n',
        'as_of = "June"\n',
        'default_jurisdiction = "XX"\n',
    ):
        cfg = write(tmp_path / "c.toml", text)
        r = scan(["a.md"], "--as-of", AS_OF, "--config", str(cfg), cwd=tmp_path, config=None)
        assert r.code == 2 and len(r.err_lines) == 1 and str(cfg) in r.err, (text, r.err)
    r = scan(["a.md"], "--as-of", AS_OF, "--config", "nope.toml", cwd=tmp_path, config=None)
    assert r.code == 2 and "nope.toml" in r.err


def test_config_ignore_and_exclude(tmp_path):
    write(tmp_path / "docs" / "a.md", f"{CAR_T}\n\n{NEVER}\n\nStem cell therapy in China is growing quickly every single year.\n")
    write(tmp_path / "docs" / "drafts" / "d.md", f"{CAR_T}\n")
    write(tmp_path / "vendor" / "v.md", f"{CAR_T}\n")
    r = scan(["."], "--as-of", AS_OF, "--format", "jsonl", cwd=tmp_path, config=None)
    assert len({x["location"]["path"] for x in r.jsonl()}) == 3
    write(
        tmp_path / ".stemcheck.toml",
        'ignore = ["science.uses", "unverified"]\nexclude = ["docs/drafts/**", "vendor/"]\n',
    )
    r = scan(["."], "--as-of", AS_OF, "--format", "jsonl", cwd=tmp_path, config=None)
    assert [(x["location"]["path"], x["claim"]) for x in r.jsonl()] == [("docs/a.md", NEVER)]
    # exclude globs are relative to the config file, whatever the working directory
    r = scan(["."], "--as-of", AS_OF, "--format", "json", cwd=tmp_path / "docs", config=None)
    assert r.json()["summary"]["files"] == 1


def test_invalid_exclude_pattern_is_a_config_error_and_invalid_gitignore_lines_are_skipped(tmp_path):
    write(tmp_path / "a.md", f"{CAR_T}\n")
    write(tmp_path / ".stemcheck.toml", 'exclude = ["\\\\"]\n')  # a lone backslash
    r = scan(["a.md"], "--as-of", AS_OF, cwd=tmp_path, config=None)
    assert r.code == 2 and "not a valid gitignore-style pattern" in r.err and "Traceback" not in r.err
    (tmp_path / ".stemcheck.toml").unlink()
    # git ignores a .gitignore line it cannot read; so does the walk, keeping the others
    write(tmp_path / "site" / "keep.md", f"{CAR_T}\n")
    write(tmp_path / "site" / "drop.md", f"{CAR_T}\n")
    write(tmp_path / "site" / ".gitignore", "\\\ndrop.md\n")
    _, results = scan_results(["site"], "--as-of", AS_OF, cwd=tmp_path)
    assert [x["location"]["path"] for x in results] == ["site/keep.md"]


def test_exclude_patterns_that_cannot_match_do_not_import_pathspec(tmp_path):
    """pathspec costs tens of milliseconds to import: a scan whose paths no pattern could
    match never loads it."""
    write(tmp_path / "docs" / "a.md", f"{CAR_T}\n")
    write(tmp_path / ".stemcheck.toml", 'exclude = ["vendor/**", "*.draft.md"]\n')
    code = (
        "import sys; from stemcheck.cli import main\n"
        "try: main(['scan', 'docs/a.md', '--fail-on', 'never', '--as-of', '2026-11-22'])\n"
        "except SystemExit: pass\n"
        "print('pathspec' in sys.modules, file=sys.stderr)"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert p.stderr.strip().splitlines()[-1] == "False", p.stderr


_pattern_chars = st.sampled_from(list("ab/*?[]!\\# .") + ["**", "a/", "/b", "[!a]", "[a-b]", "\\*", "\\ "])
_path_chars = st.sampled_from(list("abAB/.# !*?[]\\") + ["a/", "b/", "ab"])


@pytest.mark.filterwarnings("ignore::FutureWarning")  # re's "possible nested set" on random "[[" patterns
@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(
    lines=st.lists(st.lists(_pattern_chars, max_size=8).map("".join), min_size=1, max_size=4),
    paths=st.lists(st.lists(_path_chars, min_size=1, max_size=10).map("".join), min_size=1, max_size=5),
)
def test_patterns_agree_with_pathspec(lines, paths):
    """The literal-run prefilter never says "cannot match" where pathspec matches."""
    import pathspec

    from stemcheck.documents.walk import Patterns

    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:
        return  # an invalid pattern: covered by the error tests
    ours = Patterns(lines)
    for path in paths:
        assert ours.match(path) == spec.match_file(path), (lines, path)


def test_config_sets_defaults(tmp_path):
    write(tmp_path / "a.md", f"{NOT_ANY}\n")
    write(tmp_path / ".stemcheck.toml", 'as_of = "2024-06-01"\nshow_supported = true\nformat = "jsonl"\n')
    r = scan(["a.md"], cwd=tmp_path, config=None)
    assert [(x["verdict"], x["judged_at"]) for x in r.jsonl()] == [("supported", "2024-06-01")]


# --------------------------------------------------------------------------- output file, determinism, jobs


def test_output_file_is_written_atomically_and_runs_are_byte_identical(tmp_path):
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    target = out_dir / "report.sarif"
    target.write_text("old report\n")
    paths = [ARTICLE, ARTICLE_HTML, CJK, "tests/fixtures/seeds"]
    r1 = scan(paths, "--as-of", AS_OF, "--format", "sarif", "-o", str(target))
    assert r1.code == 1 and r1.out == ""
    first = target.read_bytes()
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.sarif"]  # no temp files left
    r2 = scan(paths, "--as-of", AS_OF, "--format", "sarif", "-o", str(target))
    assert r2.code == 1 and target.read_bytes() == first
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.sarif"]
    # the file holds what stdout would have shown
    assert first == scan(paths, "--as-of", AS_OF, "--format", "sarif").out.encode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="device nodes and FIFOs")
def test_output_to_a_device_or_fifo_writes_to_it_and_leaves_it_in_place(tmp_path):
    """-o /dev/null, -o /dev/stdout, -o a named pipe: written to as they are. The report
    used to be written beside them and renamed over them, which replaced /dev/null itself
    with a regular file when run as root (and failed for anyone else)."""
    import stat
    import threading

    r = scan([ARTICLE], "--as-of", AS_OF, "--format", "jsonl", "-o", os.devnull)
    assert r.code in (0, 1) and r.out == ""
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = scan([ARTICLE], "--as-of", AS_OF, "--format", "jsonl", "-o", str(fifo))
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got == [scan([ARTICLE], "--as-of", AS_OF, "--format", "jsonl").out.encode("utf-8")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.fifo"]  # no temporary file


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_output_through_a_symlink_replaces_the_file_it_points_to(tmp_path):
    real = tmp_path / "reports" / "latest.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "report.jsonl"
    link.symlink_to(real)
    r = scan([ARTICLE], "--as-of", AS_OF, "--format", "jsonl", "-o", str(link))
    assert r.code in (0, 1)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text(encoding="utf-8") == scan([ARTICLE], "--as-of", AS_OF, "--format", "jsonl").out


def test_output_into_missing_directory_exits_2(tmp_path):
    r = scan([ARTICLE], "--as-of", AS_OF, "-o", str(tmp_path / "no" / "such" / "r.json"))
    assert r.code == 2 and len(r.err_lines) == 1


def test_output_file_mode_honours_umask(tmp_path):
    target = tmp_path / "r.json"
    old = os.umask(0o022)
    try:
        scan([ARTICLE], "--as-of", AS_OF, "--format", "json", "-o", str(target))
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_output_file_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    target.chmod(0o640)
    r = scan([ARTICLE], "--as-of", AS_OF, "--format", "json", "-o", str(target))
    assert r.code == 1
    assert target.stat().st_mode & 0o777 == 0o640 and target.read_text() != "old"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "rdjsonl"])
def test_jobs_2_gives_the_same_output_as_jobs_1(fmt):
    paths = ["tests/fixtures/docs", "tests/fixtures/seeds"]
    one = scan(paths, "--as-of", AS_OF, "--format", fmt, "--color", "never", "--jobs", "1")
    two = scan(paths, "--as-of", AS_OF, "--format", fmt, "--color", "never", "--jobs", "2")
    assert one.code == two.code == 1
    assert one.out == two.out and one.out


def test_results_sorted_by_path_line_column():
    _, results = scan_results(["tests/fixtures/docs", "tests/fixtures/seeds"], "--as-of", AS_OF)
    keys = [(x["location"]["path"], x["location"]["line"], x["location"]["column"]) for x in results]
    assert keys == sorted(keys)


# --------------------------------------------------------------------------- engine behaviour seen through scan


def test_red_flag_with_two_negations_stays_misleading(tmp_path):
    doc = write(tmp_path / "h.md", "Marketing copy says stem cell injections can reverse aging with no side effects & no pain.\n")
    _, results = scan_results([doc], "--as-of", AS_OF, "--show-supported")
    assert [x["verdict"] for x in results] == ["misleading"]


@contextlib.contextmanager
def _killed_if_hung(p: subprocess.Popen):
    """A scan started in a session of its own: if the test fails while it still runs (a
    hang), its whole group is killed, so nothing is left running behind the failure."""
    try:
        yield p
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_interrupted_scan_leaves_no_report_and_says_so(tmp_path):
    """Ctrl-C mid-scan: exit 130, one line on stderr, no report file, no temporary file."""
    import time

    big = tmp_path / "big.txt"
    big.write_text((f"{CAR_T} {NEVER}\n\n") * 60_000, encoding="utf-8")  # ~5 MB: seconds of work
    target = tmp_path / "r.jsonl"
    p = subprocess.Popen(
        [sys.executable, "-m", "stemcheck", "scan", str(big), "-f", "jsonl", "-o", str(target), "--as-of", AS_OF, "--config", str(NO_CONFIG)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # CI shells may ignore SIGINT
        start_new_session=True,
    )
    with _killed_if_hung(p):
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".r.jsonl.*.tmp")) and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # the report is being written: the scan is under way
        os.killpg(p.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert [ln for ln in err.splitlines() if ln.strip()] == ["stemcheck: interrupted"]
    assert not target.exists() and not list(tmp_path.glob(".r.jsonl*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the workers through /proc")
def test_a_worker_killed_mid_scan_ends_the_run_with_one_line_not_a_hang(tmp_path):
    """The out-of-memory killer takes a worker: exit 3 with a line naming the signal, no
    report file. (multiprocessing.Pool, used before, waited for the lost result forever.)"""
    import time

    big = tmp_path / "big.txt"
    big.write_text((f"{CAR_T} {NEVER}\n\n") * 60_000, encoding="utf-8")  # ~5 MB: seconds of work
    target = tmp_path / "r.jsonl"
    p = subprocess.Popen(
        [sys.executable, "-m", "stemcheck", "scan", str(big), "-f", "jsonl", "-o", str(target), "--jobs", "2", "--as-of", AS_OF, "--config", str(NO_CONFIG)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    def children(pid: int) -> list[int]:
        try:
            return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    with _killed_if_hung(p):
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while len(workers) < 2 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            # the scan's child is the pool's supervisor; the workers are its children
            workers = [w for sup in children(p.pid) for w in children(sup)]
        time.sleep(0.2)  # at work
        assert workers, "the scan ended before a worker could be killed"
        os.kill(workers[0], signal.SIGKILL)
        _, err = p.communicate(timeout=60)
    assert p.returncode == 3, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("stemcheck: error: a worker process was killed by SIGKILL"), err
    assert not target.exists() and not list(tmp_path.glob(".r.jsonl*"))


def _worker_lines(r) -> list[str]:
    return [ln for ln in r.err.splitlines() if ln.endswith("worker processes")]


def test_no_more_workers_than_the_named_files_make_tasks(tmp_path):
    """--jobs is a ceiling: three small files start three workers, one starts none, and a
    large file one per chunk it will be cut into."""
    small = [write(tmp_path / f"d{i}.md", f"{NEVER}\n") for i in range(3)]
    assert _worker_lines(scan(small, "--jobs", "8", "--verbose", "--as-of", AS_OF)) == ["stemcheck: 3 worker processes"]
    assert _worker_lines(scan(small[:1], "--jobs", "8", "--verbose", "--as-of", AS_OF)) == []
    big = write(tmp_path / "big.md", f"{CAR_T} {NEVER}\n\n" * 9000)  # about 0.8 MB: 7 chunks
    from stemcheck.scan_plan import CHUNK_CHARS

    chunks = -(-big.stat().st_size // CHUNK_CHARS)
    assert 2 < chunks < 64
    assert _worker_lines(scan([big], "--jobs", "64", "--verbose", "--as-of", AS_OF)) == [f"stemcheck: {chunks} worker processes"]
    assert _worker_lines(scan([tmp_path], "--jobs", "5", "--verbose", "--as-of", AS_OF)) == ["stemcheck: 5 worker processes"]


@pytest.mark.parametrize(
    ("affinity", "v2", "v1", "expected"),
    [
        ({0, 1, 2, 3}, None, None, 4),  # no quota files: the affinity mask
        ({0}, None, None, 1),  # taskset -c 0
        ({0, 1, 2, 3}, "max 100000\n", None, 4),  # cgroup v2, unlimited
        ({0, 1, 2, 3}, "150000 100000\n", None, 2),  # docker --cpus 1.5: rounded up
        ({0, 1, 2, 3}, "50000 100000\n", None, 1),
        ({0, 1}, "800000 100000\n", None, 2),  # a quota above the mask: the mask
        ({0, 1, 2, 3}, None, ("300000", "100000"), 3),  # cgroup v1
        ({0, 1, 2, 3}, None, ("-1", "100000"), 4),  # v1, unlimited
        ({0, 1, 2, 3}, "garbage\n", None, 4),  # unreadable: ignored
    ],
)
def test_default_jobs_are_the_cpus_this_process_may_use(tmp_path, monkeypatch, affinity, v2, v1, expected):
    import stemcheck.procpool as sc

    v2_path, v1_path = tmp_path / "cpu.max", tmp_path / "cpu.cfs_quota_us"
    if v2 is not None:
        v2_path.write_text(v2)
    if v1 is not None:
        v1_path.write_text(v1[0])
        (tmp_path / "cpu.cfs_period_us").write_text(v1[1])
    monkeypatch.setattr(sc, "CGROUP_FILES", (str(v2_path), str(v1_path)))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: affinity, raising=False)
    assert sc.usable_cpus() == expected


def test_placing_a_result_is_replace_with_a_location():
    import dataclasses
    import datetime as dt

    from stemcheck.model import Location, Result, Verdict

    r = Result(claim="c", verdict=Verdict.UNVERIFIED, confidence=0.5, judged_at=dt.date(2026, 1, 1), cues=("x",))
    loc = Location(path="p.md", line=3, column=2, end_line=3, end_column=9, byte_column=2, byte_end_column=9)
    placed = r.at(loc)
    assert placed == dataclasses.replace(r, location=loc)
    assert r.location is None and placed.location is loc
    with pytest.raises(dataclasses.FrozenInstanceError):
        placed.claim = "other"  # still frozen
