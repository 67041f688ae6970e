"""Markdown, HTML and plain text -> sentences with exact 1-based line and column.

The method: build a *masked* copy of the document, the same length as the source, in
which everything that is not prose (front matter, code fences, inline code, link targets,
HTML tags and comments, script/style) is replaced by spaces, newlines kept. Sentences are
cut from the masked text, so every offset in it is an offset in the source and positions
are exact without any bookkeeping. Markdown block structure comes from markdown-it-py (a
CommonMark parser that reports source line maps); HTML from the standard library's
streaming parser (in `html_segment`, imported only for HTML). Columns are counted in
Unicode code points; `LineIndex` also gives UTF-8 byte columns for formats that want them
(rdjsonl).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from stemcheck.documents.kinds import FRONT_MATTER


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: its prose, whitespace collapsed, and where it is."""

    text: str  # whitespace-collapsed prose
    start: int  # offsets into the source text
    end: int
    heading: bool = False


@dataclass(frozen=True)
class Comment:
    """A comment in a document (Markdown/HTML <!-- -->, or a plain-text directive line): where
    suppressions are read from."""

    start: int
    end: int
    body: str


@dataclass(frozen=True)
class Document:
    """A document cut into sentences, with its comments and front matter (if any)."""

    sentences: list[Sentence]
    comments: list[Comment]
    front_matter: str | None = None


