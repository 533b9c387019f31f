"""Where a run's time goes, stage by stage: for the run's summary and the benchmarks."""

from __future__ import annotations


class Timer:
    """Seconds per stage of a run, for the summary and the benchmarks. With worker processes,
    read/parse/transform add up their time in every worker (more than the run's wall time) and
    "wait" is the time this process had nothing to do but wait for them. "lake_writer" and
    "build" are background threads' busy time (they overlap the rest); "lake_write" is the time
    the run waited for the lake writer and committed."""

    # "build": the warehouse built in the background while staging (flows.build.Build)
    STAGES = (
        "plan",
        "read",
        "parse",
        "transform",
        "wait",
        "stage",
        "lake_write",
        "lake_writer",
        "build",
        "publish",
    )

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(self.STAGES, 0.0)
        self.workers = 1

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] += seconds

    def add_batch(self, seconds: dict[str, float], waited: float) -> None:
        """A batch's own read/parse/transform `seconds`, and the time `waited` for it since
        the last one. In this process alone (one worker) the batch ran while "waiting"."""
        for stage, sec in seconds.items():
            self.add(stage, sec)
        if self.workers == 1:  # read and transformed right here, not waited for
            waited -= sum(seconds.values())
        self.add("wait", max(0.0, waited))
