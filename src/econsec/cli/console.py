"""The consoles every command prints to, and the one progress bar.

Results go to ``out`` (stdout; piped output is not cut to 80 columns), messages and
progress to ``err`` (stderr). Library code reports progress through a callback
``(step, done, total)``; :func:`progress_bar` turns it into a rich bar on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import TaskID

out = Console(width=None if sys.stdout.isatty() else 240)
err = Console(stderr=True, soft_wrap=True)

ProgressCallback = Callable[[str, int, int], None]


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[ProgressCallback]:
    """A progress callback drawn as a rich bar on stderr (only when stderr is a terminal)."""
    if not enabled or not err.is_terminal:
        yield lambda step, done, total: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    tasks: dict[str, TaskID] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield update
