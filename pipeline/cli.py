"""The ``pipeline`` command: parses arguments and calls the stages; nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.engines import EngineError
from pipeline.ingest import DEFAULT_MAX_BYTES

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_show_locals=False,
    help="Extract conditions, adverse effects and doses from drug articles into Parquet tables.",
)
err = Console(stderr=True)


class Engine(str, Enum):
    """Values of ``--engine`` (:mod:`pipeline.engines`)."""

    local = "local"
    dask = "dask"


#: Exit codes of ``pipeline run`` (documented in the README).
EXIT_FAILED = 2  # the run could not complete; the previous tables are unchanged
EXIT_BUSY = 3  # another run holds the output folder (without --wait)


@app.command()
def run(
    corpus: Path = typer.Option(Path("corpus"), help="Folder of sources (.txt, .md, .html); searched recursively."),
    out: Path = typer.Option(Path("outputs"), help="Folder for the Parquet tables (created if missing)."),
    full: bool = typer.Option(False, "--full", help="Re-extract every source, even unchanged ones."),
    workers: int = typer.Option(
        None,
        min=1,
        show_default=False,
        help="Worker processes for extraction: with `--engine local` a process pool (default 1: "
        "this process), with `--engine dask` and no `--scheduler` the size of the local Dask cluster "
        "started for the run (default 2). Not used with `--scheduler`: the cluster has its workers.",
    ),
    engine: Engine = typer.Option(
        Engine.local,
        case_sensitive=False,
        help="Where sources are extracted: `local` (this machine) or `dask` (a Dask cluster). "
        "Both write the same tables.",
    ),
    scheduler: str = typer.Option(
        None,
        metavar="ADDRESS",
        help="With `--engine dask`: the address of a running Dask scheduler (`tcp://HOST:8786`, "
        "started with `dask scheduler`); its workers (`dask worker`) must have this package installed "
        "and see the corpus at the same path. Without it a local Dask cluster is started.",
    ),
    max_bytes: int = typer.Option(
        DEFAULT_MAX_BYTES, min=1, help="Sources larger than this many bytes are recorded as errors."
    ),
    follow_symlinks: bool = typer.Option(
        False,
        "--follow-symlinks",
        help="Also read symbolic links that lead out of the corpus folder (by default they are "
        "recorded as errors and not read).",
    ),
    wait: bool = typer.Option(
        False,
        "--wait",
        help="When another run is writing to OUT, wait for it to finish instead of exiting "
        f"with code {EXIT_BUSY}.",
    ),
) -> None:
    """Extract every source under CORPUS and write the tables to OUT.

    Incremental: a source whose bytes, pipeline version and vocabulary version are unchanged is
    not extracted again, and removed sources' rows disappear. A source that cannot be read is
    recorded with status error and the run goes on. On a Dask cluster (`--engine dask`) the run
    writes the same tables; this process plans, writes and commits them. Exit codes: 0 the run
    completed (every source processed or recorded as failed); 2 the run itself could not complete
    (e.g. the Dask scheduler was lost; the previous tables are then left as they were); 3 another
    run is writing to OUT (see --wait).
    """
    workers = _engine_workers(engine, scheduler, workers)

    from pipeline.run import run as run_pipeline

    progress = _progress_bar()
    task = progress.add_task("extract", total=None, current="")
    with _run_errors_reported(), progress:
        summary = run_pipeline(
            corpus,
            out,
            full=full,
            workers=workers,
            engine=engine.value,
            scheduler=scheduler,
            max_bytes=max_bytes,
            follow_symlinks=follow_symlinks,
            wait=wait,
            on_planning=lambda n: progress.update(task, current=f"planning: {n:,} sources"),
            on_plan=lambda n: progress.update(task, total=n, current=""),
            on_source=lambda doc_id, action: progress.update(task, advance=1, current=doc_id),
            on_wait=lambda holder: err.print(f"waiting: another run ({holder}) is writing to {out}"),
            on_notice=lambda message: err.print(f"note: {message}"),
        )
    typer.echo(summary.line())



@contextmanager
def _run_errors_reported() -> Iterator[None]:
    """A run that cannot complete ends with one line and its exit code, never a traceback
    (PIPELINE_DEBUG=1 prints it): 3 when another run holds the output folder, 2 otherwise."""
    from pipeline.lock import OutputBusy

    try:
        yield
    except OutputBusy as busy:
        err.print(f"[red]busy:[/red] {busy}", highlight=False)
        raise typer.Exit(EXIT_BUSY) from None
    except FileNotFoundError as error:
        err.print(f"[red]error:[/red] {_plain(error)}", highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    except (Exception, KeyboardInterrupt) as error:
        if os.environ.get("PIPELINE_DEBUG"):
            traceback.print_exception(error, file=sys.stderr)
        err.print(f"[red]error:[/red] the run could not complete: {_plain(error)}", highlight=False)
        err.print("The previous tables are unchanged. Set PIPELINE_DEBUG=1 to see the details.", highlight=False)
        raise typer.Exit(EXIT_FAILED) from None


def _engine_workers(engine: Engine, scheduler: str | None, workers: int | None) -> int:
    """The number of worker processes the run starts, once the engine options agree."""
    if scheduler and engine is not Engine.dask:
        raise typer.BadParameter("--scheduler needs --engine dask", param_hint="--scheduler")
    if scheduler and workers is not None:
        raise typer.BadParameter(
            "--workers sets the size of a local cluster; a cluster given by --scheduler has its own workers "
            "(start more with `dask worker`)",
            param_hint="--workers",
        )
    if workers is None:
        return 2 if engine is Engine.dask else 1
    return workers


def _progress_bar() -> Progress:
    """The run's progress bar on standard error (only in a terminal; gone when the run ends)."""
    return Progress(
        TextColumn("[bold]extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )

def _plain(error: BaseException) -> str:
    """A sentence for a run failure, without a library's internal wording."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    if isinstance(error, EngineError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror.lower()}{where}"
    if isinstance(error, (FileNotFoundError, OSError)):
        return str(error)
    if isinstance(error, MemoryError):
        return "out of memory"
    return f"an internal error ({type(error).__name__})"


@app.command()
def evaluate(
    gold: Path = typer.Option(..., exists=True, dir_okay=False, help="Gold mentions, JSON Lines (see ANNOTATION.md)."),
    out: Path = typer.Option(Path("outputs"), help="Folder holding the tables written by `pipeline run`."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON instead of tables."),
) -> None:
    """Score the extracted mentions against GOLD: strict and lenient P/R/F1 per label,
    negation accuracy, dose-field accuracy and concept consistency."""
    from pipeline.evaluate import EvaluationError, evaluate as score, format_report

    try:
        report = score(gold, out)
    except (FileNotFoundError, EvaluationError) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    typer.echo(json.dumps(report, indent=2, sort_keys=True) if as_json else format_report(report))


@app.command()
def report(
    out: Path = typer.Option(Path("outputs"), help="Folder holding the tables written by `pipeline run`."),
    html: Optional[Path] = typer.Option(
        None, help="The summary page to write (default OUT/report.html); the other pages go to the "
        "folder beside it named after it (report_files for report.html)."
    ),
) -> None:
    """Write a static HTML review report of the tables in OUT: per substance, its uses,
    contraindications, adverse effects and doses with charts; per source, its text with every
    mention highlighted. No network: open it from disk in any browser."""
    from pipeline.report import ReportError, build_report

    try:
        result = build_report(out, html)
    except ReportError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    except (Exception, KeyboardInterrupt) as error:  # never a traceback for the user
        if os.environ.get("PIPELINE_DEBUG"):
            traceback.print_exception(error, file=sys.stderr)
        err.print(f"[red]error:[/red] the report could not be written: {_plain(error)}", highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(result.line())


def main() -> None:
    app(prog_name="pipeline")


if __name__ == "__main__":
    sys.exit(main())
