"""Knowledge files and the validated knowledge they hold, without the YAML reader.

Finding the knowledge files and hashing them is all a check with a warm compiled cache
needs; this module keeps that path free of the YAML parser and the validation machinery.
`KnowledgeBase` lives here because the compiled cache pickles it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from stemcheck.errors import KnowledgeError

if TYPE_CHECKING:
    from stemcheck.model import Alias, Assertion

ALIAS_FILE = "aliases.yaml"


@dataclass(frozen=True)
class Origin:
    """Where an assertion was defined: file, line and topic (for messages that point at the YAML)."""

    path: str
    line: int
    topic: str


@dataclass(frozen=True)
class KnowledgeBase:
    """Validated knowledge: assertions in load order, the merged alias table, and origins."""

    assertions: tuple[Assertion, ...]
    aliases: tuple[Alias, ...]
    origins: dict[str, Origin] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)  # topic -> title
    domain: tuple[str, ...] = ()  # on-topic vocabulary (aliases.yaml `domain:`)

    def get(self, assertion_id: str) -> Assertion | None:
        for a in self.assertions:
            if a.id == assertion_id:
                return a
        return None


def builtin_dir() -> Path:
    """The knowledge shipped with stemcheck: inside the wheel, or the checkout's ./knowledge."""
    packaged = Path(str(resources.files("stemcheck"))) / "_knowledge"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "knowledge"


def knowledge_dirs(extra: list[Path] | None = None, builtin: bool = True) -> list[Path]:
    """The built-in knowledge (unless `builtin` is false), then any extra directories."""
    return ([builtin_dir()] if builtin else []) + list(extra or [])


def knowledge_files(dirs: list[Path]) -> list[Path]:
    """Every knowledge file in `dirs`, in a stable order (aliases first within a directory)."""
    out: list[Path] = []
    for d in dirs:
        if d.is_file():
            out.append(d)
            continue
        if not d.is_dir():
            raise KnowledgeError(f"{d}: knowledge directory not found")
        files = sorted(p for p in d.rglob("*.y*ml") if p.is_file() and not any(x.startswith(".") for x in p.relative_to(d).parts))
        files.sort(key=lambda p: (p.name != ALIAS_FILE, str(p.relative_to(d))))
        out.extend(files)
    return out


def key_hasher():
    """A new BLAKE2b hash for cache keys, from CPython's own _blake2 module when present.
    hashlib.blake2b is that same class, but `import hashlib` first loads OpenSSL: 3-5 ms
    of every start of a check or a scan, for keys that only need to change with content."""
    try:
        from _blake2 import blake2b
    except ImportError:  # another Python implementation
        from hashlib import blake2b
    return blake2b()


def content_hash(files: list[Path]) -> str:
    """A digest of every knowledge file's name and bytes: the compiled cache's key."""
    h = key_hasher()
    for p in files:
        h.update(str(p).encode("utf-8", "surrogateescape"))
        h.update(b"\0")
        try:
            h.update(p.read_bytes())
        except OSError as e:
            raise KnowledgeError(f"{p}: cannot read: {e.strerror or e}") from None
        h.update(b"\0")
    return h.hexdigest()
