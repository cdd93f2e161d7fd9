"""Safe file output: atomic writes, a build lock, and clean-up after an interrupted build.

A file is written to a temporary file in the same folder (same file system), flushed to disk and
renamed over the target, so readers see either the old complete file or the new complete one.
Temporary files carry a fixed prefix so the next run can remove what a killed run left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".seguimiento-tmp-"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` completely or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def clean_stale_temporaries(folder: Path) -> list[Path]:
    """Remove temporary files left by an interrupted build (call while holding the lock)."""
    removed = []
    if folder.exists():
        for path in folder.rglob(TEMP_PREFIX + "*"):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


class LockedError(RuntimeError):
    """Another build holds the lock of the output folder."""


class BuildLock:
    """An exclusive, non-blocking lock on `<folder>/.lock` (released when the process dies)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.handle = None

    def acquire(self) -> None:
        """Take the lock or raise LockedError with a message for people."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.folder / ".lock", "a+")  # noqa: SIM115 - held until release
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            self.handle = None
            raise LockedError(
                f"another build is writing to {self.folder}; wait for it to finish and run again"
            ) from None

    def release(self) -> None:
        """Release the lock."""
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
