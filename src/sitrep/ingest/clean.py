"""Boilerplate removal for plain-text copies of web pages.

The patterns are data (``src/sitrep/data/boilerplate.yaml``, extended by user files); this module
only applies them, plus three rules that are not single-line patterns:

* a caption line loses its credit ("...on Oct. 4.JOHN DOE/AFP/Getty Images" -> "...on Oct. 4.") and
  is kept once when what remains is a real caption (``caption_min_words``), because captions often
  carry facts ("in the town of Izium, liberated by ...") -- the NLP stages know captions are not
  claims; a copy of the caption without its credit, or a shorter prefix of it, is not kept twice;
* any other line repeated verbatim is kept once (its first occurrence);
* a one-line paragraph of a few words without sentence punctuation is a section label and goes.

The cleaned text is what every evidence offset refers to: paragraphs stay separated by blank
lines, whitespace is normalised conservatively, nothing is rewritten inside a kept line.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sitrep.errors import OptionsError

MODES = ("line", "caption", "next", "tail")
SETTINGS = {"label_max_words": 3, "label_max_chars": 30, "repeat_min_chars": 20, "max_line_chars": 2000,
            "caption_min_words": 6}
# a photographer's name left before a credit: "...Oct. 4.YASUYOSHI CHIBA/AFP/" or "...front.ANATOLII STEPANOV"
_PHOTOGRAPHER = re.compile(r"(?:(?<=[.!?”\"’])\s*[A-Z][A-Z .'’/-]*|(?:[A-Z][A-Z .'’-]*/)+)$")
_SENTENCE_END = tuple('.!?:;,"”’\')…')
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007"), " ")
_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")


@dataclass(frozen=True)
class Rules:
    """Compiled boilerplate patterns, by mode, and the settings of the non-pattern rules."""

    line: tuple[re.Pattern, ...] = ()
    caption: tuple[re.Pattern, ...] = ()
    next: tuple[re.Pattern, ...] = ()
    tail: tuple[re.Pattern, ...] = ()
    settings: dict = field(default_factory=lambda: dict(SETTINGS))
    sources: tuple[str, ...] = ()

    def matches(self, mode: str, text: str, full: bool = True) -> bool:
        """Any pattern of MODE matches TEXT (whole text when FULL, else anywhere): one regex
        per mode, the patterns joined as alternatives, compiled on first use."""
        rx = _joined(getattr(self, mode))
        if rx is None:
            return False
        return (rx.fullmatch(text) if full else rx.search(text)) is not None


@lru_cache(maxsize=64)
def _joined(patterns: tuple[re.Pattern, ...]) -> re.Pattern | None:
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    except re.error:       # e.g. numbered back-references that the join would shift: match one by one
        return _OneByOne(patterns)


class _OneByOne:
    def __init__(self, patterns):
        self.patterns = patterns

    def fullmatch(self, text):
        return next((m for p in self.patterns if (m := p.fullmatch(text))), None)

    def search(self, text):
        return next((m for p in self.patterns if (m := p.search(text))), None)


def load_rules(options=None) -> Rules:
    """Rules from the packaged boilerplate.yaml, user data dirs and ``options.boilerplate_file``."""
    if options is None:
        return default_rules()
    files = list(options.data_files("boilerplate.yaml"))
    if options.boilerplate_file is not None:
        extra = Path(options.boilerplate_file)
        if not extra.is_file():
            raise OptionsError(f"boilerplate file not found: {extra}", code="SR901")
        files.append(extra)
    return rules_from_files(tuple(files))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """Rules from the packaged data file only (built on first use, then cached)."""
    from sitrep.options import DATA_DIR

    return rules_from_files((DATA_DIR / "boilerplate.yaml",))


def rules_from_files(files: tuple[Path, ...]) -> Rules:
    """Merge several boilerplate YAML files (same-named categories add up) and compile them."""
    import yaml

    from sitrep.options import load_yaml

    categories: dict[str, dict] = {}
    settings = dict(SETTINGS)
    for path in files:
        try:
            data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise OptionsError(f"cannot read boilerplate file {path}: {exc}", code="SR901")
        if not isinstance(data, dict):
            raise OptionsError(f"boilerplate file {path}: expected a mapping of categories", code="SR901")
        for name, spec in data.items():
            if name == "settings":
                settings.update({k: int(v) for k, v in (spec or {}).items() if k in SETTINGS})
                continue
            if not isinstance(spec, dict):
                raise OptionsError(f"boilerplate file {path}: category {name!r} must be a mapping", code="SR901")
            cat = categories.setdefault(name, {"mode": spec.get("mode"), "patterns": []})
            cat["mode"] = spec.get("mode") or cat["mode"]
            cat["patterns"].extend(spec.get("patterns") or [])
    by_mode: dict[str, list[re.Pattern]] = {m: [] for m in MODES}
    for name, cat in categories.items():
        if cat["mode"] not in MODES:
            raise OptionsError(f"boilerplate category {name!r}: mode must be one of {', '.join(MODES)}",
                               code="SR901")
        for pattern in cat["patterns"]:
            try:
                by_mode[cat["mode"]].append(re.compile(str(pattern), re.IGNORECASE))
            except re.error as exc:
                raise OptionsError(f"boilerplate category {name!r}: bad pattern {pattern!r}: {exc}",
                                   code="SR901")
    return Rules(**{m: tuple(p) for m, p in by_mode.items()}, settings=settings,
                 sources=tuple(str(f) for f in files))


def normalise_whitespace(text: str) -> str:
    """CRLF/CR and Unicode breaks -> LF, NBSP -> space, invisible characters out, trailing spaces off,
    3+ newlines -> 2. Nothing else changes."""
    text = _BREAKS.sub("\n", text).translate(_INVISIBLE).translate(_SPACES)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def clean_text(text: str, rules: Rules | None = None) -> str:
    """The article text of TEXT with boilerplate lines removed (see module docstring)."""
    rules = rules or default_rules()
    lines = _cut_tail(normalise_whitespace(text).split("\n"), rules)
    originals = list(lines)
    keep, captions = _drop_pattern_lines(lines, rules)
    _drop_repeats(lines, keep, captions, rules)
    blocks: list[list[str]] = [[]]
    for line, original, kept in zip(lines, originals, keep):
        if not line.strip():
            blocks.append([])
        elif kept and (line != original or _key(line) in captions):  # captions stand alone
            blocks += [[line], []]
        elif kept:
            blocks[-1].append(line)
    paragraphs = []
    for block in blocks:
        block = [ln for i, ln in enumerate(block) if not _is_label(block, i, rules.settings)]
        if block:
            paragraphs.append("\n".join(block))
    return "\n\n".join(paragraphs).strip()


def strip_tail(text: str, rules: Rules | None = None) -> str:
    """TEXT without its end-of-article furniture (``tail`` patterns): related stories and the like."""
    rules = rules or default_rules()
    return "\n".join(_cut_tail(normalise_whitespace(text).split("\n"), rules))


def _cut_tail(lines: list[str], rules: Rules) -> list[str]:
    """Drop everything from an end-of-article marker that starts in the second half of the text."""
    if not rules.tail:
        return lines
    total = sum(len(ln) + 1 for ln in lines)
    pos = 0
    for i, line in enumerate(lines):
        if pos >= total / 2 and line.strip() and rules.matches("tail", line.strip()):
            return lines[:i]
        pos += len(line) + 1
    return lines


def _drop_pattern_lines(lines: list[str], rules: Rules) -> tuple[list[bool], set[str]]:
    """Apply the patterns line by line; return what to keep and the (normalised) caption lines."""
    keep = [True] * len(lines)
    captions: set[str] = set()
    drop_next = False
    max_chars = rules.settings["max_line_chars"]
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or len(s) > max_chars:
            continue
        if drop_next:
            keep[i], drop_next = False, False
        elif rules.matches("next", s):
            keep[i], drop_next = False, True
        elif rules.matches("caption", s, full=False):
            body = caption_body(s, rules)
            keep[i] = len(body.split()) >= rules.settings["caption_min_words"]
            if keep[i]:
                lines[i] = body
            captions.add(_key(body) if keep[i] else _key(s))
        elif rules.matches("line", s):
            keep[i] = False
    return keep, captions


def caption_body(line: str, rules: Rules) -> str:
    """A caption line without its credit (the earliest credit match and a capitalised photographer
    name before it); empty when nothing but the credit is left."""
    starts = [m.start() for p in rules.caption for m in [p.search(line)] if m]
    body = line[:min(starts)] if starts else line
    body = _PHOTOGRAPHER.sub("", body.rstrip()).rstrip(" /|-–—(")
    return body.strip()


def _drop_repeats(lines: list[str], keep: list[bool], captions: set[str], rules: Rules) -> None:
    """Shorter copies of a caption go; verbatim repeats (captions included) are kept once."""
    min_chars = rules.settings["repeat_min_chars"]
    keys = [_key(ln) for ln in lines]
    counts = Counter(k for k in keys if len(k) >= min_chars)
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if not keep[i] or len(key) < min_chars:
            continue
        if any(c != key and c.startswith(key) for c in captions):
            keep[i] = False
        elif counts[key] > 1:
            keep[i] = key not in seen
            seen.add(key)


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()


def _is_label(block: list[str], i: int, settings: dict) -> bool:
    """A section label or menu item: a short line without sentence punctuation that stands alone
    (its own paragraph, one of a block of such lines, or between finished sentences)."""
    if not _label_shaped(block[i], settings):
        return False
    if len(block) == 1 or all(_label_shaped(ln, settings) for ln in block):
        return True
    prev_done = i == 0 or block[i - 1].rstrip().endswith(tuple(".!?\"”’')"))
    nxt = block[i + 1].lstrip()[:1] if i + 1 < len(block) else ""
    return prev_done and (not nxt or nxt.isupper() or nxt in "\"“‘'")


def _label_shaped(line: str, settings: dict) -> bool:
    line = line.strip()
    return not (len(line) > settings["label_max_chars"] or len(line.split()) > settings["label_max_words"]
                or line.endswith(_SENTENCE_END) or not re.search(r"[^\W\d_]", line)
                or line.startswith(('"', "“", "‘", "'", "(", "-", "–", "—", "•", "*")))
