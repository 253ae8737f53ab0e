"""An isolated local stack for the benchmark (its own temporary cluster on free ports), and the
Node server of actions the BFF is compared with, pointed at that stack's project URL."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from devstack import Stack, StackConfig

PROJECT_DIR = Path(__file__).resolve().parent.parent
NODE_ACTIONS = Path(__file__).resolve().parent / "node_actions.mjs"
_START_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 10.0


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


@contextmanager
def node_actions(stack: Stack, *, workers: int) -> Iterator[str]:
    """Run `node_actions.mjs` on a free port with `workers` workers; yield its URL; stop it after.

    It gets what a deployed server action gets: the project URL and the anon key (tokens are
    checked against the project's JWKS). Its log is `node.log` among the stack's logs.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log_file = stack.config.state_dir / "logs" / "node.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SUPABASE_URL": stack.api_url,
        "SUPABASE_ANON_KEY": stack.anon_key,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
    }
    with log_file.open("ab") as log:
        # Its own session, so stopping it stops the cluster's workers too.
        server = subprocess.Popen(
            ["node", str(NODE_ACTIONS)], cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_answering(url, server, log_file)
        yield url
    finally:
        _stop(server)


def _wait_until_answering(url: str, server: subprocess.Popen[bytes], log_file: Path) -> None:
    """Wait until the server answers (any status below 500), or raise with the end of its log."""
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/actions/", timeout=1):  # noqa: S310
                return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-15:])
    raise RuntimeError(f"the Node server of actions did not start; its log ends:\n{tail}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group: politely, then, if it lingers, for good."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signum)
        try:
            server.wait(timeout=_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            continue
        return
