"""Helpers for tests that kill a process and look for what it left running (Linux: /proc)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path


def descendants(pid: int) -> set[int]:
    """The processes under `pid`."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                kids = {int(kid) for kid in task.read_text().split()}
                todo.extend(kids - found)
                found |= kids
    return found


def running(pid: int) -> bool:
    """Whether process `pid` exists and has not ended (a zombie has: it waits to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def still_running(pids: set[int] | list[int], seconds: float = 20.0) -> list[int]:
    """Of `pids`, those still running after waiting up to `seconds` for them all to end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(running(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if running(pid)]
