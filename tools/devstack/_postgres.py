"""A Postgres 15 cluster of the stack's own, run as an unprivileged OS user when we are root."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from devstack._errors import StackError

SUPERUSER = "supabase_admin"
"""The cluster's superuser, as on hosted Supabase; `postgres` is an ordinary role there and here."""
LOCAL_PASSWORD = "postgres"  # noqa: S105 - the local stack's well-known password
"""The password of every role that logs in to the local cluster, as Supabase's CLI has it."""
_DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")


class PostgresError(StackError):
    """Postgres is missing, or a cluster command failed."""


def find_bin_dir() -> Path:
    """Return the folder holding Postgres 15's `initdb`, `pg_ctl` and `postgres`."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    candidates.append(_DEBIAN_BIN)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists() and _is_15(folder):
            return folder
    raise PostgresError(
        "PostgreSQL 15 server binaries not found (looked in "
        + ", ".join(str(c) for c in candidates)
        + "); install the Debian package postgresql-15"
    )


def _is_15(folder: Path) -> bool:
    result = subprocess.run(
        [str(folder / "postgres"), "--version"], capture_output=True, text=True, check=False
    )
    return " 15." in result.stdout


def server_user() -> str | None:
    """Return the OS user to run the server as: `postgres` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresError(
            "running as root, but there is no 'postgres' OS user to run the server as"
        ) from None
    return "postgres"


def reachable_by(user: str | None, folder: Path) -> bool:
    """Return whether `user` could enter `folder` (every existing parent must let it through)."""
    if user is None:
        return True
    uid = pwd.getpwnam(user).pw_uid
    for parent in [folder, *folder.parents]:
        if not parent.exists():
            continue
        info = parent.stat()
        if info.st_uid == uid:
            continue
        if not info.st_mode & 0o001:
            return False
    return True


class Cluster:
    """One data directory and the server that runs on it."""

    def __init__(self, data_dir: Path, log_file: Path, port: int, *, durable: bool) -> None:
        self.data_dir = data_dir
        self.log_file = log_file
        self.port = port
        self.durable = durable
        self._bin = find_bin_dir()
        self._user = server_user()

    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        """Create the data directory with the superuser `supabase_admin` / password `postgres`."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        password_file = self.data_dir.parent / "pwfile"
        password_file.write_text(LOCAL_PASSWORD + "\n")
        self._hand_over(self.data_dir, password_file, self.log_file.parent)
        self._run(
            "initdb",
            "-D", str(self.data_dir),
            "-U", SUPERUSER,
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        password_file.unlink()

    def start(self) -> None:
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            "-c unix_socket_directories=''",
            "-c wal_level=logical",
            "-c max_connections=200",
            "-c shared_buffers=256MB",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            "pg_ctl", "start", "-w", "-t", "60",
            "-D", str(self.data_dir), "-l", str(self.log_file), "-o", " ".join(options),
        )  # fmt: skip

    def running(self) -> bool:
        if not self.initialized():
            return False
        result = self._command("pg_ctl", "status", "-D", str(self.data_dir))
        return result.returncode == 0

    def stop(self) -> bool:
        if not self.running():
            return False
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))
        return True

    def _hand_over(self, *paths: Path) -> None:
        """Give the server's OS user the files it must own."""
        if self._user is None:
            return
        info = pwd.getpwnam(self._user)
        for path in paths:
            os.chown(path, info.pw_uid, info.pw_gid)

    def _command(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(self._bin / program), *args]
        if self._user is not None:
            argv = ["runuser", "-u", self._user, "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=False, cwd="/")

    def _run(self, program: str, *args: str) -> None:
        result = self._command(program, *args)
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip()
            raise PostgresError(f"{program} failed: {output}")
