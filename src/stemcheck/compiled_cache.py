"""Load the compiled knowledge base, from a disk cache keyed by content when possible.

Parsing and validating the YAML costs far more than the check itself, so the compiled form
is pickled in the user cache directory under a key made from the stemcheck version and a
BLAKE2b digest of every knowledge file's path and bytes. A changed file changes the key,
so the cache is never stale; a cache that cannot be read or written is ignored (read-only home,
CI sandbox), deleting it is always safe, and it keeps the few most recently written
compiled files. `STEMCHECK_NO_CACHE=1` or `--no-cache` skips it; `STEMCHECK_CACHE_DIR`
moves it.

The cache holds only what stemcheck itself wrote to the user's own cache directory.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from stemcheck import __version__
from stemcheck.engine.compiled import CompiledKB
from stemcheck.knowledge.files import content_hash, key_hasher, knowledge_files

_FORMAT = 4  # bump when the compiled structures change shape


def cache_dir() -> Path:
    env = os.environ.get("STEMCHECK_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir  # imported only when the cache is used

    return Path(user_cache_dir("stemcheck", appauthor=False))


def _compile(files: list[Path]) -> CompiledKB:
    """Parse, validate and compile: the YAML reader is imported only on a cache miss."""
    from stemcheck.engine.compiled import compile_kb
    from stemcheck.knowledge.loader import load_files

    return compile_kb(load_files(files))


def load_compiled(dirs: list[Path], use_cache: bool = True) -> CompiledKB:
    files = knowledge_files(dirs)
    if not use_cache or os.environ.get("STEMCHECK_NO_CACHE"):
        return _compile(files)
    key = f"{__version__}-{_FORMAT}-{content_hash(files)[:32]}-{_code_stamp()}"
    path = cache_dir() / f"kb-{key}.pickle"
    try:
        with open(path, "rb") as fh:
            ckb = pickle.load(fh)
        if isinstance(ckb, CompiledKB):
            return ckb
    except Exception:  # missing, unreadable, truncated or from another version: rebuild
        pass
    ckb = _compile(files)
    _store(path, ckb)
    return ckb


def _code_stamp() -> str:
    """Size and mtime of the code that compiles knowledge and defines what is pickled (the
    engine, the model and its enums, the knowledge readers): a development checkout that changes the
    tokenizer or a model class must not reuse knowledge compiled by the old one."""
    root = Path(__file__).parent
    code = [*root.glob("engine/*.py"), *root.glob("knowledge/*.py"), root / "model.py", root / "enums.py"]
    h = key_hasher()
    for p in sorted(code):
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:12]


def _store(path: Path, ckb: CompiledKB) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kb-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(ckb, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except (OSError, UnboundLocalError):
            pass
        return
    _prune(path)


KEEP = 8  # compiled knowledge bases kept: a few versions and --kb sets; a miss only recompiles
STALE_TMP_SECONDS = 3600


def _prune(newest: Path) -> None:
    """Keep the cache small. Every edit of a knowledge file, every --kb set and every
    upgrade writes a new compiled file (0.8 MB for the built-in knowledge, ten times that
    for a large --kb): keep the KEEP most recently written, and drop temporary files that a
    killed run left behind. Run only after a store, so a warm start never lists the
    directory. Another process may lose a file it was about to read: it recompiles."""
    import time

    entries = []
    for p in newest.parent.glob("kb-*.pickle"):
        try:
            entries.append((p.stat().st_mtime, p))
        except OSError:
            continue
    entries.sort(reverse=True)
    old = [p for _, p in entries[KEEP:] if p != newest]
    cutoff = time.time() - STALE_TMP_SECONDS
    for p in newest.parent.glob(".kb-*.tmp"):
        try:
            if p.stat().st_mtime < cutoff:
                old.append(p)
        except OSError:
            continue
    for p in old:
        try:
            p.unlink()
        except OSError:
            pass
