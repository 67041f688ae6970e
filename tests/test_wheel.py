"""The built-in knowledge base ships inside the wheel, and an installed stemcheck finds it
from any directory (not only from the checkout)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("stemcheck-*.whl")
    return whl


def test_wheel_contains_every_knowledge_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in (ROOT / "knowledge").glob("*.yaml"):
        assert f"stemcheck/_knowledge/{f.name}" in names, f.name


def test_installed_wheel_checks_a_claim_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import datetime as dt, stemcheck.knowledge.loader as L, stemcheck.api as A;"
        "d = L.builtin_dir(); assert '_knowledge' in str(d), d;"
        "r = A.check('China has never approved a stem cell drug.', dt.date(2026, 11, 22), A.load_checker(use_cache=False));"
        "print(r.verdict.value)"
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    p = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "refuted"
