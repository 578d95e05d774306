"""Text keys for fusion: word shingles + MinHash band keys (wire copies), claim stems, speaker keys.

Wire copies are found in two steps. *Candidates*: each document's word 5-shingles are cut into
overlapping windows (``WINDOW`` shingles, half overlapping); every window gets a MinHash signature
whose LSH band keys are stored, so a new document meets old ones through shared band
keys without any signature being recomputed. Windows make reprints found even when one copy is
wrapped in long headers/footers or embedded in a longer article. *Verification* compares the two
whole texts exactly (``compare``): a wire copy needs a high Jaccard or containment of shingle sets
*and* one shared passage of at least ``MIN_PASSAGE_WORDS`` words -- or one very long shared passage
(``LONG_PASSAGE_WORDS``). A single stock background sentence shared by two different stories
passes neither test.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

import yaml

SHINGLE = 5                  # words per shingle
WINDOW = 100                 # shingles per MinHash window
STRIDE = 50                  # window step (windows overlap by half)
NUM_PERM = 32                # MinHash permutations per window (candidates only: verification is exact)
LSH_THRESHOLD = 0.4          # window Jaccard at which two windows become candidates (b, r from datasketch)
MIN_PASSAGE_WORDS = 40       # a wire copy shares at least one verbatim passage this long ...
LONG_PASSAGE_WORDS = 150     # ... and a shared passage this long is a reprint whatever the rest says
SIGNATURE_VERSION = b"sitrep-wire-1"

_WORD = re.compile(r"\w+")
_COMBINING = re.compile("[\u0300-\u036f]")
LEXICON = "fuse_lexicon.yaml"


def words(text: str) -> list[str]:
    """Lower-cased word tokens (punctuation, quotes and spacing differences vanish)."""
    return _WORD.findall((text or "").casefold())


def _np():
    import numpy as np

    return np


# Fixed odd 64-bit multipliers: shingle hash = mix(sum(word crc32 * M[j])) -- deterministic across runs.
_SHINGLE_MULT = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                 0xFF51AFD7ED558CCD)


_WORD_HASH: dict[str, int] = {}     # word -> crc32 (a cache; cleared when it grows past a million words)


def _word_ids(text: str) -> list[int]:
    cache = _WORD_HASH if len(_WORD_HASH) < 1_000_000 else _WORD_HASH.clear() or _WORD_HASH
    toks = words(text)
    ids = list(map(cache.get, toks))
    if None in ids:
        for i, v in enumerate(ids):
            if v is None:
                ids[i] = cache[toks[i]] = zlib.crc32(toks[i].encode("utf-8"))
    return ids


def _shingles_of(w):
    """Shingle hashes of a word-hash array W (shingles that start in the last SHINGLE-1 words wrap
    over the array end and are dropped by the caller)."""
    np = _np()
    h = np.zeros(len(w), dtype=np.uint64)
    for j, m in enumerate(_SHINGLE_MULT):
        h[: len(w) - j] += w[j:] * np.uint64(m)
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    return h


def shingle_hashes(text: str):
    """64-bit hash of each word 5-shingle, in text order (numpy uint64; empty for short texts)."""
    np = _np()
    ids = _word_ids(text)
    n = len(ids) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    return _shingles_of(np.array(ids, dtype=np.uint64))[:n]


def blocks(n: int) -> list[tuple[int, int]]:
    """Blocks of STRIDE shingles (the last one takes the remainder; one block when n <= WINDOW)."""
    if n <= 0:
        return []
    if n <= WINDOW:
        return [(0, n)]
    cuts = list(range(0, n - STRIDE + 1, STRIDE))
    return [(c, cuts[i + 1] if i + 1 < len(cuts) else n) for i, c in enumerate(cuts)]


def windows(n: int) -> list[tuple[int, int]]:
    """Shingle index ranges of the MinHash windows of a text with N shingles: two consecutive
    blocks each (WINDOW shingles, overlapping by half; the last window takes the remainder)."""
    b = blocks(n)
    return b[:1] if len(b) == 1 else [(b[i][0], b[i + 1][1]) for i in range(len(b) - 1)]


@lru_cache(maxsize=16)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) of an LSH index over ``num_perm`` MinHash values that minimise the sum of the
    false-positive and false-negative areas around ``threshold`` -- datasketch's ``MinHashLSH``
    choice (equal weights), computed here without importing scipy (Simpson's rule, 2,000 steps)."""
    np = _np()

    def area(lo: float, hi: float, f) -> float:
        x = np.linspace(lo, hi, 2001)
        y = f(x)
        h = (hi - lo) / 2000
        return float(h / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum()))

    best, opt = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = area(0.0, threshold, lambda s, b=b, r=r: 1 - (1 - s ** r) ** b)
            fn = area(threshold, 1.0, lambda s, b=b, r=r: (1 - s ** r) ** b)
            err = 0.5 * fp + 0.5 * fn
            if err < best:
                best, opt = err, (b, r)
    return opt


