"""What a flow run leaves in Prefect (flows/run_artifacts.py), on the real temporary Prefect
server: the whole summary in its log, and a markdown artifact with seconds, dates, counts and
the files skipped and rejected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.run_summary import ARTIFACT_FILES, summary_markdown

pytestmark = pytest.mark.integration


def _markdown_artifacts(run_id: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterType,
    )

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]),
                type=ArtifactFilterType(any_=["markdown"]),
            )
        )


def test_summary_reaches_the_log_and_a_markdown_artifact(
    prefect_harness: None, landing: Path, data_dir: Path, flow_run_log: list[str]
) -> None:
    from flows.nightly import nightly

    day = landing / "2026-11-26"
    (day / "notes.docx").write_bytes(b"PK")
    (day / "broken.json").write_text('[{"title": ', encoding="utf-8")
    (landing / "not-a-date").mkdir()
    s = nightly(landing=str(landing), data=str(data_dir), date=dt.date(2026, 11, 27), workers=1)
    assert s["files_rejected"] == 2
    for part in ("files    seen 33", "records  read", "seconds  plan", "dates    2026-11-23"):
        assert part in "\n".join(flow_run_log), part
    (art,) = _markdown_artifacts(s["run_id"])
    assert art.key == "nightly-summary"
    md = art.data
    assert f"akhbar nightly: completed in {s['seconds']:.1f} s" in md
    assert "seconds  plan" in md and "dates    2026-11-23, 2026-11-24, 2026-11-25" in md
    assert "## Rejected files (3)" in md  # with the seeds' own cut feed line
    assert "- `2026-11-26/notes.docx (unsupported_extension)`" in md
    assert "- `2026-11-26/broken.json (malformed_json)`" in md
    assert "## Skipped files (1)" in md and "not-a-date/" in md
    assert "Report" not in md  # a run called as a library writes none


def test_markdown_names_files_up_to_its_cap_and_the_report() -> None:
    s = {
        "flow": "nightly",
        "status": "completed",
        "run_id": "r",
        "seconds": 1.0,
        "hashtags": 0,
        "mentions": 0,
        "dates": [],
        "timings": {},
        "skipped_files": [],
        "deleted_files": [],
        "rejected_files": [f"f{i}.docx (unsupported_extension)" for i in range(ARTIFACT_FILES + 7)],
        **dict.fromkeys(
            [
                "files_seen",
                "files_new",
                "files_changed",
                "files_reread",
                "files_unchanged",
                "files_skipped",
                "files_rejected",
                "files_deleted",
                "records_read",
                "articles_loaded",
                "duplicates",
                "records_rejected",
            ],
            0,
        ),
    }
    md = summary_markdown(s, "/srv/akhbar/report.html")
    assert "**Report:** `/srv/akhbar/report.html`" in md
    assert f"## Rejected files ({ARTIFACT_FILES + 7})" in md
    assert md.count("- `f") == ARTIFACT_FILES and "… and 7 more" in md
