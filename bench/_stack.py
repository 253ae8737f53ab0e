"""An isolated local stack for the benchmark: its own temporary cluster on free ports."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bff.local import Stack, StackConfig
from bff.local._processes import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent


@contextmanager
def isolated_stack(*, workers: int, threads: int) -> Iterator[Stack]:
    """Start a stack that shares nothing with a developer's, and remove it afterwards.

    The BFF's PostgREST connection pool (per worker) is sized to its thread count, so no request
    thread ever waits for a connection.
    """
    state_dir = Path(tempfile.mkdtemp(prefix="bff-bench-stack-"))
    state_dir.chmod(0o755)  # the Postgres OS user must be able to enter it
    config = StackConfig(
        project_dir=PROJECT_DIR,
        state_dir=state_dir,
        db_port=free_port(),
        rest_port=free_port(),
        bff_port=free_port(),
        durable=True,
        bff_workers=workers,
        bff_threads=threads,
    )
    stack = Stack(config)
    saved_pool = os.environ.get("BFF_POOL_SIZE")
    os.environ["BFF_POOL_SIZE"] = str(threads)
    try:
        stack.up()
        yield stack
    finally:
        if saved_pool is None:
            os.environ.pop("BFF_POOL_SIZE", None)
        else:
            os.environ["BFF_POOL_SIZE"] = saved_pool
        try:
            stack.down()
        finally:
            shutil.rmtree(state_dir, ignore_errors=True)