class Signer:
    """MinHash signatures of text windows and their LSH band keys.

    The number of bands and rows for ``LSH_THRESHOLD`` is datasketch's choice (``lsh_params``,
    the same as ``MinHashLSH(threshold, num_perm).b/.r``: least false positives + negatives). The
    signatures are computed vectorised with numpy over a whole batch of texts: permutation ``i`` of
    a shingle hash ``x`` is ``(a_i * x + b_i) mod 2**64 >> 32`` (multiply-shift, a 2-universal
    family) and a signature is the minimum per permutation over a window -- the estimator of
    ``datasketch.MinHash`` without a Python call per shingle. A band key is a seeded hash of the
    band's ``rows`` values, salted per band, as a signed 64-bit integer (stored in ``fuse_bands``).
    """

    CHUNK = 300          # blocks per permutation matrix (<= 30k shingles x num_perm uint64 = 15 MB)

    def __init__(self, num_perm: int = NUM_PERM, threshold: float = LSH_THRESHOLD):
        np = _np()
        self.bands, self.rows = lsh_params(threshold, num_perm)
        self.num_perm = num_perm
        self._np = np
        seed = int.from_bytes(hashlib.sha256(SIGNATURE_VERSION + f"|{num_perm}|{self.rows}".encode()).digest()[:8], "big")
        rng = np.random.default_rng(seed)
        self._a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
        self._mult = rng.integers(0, 2**63, size=self.rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._salt = rng.integers(0, 2**63, size=self.bands, dtype=np.uint64)

    def sign(self, texts: list[str]) -> list[tuple]:
        """``(shingle hashes, band keys)`` for each text (keys: sorted distinct signed 64-bit ints)."""
        np = self._np
        word_ids = [_word_ids(t) for t in texts]
        lens = [max(0, len(w) - SHINGLE + 1) for w in word_ids]
        if not any(lens):
            return [(np.zeros(0, dtype=np.uint64), []) for _ in texts]
        flat = np.array(list(chain.from_iterable(word_ids)), dtype=np.uint64)
        sh = _shingles_of(flat)
        starts = np.cumsum([0] + [len(w) for w in word_ids])
        keep = np.concatenate([np.arange(s, s + n) for s, n in zip(starts[:-1], lens)])
        sh = sh[keep]                                   # drop shingles that cross document ends
        offs = np.cumsum([0] + lens)
        cuts, owners = [], []                           # block starts in sh, and each block's document
        for i, n in enumerate(lens):
            for s, _ in blocks(n):
                cuts.append(offs[i] + s)
                owners.append(i)
        mins = np.empty((len(cuts), self.num_perm), dtype=np.uint64)
        cuts_a = np.asarray(cuts + [len(sh)])
        for c0 in range(0, len(cuts), self.CHUNK):      # block minima, CHUNK blocks (<= 100 shingles) at a time
            c1 = min(len(cuts), c0 + self.CHUNK)
            lo, hi = cuts_a[c0], cuts_a[c1]
            perm = (sh[lo:hi, None] * self._a + self._b) >> np.uint64(32)
            mins[c0:c1] = np.minimum.reduceat(perm, cuts_a[c0:c1] - lo, axis=0)
        owners_a = np.asarray(owners)
        same = owners_a[1:] == owners_a[:-1]
        pair = np.minimum(mins[:-1], mins[1:])[same]   # windows = two consecutive blocks of one text
        single = np.ones(len(owners), dtype=bool)       # texts with a single block: that block
        single[1:] &= ~same
        single[:-1] &= ~same
        sigs = np.concatenate([pair, mins[single]])
        sig_owner = np.concatenate([owners_a[1:][same], owners_a[single]])
        n = self.bands * self.rows
        keys = ((sigs[:, :n].reshape(len(sigs), self.bands, self.rows) * self._mult).sum(axis=2, dtype=np.uint64)
                + self._salt).view(np.int64)
        out_keys: list[set] = [set() for _ in texts]
        for owner, row in zip(sig_owner.tolist(), keys.tolist()):
            out_keys[owner].update(row)
        return [(sh[offs[i]:offs[i + 1]], sorted(out_keys[i])) for i in range(len(texts))]

    def band_keys(self, hashes) -> list[int]:
        """Band keys of one text's shingle hashes (what ``sign`` gives, for a single text)."""
        np = self._np
        if not len(hashes):
            return []
        sigs = np.stack([((hashes[s:e, None] * self._a + self._b) >> np.uint64(32)).min(axis=0)
                         for s, e in windows(len(hashes))])
        n = self.bands * self.rows
        keys = (sigs[:, :n].reshape(len(sigs), self.bands, self.rows) * self._mult).sum(axis=2, dtype=np.uint64)
        return sorted(set((keys + self._salt).view(np.int64).ravel().tolist()))


@dataclass(frozen=True)
class Overlap:
    jaccard: float
    containment: float      # shared shingles / shingles of the shorter text
    passage_words: int      # longest run of shared shingles, in words

    def is_wire_copy(self, threshold: float) -> bool:
        if self.passage_words >= LONG_PASSAGE_WORDS:
            return True
        return self.passage_words >= MIN_PASSAGE_WORDS and max(self.jaccard, self.containment) >= threshold


def compare(a, b) -> Overlap:
    """Exact overlap of two texts given their shingle hashes (``shingle_hashes``)."""
    la = a.tolist() if hasattr(a, "tolist") else list(a)
    return compare_prepared(la, set(la), set(b.tolist() if hasattr(b, "tolist") else b))


def compare_prepared(la: list, sa: set, sb: set) -> Overlap:
    """``compare`` given text A's shingle hashes as a list and a set, and text B's as a set (a
    text compared with many candidates converts once)."""
    if not sa or not sb:
        return Overlap(0.0, 0.0, 0)
    inter = len(sa & sb)
    if not inter:
        return Overlap(0.0, 0.0, 0)
    best = run = 0
    for h in la:
        if h in sb:
            run += 1
            if run > best:
                best = run
        else:
            run = 0
    return Overlap(inter / (len(sa) + len(sb) - inter), inter / min(len(sa), len(sb)), best + SHINGLE - 1)


# ------------------------------------------------------------------------------- claims
_SUFFIXES = sorted(["ational", "ations", "ation", "ments", "ment", "ingly", "ings", "ing", "edly", "ied", "ies",
                    "ions", "ion", "ness", "ers", "er", "ed", "ly", "es", "s", "e", "y"], key=len, reverse=True)
_REPLACE = {"ied": "i", "ies": "i", "y": "i"}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light English suffix stripper ("returned" -> "return", "territories" -> "territori")."""
    w = fold(word)
    if len(w) <= 3:
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)] + _REPLACE.get(suf, "")
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]                                  # stopped -> stopp -> stop
    return w


def fold(s: str) -> str:
    """Casefolded, without diacritics."""
    s = s or ""
    if not s.isascii():
        s = _COMBINING.sub("", unicodedata.normalize("NFKD", s))
    return s.casefold()


class Lexicon:
    """Stopwords and synonym groups (data file ``fuse_lexicon.yaml``) for claim matching."""

    def __init__(self, stopwords: set[str], synonyms: dict[str, str]):
        self.stopwords = stopwords
        self.synonyms = synonyms

    @classmethod
    def load(cls, options=None) -> "Lexicon":
        from sitrep.options import Options, load_yaml

        options = options or Options()
        paths = [Path(options.data_dir) / LEXICON] + [Path(d) / LEXICON for d in options.extra_data_dirs]
        found = options.data_files(LEXICON)
        if not found:
            from sitrep.errors import FusionError

            raise FusionError(f"{LEXICON} not found (looked in {', '.join(str(p.parent) for p in paths)})",
                              code="SR501")
        stop: set[str] = set()
        syn: dict[str, str] = {}
        for path in found:
            try:
                data = load_yaml(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                from sitrep.errors import FusionError

                raise FusionError(f"cannot read data file: {exc}", subject=str(path), code="SR501") from None
            stop |= {fold(str(w)) for w in data.get("stopwords") or []}
            for group in data.get("synonyms") or []:
                stems = [stem(str(w)) for w in group]
                for s in stems[1:]:
                    syn[s] = stems[0]
        return cls(stop, syn)

    def stems(self, text: str) -> frozenset[str]:
        """Content-word stems of a statement, synonyms folded onto one stem, plus the statement's
        names marked ``NAME_MARK`` (see ``names``)."""
        out = set()
        for w in words(text):
            if w in self.stopwords or w.isdigit() or len(w) < 2:
                continue
            s = stem(w)
            out.add(self.synonyms.get(s, s))
        return frozenset(out | self.names(text))

    def names(self, text: str) -> set[str]:
        """Capitalised words inside a sentence (proper names: places, people, groups), folded and
        marked: "control of the road network in Hama province" -> {"@hama"}. Sentence-initial
        words, titles, weekdays and months are left out (they vary between renderings)."""
        out = set()
        for m in _CAPITALISED.finditer(text or ""):
            before = text[max(0, m.start() - 3):m.start()].rstrip(" \"'(\u201c\u2018")
            if not before or before[-1] in ".!?:;":
                continue                     # sentence start: capitalised anyway
            w = fold(m.group(0).split("'")[0].split("\u2019")[0])
            if len(w) < 2 or w in self.stopwords or w in _NOT_NAMES:
                continue
            out.add(NAME_MARK + stem(w))
        return out


CLAIM_MIN_SHARED = 3     # shared content stems needed (fewer when a claim has fewer)
CLAIM_THRESHOLD = 0.5    # Dice coefficient of the stem sets
NAME_MARK = "@"          # marks a name stem in a stem set (names are compared apart, not in the Dice)


def plain_stems(stems: frozenset[str]) -> frozenset[str]:
    """The content stems of a stem set, without its marked names."""
    return frozenset(s for s in stems if not s.startswith(NAME_MARK))


def same_statement(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two renderings of one statement: enough shared content stems and a Dice of at least 0.5 --
    and not about different named things: when each names something the other does not
    ("... road network in Hama province" / "... in Idlib province"), they are two statements."""
    return same_split(split_stems(a), split_stems(b))


def split_stems(stems: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """``(content stems, marked names)`` of a stem set (``same_split`` compares these)."""
    names = frozenset(s for s in stems if s.startswith(NAME_MARK))
    return (stems - names if names else stems), names


def same_split(a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]]) -> bool:
    """``same_statement`` on stem sets already split by ``split_stems`` (fusion splits each once)."""
    (pa, na), (pb, nb) = a, b
    if na - nb and nb - na:
        return False
    if not pa or not pb:
        return False
    shared = len(pa & pb)
    need = min(CLAIM_MIN_SHARED, len(pa), len(pb))
    return need >= 2 and shared >= need and 2 * shared / (len(pa) + len(pb)) >= CLAIM_THRESHOLD


_CAPITALISED = re.compile(r"\b[A-Z][\w'\u2019-]*")
_NOT_NAMES = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
              "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
              "mr", "mrs", "ms", "dr", "sir", "i", "president", "minister", "ministry", "spokesman", "spokeswoman",
              "general", "gen", "col", "colonel", "governor", "mayor", "prime", "foreign", "defence", "defense"}

_TITLES = {"mr", "mrs", "ms", "dr", "sir", "president", "minister", "spokesman", "spokeswoman", "spokesperson",
           "general", "gen", "col", "colonel", "governor", "mayor", "jr", "sr", "kremlin", "prime", "foreign"}


@lru_cache(maxsize=100_000)
def speaker_key(name: str | None) -> str | None:
    """Blocking key of a speaker: the folded surname ("Kremlin spokesman Dmitry Peskov" -> "peskov")."""
    toks = [t for t in words(fold(name or "")) if t not in _TITLES and not t.isdigit()]
    return toks[-1] if toks else None
