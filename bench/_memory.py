"""Resident memory of the BFF's gunicorn processes, read from /proc."""

from __future__ import annotations

from pathlib import Path


def _rss_mib(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return sorted(found)


def gunicorn_rss(pid_file: Path) -> dict[str, float]:
    """Return RSS in MiB of the gunicorn master and of each worker, by label."""
    try:
        master = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    sizes: dict[str, float] = {}
    rss = _rss_mib(master)
    if rss is not None:
        sizes[f"master (pid {master})"] = rss
    for number, worker in enumerate(_children(master), start=1):
        rss = _rss_mib(worker)
        if rss is not None:
            sizes[f"worker {number} (pid {worker})"] = rss
    return sizes
