"""Choose among gazetteer candidates for a toponym, using what the document says around it.

Signals (all additive scores, see ``Resolver.score``):
- priors: feature (country > admin-1 / capital > admin seat > town) and population;
- match quality: the primary name or a curated alias beats an alternate name, an exact
  spelling beats a transliteration-skeleton match;
- the document's country focus (countries of its unambiguous mentions);
- regions the document names (a settlement in a named oblast wins);
- proximity to the document's confident places;
- an explicit container ("Novopetrivka, a village in Kherson") or a hint from the words around
  the name ("Kherson region" -> admin1, "the city of Kherson" -> settlement, "the Dnipro" -> water).

When a container is known but no candidate lies in it, the container itself is the answer
(ACLED-style: an honest region instead of a confident wrong pin).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from sitrep.geo.gazetteer import precision_of

ADMIN_FEATURES = ("ADM1", "ADM2", "ADM3")
_FEATURE_PRIOR = {"PCLI": 2.0, "PCL": 2.0, "PCLD": 1.8, "PCLS": 1.8, "PCLF": 1.8, "PCLIX": 1.8, "TERR": 1.5,
                  "ADM1": 1.2, "PPLC": 1.5, "PPLA": 0.8, "RGN": 1.0, "ADM2": 0.1, "PPLA2": 0.3}
_MATCH = {"name": 1.0, "alias": 1.0, "short": 1.0, "official": 1.0, "alt": 0.5, "code": -2.0, "alt_other": -1.0}


NEAR_KM = (50, 150, 400)             # a candidate near the document's other places scores more
KM_PER_DEGREE_LAT = 12742 / 2 * math.pi / 180   # haversine distance >= this x latitude difference


def _nearest_within(lat0: float, lon0: float, cid, points, limit: float) -> float | None:
    """The distance to the nearest point (other than ``cid``) when it is below ``limit``; otherwise
    some distance >= ``limit`` or None. Points whose latitude alone puts them farther than the best
    so far (or than ``limit``) are skipped without computing their distance."""
    best = None
    for lat, lon, pid in points:
        if pid == cid:
            continue
        bound = best if best is not None and best < limit else limit
        if abs(lat - lat0) * KM_PER_DEGREE_LAT > bound + 1.0:     # 1 km of slack for rounding
            continue
        d = km((lat0, lon0), (lat, lon))
        if best is None or d < best:
            best = d
    return best


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    p = math.pi / 180
    h = (math.sin((lat2 - lat1) * p / 2) ** 2
         + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(min(1.0, h)))


def is_admin1(c: dict) -> bool:
    return c.get("feature") == "ADM1" or (c.get("feature_class") == "L" and c.get("feature") == "RGN")


def is_country(c: dict) -> bool:
    return c.get("feature_class") == "A" and ((c.get("feature") or "").startswith("PCL") or c.get("feature") == "TERR")


SMALL_PLACE_POP = 30_000


def is_strong(c: dict) -> bool:
    """A reading that stands on its own (a country, a region, a capital or a big city)."""
    return (is_country(c) or is_admin1(c) or c.get("feature") in ("PPLC", "PPLA")
            or (c.get("population") or 0) >= 100_000)


@dataclass
class Context:
    """What a document says about where it is."""

    countries: Counter = field(default_factory=Counter)   # ISO2 -> weight of mentions
    admin1: set = field(default_factory=set)                # {(ISO2, admin1_code)} named regions
    points: list = field(default_factory=list)              # [(lat, lon, place_id)] confident places
    country_points: list = field(default_factory=list)      # the same for the countries named
    region_keys: set = field(default_factory=set)           # skeleton keys read as regions in the doc
    _ids: set = field(default_factory=set, repr=False)

    def to_data(self) -> dict:
        """Plain JSON/msgpack-safe data (a Doc's user_data must stay serialisable)."""
        return {"countries": dict(self.countries), "admin1": sorted(list(a) for a in self.admin1),
                "points": [list(p) for p in self.points], "country_points": [list(p) for p in self.country_points],
                "region_keys": sorted(self.region_keys)}

    @classmethod
    def from_data(cls, data: dict | None) -> "Context":
        data = data or {}
        ctx = cls(countries=Counter(data.get("countries") or {}),
                  admin1={tuple(a) for a in data.get("admin1") or []},
                  points=[tuple(p) for p in data.get("points") or []],
                  country_points=[tuple(p) for p in data.get("country_points") or []],
                  region_keys=set(data.get("region_keys") or []))
        ctx._ids = {p[2] for p in ctx.points + ctx.country_points}
        return ctx

    def add(self, c: dict, weight: float = 1.0) -> None:
        if c.get("country"):
            self.countries[c["country"]] += weight
        if is_admin1(c) and c.get("admin1_code"):
            self.admin1.add((c["country"], c["admin1_code"]))
        if c.get("lat") is not None and c.get("id") not in self._ids:
            self._ids.add(c.get("id"))
            (self.country_points if is_country(c) else self.points).append((c["lat"], c["lon"], c.get("id")))


class Resolver:
    """Candidates and choices for toponyms, over a ``Gazetteer``."""

    def __init__(self, gazetteer, data: dict | None = None):
        self.gaz = gazetteer
        data = data or {}
        self.articles = {a.lower() for a in data.get("articles") or []}

    # -- candidates -----------------------------------------------------------------------
    def candidates(self, name: str) -> list[dict]:
        """Gazetteer candidates with coordinates; tries the name without a leading Arabic
        article ("Al-Qamishli" -> "Qamishli") when the name as written is unknown."""
        out = [c for c in self.gaz.lookup(name) if c["lat"] is not None]
        if not out:
            words = self.gaz.norm.fold(name).split()
            if len(words) > 1 and words[0] in self.articles:
                out = [c for c in self.gaz.lookup(" ".join(name.replace("-", " ").split()[1:]))
                       if c["lat"] is not None]
        return out

    def admin1_of(self, c: dict) -> dict | None:
        if is_admin1(c) or is_country(c) or not c.get("country") or not c.get("admin1_code"):
            return c if is_admin1(c) else None
        return self.gaz.admin_unit(c["country"], c["admin1_code"])

    # -- scoring --------------------------------------------------------------------------
    def score(self, c: dict, ctx: Context | None = None, container: dict | None = None) -> float:
        s = _FEATURE_PRIOR.get(c.get("feature"), 0.0)
        if c.get("feature_class") in ("H", "T", "L") and c.get("id", 0) < 0:
            s += 0.8                                   # curated features (rivers, named regions)
        # admin units' populations are sums over their cities: they count for less
        weight = 0.25 if c.get("feature_class") == "A" and not is_country(c) else 0.35
        s += weight * math.log10((c.get("population") or 0) + 1)
        s += _MATCH.get(c.get("match_kind"), 0.0) * (1.0 if c.get("exact") else 0.4)
        if ctx is not None:
            if ctx.countries and c.get("country"):
                top = max(ctx.countries.values())
                s += 2.5 * ctx.countries.get(c["country"], 0) / top
            if not is_admin1(c) and (c.get("country"), c.get("admin1_code")) in ctx.admin1:
                s += 1.5
            if c.get("lat") is not None and ctx.points and not is_country(c):
                d = _nearest_within(c["lat"], c["lon"], c.get("id"), ctx.points, NEAR_KM[-1])
                if d is not None:
                    s += 1.5 if d < NEAR_KM[0] else 1.0 if d < NEAR_KM[1] else 0.5 if d < NEAR_KM[2] else 0.0
        if container is not None:
            s += 4.0 if self.within(c, container) else -4.0
        return s

    @staticmethod
    def within(c: dict, container: dict) -> bool:
        if c.get("id") == container.get("id"):
            return False
        if is_country(container):
            return c.get("country") == container.get("country")
        if container.get("feature") == "ADM2":
            return (c.get("country"), c.get("admin1_code"), c.get("admin2_code")) == (
                container.get("country"), container.get("admin1_code"), container.get("admin2_code"))
        if is_admin1(container) and container.get("admin1_code"):
            return (c.get("country"), c.get("admin1_code")) == (container.get("country"), container.get("admin1_code"))
        if container.get("lat") is not None and c.get("lat") is not None:
            return km((c["lat"], c["lon"]), (container["lat"], container["lon"])) < 150
        return False

    # -- choosing -------------------------------------------------------------------------
    def choose(self, cands: list[dict], *, hint: str | None = None, ctx: Context | None = None,
               container: dict | None = None, key: str | None = None) -> tuple[dict | None, str | None]:
        """Pick a reading: ``(candidate, precision)``, or ``(None, None)``.

        hint: ``admin1`` | ``admin2`` | ``settlement`` | ``water`` | ``None``.
        container: a resolved place the mention lies in (region fallback when nothing fits).
        key: the name's skeleton key (for the document's "read as a region" memory).
        """
        pool = self._filter(cands, hint)
        if container is not None:
            inside = [c for c in pool if self.within(c, container)]
            if not inside:
                if hint in ("admin1", "admin2") and pool:
                    inside = pool
                else:
                    return container, precision_of(container)   # region fallback
            pool = inside
        if not pool:
            if hint in ("admin1", "admin2"):
                # "Zaporozhye region": the region whose seat is named so
                seats = [c for c in self._filter(cands, "settlement")]
                if seats:
                    best = max(seats, key=lambda c: self.score(c, ctx))
                    unit = self.admin1_of(best)
                    if unit is not None and unit.get("lat") is not None:
                        return unit, precision_of(unit)
            return None, None
        best = max(pool, key=lambda c: self.score(c, ctx, container))
        if container is None and self.implausible(best, ctx):
            return None, None
        if hint is None and (is_admin1(best) or best.get("feature") in ADMIN_FEATURES):
            # a bare name that is both a city and its region ("Kherson") is the city, unless the
            # document reads this name as a region elsewhere
            twin = self._city_twin(best, pool)
            if twin is not None and not (ctx is not None and key in ctx.region_keys):
                best = twin
        return best, precision_of(best)

    @staticmethod
    def implausible(c: dict, ctx: Context | None, far_km: float = 800.0) -> bool:
        """A small place in a country the document never mentions, far from all its places:
        better no pin than a confident wrong one (Tawila in Darfur is not Aţ Ţawīlah in Yemen)."""
        if ctx is None or not ctx.countries or is_strong(c) or c.get("id", 0) < 0:
            return False
        if (c.get("population") or 0) >= SMALL_PLACE_POP:  # a town this size is worth a pin; country
            return False                                     # centroids are poor distance references
        if ctx.countries.get(c.get("country"), 0) > 0 or c.get("lat") is None:
            return False
        refs = [(lat, lon) for lat, lon, pid in ctx.points + ctx.country_points if pid != c.get("id")]
        return bool(refs) and all(km((c["lat"], c["lon"]), ref) > far_km for ref in refs)

    def _filter(self, cands: list[dict], hint: str | None) -> list[dict]:
        if hint == "admin1":
            return [c for c in cands if is_admin1(c)] or [c for c in cands if c.get("feature") in ADMIN_FEATURES]
        if hint == "admin2":
            return ([c for c in cands if c.get("feature") in ("ADM2", "ADM3")]
                    or [c for c in cands if is_admin1(c)])
        if hint == "settlement":
            return [c for c in cands if c.get("feature_class") == "P"]
        if hint == "water":
            return [c for c in cands if c.get("feature_class") == "H"] or cands
        return cands

    @staticmethod
    def _city_twin(unit: dict, pool: list[dict]) -> dict | None:
        twins = [c for c in pool if c.get("feature_class") == "P" and c.get("country") == unit.get("country")
                 and c.get("admin1_code") == unit.get("admin1_code") and c.get("exact")
                 and c.get("match_kind") in ("name", "alias", "alt")
                 and ((c.get("population") or 0) >= 10_000 or c.get("feature") in ("PPLA", "PPLC"))]
        return max(twins, key=lambda c: c.get("population") or 0) if twins else None
