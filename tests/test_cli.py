"""The command line, run as a user runs it: `python -m stemcheck ...` in a subprocess.

The contract (DESIGN.md): exit 0/1/2, one clear `stemcheck: error:` line on stderr and no
traceback for anything the user can fix, and JSON results with exactly the documented keys.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

NOW = "2026-11-22"
RESULT_KEYS = {"claim", "verdict", "confidence", "judged_at", "assertion", "note", "cues", "sources"}
ASSERTION_KEYS = {"id", "statement", "valid_from", "valid_until"}
SOURCE_KEYS = {"title", "publisher", "url", "published"}
VERDICTS = {"supported", "refuted", "outdated", "misleading", "unverified"}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def run(*args: str, stdin: bytes | None = None, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "STEMCHECK_DEBUG")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "stemcheck", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
    )


def text(cp: subprocess.CompletedProcess) -> tuple[str, str]:
    return cp.stdout.decode("utf-8"), cp.stderr.decode("utf-8")


def assert_one_line_error(cp: subprocess.CompletedProcess, code: int = 2) -> str:
    out, err = text(cp)
    assert cp.returncode == code, (cp.returncode, err)
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert err.endswith("\n")
    assert lines[0].startswith("stemcheck: error: "), err
    return lines[0]


def assert_result(obj: dict) -> None:
    """A result object with exactly the DESIGN.md keys and sane values."""
    assert set(obj) == RESULT_KEYS, set(obj) ^ RESULT_KEYS
    assert isinstance(obj["claim"], str)
    assert obj["verdict"] in VERDICTS
    assert isinstance(obj["confidence"], (int, float)) and 0.0 <= obj["confidence"] <= 1.0
    assert DATE.match(obj["judged_at"])
    if obj["verdict"] == "unverified":
        assert obj["assertion"] is None
    if obj["assertion"] is not None:
        assert set(obj["assertion"]) == ASSERTION_KEYS
        for k in ("valid_from", "valid_until"):
            v = obj["assertion"][k]
            assert v is None or DATE.match(v)
    assert obj["note"] is None or isinstance(obj["note"], str)
    assert isinstance(obj["cues"], list) and all(isinstance(c, str) for c in obj["cues"])
    assert isinstance(obj["sources"], list)
    for s in obj["sources"]:
        assert set(s) == SOURCE_KEYS
        assert s["url"].startswith(("http://", "https://"))
        assert DATE.match(s["published"])


def check_json(*claims: str, as_of: str = NOW) -> list[dict]:
    cp = run("check", *claims, "--as-of", as_of, "--format", "json")
    out, err = text(cp)
    assert cp.returncode == 0, err
    doc = json.loads(out)
    assert set(doc) == {"schema_version", "as_of", "results"}
    assert doc["schema_version"] == 1
    assert doc["as_of"] == as_of
    for r in doc["results"]:
        assert_result(r)
    return doc["results"]


# --------------------------------------------------------------------------- errors: one line, exit 2


def test_bad_as_of():
    line = assert_one_line_error(run("check", "China approved a stem cell drug.", "--as-of", "2024-13-01"))
    assert "--as-of" in line and "2024-13-01" in line


@pytest.mark.parametrize("value", ["yesterday", "", "2024/06/01", "99999-01-01"])
def test_bad_as_of_values(value):
    assert_one_line_error(run("check", "x", "--as-of", value))


def test_missing_from_file(tmp_path):
    missing = tmp_path / "nope.txt"
    line = assert_one_line_error(run("check", "--from-file", str(missing)))
    assert str(missing) in line


def test_binary_from_file(tmp_path):
    path = tmp_path / "claims.bin"
    path.write_bytes(b"China approved\x00\x01\x02\xff a drug\n" * 10)
    line = assert_one_line_error(run("check", "--from-file", str(path)))
    assert str(path) in line


def test_directory_as_from_file(tmp_path):
    assert_one_line_error(run("check", "--from-file", str(tmp_path)))


def test_unknown_format():
    line = assert_one_line_error(run("check", "x", "--format", "xml"))
    assert "xml" in line


def test_kb_list_unknown_format():
    assert_one_line_error(run("kb", "list", "--format", "xml"))


def test_no_claim_given():
    assert_one_line_error(run("check"))


def test_kb_show_unknown_id():
    line = assert_one_line_error(run("kb", "show", "cn.approvals.no-such-thing"))
    assert "cn.approvals.no-such-thing" in line


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--bogus", "x"),  # unknown option
        ("check", "x", "--fail-on", "bogus"),  # bad choice
        ("kb", "show"),  # missing argument
        ("nosuchcommand",),  # unknown command
    ],
)
def test_click_usage_errors(args):
    assert_one_line_error(run(*args))


def test_unknown_option_is_one_line_without_traceback():
    # whatever the exit code, never a traceback and never more than one line
    cp = run("check", "--bogus", "x")
    out, err = text(cp)
    assert cp.returncode != 0
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert "--bogus" in err


def test_malformed_kb_dir(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    bad = kb / "demo.yaml"
    bad.write_text("topic: demo\nassertions: [unclosed\n", encoding="utf-8")
    line = assert_one_line_error(run("check", "China has approved a stem cell drug.", "--kb", str(kb), "--no-cache"))
    assert re.search(re.escape(str(bad)) + r":\d+", line), line


def _three_docs(tmp_path: Path, claim: str = "China has never approved a stem cell drug.") -> Path:
    """A folder of three Markdown files with one claim each: enough for a parallel scan."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"d{i}.md").write_text(claim + "\n", encoding="utf-8")
    return docs


