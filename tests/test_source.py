"""Tests of the source code itself: conventions that keep start-up fast and the code readable."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "stemcheck"


def _dataclasses():
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for d in node.decorator_list:
                    target = d.func if isinstance(d, ast.Call) else d
                    if isinstance(target, ast.Name) and target.id == "dataclass":
                        yield path.relative_to(SRC), node


def test_every_dataclass_has_a_docstring():
    """Say what the class is for. Without one, Python 3.11's @dataclass also writes a
    docstring from inspect.signature() at import: about 2 ms over the forty classes a
    scan's workers import, on every start."""
    found = list(_dataclasses())
    assert len(found) > 30  # the walk finds them
    missing = [f"{path}: {node.name}" for path, node in found if ast.get_docstring(node) is None]
    assert not missing, missing


def test_scan_worker_warm_up_imports_no_command_line_code():
    """A parallel scan's supervisor runs scan_worker.warm() on the critical path, while the
    parent loads the command line: it must not import the configuration reader, the file
    walker, the scan command, formats the workers do not render with, or OpenSSL."""
    code = (
        "import sys, stemcheck.scan_worker as w; w.warm(); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('stemcheck', 'tomllib', 'typer', 'rich', 'hashlib')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "stemcheck.engine.checker" in out and "stemcheck.scanner" in out
    for unwanted in (
        "stemcheck.scan_cmd",
        "stemcheck.cli",
        "stemcheck.config",
        "stemcheck.documents.walk",
        "stemcheck.formats.registry",
        "stemcheck.formats.sarif",
        "tomllib",
        "typer",
        "rich",
        "hashlib",  # loads OpenSSL; cache keys use _blake2 (knowledge.files.key_hasher)
    ):
        assert unwanted not in out, unwanted


def test_a_check_loads_no_yaml_reader_validator_markdown_parser_or_openssl(tmp_path):
    """A cold `stemcheck check` with the compiled knowledge cached reads no YAML, validates
    nothing, parses no Markdown and hashes with _blake2: each of these is milliseconds of
    every start (OpenSSL alone 3-5 ms)."""
    code = (
        "import sys\n"
        "from stemcheck.cli import main\n"
        "try:\n"
        "    main(['check', 'China has not approved any stem cell drug.'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n"
    )
    env = {**os.environ, "STEMCHECK_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)  # fills the cache
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stderr.split())
    assert "stemcheck" in loaded
    for unwanted in ("yaml", "pydantic", "markdown_it", "hashlib", "_hashlib"):
        assert unwanted not in loaded, unwanted


def test_a_scans_parent_imports_neither_the_model_the_segmenter_nor_the_toml_reader():
    """The parent of a parallel scan starts up alongside the pool's supervisor, on CPUs
    that may not be two CPUs' worth: it filters by the verdicts of stemcheck.enums, not
    the model's dataclasses; names and dates tasks with documents.kinds, not the
    segmenter's patterns; and reads TOML only once a config file is found."""
    code = "import sys, stemcheck.cli, stemcheck.scan_cmd; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert "stemcheck.scan_cmd" in loaded
    for unwanted in ("stemcheck.model", "stemcheck.documents.segment", "tomllib", "markdown_it", "stemcheck.engine.checker"):
        assert unwanted not in loaded, unwanted


def test_reading_a_config_file_does_not_import_the_model(tmp_path):
    """A repository's pyproject.toml with a [tool.stemcheck] table is the common case in
    CI: reading it (jurisdiction checked against stemcheck.enums) keeps the model out of a
    scan's parent too."""
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[tool.stemcheck]\ndefault_jurisdiction = "cn"\nformat = "jsonl"\nexclude = ["x/**"]\n', encoding="utf-8")
    code = (
        "import sys, pathlib, stemcheck.cli, stemcheck.scan_cmd, stemcheck.config as c\n"
        f"cfg = c.load_config(pathlib.Path({str(cfg)!r}))\n"
        "assert cfg.default_jurisdiction == 'CN', cfg\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert "tomllib" in loaded
    assert "stemcheck.model" not in loaded
