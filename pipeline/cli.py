"""The ``pipeline`` command: parses arguments and calls the stages; nothing else lives here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.ingest import DEFAULT_MAX_BYTES

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_show_locals=False,
    help="Extract conditions, adverse effects and doses from drug articles into Parquet tables.",
)
err = Console(stderr=True)


@app.command()
def run(
    corpus: Path = typer.Option(Path("corpus"), help="Folder of sources (.txt, .md, .html); searched recursively."),
    out: Path = typer.Option(Path("outputs"), help="Folder for the Parquet tables (created if missing)."),
    full: bool = typer.Option(False, "--full", help="Re-extract every source, even unchanged ones."),
    workers: int = typer.Option(1, min=1, help="Worker processes for extraction."),
    max_bytes: int = typer.Option(
        DEFAULT_MAX_BYTES, min=1, help="Sources larger than this many bytes are recorded as errors."
    ),
) -> None:
    """Extract every source under CORPUS and write the tables to OUT.

    Incremental: a source whose bytes, pipeline version and vocabulary version are unchanged is
    not extracted again, and removed sources' rows disappear. A source that cannot be read is
    recorded with status error and the run goes on; the exit code is non-zero only when the run
    itself could not complete (the previous tables are then left as they were).
    """
    from pipeline.run import run as run_pipeline

    progress = Progress(
        TextColumn("[bold]extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )
    task = progress.add_task("extract", total=None, current="")
    try:
        with progress:
            summary = run_pipeline(
                corpus,
                out,
                full=full,
                workers=workers,
                max_bytes=max_bytes,
                on_plan=lambda n: progress.update(task, total=n),
                on_source=lambda doc_id, action: progress.update(task, advance=1, current=doc_id),
            )
    except FileNotFoundError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    typer.echo(summary.line())


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


def main() -> None:
    app(prog_name="pipeline")


if __name__ == "__main__":
    sys.exit(main())
