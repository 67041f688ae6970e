"""Text normalisation shared by the knowledge compiler and the matcher.

One function turns any text (a claim, a phrasing, a term) into the same token form:
cleaned Unicode, aliases replaced by their canonical names, words cut to a rough stem.
Because terms and phrasings go through exactly the same path as claims, knowledge authors
can write "approved" and match "approval", or write "NMPA" and match "国家药监局".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, compress
from operator import itemgetter

from stemcheck.lookahead import first_chars
from stemcheck.model import Alias, Jurisdiction

# Zero-width, bidi controls and other format characters carry no meaning for matching and
# are a classic way to make "approved" not look like "approved".
_INVISIBLE = dict.fromkeys(
    [c for c in range(0x200B, 0x2010)] + [c for c in range(0x202A, 0x202F)] + [c for c in range(0x2060, 0x2070)] + [0xFEFF, 0x00AD],
    None,
)
_PUNCT_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": " - ", "\u2015": " - ", "\u2212": "-",
        "\u3000": " ", "\u00a0": " ",
        "\uff0c": ",", "\u3001": ",", "\u3002": ".", "\uff1b": ";", "\uff1a": ":", "\uff1f": "?", "\uff01": "!",
    }
)
MAX_CLAIM_CHARS = 4000  # longer claims are judged on their first 4000 characters (cue "truncated")


# one replacement table: invisible characters dropped, typographic punctuation made ASCII,
# C0 control characters (but tab and newline) made spaces
_CLEAN_MAP = {**_INVISIBLE, **_PUNCT_MAP, **{c: " " for c in range(32) if c not in (9, 10)}}
_CLEAN_TO = {chr(c): "" if to is None else to for c, to in _CLEAN_MAP.items()}
_CLEAN_CHARS = re.compile("[" + "".join(map(re.escape, _CLEAN_TO)) + "]")


def _clean_one(m: re.Match) -> str:
    return _CLEAN_TO[m.group()]


def clean(text: str) -> str:
    """NFKC, no control/format characters, ASCII quotes and dashes. The characters to
    replace are found by one regex scan: str.translate with a dict looks every character
    up, five times slower on a sentence with a curly quote or two."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    elif text.isprintable():  # ASCII without control characters, tab or newline: nothing to replace
        return text
    return _CLEAN_CHARS.sub(_clean_one, text)


# the quote first, then what precedes it: a literal start lets sre skip to each quote
_POSSESSIVE = re.compile(r"'(?<=[A-Za-z0-9]')s?\b")
_CONTRACTION = re.compile(first_chars(("can't", "won't", "cannot", "n't")) + r"(?:\b(?:(can't)|(won't)|(cannot))\b|n't\b)", re.I)


def _expand(m: re.Match) -> str:
    return "can not" if (m.group(1) or m.group(3)) else "will not" if m.group(2) else " not"


# The branches start with different characters, the commonest first. Possessive
# quantifiers (*+, ++): a token is the longest run its branch allows and nothing follows
# it in the pattern, so no backtracking state is kept (12% faster).
_TOKEN = re.compile(
    r"[A-Za-z][A-Za-z0-9]*+(?:['.&][A-Za-z0-9]++)*+"  # words (hyphens split: "FDA-approved" is FDA + approved)
    r"|\d++(?:[.,]\d++)*+"  # numbers, with thousands separators or decimals
    r"|[^\sA-Za-z0-9]"  # any other single non-space character: CJK is one character per token too
)


@functools.cache
def _cjk_pattern() -> re.Pattern:
    """Compiled on first use: sre fills a table per code point of a range, and these 28,000
    took 3 ms to compile at every start, for text that mostly has no character past U+3400."""
    return re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    """Does `text` hold a CJK ideograph? The maximum code point rules most text out in C."""
    return not text.isascii() and max(text) >= "\u3400" and _cjk_pattern().search(text) is not None