def test_malformed_kb_in_a_parallel_scan_is_one_line_from_the_workers_supervisor(tmp_path):
    """A scan of a directory with two CPUs forks the pool's supervisor at start-up and lets
    it load the knowledge: its error still reaches the user as one line and exit 2."""
    kb = tmp_path / "kb"
    kb.mkdir()
    bad = kb / "demo.yaml"
    bad.write_text("topic: demo\nassertions: [unclosed\n", encoding="utf-8")
    docs = _three_docs(tmp_path, "China has approved a stem cell drug.")
    line = assert_one_line_error(run("scan", str(docs), "--kb", str(kb), "--no-cache", "--jobs", "2"))
    assert re.search(re.escape(str(bad)) + r":\d+", line), line


def test_unknown_key_kb_file(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    bad = kb / "demo.yaml"
    bad.write_text("topic: demo\nassertionz: []\n", encoding="utf-8")
    line = assert_one_line_error(run("check", "China has approved a stem cell drug.", "--kb", str(kb)))
    assert f"{bad}:2:" in line and "unknown key" in line


def test_missing_kb_dir(tmp_path):
    assert_one_line_error(run("check", "x", "--kb", str(tmp_path / "nope")))


def test_kb_validate_reports_every_problem(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "demo.yaml").write_text("topic: demo\nassertionz: []\nother: 1\n", encoding="utf-8")
    cp = run("kb", "validate", "--kb", str(kb))
    out, err = text(cp)
    assert cp.returncode == 2
    assert "Traceback" not in err
    assert err.count("unknown key") == 2
    assert "2 problem(s)" in err


# --------------------------------------------------------------------------- verdicts


def test_not_approved_supported_in_2024():
    (r,) = check_json("China has not approved any stem cell drug.", as_of="2024-06-01")
    assert r["verdict"] == "supported"
    assert r["judged_at"] == "2024-06-01"
    assert "negation" in r["cues"]


def test_not_approved_outdated_now():
    (r,) = check_json("China has not approved any stem cell drug.", as_of=NOW)
    assert r["verdict"] == "outdated"
    assert "2025-01-02" in r["note"]
    assert r["sources"], r
    assert r["assertion"]["id"] == "cn.approvals.stem-cell-drug"
    assert r["assertion"]["valid_from"] == "2025-01-02"
    assert r["judged_at"] == NOW


def test_never_approved_refuted():
    (r,) = check_json("China has never approved a stem cell drug.")
    assert r["verdict"] == "refuted"
    assert "never" in r["cues"]


def test_several_claims_in_order():
    claims = ["China has never approved a stem cell drug.", "China has not approved any stem cell drug.", "The sky is green."]
    results = check_json(*claims)
    assert [r["claim"] for r in results] == claims
    assert [r["verdict"] for r in results] == ["refuted", "outdated", "unverified"]


def test_fail_on_sets_exit_code():
    claim = "China has never approved a stem cell drug."
    assert run("check", claim, "--as-of", NOW, "--fail-on", "error", "--format", "json").returncode == 1
    assert run("check", claim, "--as-of", NOW, "--format", "json").returncode == 0  # default: never fail


# --------------------------------------------------------------------------- input sources


def test_from_file_jsonl_one_line_per_claim(tmp_path):
    claims = ["China has never approved a stem cell drug.", "", "China has not approved any stem cell drug."]
    path = tmp_path / "claims.txt"
    path.write_text("\n".join(claims) + "\n", encoding="utf-8")
    cp = run("check", "--from-file", str(path), "--format", "jsonl", "--as-of", NOW)
    out, err = text(cp)
    assert cp.returncode == 0, err
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    results = [json.loads(line) for line in lines]
    for r in results:
        assert_result(r)
    assert [r["claim"] for r in results] == claims
    assert results[0]["verdict"] == "refuted"
    assert results[1]["verdict"] == "unverified"  # a blank line still gets a result, so lines align
    assert results[2]["verdict"] == "outdated"


def test_from_file_splits_only_at_line_ends(tmp_path):
    lines = ["China approved\u2028a stem cell drug.", "Stem cells\x85cure everything.", "China has\x0cnever approved one.", "x\x1cy"]
    path = tmp_path / "claims.txt"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    cp = run("check", "--from-file", str(path), "--format", "jsonl", "--as-of", NOW)
    assert cp.returncode == 0
    assert len(cp.stdout.decode("utf-8").split("\n")[:-1]) == len(lines)


def test_from_file_crlf_and_bom(tmp_path):
    path = tmp_path / "claims.txt"
    path.write_bytes("\ufeffChina has never approved a stem cell drug.\r\nThe sky is green.\r\n".encode("utf-8"))
    cp = run("check", "--from-file", str(path), "--format", "jsonl", "--as-of", NOW)
    results = [json.loads(line) for line in text(cp)[0].splitlines()]
    assert [r["claim"] for r in results] == ["China has never approved a stem cell drug.", "The sky is green."]


def test_stdin_dash():
    cp = run("check", "-", "--format", "jsonl", "--as-of", NOW, stdin="China has never approved a stem cell drug.\nThe sky is green.\n".encode())
    out, err = text(cp)
    assert cp.returncode == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["verdict"] for r in results] == ["refuted", "unverified"]


