"""The build manifest (`<out>/.manifest.json`) and the hashes it keeps: what makes an output
up to date.

Every output is recorded with the hash of its inputs (data files, templates, code, version and
options). Each complete build ("plan") is remembered too: the hash of every file the command may
read and of its options, with the outputs it produced, so a second run with nothing changed is
answered from the manifest alone, without parsing the data or importing the heavy libraries.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from seguimiento import __version__
from seguimiento.atomic import write_atomic
from seguimiento.jobs import BuildOptions, Job

if TYPE_CHECKING:
    from seguimiento.model import Dataset

CODE_DIR = Path(__file__).resolve().parent
MANIFEST = ".manifest.json"
MANIFEST_FORMAT = 2
MAX_PLANS = 16  # complete builds remembered for the fast no-change answer


class Hasher:
    """SHA-256 of input files, each file read once per run."""

    def __init__(self) -> None:
        self.cache: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        if path not in self.cache:
            try:
                with open(path, "rb") as stream:
                    self.cache[path] = hashlib.file_digest(stream, "sha256").hexdigest()
            except OSError:
                self.cache[path] = "missing"
        return self.cache[path]

    def files(self, paths: Iterable[Path], base: Path) -> str:
        """One hash for a set of files: their paths relative to `base` and their contents."""
        digest = hashlib.sha256()
        for path in sorted(paths):
            digest.update(_relative(path, base).encode() + b"\0" + self.file(path).encode())
        return digest.hexdigest()


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _tree_files(folder: Path, pattern: str = "*") -> list[Path]:
    """Regular files under `folder` (none when it does not exist), caches left out."""
    if not folder.is_dir():
        return []
    return [p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]


def _shared_inputs(root: Path, hasher: Hasher) -> str:
    """Hash of what every output depends on: templates and code."""
    templates = hasher.files(_tree_files(root / "templates"), root)
    code = hasher.files(_tree_files(CODE_DIR, "*.py"), CODE_DIR)
    return templates + code


def input_hash(root: Path, dataset: Dataset, job: Job, hasher: Hasher | None = None) -> str:
    """Hash of everything an output depends on: data, templates, code, version and options."""
    hasher = hasher or Hasher()
    data = hasher.files([Path(f) for f in dataset.files], root)
    options = json.dumps(
        [
            __version__,
            job.report,
            job.period,
            job.lang,
            job.final,
            job.formats,
            job.pdf_engine,
            job.docx_charts,
        ]
    )
    return hashlib.sha256((data + _shared_inputs(root, hasher) + options).encode()).hexdigest()


def plan_key(root: Path, options: BuildOptions, hasher: Hasher | None = None) -> str:
    """Hash of a whole command: every file it may read (without parsing any) and its options.

    The data files are taken by folder (`indicators/<convention>/*.yaml`), so a file the build would
    not read also counts: that can only cause a slower answer, never a wrong one."""
    hasher = hasher or Hasher()
    files: list[Path] = []
    for convention in options.conventions:
        files.append(root / "conventions" / f"{convention}.yaml")
        files += sorted((root / "indicators" / convention).glob("*.yaml"))
        files += sorted((root / "indicators" / convention / "reviews").glob("*.yaml"))
    settings = json.dumps(
        [
            MANIFEST_FORMAT,
            __version__,
            options.conventions,
            options.reports,
            options.langs,
            options.formats,
            options.period,
            options.final,
            options.explicit_reports,
            options.pdf_engine,
            options.docx_charts,
            str(options.out.resolve()),
        ]
    )
    text = hasher.files(files, root) + _shared_inputs(root, hasher) + settings
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- manifest


class Manifest:
    """`<out>/.manifest.json`: input hash per output, and the complete builds (plans)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.outputs: dict[str, str] = {}
        self.plans: dict[str, dict[str, str]] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict):
            return
        if data.get("format") == MANIFEST_FORMAT:
            outputs, plans = data.get("outputs", {}), data.get("plans", {})
        else:  # format 1: a flat {output: hash}
            outputs, plans = data, {}
        if isinstance(outputs, dict):
            self.outputs = {str(k): str(v) for k, v in outputs.items()}
        if isinstance(plans, dict):
            self.plans = {
                str(key): {str(k): str(v) for k, v in plan.items()}
                for key, plan in plans.items()
                if isinstance(plan, dict)
            }

    def unchanged(self, key: str) -> list[str] | None:
        """The outputs of the complete build `key` if every one is still as it left them."""
        plan = self.plans.get(key)
        if not plan:
            return None
        for path, digest in plan.items():
            if self.outputs.get(path) != digest or not os.path.exists(path):
                return None
        return sorted(plan)

    def remember(self, key: str, outputs: dict[str, str]) -> None:
        self.plans.pop(key, None)
        self.plans[key] = dict(sorted(outputs.items()))
        while len(self.plans) > MAX_PLANS:
            self.plans.pop(next(iter(self.plans)))

    def save(self) -> None:
        data = {"format": MANIFEST_FORMAT, "outputs": dict(sorted(self.outputs.items()))}
        data["plans"] = self.plans
        write_atomic(self.path, json.dumps(data, indent=1).encode())
