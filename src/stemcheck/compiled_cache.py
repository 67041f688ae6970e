"""Load the compiled knowledge base, from a disk cache keyed by content when possible.

Parsing and validating the YAML costs far more than the check itself, so the compiled form
is pickled in the user cache directory under a key made from the stemcheck version and a
SHA-256 of every knowledge file's path and bytes. A changed file changes the key, so the
cache is never stale; a cache that cannot be read or written is ignored (read-only home,
CI sandbox), and deleting it is always safe. `STEMCHECK_NO_CACHE=1` or `--no-cache` skips
it; `STEMCHECK_CACHE_DIR` moves it.

The cache holds only what stemcheck itself wrote to the user's own cache directory.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from stemcheck import __version__
from stemcheck.engine.compiled import CompiledKB
from stemcheck.knowledge.files import content_hash, knowledge_files

_FORMAT = 3  # bump when the compiled structures change shape


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
    engine, the model, the knowledge readers): a development checkout that changes the
    tokenizer or a model class must not reuse knowledge compiled by the old one."""
    import hashlib

    root = Path(__file__).parent
    code = [*root.glob("engine/*.py"), *root.glob("knowledge/*.py"), root / "model.py"]
    h = hashlib.sha256()
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
        for old in path.parent.glob("kb-*.pickle"):  # keep the directory from growing forever
            if old != path and old.stat().st_mtime < path.stat().st_mtime - 7 * 86400:
                old.unlink(missing_ok=True)
    except OSError:
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except (OSError, UnboundLocalError):
            pass
