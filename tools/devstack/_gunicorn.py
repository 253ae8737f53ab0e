"""Serve a stand-in's Flask app under gunicorn (gthread), configured in code, not by argv."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

THREADS = 4


class StandInServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """Gunicorn running `build()` in each worker (after the fork, so each has its own pool).

    `extension` names the app's `app.extensions` entry whose `database` is closed when a worker
    exits. `options` adds to or overrides gunicorn settings (such as a longer `timeout`).
    """

    def __init__(
        self, build: Callable[[], Flask], *, name: str, extension: str, host: str, port: int,
        workers: int, **options: Any,
    ) -> None:  # fmt: skip
        self._build = build
        self._options: dict[str, Any] = {
            "bind": f"[{host}]:{port}" if host == "::1" else f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": THREADS,
            "graceful_timeout": 5,
            "keepalive": 75,  # longer than the gateway keeps idle upstream connections
            "accesslog": None,
            "loglevel": "warning",
            "proc_name": f"devstack-{name}",
            "worker_exit": lambda server, worker: _close_database(worker, extension),
            **options,
        }
        if Path("/dev/shm").is_dir():  # noqa: S108 - gunicorn's advice for its heartbeat files
            self._options["worker_tmp_dir"] = "/dev/shm"  # noqa: S108
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self._build()


def _close_database(worker: Any, extension: str) -> None:
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        app.extensions[extension].database.close()
