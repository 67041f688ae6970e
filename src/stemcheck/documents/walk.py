"""Which files a scan reads: files, directories (recursive), globs, honouring .gitignore.

Directories are walked without following symbolic links (so link loops cannot hang a
scan), skipping hidden and VCS folders, and only files with a document extension are
taken from them; a file named explicitly is always read. An explicitly named path that
does not exist is an error (exit 2); a glob that matches nothing is a warning.
"""

from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from stemcheck.errors import InputError

DOC_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd", ".mdx", ".html", ".htm", ".xhtml", ".txt", ".text", ".rst")
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "node_modules", "__pycache__", ".tox", ".venv", "venv", ".mypy_cache"})
_GLOB_CHARS = frozenset("*?[")


@dataclass
class FileSet:
    files: list[Path] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def collect(paths: list[str], exclude: tuple[str, ...] = (), extensions: tuple[str, ...] = ()) -> FileSet:
    import pathspec

    exts = tuple(e if e.startswith(".") else "." + e for e in extensions) or DOC_EXTENSIONS
    excl = pathspec.PathSpec.from_lines("gitwildmatch", exclude) if exclude else None
    out = FileSet()
    seen: set[str] = set()

    def add(p: Path) -> None:
        key = os.path.normpath(str(p))
        if key in seen:
            return
        if excl is not None and excl.match_file(key.replace(os.sep, "/")):
            return
        seen.add(key)
        out.files.append(p)

    for raw in paths:
        if any(ch in raw for ch in _GLOB_CHARS) and not os.path.exists(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                out.warnings.append((raw, "pattern matched no files"))
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    for f in _walk(mp, exts, out):
                        add(f)
                else:
                    add(mp)
            continue
        p = Path(raw)
        try:
            st = p.stat()
        except FileNotFoundError:
            raise InputError(f"{raw}: no such file or directory") from None
        except OSError as e:
            raise InputError(f"{raw}: cannot access: {e.strerror or e}") from None
        if stat.S_ISDIR(st.st_mode):
            for f in _walk(p, exts, out):
                add(f)
        else:
            add(p)
    return out


def _walk(root: Path, exts: tuple[str, ...], out: FileSet) -> list[Path]:
    import pathspec

    found: list[Path] = []
    specs: list[tuple[Path, pathspec.PathSpec]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=lambda e: out.warnings.append((str(e.filename), e.strerror or str(e)))):
        d = Path(dirpath)
        gi = d / ".gitignore"
        if gi.is_file():
            try:
                specs.append((d, pathspec.PathSpec.from_lines("gitwildmatch", gi.read_text(encoding="utf-8", errors="replace").splitlines())))
            except OSError:
                pass
        active = [(base, spec) for base, spec in specs if d == base or base in d.parents]

        def ignored(path: Path, is_dir: bool) -> bool:
            for base, spec in active:
                rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
                if spec.match_file(rel):
                    return True
            return False

        dirnames[:] = sorted(
            n for n in dirnames if not n.startswith(".") and n not in SKIP_DIRS and not ignored(d / n, True)
        )
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(exts):
                continue
            f = d / name
            if ignored(f, False):
                continue
            found.append(f)
    return found
