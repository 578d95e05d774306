"""sitrep: news reports about armed conflict -> an evidence-backed, geolocated event ledger.

Library first: every CLI command is a thin wrapper over a function here.

    from sitrep import Options, extract
    records = extract(["reports/"], Options(published="2022-10-05"))
"""
from sitrep.options import Options
from sitrep.errors import SitrepError

__version__ = "0.1.0"


def extract(paths, options=None, **kwargs):
    """Run the whole pipeline over PATHS and return the contract records (list of dicts)."""
    from sitrep.pipeline import extract_records

    return extract_records(paths, options or Options(), **kwargs)


__all__ = ["Options", "SitrepError", "extract", "__version__"]
