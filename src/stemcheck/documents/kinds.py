"""What kind of document a path is, and where a Markdown document's front matter is.

A module of its own, with one pattern, so that a scan's parent process can name tasks and
date a large file's first chunk without compiling the segmenter's twenty-odd patterns:
the parent's start-up runs alongside the worker pool's, on a machine whose two CPUs
may not be two CPUs' worth.
"""

from __future__ import annotations

import re

FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def kind_of(path: str) -> str:
    """markdown, html or text, by the file name's extension."""
    low = path.lower()
    if low.endswith((".md", ".markdown", ".mdown", ".mkd", ".mdx")):
        return "markdown"
    if low.endswith((".html", ".htm", ".xhtml")):
        return "html"
    return "text"
