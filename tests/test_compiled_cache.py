"""The compiled-knowledge cache: reused when the knowledge is unchanged, never stale, safe
to lose or corrupt, ignored when it cannot be written, and bounded in size."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import stemcheck.compiled_cache as cc
from stemcheck.knowledge.files import knowledge_dirs

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache directory, and a counter of real compilations."""
    d = tmp_path / "cache"
    monkeypatch.setenv("STEMCHECK_CACHE_DIR", str(d))
    monkeypatch.delenv("STEMCHECK_NO_CACHE", raising=False)
    compiled = []
    real = cc._compile

    def counting(files):
        compiled.append(files)
        return real(files)

    monkeypatch.setattr(cc, "_compile", counting)
    return d, compiled


@pytest.fixture
def extra_kb(tmp_path):
    d = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, d)
    return d


def _pickles(d: Path) -> list[Path]:
    return sorted(d.glob("kb-*.pickle"))


def test_compiled_once_then_read_from_the_cache(cache, extra_kb):
    d, compiled = cache
    first = cc.load_compiled(knowledge_dirs([extra_kb]))
    second = cc.load_compiled(knowledge_dirs([extra_kb]))
    assert len(compiled) == 1 and len(_pickles(d)) == 1
    assert [a.id for a in first.kb.assertions] == [a.id for a in second.kb.assertions]


def test_a_changed_knowledge_file_is_never_served_stale(cache, extra_kb):
    d, compiled = cache
    cc.load_compiled(knowledge_dirs([extra_kb]))
    demo = extra_kb / "demo.yaml"
    demo.write_text(demo.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    cc.load_compiled(knowledge_dirs([extra_kb]))
    assert len(compiled) == 2 and len(_pickles(d)) == 2


def test_a_corrupt_cache_file_is_rebuilt(cache, extra_kb):
    d, compiled = cache
    cc.load_compiled(knowledge_dirs([extra_kb]))
    (p,) = _pickles(d)
    p.write_bytes(p.read_bytes()[:100])  # truncated, as by a full disk
    ckb = cc.load_compiled(knowledge_dirs([extra_kb]))
    assert len(compiled) == 2 and ckb.kb.assertions
    cc.load_compiled(knowledge_dirs([extra_kb]))
    assert len(compiled) == 2  # the rebuilt file is whole again


def test_a_cache_that_cannot_be_written_is_ignored(tmp_path, monkeypatch, extra_kb):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("STEMCHECK_CACHE_DIR", str(blocker / "cache"))
    ckb = cc.load_compiled(knowledge_dirs([extra_kb]))
    assert ckb.kb.assertions and blocker.read_text() == "x"


def test_the_cache_keeps_the_newest_files_and_no_stale_temporary_file(cache, extra_kb):
    d, _ = cache
    d.mkdir()
    now = time.time()
    for i in range(cc.KEEP + 4):  # older compiled files, one a second apart
        p = d / f"kb-old-{i:02d}.pickle"
        p.write_bytes(b"old")
        os.utime(p, (now - 1000 + i, now - 1000 + i))
    stale = d / ".kb-killed.tmp"
    stale.write_bytes(b"")
    os.utime(stale, (now - 2 * cc.STALE_TMP_SECONDS,) * 2)
    fresh = d / ".kb-writing.tmp"  # another run, writing right now
    fresh.write_bytes(b"")
    cc.load_compiled(knowledge_dirs([extra_kb]))
    kept = _pickles(d)
    assert len(kept) == cc.KEEP
    assert d / f"kb-old-{cc.KEEP + 3:02d}.pickle" in kept and d / "kb-old-00.pickle" not in kept
    assert not stale.exists() and fresh.exists()
