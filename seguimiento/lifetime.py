"""Processes that end with the process that started them, however it ended.

A process pool's workers (the build's job workers, a job's chart helpers) wait on pipes they
hold open themselves: for their next task, or to hand back a result too large for the pipe. A
starting process that ends normally, or by Ctrl-C (the terminal sends it to the whole process
group), stops them. One killed alone (SIGTERM from `timeout` or a service manager, SIGKILL)
cannot, and nothing else tells them: they waited for ever, each holding its memory (about
280 MB for a job worker), and the fork server waited for its workers.

`end_with(pid)` is the pools' initializer: a thread waits on a pidfd of the starting process
and ends this one as soon as that one has ended. The files it was writing are temporary ones,
which the next build removes (`atomic`). Where there is no pidfd (not Linux) nothing watches.
"""

from __future__ import annotations

import os
import select
import threading

ORPHANED_EXIT = 70  # the exit status of a process whose starting process ended first


def end_with(starter: int) -> None:
    """End this process as soon as process `starter` has ended (or now, if it has)."""
    if not hasattr(os, "pidfd_open"):
        return
    try:
        handle = os.pidfd_open(starter)
    except OSError:  # gone already
        os._exit(ORPHANED_EXIT)

    def wait_then_end() -> None:
        select.select([handle], [], [])
        os._exit(ORPHANED_EXIT)

    threading.Thread(target=wait_then_end, name="end-with-starter", daemon=True).start()


def pool_options() -> dict:
    """`ProcessPoolExecutor` keywords that make its workers end with this process."""
    return {"initializer": end_with, "initargs": (os.getpid(),)}
