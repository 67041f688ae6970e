"""HTML -> sentences, by the method of `stemcheck.documents.segment`: a masked copy of the
document in which tags, comments and script/style are blanked, cut into sentences at block
tags. Its own module so that only scans of HTML import the standard library's html.parser
(2-4 ms at start-up, paid before any worker could start)."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

from stemcheck.documents.segment import Comment, Document, LineIndex, Sentence, split_sentences

BLOCK_TAGS = frozenset(
    "address article aside blockquote body br dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr html li main nav ol p section summary table tbody td tfoot th thead title tr ul".split()
)
SKIP_TAGS = frozenset("script style pre code noscript template svg math head title textarea".split())
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())


class _Masker(HTMLParser):
    def __init__(self, text: str, idx: LineIndex):
        super().__init__(convert_charrefs=False)
        self.text = text
        self.idx = idx
        self.chars = [ch if ch == "\n" else " " for ch in text]
        self.skip = 0
        self.heading = 0
        self.breaks: list[tuple[int, bool]] = []  # (offset, heading-state after it)
        self.comments: list[Comment] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.idx.starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in SKIP_TAGS:
            self.skip += 1
        if tag in HEADING_TAGS:
            self.heading += 1
        if tag in BLOCK_TAGS:
            self.breaks.append((self._offset(), self.heading > 0))

    def handle_startendtag(self, tag, attrs):
        if tag.lower() in BLOCK_TAGS:
            self.breaks.append((self._offset(), self.heading > 0))

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag in SKIP_TAGS and self.skip:
            self.skip -= 1
        if tag in HEADING_TAGS and self.heading:
            self.heading -= 1
        if tag in BLOCK_TAGS:
            self.breaks.append((self._offset(), self.heading > 0))

    def handle_data(self, data):
        if self.skip:
            return
        start = self._offset()
        for i, ch in enumerate(data):
            if start + i < len(self.chars) and ch != "\n":
                self.chars[start + i] = ch

    def handle_entityref(self, name):
        self._entity(f"&{name};")

    def handle_charref(self, name):
        self._entity(f"&#{name};")

    def _entity(self, raw: str):
        if self.skip:
            return
        start = self._offset()
        ch = unescape(raw)
        if start < len(self.chars):
            self.chars[start] = ch[:1] if len(ch) == 1 else " "

    def handle_comment(self, data):
        start = self._offset()
        self.comments.append(Comment(start, start + len(data) + 7, data))


def segment_html(text: str) -> Document:
    idx = LineIndex(text)
    p = _Masker(text, idx)
    try:
        p.feed(text)
        p.close()
    except Exception:  # a broken document still yields what was read
        pass
    masked = "".join(p.chars)
    sentences: list[Sentence] = []
    breaks = sorted(p.breaks)
    pos, heading = 0, False
    for off, h in breaks:
        if off > pos:
            split_sentences(masked, pos, off, heading, sentences)
        pos, heading = max(pos, off), h
    split_sentences(masked, pos, len(masked), heading, sentences)
    return Document(sentences, p.comments)