class LineIndex:
    """Offsets -> (line, column) in code points, and UTF-8 byte columns."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        for m in re.finditer("\n", text):
            self.starts.append(m.end())

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def place(self, offset: int) -> tuple[int, int, int]:
        """(line, column, UTF-8 byte column) in one lookup: a scan places every finding it
        reports, and most lines are ASCII, where the byte column is the column."""
        i = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[i]
        before = self.text[start:offset]
        width = len(before) if before.isascii() else len(before.encode("utf-8", "surrogatepass"))
        return i + 1, offset - start + 1, width + 1


# --------------------------------------------------------------------------- sentences

_ABBREV = frozenset(
    "mr mrs ms dr prof sr jr st no nos vs etc e.g i.e approx fig figs inc ltd co corp dept univ gov jan feb mar apr jun jul aug "
    "sep sept oct nov dec u.s u.k u.n e.u p.r.c al ph.d m.d cf ca vol pp".split()
)
_NON_SPACE = re.compile(r"\S")
# A sentence end: a run of . ! ? and closing quotes or brackets before a blank, or a run of
# 。！？ and closers. Written to start with one consuming character class, so that sre
# skips from one candidate character to the next in C (a pattern that starts with a
# lookahead or a branch is tried at every character: 2.3 times slower). The class taken
# says which branch follows; possessive runs, because a shorter run of stops is never
# followed by a blank.
_END = re.compile(r"[.!?。！？](?:(?<=[.!?])[.!?]*+[\"'”’)\]]*(?=\s)|(?<=[。！？])[。！？]*+[”’」』)]*)")


def split_sentences(masked: str, start: int, end: int, heading: bool = False, out: list[Sentence] | None = None) -> list[Sentence]:
    """Cut masked[start:end] into sentences; offsets stay source offsets."""
    out = [] if out is None else out
    pos = start
    for m in _END.finditer(masked, start, end):
        stop = m.end()
        if masked[m.start()] == "." and _is_abbreviation(masked, m.start(), pos):
            continue
        if masked[m.start()] == "." and stop < end:  # "3.5", "U.S.A" have no space; here the next char is a space
            # the next non-space character, found in place: slicing the rest of the paragraph
            # at every full stop was quadratic in the paragraph's length
            nxt = _NON_SPACE.search(masked, stop, end)
            if nxt and nxt.group().islower():
                continue
        _emit(masked, pos, stop, heading, out)
        pos = stop
    _emit(masked, pos, end, heading, out)
    return out


def _is_abbreviation(masked: str, dot: int, floor: int) -> bool:
    """Is the word before the full stop at `dot` (not reaching back past `floor`) an
    abbreviation or an initial? The word is found by rsplit, in C."""
    before = masked[floor:dot]
    if not before or before[-1].isspace():
        return False  # no word before the stop: "" is neither
    word = before.rsplit(None, 1)[-1].lower().strip("(\"'")
    if word in _ABBREV:
        return True
    return len(word) == 1 and word.isalpha()  # initials: "J. Smith"


_ALNUM = re.compile(r"[^\W_]")  # a letter or digit, in any script


def _emit(masked: str, start: int, end: int, heading: bool, out: list[Sentence]) -> None:
    piece = masked[start:end]
    words = piece.split()
    if not words:
        return
    # the sentence's offsets exclude the blanks around it (strip and split agree on blanks)
    start += len(piece) - len(piece.lstrip())
    end -= len(piece) - len(piece.rstrip())
    text = " ".join(words)
    if _ALNUM.search(text):
        out.append(Sentence(text, start, end, heading))


# --------------------------------------------------------------------------- plain text


def segment_text(text: str) -> Document:
    """Paragraphs are separated by blank lines; a short one-line paragraph without final
    punctuation is a heading ("PART 01", "Looking to the Future")."""
    comments = _plain_comments(text)
    # the directives are not prose: blank them (same length) so "Claim. stemcheck: ignore"
    # is the sentence "Claim." and not a title-like line or part of the claim
    masked = _masked(text, [(c.start, c.end) for c in comments])
    sentences: list[Sentence] = []
    for start, end in _paragraphs(masked):
        block = masked[start:end]
        heading = "\n" not in block.strip() and not block.rstrip().endswith((".", "!", "?", "。", "！", "？", '"', "”")) and len(block.split()) <= 15
        split_sentences(masked, start, end, heading, sentences)
    return Document(sentences, comments)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for m in re.finditer(r"\n[ \t\r]*\n", text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    # a line of its own that looks like a title also ends a paragraph in plain text
    refined = []
    for s, e in out:
        lines = [(lm.start() + s, lm.end() + s) for lm in re.finditer(r"[^\n]*", text[s:e]) if lm.end() > lm.start()]
        cur = None
        for ls, le in lines:
            line = text[ls:le].strip()
            titleish = line and not line.endswith((".", "!", "?", "。", ":", ",", ";")) and len(line.split()) <= 12
            if titleish:
                if cur:
                    refined.append(cur)
                    cur = None
                refined.append((ls, le))
            else:
                cur = (cur[0], le) if cur else (ls, le)
        if cur:
            refined.append(cur)
    return refined


_PLAIN_SUPPRESS = re.compile(r"stemcheck:\s*(?:ignore|disable|enable)[^\n]*")


def _plain_comments(text: str) -> list[Comment]:
    return [Comment(m.start(), m.end(), m.group(0)) for m in _PLAIN_SUPPRESS.finditer(text)]


# --------------------------------------------------------------------------- markdown

# (pattern, literals of which one must occur for it to match at all): a megabyte article
# without backticks or tables is not searched for them
_INLINE_MASKS = [
    (re.compile(r"<!--.*?-->", re.S), ("<!--",)),  # comments (suppressions are read from the source separately)
    (re.compile(r"(`+)(?:(?!\1).)+?\1", re.S), ("`",)),  # inline code
    (re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"), ("![",)),  # images
    (re.compile(r"\]\((?:[^()\s]|\([^)\s]*\))*(?:\s+\"[^\"\n]*\")?\)"), ("](",)),  # link targets: keep the text, mask "](url)"
    (re.compile(r"\]\[[^\]\n]*\]"), ("][",)),  # reference links
    (re.compile(r"\[\^[^\]\n]+\]"), ("[^",)),  # footnote references
    (re.compile(r"<https?://[^>\s]+>|https?://[^\s)>\]]+"), ("http",)),  # autolinks and bare URLs
    (re.compile(r"</?[A-Za-z][^<>\n]*>"), ("<",)),  # inline HTML tags
    (re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M), (">",)),  # blockquote markers
    (re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?", re.M), ("",)),  # list markers, task boxes
    # ATX heading markers; the closing run is tried only where a run of blanks starts, or a
    # long run of blanks (a masked code block) would be re-scanned from each of its characters
    (re.compile(r"^[ \t]*#{1,6}[ \t]+|(?<![ \t])[ \t]+#+[ \t]*$", re.M), ("#",)),
    (re.compile(r"^\[[^\]\n]+\]:[^\n]*$", re.M), ("]:",)),  # link reference definitions
    # emphasis, escapes, table pipes
    (re.compile(r"\*+|~~|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])|\\(?=[^\sA-Za-z0-9])|\|"), ("*", "~~", "_", "\\", "|")),
    (re.compile(r"^[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*$", re.M), ("---",)),  # table delimiter rows
]
_INLINE_CODE = _INLINE_MASKS[1][0]
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)


_NOT_NEWLINE = re.compile(r"[^\n]+")


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with every span blanked (newlines kept), built from slices: a character list
    of a megabyte document and a Python loop per masked character cost more than the parse."""
    out: list[str] = []
    pos = 0
    for s, e in sorted(spans):
        if e <= pos:
            continue
        s = max(s, pos)
        out.append(text[pos:s])
        out.append(_NOT_NEWLINE.sub(lambda m: " " * len(m.group()), text[s:e]))
        pos = e
    out.append(text[pos:])
    return "".join(out)


