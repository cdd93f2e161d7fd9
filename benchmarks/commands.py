"""Running things as users run them, for `make bench`: the command line, LibreOffice, the child.

Every measurement here is a separate process, timed from outside by `_run` (wall clock, CPU
seconds, peak memory; with `tree`, the summed memory of all its processes). `freeze_code` copies
the code into the work folder first and points `CODE` at the copy: every command here runs that
copy, so edits made to the repository meanwhile do not change what is measured.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RUN = HERE / "run.py"  # run again as the child that builds one report (report_stages)

# The code measured: a frozen copy, see freeze_code(), which rebinds it. Read it here, as
# `commands.CODE` elsewhere, never `from commands import CODE` (that would keep the first value).
CODE = REPO
LIBREOFFICE_HINT = (
    "LibreOffice (soffice) is not installed: the alternative route is not timed. Install it with\n"
    "  apt-get install --no-install-recommends libreoffice-writer-nogui"
)

# ---------------------------------------------------------------- parent: run things, measure


def _run(
    command: list[str], log: Path, cwd: Path = REPO, timeout: float = 7200, tree: bool = False
) -> dict:
    """Run `command`; wall time, exit code and the peak RSS of the largest of it and its
    descendants; with `tree`, also the peak of their summed PSS (`tree_peak_mb`, sampled every
    50 ms: the memory of processes running at once, shared pages counted once)."""
    start = time.perf_counter()
    tree_peak, next_sample = 0.0, start
    with open(log, "ab") as stream:
        stream.write(("$ " + " ".join(command) + "\n").encode())
        stream.flush()
        process = subprocess.Popen(command, cwd=cwd, stdout=stream, stderr=stream)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if now > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            if tree and now >= next_sample:
                tree_peak, next_sample = max(tree_peak, _tree_pss_mb(process.pid)), now + 0.05
            time.sleep(0.005)
    process.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "code": process.returncode,
        "peak_mb": usage.ru_maxrss / 1024,
    }
    if tree:
        result["tree_peak_mb"] = tree_peak or None  # None: no /proc (not Linux)
    return result


def _tree_pss_mb(pid: int) -> float:
    """The summed proportional set size of `pid` and its descendants, in MB (Linux /proc)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError, ValueError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) / 1024
                        break
    return total


def _python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def measure_report(
    size: str, root: Path, work: Path, log: Path, profile: str | None, helpers: int
) -> dict:
    """One report at `size`, stage by stage, in a fresh child process (`run.py --child report`,
    see report_stages), its chart cache cold; its figures, with the child's time and peak."""
    result_file = work / f"report-{size}.json"
    shutil.rmtree(work / f"report-{size}", ignore_errors=True)  # its chart cache: cold each run
    command = [_python(), str(RUN), "--child", "report"]
    command += ["--helpers", str(helpers)]
    command += ["--root", str(root), "--work", str(work / f"report-{size}"), "--label", size]
    command += ["--result", str(result_file), "--code", str(CODE)]
    if profile:
        command += ["--profile", profile]
    run = _run(command, log)
    if run["code"] != 0:
        raise RuntimeError(f"report at {size} failed (exit {run['code']}); see {log}")
    result = json.loads(result_file.read_text())
    result["child_seconds"] = run["seconds"]
    result["child_peak_mb"] = run["peak_mb"]
    return result


