"""Toponym normalisation: ``fold`` (case/diacritics/apostrophes) and ``skeleton`` keys.

The rules are data (``data/translit.yaml``); a gazetteer stores the rules it was built with,
so its keys and the keys of a lookup always agree.

    >>> n = Normaliser.default()
    >>> n.skeleton("Zaporizhzhia") == n.skeleton("Zaporizhia") == n.skeleton("Zaporizhzhya")
    True
    >>> n.fold("Kup’yans’k")
    'kupyansk'
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

from sitrep.errors import GazetteerError
from sitrep.options import load_yaml

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_HSPACE = re.compile(r"[^\S\n]+")        # runs of whitespace other than newlines
_LINE_TRIM = re.compile(r" ?\n ?")         # a space next to a line break
_NON_LATIN = re.compile("[^\u0000-\u024f\u1e00-\u1eff\u2000-\u206f]")
_PACKAGED = Path(__file__).resolve().parent.parent / "data"


def load_yaml_data(name: str, options=None) -> dict:
    """Load data file NAME: the packaged one, then same-named files in user data dirs, merged
    (lists appended, maps updated, scalars replaced)."""
    paths = options.data_files(name) if options is not None else [p for p in [_PACKAGED / name] if p.exists()]
    merged: dict = {}
    for path in paths:
        try:
            data = load_yaml(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise GazetteerError(f"cannot read data file: {exc}", subject=str(path), code="SR401") from None
        if not isinstance(data, dict):
            raise GazetteerError("data file must be a mapping", subject=str(path), code="SR401")
        for key, value in data.items():
            old = merged.get(key)
            if isinstance(old, list) and isinstance(value, list):
                merged[key] = old + value
            elif isinstance(old, dict) and isinstance(value, dict):
                merged[key] = {**old, **value}
            else:
                merged[key] = value
    return merged


_CACHE: dict = {}


class Normaliser:
    """Reduce names to comparison keys.

    ``fold(s)``: NFKD, no combining marks, casefolded, apostrophes dropped, separators as single
    spaces ("Kup'yansk" -> "kupyansk", "Nova-Kakhovka" -> "nova kakhovka").
    ``skeleton(s)``: ``fold`` plus the transliteration rewrites ("Izyum" and "Izium" -> "izum").
    """

    def __init__(self, rules: dict):
        self.rules = {
            "fold": dict(rules.get("fold") or {}),
            "drop": str(rules.get("drop") or ""),
            "space": str(rules.get("space") or ""),
            "skeleton": [dict(r) if isinstance(r, dict) else list(r) for r in rules.get("skeleton") or []],
        }
        table = {ord(k): v for k, v in self.rules["fold"].items() if len(k) == 1}
        table.update({ord(c): None for c in self.rules["drop"]})
        table.update({ord(c): " " for c in self.rules["space"]})
        self._table = table
        self._steps: list[tuple] = []
        for rule in self.rules["skeleton"]:
            if isinstance(rule, dict) and "re" in rule:       # {re: PATTERN, to: REPL, when: SUBSTRING}
                self._steps.append((re.compile(rule["re"]).sub, str(rule.get("to", "")), rule.get("when")))
            elif isinstance(rule, list) and len(rule) == 2 and all(isinstance(x, str) for x in rule):
                self._steps.append((None, rule[0], rule[1]))
            else:
                raise GazetteerError(f"bad skeleton rule {rule!r}: use [from, to] or {{re: ..., to: ...}}",
                                     code="SR401")
        self.fold = lru_cache(maxsize=200_000)(self._fold)
        self.skeleton = lru_cache(maxsize=200_000)(self._skeleton)

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_options(cls, options=None) -> "Normaliser":
        """The normaliser for these options' data files (cached per set of data dirs)."""
        dirs = (str(options.data_dir), tuple(map(str, options.extra_data_dirs))) if options is not None else None
        cached = _CACHE.get(dirs)
        if cached is None:
            cached = _CACHE[dirs] = cls(load_yaml_data("translit.yaml", options))
        return cached

    @classmethod
    def default(cls) -> "Normaliser":
        return cls.from_options(None)

    @classmethod
    def from_json(cls, text: str) -> "Normaliser":
        return cls(json.loads(text))

    def to_json(self) -> str:
        return json.dumps(self.rules, ensure_ascii=False, sort_keys=True)

    # -- keys --------------------------------------------------------------------------
    def index_key(self, name: str, kind: str) -> str:
        """The key a name is stored under: its skeleton, or just its folded form for
        ``alt_other`` names (other scripts, lower-case romanisations), which English text never
        spells differently, so the transliteration rules need not run over them."""
        return self.fold(name) if kind == "alt_other" else self.skeleton(name)

    def fold_many(self, names: list[str]) -> list[str]:
        """``fold`` of many names at once (one pass of each step over the joined text)."""
        return self._fold_text("\n".join(n.replace("\n", " ") for n in names)).split("\n")

    def skeleton_many(self, names: list[str]) -> list[str]:
        """``skeleton`` of many names at once: the same keys as one at a time, much faster.

        Each name is processed between newlines (also alone), so rules see the same
        neighbours either way; a rule's ``when`` must be a true precondition of its pattern.
        """
        text = self._fold_text("\n".join(n.replace("\n", " ") for n in names))
        return self._skeleton_text(text).split("\n")

    def _fold(self, s: str) -> str:
        return self._fold_text((s or "").replace("\n", " "))

    def _skeleton(self, s: str) -> str:
        return self._skeleton_text(self._fold(s))

    def _fold_text(self, text: str) -> str:
        if text.isascii():
            text = text.lower()
        else:
            text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
        return _LINE_TRIM.sub("\n", _HSPACE.sub(" ", text.translate(self._table))).strip(" ")

    def _skeleton_text(self, text: str) -> str:
        k = f"\n{text}\n"
        for sub, a, b in self._steps:
            if sub is None:
                k = k.replace(a, b)
            elif b is None or b in k:
                k = sub(a, k)
        return _LINE_TRIM.sub("\n", _HSPACE.sub(" ", k))[1:-1]


# -- small helpers shared by the builders and the resolver -------------------------------

def is_latin(s: str) -> bool:
    """True when every letter of S is Latin (with or without diacritics)."""
    return s.isascii() or not any(c.isalpha() for c in _NON_LATIN.findall(s))


def name_kind(name: str, primary: bool = False) -> str:
    """Classify a name for the recogniser: ``name`` (primary), ``code`` (IATA-like all caps),
    ``alt`` (a Latin, capitalised alternate), ``alt_other`` (lower-case romanisation, other script)."""
    if primary:
        return "name"
    if len(name) <= 4 and name.isupper() and name.isalpha():
        return "code"
    if name.isascii():
        return "alt" if name[:1].isupper() else "alt_other"
    first = next((c for c in name if c.isalpha()), "")
    if not first.isupper() or not is_latin(name):
        return "alt_other"
    return "alt"
