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


def collect(
    paths: list[str], exclude: tuple[str, ...] = (), extensions: tuple[str, ...] = (), base: Path | None = None
) -> FileSet:
    """`exclude` globs match a path as given and, when `base` (the config file's folder) is
    set, the path relative to `base`, so they work from any working directory."""
    exts = tuple(e if e.startswith(".") else "." + e for e in extensions) or DOC_EXTENSIONS
    excl = None
    if exclude:
        import pathspec  # only when there are patterns to match

        excl = pathspec.GitIgnoreSpec.from_lines(exclude)
    base_abs = os.path.abspath(base) if base is not None else None
    out = FileSet()
    seen: set[str] = set()

    def excluded(key: str) -> bool:
        if excl is None:
            return False
        if excl.match_file(key.replace(os.sep, "/")):
            return True
        if base_abs is not None:
            rel = os.path.relpath(os.path.abspath(key), base_abs)
            if not rel.startswith(os.pardir) and excl.match_file(rel.replace(os.sep, "/")):
                return True
        return False

    def add(p: Path) -> None:
        key = os.path.normpath(str(p))
        if key in seen:
            return
        if excluded(key):
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


def _load_ignore(folder: Path):
    import pathspec

    gi = folder / ".gitignore"
    if not gi.is_file():
        return None
    try:
        return pathspec.GitIgnoreSpec.from_lines(gi.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return None


def _parent_ignores(root: Path) -> list:
    """The .gitignore files above `root` up to the top of its git work tree, as git reads
    them: `stemcheck scan docs` honours the repository's own .gitignore."""
    top = Path(os.path.abspath(root))
    repo = next((p for p in (top, *top.parents) if (p / ".git").exists()), None)
    if repo is None or repo == top:
        return []
    specs = []
    for folder in reversed(top.parents):
        if folder == repo or repo in folder.parents:
            spec = _load_ignore(folder)
            if spec is not None:
                specs.append((folder, spec))
    return specs


def _walk(root: Path, exts: tuple[str, ...], out: FileSet) -> list[Path]:
    found: list[Path] = []
    specs = _parent_ignores(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=lambda e: out.warnings.append((str(e.filename), e.strerror or str(e)))):
        d = Path(dirpath)
        ad = Path(os.path.abspath(dirpath))
        spec = _load_ignore(d)
        if spec is not None:
            specs.append((ad, spec))
        active = [(base, spec) for base, spec in specs if ad == base or base in ad.parents]

        def ignored(name: str, is_dir: bool) -> bool:
            for base, spec in active:
                rel = (ad / name).relative_to(base).as_posix() + ("/" if is_dir else "")
                if spec.match_file(rel):
                    return True
            return False

        dirnames[:] = sorted(
            n for n in dirnames if not n.startswith(".") and n not in SKIP_DIRS and not ignored(n, True)
        )
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(exts):
                continue
            if ignored(name, False):
                continue
            found.append(d / name)
    return found