@functools.cache
def _block_parser():
    """The Markdown parser, built once per process (building one walks its rule tables and
    renderer by introspection, a quarter of a millisecond: paid per chunk of a large file).
    Block structure only: inline markup is masked by the patterns above, so markdown-it's
    inline pass (half of its parse time) would build children nobody reads. Parsing keeps
    no state in the parser between calls."""
    from markdown_it import MarkdownIt  # imported here: only scans of Markdown pay for it

    return MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"], ignoreInvalid=True)


def segment_markdown(text: str) -> Document:
    front = None
    m = FRONT_MATTER.match(text)
    body_offset = 0
    if m:
        front = m.group(1) or ""
        body_offset = m.end()
    idx = LineIndex(text)
    tokens = _block_parser().parse(text[body_offset:])
    line0 = idx.position(body_offset)[0] - 1  # markdown-it lines are relative to the body

    def span(mp: list[int]) -> tuple[int, int]:
        a = idx.starts[min(line0 + mp[0], len(idx.starts) - 1)]
        b = idx.starts[line0 + mp[1]] if line0 + mp[1] < len(idx.starts) else len(text)
        return a, b

    blocks: list[tuple[int, int, bool]] = []
    code: list[tuple[int, int]] = [(0, body_offset)]  # front matter, code blocks, inline code
    blanks: list[tuple[int, int]] = [(0, body_offset)]
    heading_depth = 0
    for t in tokens:
        if t.type == "heading_open":
            heading_depth += 1
        elif t.type == "heading_close":
            heading_depth -= 1
        if t.map is None:
            continue
        if t.type in ("fence", "code_block", "html_block", "hr"):
            a, b = span(t.map)
            blanks.append((a, b))
            if t.type != "html_block":
                code.append((a, b))
        elif t.type == "inline":
            a, b = span(t.map)
            blocks.append((a, b, heading_depth > 0))
    masked_src = _masked(text, blanks)
    # every inline mask reads the block-masked source; their spans are blanked together
    for rx, needs in _INLINE_MASKS:
        if not any(lit in masked_src for lit in needs):
            continue
        found = [mm.span() for mm in rx.finditer(masked_src)]
        blanks.extend(found)  # link targets include their "]"; the "[" is masked below
        if rx is _INLINE_CODE:
            code.extend(found)
    masked = _masked(text, blanks)
    masked = re.sub(r"\[(?=[^\]\n]*\s*\])", " ", masked)  # opening brackets of links
    sentences: list[Sentence] = []
    for a, b, heading in blocks:
        split_sentences(masked, a, b, heading, sentences)
    # a suppression shown in a code sample (docs about stemcheck itself) is not a suppression
    comments = [
        Comment(c.start(), c.end(), c.group(1))
        for c in _COMMENT.finditer(text)
        if not any(a <= c.start() < b for a, b in code)
    ]
    return Document(sentences, comments, front)


def segment(text: str, kind: str) -> Document:
    if kind == "markdown":
        return segment_markdown(text)
    if kind == "html":
        from stemcheck.documents.html_segment import segment_html  # only HTML pays for html.parser

        return segment_html(text)
    return segment_text(text)
