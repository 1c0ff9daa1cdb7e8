"""A progress bar for `run_jobs`: runs done / total, rate, elapsed time and ETA (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichBar
from rich.text import Text

from sim.experiments.runner import Tally

__all__ = ["RichProgress"]


class RateColumn(ProgressColumn):
    """Runs per second (per minute when slow), averaged by rich over the last 30 s."""

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        if not speed:
            return Text("-- runs/s", style="progress.data.speed")
        if speed < 0.1:
            return Text(f"{speed * 60:.1f} runs/min", style="progress.data.speed")
        return Text(f"{speed:.2f} runs/s", style="progress.data.speed")


class RichProgress:
    """A rich progress bar on stderr (stdout stays for results); silent-ish when not a terminal."""

    def __init__(self, console: Console | None = None, label: str = "runs") -> None:
        self.console = console or Console(stderr=True)
        self.label = label
        self._bar: RichBar | None = None
        self._task: Any = None

    def start(self, total: int, skipped: int) -> None:
        """Show the bar for `total` runs, `skipped` of them already stored."""
        self._bar = RichBar(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            RateColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"),
            console=self.console,
            transient=False,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=total, status=self._status(Tally(skipped=skipped)))

    def advance(self, tally: Tally) -> None:
        """Move the bar to the tally's count."""
        if self._bar is not None:
            self._bar.update(self._task, completed=tally.done, status=self._status(tally))

    def finish(self, tally: Tally) -> None:
        """Close the bar and print the ok/error/skipped line."""
        if self._bar is not None:
            self._bar.update(self._task, completed=tally.done, status=self._status(tally))
            self._bar.stop()
            self._bar = None

    @staticmethod
    def _status(tally: Tally) -> str:
        return f"ok {tally.ok}  error {tally.error}  skipped {tally.skipped}"
