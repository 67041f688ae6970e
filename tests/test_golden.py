"""Golden outputs: `stemcheck scan <fixture> --as-of 2026-11-22 --format F --color never`
for every scan format F, for the fixture articles (tests/fixtures/docs) and the seed
articles (tests/fixtures/seeds), compared byte for byte with tests/golden/.

Runs use the repository root as working directory and relative paths, so the paths in
the outputs are stable. `--config tests/fixtures/stemcheck-empty.toml` is passed because
the repository's own pyproject.toml excludes tests/fixtures/** from scans.

The goldens change when the knowledge base, the engine or a format changes; that is
intended: the diff shows a reviewer what users will see. To regenerate them:

    STEMCHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

which rewrites every golden file (and removes ones no longer produced).
"""

from __future__ import annotations

import os

import pytest

from scan_helpers import AS_OF, DOCS, GOLDEN, NO_CONFIG, REPO, SEEDS, run

FORMATS = ("text", "json", "jsonl", "sarif", "github", "rdjsonl")
UPDATE = os.environ.get("STEMCHECK_UPDATE_GOLDEN") == "1"
INPUTS = sorted(p.relative_to(REPO).as_posix() for d in (DOCS, SEEDS) for p in d.iterdir() if p.is_file())
CASES = [(path, fmt) for path in INPUTS for fmt in FORMATS]


def golden_path(path: str, fmt: str):
    # tests/fixtures/docs/article.md + sarif -> tests/golden/docs/article.md.sarif
    group, name = path.split("/")[-2:]
    return GOLDEN / group / f"{name}.{fmt}"


def command(path: str, fmt: str) -> list[str]:
    return ["scan", path, "--as-of", AS_OF, "--format", fmt, "--color", "never", "--config", NO_CONFIG.relative_to(REPO).as_posix()]


def test_inputs_present():
    assert sum(p.startswith("tests/fixtures/docs/") for p in INPUTS) >= 4
    assert sum(p.startswith("tests/fixtures/seeds/") for p in INPUTS) == 5


@pytest.mark.parametrize(("path", "fmt"), CASES, ids=[f"{p.split('/')[-1]}-{f}" for p, f in CASES])
def test_golden(path, fmt):
    r = run(command(path, fmt), cwd=REPO)
    assert r.code in (0, 1), r.err
    assert "Traceback" not in r.err
    got = r.out.encode("utf-8")
    target = golden_path(path, fmt)
    if UPDATE:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(got)
    assert target.is_file(), f"no golden file {target.relative_to(REPO)}; run STEMCHECK_UPDATE_GOLDEN=1 pytest tests/test_golden.py"
    want = target.read_bytes()
    assert got == want, (
        f"{' '.join(['stemcheck', *command(path, fmt)])} differs from {target.relative_to(REPO)}; "
        "if the change is intended, regenerate with STEMCHECK_UPDATE_GOLDEN=1 pytest tests/test_golden.py"
    )


def test_no_stale_golden_files():
    expected = {golden_path(p, f) for p, f in CASES}
    present = {p for p in GOLDEN.rglob("*") if p.is_file()}
    stale = present - expected
    if UPDATE:
        for p in stale:
            p.unlink()
        stale = set()
    assert not stale, f"golden files no test produces: {sorted(str(p.relative_to(REPO)) for p in stale)}"