STOPWORDS = frozenset(
    """a an the of in on at to for and or by as with from into onto its it this that these those is are was were be been
    being has have had do does did which who whom whose than then there their they them he she his her we our us you your
    such also so very just can could would should will shall may might must about over under between among per each any some
    all more most other own same only both either s""".split()
)
NEGATION_WORDS = frozenset({"not", "no", "never", "none", "neither", "nor", "without", "yet"})
_NOT_CONTENT = STOPWORDS | NEGATION_WORDS

_SUFFIXES = (
    "ations", "ation", "ments", "ment", "ings", "ing", "ness", "edly", "ied", "ies", "ers", "er", "ed", "es", "ic", "al", "ly", "s",
)


def stem(word: str) -> str:
    """A rough, deterministic stem: good enough to make approve/approved/approval meet."""
    return _STEMS[word]


def _stem(word: str) -> str:
    w = word.lower()
    if len(w) <= 3 or not w.isascii() or not w.replace("-", "").isalpha():
        return w
    w = w.replace("iz", "is").replace("yse", "yze")
    for _ in range(2):
        for suf in _SUFFIXES:
            if w.endswith(suf) and len(w) - len(suf) >= 3:
                w = w[: -len(suf)] + ("y" if suf in ("ies", "ied") else "")
                break
        else:
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


class cached_property:  # noqa: N801 - a drop-in for functools.cached_property
    """functools.cached_property without its lock: a value computed on first access and
    stored in the instance's __dict__ (later reads never reach this descriptor). Python
    3.11's version takes an RLock on every first access, which a scan pays several times
    per sentence; 3.12 dropped the lock. Values here are pure functions of frozen fields,
    so two threads computing one twice would store equal values."""

    def __init__(self, func) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass(frozen=True, slots=True)
class Token:
    """One token as an object (Normalised.tokens), for callers that want objects; the engine reads
    columns."""

    text: str  # lowercase surface form (or canonical alias word)
    stem: str
    word: bool  # False for punctuation and symbols
    alias: bool = False  # produced by alias substitution


@dataclass(frozen=True)
class Normalised:
    """A text as parallel token columns. Columns, not Token objects, because a scan
    normalises every sentence of a document and most never reach the readers: building
    thousands of small objects per page was a third of the scan time."""

    texts: tuple[str, ...]  # per token: lowercase surface form (or canonical alias word)
    word_at: tuple[int, ...]  # word index -> token index (punctuation and symbols are not words)
    stems: tuple[str, ...]  # per word: its stem
    jurisdictions: frozenset[Jurisdiction]
    entities: frozenset[str]  # canonical names of aliases that fired
    alias_at: frozenset[int] = frozenset()  # token indexes produced by alias substitution

    def in_jurisdictions(self, jurisdictions: frozenset[Jurisdiction]) -> Normalised:
        """The same text read as naming `jurisdictions` (a claim in its document's context).
        The readings cached so far (stem set, positions) carry over: none depends
        on the jurisdictions, and a scan has already computed them to decide the sentence
        is on topic (dataclasses.replace would start from an empty cache)."""
        new = object.__new__(Normalised)
        new.__dict__.update(self.__dict__)
        new.__dict__["jurisdictions"] = jurisdictions
        return new

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        """The tokens as objects (for callers that want them; the engine reads the columns)."""
        words = set(self.word_at)
        return tuple(
            Token(t, stem(t) if i in words else t, i in words, i in self.alias_at) for i, t in enumerate(self.texts)
        )

    @cached_property
    def starts(self) -> dict[str, list[int]]:
        """Each stem -> the word positions where it occurs."""
        out: dict[str, list[int]] = {}
        for i, s in enumerate(self.stems):
            out.setdefault(s, []).append(i)
        return out

    def find(self, term: tuple[str, ...]) -> list[int]:
        """Word positions where the stem sequence `term` starts. Looked up from the positions
        of its first stem, so a sentence costs one pass however many terms are asked about."""
        starts = self.starts.get(term[0]) if term else None
        if not starts:
            return []
        k = len(term)
        if k == 1:
            return starts
        st = self.stems
        return [i for i in starts if st[i : i + k] == term]

    def has(self, term: tuple[str, ...]) -> bool:
        return bool(self.find(term))

    @cached_property
    def stem_set(self) -> frozenset[str]:
        return frozenset(self.stems)

    def openers(self) -> Iterator:
        """Every stem and every pair of adjacent stems, streamed, repeats and all: what a
        term must find to occur here (see engine.compiled.opener). Not a set: retrieval
        looks each one up once, and building the set cost as much as the lookups."""
        st = self.stems
        return chain(self.stem_set, zip(st, st[1:]))

    def content(self) -> str:
        """Stems of content words, for fuzzy scoring (no stopwords, no negation)."""
        texts = self.texts
        return " ".join([s for i, s in zip(self.word_at, self.stems) if texts[i] not in _NOT_CONTENT])