def measure_libreoffice(docx: Path, work: Path, log: Path) -> dict | None:
    """LibreOffice's `--convert-to pdf` of `docx`, with a fresh profile, then with it warm; None
    (and a hint on stderr) if LibreOffice is not installed or did not convert."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print(LIBREOFFICE_HINT, file=sys.stderr)
        return None
    profile = work / "lo-profile"
    shutil.rmtree(profile, ignore_errors=True)
    result: dict = {}
    for label in ("fresh", "warm"):
        outdir = work / f"lo-{label}"
        shutil.rmtree(outdir, ignore_errors=True)
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
        command += ["--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
        run = _run(command, log)
        pdf = outdir / (docx.stem + ".pdf")
        if run["code"] != 0 or not pdf.exists():  # soffice can exit 0 without writing
            print(f"LibreOffice did not convert {docx} (see {log})", file=sys.stderr)
            return None
        result[label] = run
        result[f"{label}_pages"] = _pdf_pages(pdf)
    return result


def _pdf_pages(path: Path) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(path).pages)
    except Exception:  # noqa: BLE001 - page count is informative only
        return 0


def measure_cli(root: Path, args: list[str], log: Path, tree: bool = False) -> dict:
    """`generate.py --root root *args` of the code measured (`CODE`), timed as `_run` does."""
    return _run([_python(), str(CODE / "generate.py"), "--root", str(root), *args], log, tree=tree)


def measure_one_build(root: Path, work: Path, log: Path, quick: bool) -> dict:
    """`generate.py uncac` as a user runs it (DOCX and PDF, Spanish, all cores, fresh output
    folder: no chart cache), with the memory of all its processes at once."""
    extra = ["--format", "html"] if quick else []
    out = work / f"one-{root.name}"
    shutil.rmtree(out, ignore_errors=True)
    run = measure_cli(root, ["uncac", "--out", str(out), *extra], log, tree=True)
    if run["code"] != 0:
        raise RuntimeError(f"uncac on {root.name} failed; see {log}")
    return run


def freeze_code(work: Path) -> dict:
    """Copy the code into the work folder and measure that copy: other people may be editing the
    repository meanwhile, and a changed file would change the code hash (and the no-change run)."""
    global CODE
    CODE = work / "code"
    shutil.rmtree(CODE, ignore_errors=True)
    shutil.copytree(
        REPO / "seguimiento", CODE / "seguimiento", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy2(REPO / "generate.py", CODE / "generate.py")
    digest = hashlib.sha256()
    for path in sorted(CODE.rglob("*.py")):
        digest.update(path.relative_to(CODE).as_posix().encode() + path.read_bytes())
    info = {"hash": digest.hexdigest()[:12]}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(REPO)]
        info["commit"] = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", "seguimiento", "templates", "generate.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        info["uncommitted_files"] = len(status.splitlines())
    return info


def measure_all(root: Path, work: Path, log: Path, quick: bool, jobs: int) -> dict:
    """`generate.py all --jobs jobs` into a fresh output folder; with the count of files written."""
    extra = ["--lang", "es", "--format", "html"] if quick else []
    out = work / f"all-{root.name}-j{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    run = measure_cli(root, ["all", "--jobs", str(jobs), "--out", str(out), *extra], log)
    if run["code"] != 0:
        raise RuntimeError(f"all --jobs {jobs} on {root.name} failed; see {log}")
    run["files"] = sum(  # the reports written; not the manifest, not the chart cache
        1
        for p in out.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    )
    run["out"] = str(out)
    run["args"] = extra
    return run


def _median_run(runs: list[dict]) -> dict:
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "code": max(r["code"] for r in runs),
    }


def measure_nochange(root: Path, out: str, log: Path, extra: list[str]) -> dict:
    """`all` again into `out`, where nothing changed (median of 3), with the last line it said."""
    runs = [measure_cli(root, ["all", "--out", out, *extra], log) for _ in range(3)]
    text = log.read_text(errors="replace").rsplit("$ ", 1)[-1].strip()
    return _median_run(runs) | {"said": text.splitlines()[-1] if text else ""}


def measure_check(root: Path, log: Path) -> dict:
    """`generate.py check` (median of 3)."""
    runs = [measure_cli(root, ["check"], log) for _ in range(3)]
    if any(r["code"] != 0 for r in runs):
        raise RuntimeError(f"check on {root.name} failed; see {log}")
    return _median_run(runs)
