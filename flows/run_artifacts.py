"""What a finished flow run leaves in Prefect, for whoever watches `akhbar serve` from its UI:
the whole summary in the run's log, the funnel as a table artifact, the summary as a markdown
artifact (seconds, dates, counts, the files skipped and rejected, the report's path), and,
when the deployment asks for it, the HTML report written beside the warehouse."""

from __future__ import annotations

import logging
from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.run import RunOutcome
from flows.run_summary import summary_lines, summary_markdown
from flows.wall_clock import from_command, wall_seconds


def publish_outcome(
    outcome: RunOutcome, data: str, logger: logging.LoggerAdapter, report: bool
) -> dict:
    """Log and record the run's outcome in Prefect; its summary (the flow's return value)."""
    summary = outcome.summary()
    wall = wall_seconds(outcome.run_id)  # a served run's own process, Prefect's start included
    if wall is not None:
        summary["wall_seconds"] = round(wall, 2)
    path = write_report(data, logger) if report and outcome.status == "completed" else None
    if from_command():  # the command prints the summary itself, once, on stdout
        logger.info("run %s %s in %.1f s", outcome.run_id, outcome.status, outcome.seconds)
    else:
        logger.info("\n".join(summary_lines(summary)))
    funnel = [{"step": k, "count": v} for k, v in outcome.counts.items()]
    create_table_artifact(
        key=f"{outcome.flow}-funnel",
        table=funnel,
        description=f"akhbar {outcome.flow} run {outcome.run_id}: files and records at each step",
    )
    create_markdown_artifact(
        key=f"{outcome.flow}-summary",
        markdown=summary_markdown(summary, path),
        description=f"akhbar {outcome.flow} run {outcome.run_id}: summary",
    )
    return summary


def write_report(data: str, logger: logging.LoggerAdapter) -> str | None:
    """The HTML report of the warehouse just published; a failure is a warning, not a failed
    run (the data is published; `akhbar report` can write it again)."""
    from flows.report import write_report as write

    try:
        return str(write(Path(data)).resolve())
    except Exception as e:  # the report is a view of the run, never a reason to fail it
        logger.warning("the HTML report was not written (%s: %s)", type(e).__name__, e)
        return None