class _StemCache(dict):
    """stem() memoised in a plain dict: the normaliser stems every word of every sentence
    with one C-level lookup (map over __getitem__), where an lru_cache call cost more than
    the lookup. Cleared when it grows past 2^17 words, so a long scan stays bounded."""

    def __missing__(self, word: str) -> str:
        if len(self) >= 1 << 17:
            self.clear()
        out = self[word] = _stem(word)
        return out


_STEMS = _StemCache()
_first_char = itemgetter(0)


def _is_acronym(variant: str) -> bool:
    letters = [c for c in variant if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


class Normaliser:
    """Built once per knowledge base from its alias table; pure and reusable."""

    def __init__(self, aliases: tuple[Alias, ...] | list[Alias]):
        latin: dict[str, list[tuple[tuple[str, ...], bool, tuple[str, ...], Jurisdiction | None, str]]] = {}
        self._cjk: list[tuple[str, str]] = []
        for al in aliases:
            canon_tokens = tuple(t.lower() for t in _raw_tokens(prepare(al.canonical)))
            for variant in (al.canonical, *al.variants):
                v = prepare(variant).strip()
                if not v:
                    continue
                if has_cjk(v):
                    self._cjk.append((v, al.canonical))
                    continue
                case_sensitive = _is_acronym(v)
                vt = tuple(_raw_tokens(v))
                key = vt[0] if case_sensitive else vt[0].lower()
                entry = (vt if case_sensitive else tuple(t.lower() for t in vt), case_sensitive, canon_tokens, al.jurisdiction, al.canonical)
                latin.setdefault(key, []).append(entry)
        # first token -> its variants grouped by (length, case-sensitive), longest first, each
        # group a table keyed by the variant's tokens: "China" opens eight variants of three
        # lengths, and is looked up three times, not compared eight times
        self._latin: dict[str, tuple[tuple[int, bool, dict], ...]] = {}
        for key, entries in latin.items():
            entries.sort(key=lambda e: -len(e[0]))
            groups: dict[tuple[int, bool], dict] = {}
            for vt, cs, canon, j, cname in entries:
                groups.setdefault((len(vt), cs), {}).setdefault(vt, (canon, j, cname))
            self._latin[key] = tuple((k, cs, table) for (k, cs), table in groups.items())
        self._lower_keys = frozenset(k.lower() for k in self._latin)  # case is checked per variant
        self._cased_keys = frozenset(k.lower() for k in self._latin if k != k.lower())  # opening acronyms
        # opening token (lowercase) -> the second tokens (lowercase) its variants can have,
        # for tokens that open no one-token variant: "the" opens only "the States", and is
        # not looked up at every "the" that "states" does not follow
        follows: dict[str, set[str]] = {}
        single: set[str] = set()
        for key, groups in self._latin.items():
            for k, _, table in groups:
                if k == 1:
                    single.add(key.lower())
                else:
                    follows.setdefault(key.lower(), set()).update(vt[1].lower() for vt in table)
        self._follows = {key: frozenset(v) for key, v in follows.items() if key not in single}
        self._cjk.sort(key=lambda e: -len(e[0]))

    def normalise(self, text: str) -> Normalised:
        texts, is_word, juris, entities, alias_at = self._columns(text)
        # the fields set directly: a frozen dataclass's __init__ assigns each one through
        # object.__setattr__, and every sentence of a scan is normalised
        out = object.__new__(Normalised)
        out.__dict__.update(
            texts=tuple(texts),
            word_at=tuple(compress(range(len(texts)), is_word)),
            stems=tuple(map(_STEMS.__getitem__, compress(texts, is_word))),
            jurisdictions=frozenset(juris),
            entities=frozenset(entities),
            alias_at=frozenset(alias_at),
        )
        return out

    def phrase(self, text: str) -> tuple[str, ...]:
        """A term or phrase as a tuple of stems (how terms are stored and matched):
        `normalise(text).stems`, without building the rest."""
        texts, is_word, _, _, _ = self._columns(text)
        return tuple(map(_STEMS.__getitem__, compress(texts, is_word)))

    def _columns(self, text: str) -> tuple[list[str], list[bool], set[Jurisdiction], set[str], set[int]]:
        """The token texts (aliases substituted), which of them are words, and the
        jurisdictions, entities and token positions the aliases brought."""
        text = prepare(text[:MAX_CLAIM_CHARS] if len(text) > MAX_CLAIM_CHARS else text)
        if self._cjk and has_cjk(text):
            for variant, canonical in self._cjk:
                if variant in text:
                    text = text.replace(variant, f" {canonical} ")
        if text.isascii():
            # lowercased once, not token by token: in ASCII, case never moves a token boundary
            lows = _TOKEN.findall(text.lower())
            raw = None
        else:
            raw = _TOKEN.findall(text)
            lows = list(map(str.lower, raw))
        juris: set[Jurisdiction] = set()
        entities: set[str] = set()
        alias_at: set[int] = set()
        present = self._lower_keys.intersection(lows)
        if not present:
            texts = lows  # the common case: no alias in the text, nothing to substitute
        else:
            if raw is None:
                # the tokens as written matter only to the case-sensitive variants (acronyms)
                raw = lows if self._cased_keys.isdisjoint(present) else _TOKEN.findall(text)
            # only tokens that open some alias variant can start a substitution
            starts = compress(range(len(lows)), map(present.__contains__, lows))
            texts = []
            pos, last, follows = 0, len(lows) - 1, self._follows
            for i in starts:
                if i < pos:
                    continue  # inside an alias already substituted
                follow = follows.get(lows[i])
                if follow is not None and (i == last or lows[i + 1] not in follow):
                    continue
                hit = self._alias_at(raw, lows, i)
                if hit is None:
                    continue
                k, canon, j, cname = hit
                texts.extend(lows[pos:i])
                alias_at.update(range(len(texts), len(texts) + len(canon)))
                texts.extend(canon)
                if j is not None:
                    juris.add(j)
                entities.add(cname)
                pos = i + k
            texts.extend(lows[pos:])
        # alias words are words even when they are symbols ("&"); others when they start
        # alphanumeric (tested in C, map over the first characters)
        is_word = list(map(str.isalnum, map(_first_char, texts)))
        for i in alias_at:  # a few positions, not a Python test per token
            is_word[i] = True
        return texts, is_word, juris, entities, alias_at

    def _alias_at(self, raw: list[str], lows: list[str], i: int):
        """The longest alias variant starting at token i: (tokens consumed, canonical tokens,
        jurisdiction, canonical name), or None."""
        n, tok, low = len(raw), raw[i], lows[i]
        for key in (tok, low) if tok != low else (tok,):
            for k, cs, table in self._latin.get(key, ()):
                if i + k > n:
                    continue
                hit = table.get(tuple(raw[i : i + k] if cs else lows[i : i + k]))
                if hit is not None:
                    return k, *hit
        return None


def prepare(text: str) -> str:
    """clean() plus the rewrites that make tokens comparable: contractions expanded
    ("hasn't" -> "has not") and possessives split off ("China's" -> "China 's")."""
    text = clean(text)
    if "'" in text:
        text = _CONTRACTION.sub(_expand, text)
        return _POSSESSIVE.sub(lambda m: " " + m.group(0), text)
    if "nnot" in text.lower():  # "cannot", any case: a lowercase copy and a search, in C
        text = _CONTRACTION.sub(_expand, text)
    return text


def _raw_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)