def test_version():
    cp = run("--version")
    out, err = text(cp)
    assert cp.returncode == 0
    assert re.match(r"^stemcheck \d+\.\d+", out)
    assert err == ""


# --------------------------------------------------------------------------- kb commands


def test_kb_validate():
    cp = run("kb", "validate")
    out, err = text(cp)
    assert cp.returncode == 0, err
    assert out.startswith("kb validate: ok")


def test_kb_show():
    cp = run("kb", "show", "cn.approvals.stem-cell-drug")
    out, err = text(cp)
    assert cp.returncode == 0, err
    assert out.startswith("cn.approvals.stem-cell-drug")
    assert "2025-01-02" in out
    assert "source" in out


def test_kb_list_json():
    cp = run("kb", "list", "--format", "json")
    out, err = text(cp)
    assert cp.returncode == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list) and rows
    assert all(set(r) == {"id", "kind", "jurisdiction", "topic", "statement"} for r in rows)
    assert "cn.approvals.stem-cell-drug" in {r["id"] for r in rows}


# --------------------------------------------------------------------------- output


def test_text_output_no_color():
    claim = "China has never approved a stem cell drug."
    cp = run("check", claim, "--as-of", NOW, env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    out, err = text(cp)
    assert cp.returncode == 0, err
    assert not ANSI.search(out)
    assert "\x1b" not in out
    assert "REFUTED" in out.upper() and claim in out
    # the check above could only pass trivially if colour never appeared: make sure it can
    coloured = text(run("check", claim, "--as-of", NOW, "--color", "always"))[0]
    assert ANSI.search(coloured)


def test_json_output_is_deterministic():
    args = ("check", "China has not approved any stem cell drug.", "Stem cells cure everything.", "--as-of", NOW, "--format", "json")
    first, second = run(*args), run(*args)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert first.stdout.endswith(b"\n")


def test_json_is_utf8_and_keeps_unicode():
    (r,) = check_json("国家药监局批准了干细胞药物。")
    assert r["claim"] == "国家药监局批准了干细胞药物。"


def test_text_output_neutralises_terminal_control_characters():
    """A pasted claim cannot drive the terminal: ESC and other controls never reach it raw."""
    out, _ = text(run("check", "Stem cells \x1b[2J\x1b]0;owned\x07 cure everything.\r", "--color", "never"))
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "\ufffd[2J" in out
    # in colour the only escape sequences are stemcheck's own styles (SGR "...m" and links)
    out, _ = text(run("check", "Stem cells \x1b[2J\x1b]0;owned\x07 cure everything.\r", "--color", "always"))
    assert "\x1b[2J" not in out and "\x1b]0;owned" not in out and "\x07" not in out and "\r" not in out
    assert "\ufffd[2J" in out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_process_exit_keeps_every_byte_of_output(tmp_path, jobs):
    """The CLI ends its process without Python's shutdown (cli._exit_now): what it wrote to
    a pipe, to stderr and to an -o file must all be there, with the exit code, exactly as
    an in-process run gives them."""
    from scan_helpers import NO_CONFIG, SEEDS, scan

    args = [str(SEEDS), "--as-of", NOW, "--format", "jsonl", "--config", str(NO_CONFIG), "--jobs", jobs]
    inproc = scan([SEEDS], "--as-of", NOW, "--format", "jsonl", "--jobs", jobs)
    cp = run("scan", *args)
    out, err = text(cp)
    assert cp.returncode == inproc.code == 1
    assert out == inproc.out and out.count("\n") > 50
    report = tmp_path / "r.jsonl"
    cp = run("scan", *args, "-o", str(report))
    assert cp.returncode == 1 and cp.stdout == b""
    assert report.read_text(encoding="utf-8") == inproc.out


@pytest.mark.parametrize("closed", [1, 2])
def test_closed_stdout_or_stderr_is_no_crash(tmp_path, closed):
    """Started with standard output or error closed (`stemcheck ... >&-`): no traceback,
    the exit code still tells, and an -o report is still written."""

    def run_closed(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "stemcheck", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if closed == 2 else None,
            stderr=subprocess.PIPE if closed == 1 else None,
            preexec_fn=lambda: os.close(closed),
            cwd=tmp_path,
            timeout=60,
        )

    report = tmp_path / "r.jsonl"
    cp = run_closed("scan", str(Path(__file__).parent / "fixtures" / "seeds"), "--as-of", NOW, "-f", "jsonl", "-o", str(report))
    assert cp.returncode == 1
    assert b"Traceback" not in (cp.stdout or b"") + (cp.stderr or b"")
    assert report.read_text(encoding="utf-8").count("\n") > 50
    assert run_closed("scan", str(tmp_path / "nope.md")).returncode == 2


def test_a_scan_that_cannot_fork_workers_scans_in_one_process(tmp_path):
    """No process to spare (ulimit -u reached): at launch and when the pool would start,
    fork fails. The scan says so in one line and gives the report it would have given."""
    docs = sorted(_three_docs(tmp_path).iterdir())
    args = ["scan", *map(str, docs), "--as-of", NOW, "-f", "jsonl", "--jobs", "2", "--config", str(tmp_path / "none.toml")]
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    no_fork = (
        "import errno, os, sys\n"
        "def fork(): raise BlockingIOError(errno.EAGAIN, 'Resource temporarily unavailable')\n"
        "os.fork = fork\n"
        f"sys.argv = ['stemcheck', *{args!r}]\n"
        "from stemcheck.launch import main\n"
        "main()\n"
    )
    failing = subprocess.run([sys.executable, "-c", no_fork], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    normal = run(*args, cwd=tmp_path)
    assert failing.returncode == normal.returncode == 1, failing.stderr
    assert failing.stdout == normal.stdout.decode() and failing.stdout.count("\n") == 3
    assert failing.stderr.splitlines() == ["stemcheck: warning: cannot start worker processes (Resource temporarily unavailable); scanning in one process"]


def test_parallel_scan_started_with_sigchld_ignored_exits_normally(tmp_path):
    """A launcher that ignores SIGCHLD passes that on (ignored signals survive exec): the
    kernel then reaps our children itself, and waiting for the pool's supervisor finds
    nothing to wait for. That is the end of the pool, not an internal error."""
    import signal

    docs = _three_docs(tmp_path)
    cp = subprocess.run(
        [sys.executable, "-m", "stemcheck", "scan", str(docs), "--as-of", NOW, "-f", "jsonl", "--jobs", "2"],
        capture_output=True,
        preexec_fn=lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN),
        cwd=tmp_path,
        timeout=60,
    )
    assert cp.returncode == 1, cp.stderr
    assert cp.stdout.decode().count("\n") == 3 and not cp.stderr


def test_scan_with_stdin_and_stdout_closed_still_scans_in_parallel(tmp_path):
    """Descriptors 0 and 1 closed at start-up are not handed to the worker pool's sockets
    (which the supervisor would then overwrite): the parallel scan completes."""
    docs = _three_docs(tmp_path)
    report = tmp_path / "r.jsonl"
    cp = subprocess.run(
        [sys.executable, "-m", "stemcheck", "scan", str(docs), "--as-of", NOW, "-f", "jsonl", "-o", str(report), "--jobs", "2"],
        stderr=subprocess.PIPE,
        preexec_fn=lambda: (os.close(0), os.close(1)),
        cwd=tmp_path,
        timeout=60,
    )
    assert cp.returncode == 1, cp.stderr
    assert report.read_text(encoding="utf-8").count("\n") == 3


def test_launch_knows_every_scan_option_that_takes_a_value():
    """launch.py reads `scan` command lines without typer to decide whether to fork the
    worker pool's supervisor; mistaking an option's value for a path costs time, not a
    result, but its list of value-taking options must be the CLI's."""
    import typer.main

    from stemcheck.cli import app
    from stemcheck.launch import SCAN_VALUE_OPTIONS

    scan = typer.main.get_command(app).commands["scan"]
    taking = {o for p in scan.params if p.param_type_name == "option" and not p.is_flag and not p.count for o in (*p.opts, *p.secondary_opts)}
    assert SCAN_VALUE_OPTIONS == taking


@pytest.mark.parametrize(
    ("args", "pool"),
    [
        (["one.md"], False),
        (["-f", "jsonl", "one.md", "--as-of", "2025-01-01", "-v"], False),
        (["--kb", "kb", "one.md"], False),
        (["-"], False),
        (["one.md", "two.md"], True),
        (["-", "one.md"], True),
        (["docs"], True),
        (["docs", "--jobs", "1"], False),
        (["docs", "--jobs=1"], False),
        (["*.md"], True),
        (["-vj2", "one.md"], True),  # clustered short options: not read here, so forked
        (["big.md"], True),  # over one chunk: several tasks
    ],
)
def test_launch_forks_the_pool_supervisor_only_for_a_scan_that_can_use_it(tmp_path, monkeypatch, args, pool):
    from stemcheck import scan_plan
    from stemcheck.launch import _may_use_a_pool

    (tmp_path / "one.md").write_text("x\n", encoding="utf-8")
    (tmp_path / "two.md").write_text("x\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "big.md").write_text("x" * (scan_plan.STREAM_ABOVE + 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert _may_use_a_pool(args) is pool
