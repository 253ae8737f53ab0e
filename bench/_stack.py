"""An isolated local stack for the benchmark: its own temporary cluster on free ports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack import Stack, StackConfig

PROJECT_DIR = Path(__file__).resolve().parent.parent


@contextmanager
def isolated_stack(*, workers: int, threads: int, keep_logs: Path) -> Iterator[Stack]:
    """Start a stack that shares nothing with a developer's, and remove it afterwards.

    Its logs (BFF, PostgREST, Postgres) are copied to `keep_logs` first: an error under load
    answers only "503" to the client, and the cause is in the BFF's log.
    """
    config = StackConfig.isolated(
        PROJECT_DIR, prefix="bff-bench-stack-", durable=True, bff_workers=workers,
        bff_threads=threads,
    )  # fmt: skip
    stack = Stack(config)
    try:
        stack.up()
        yield stack
    finally:
        try:
            stack.down()
        finally:
            shutil.rmtree(keep_logs, ignore_errors=True)
            if (config.state_dir / "logs").is_dir():
                shutil.copytree(config.state_dir / "logs", keep_logs)
            shutil.rmtree(config.state_dir, ignore_errors=True)
