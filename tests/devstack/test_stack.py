"""The local stack: idempotent `up`, clean `down`, tokens both PostgREST and the BFF accept."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import jwt
import pytest

from devstack import Stack, StackConfig, StackError, _postgres
from devstack._processes import port_is_free, running_pid

from ..conftest import PROJECT_DIR


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)  # noqa: S310
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _fresh_config() -> StackConfig:
    return StackConfig.isolated(PROJECT_DIR, prefix="bff-test-stack-", durable=False)


def test_second_up_starts_nothing_and_reports_running_stack(stack: Stack) -> None:
    report = stack.up()
    assert all("already running" in line for line in report), report
    assert all("running" in state for name, state in stack.status().items() if name != "state")


def test_the_project_url_serves_every_service(stack: Stack) -> None:
    """As on hosted Supabase: one URL, a path per service, the prefix stripped."""
    token = stack.token("alice@example.test")
    assert _get(f"{stack.api_url}/rest/v1/tickets?select=id&limit=1", token)[0] == 200
    assert _get(f"{stack.api_url}/auth/v1/health")[0] == 200
    assert _get(f"{stack.api_url}/storage/v1/health")[0] == 200
    # Buckets have no policies, as on hosted: users cannot list them; the service role can.
    bucket = f"{stack.api_url}/storage/v1/bucket/ticket-attachments"
    assert _get(bucket, token)[0] == 400  # Storage's "Bucket not found" (its status is in the body)
    status, body = _get(bucket, stack.service_role_key)
    assert status == 200, body
    assert json.loads(body)["file_size_limit"] == 25 * 1024 * 1024
    assert _get(f"{stack.api_url}/nowhere")[0] == 404


def test_postgrest_serves_seeded_data_for_es256_and_hs256_tokens(
    stack: Stack, user_ids: dict[str, str]
) -> None:
    for algorithm in ("ES256", "HS256"):
        token = stack.token("alice@example.test", algorithm=algorithm)
        status, body = _get(stack.rest_url + "/tickets?select=user_id", token)
        assert status == 200, body
        requesters = {row["user_id"] for row in json.loads(body)}
        assert requesters == {user_ids["alice"]}


def test_postgrest_rejects_token_signed_with_another_key(stack: Stack) -> None:
    token = stack.token("alice@example.test", algorithm="HS256")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-that-is-at-least-32-characters", algorithm="HS256")
    status, _ = _get(stack.rest_url + "/tickets", forged)
    assert status == 401


def test_token_is_shaped_like_supabase_auth(stack: Stack, user_ids: dict[str, str]) -> None:
    token = stack.token("bob@example.test", ttl=120)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "ES256" and header["kid"] == stack.keys.kid
    assert claims["sub"] == user_ids["bob"]
    assert claims["aud"] == "authenticated" and claims["role"] == "authenticated"
    assert claims["email"] == "bob@example.test" and claims["aal"] == "aal1"
    # Minted outside any Auth session, so PostgREST's session check lets it through.
    assert "session_id" not in claims
    assert claims["exp"] - claims["iat"] == 120


def test_token_for_unknown_email_is_a_clear_error(stack: Stack) -> None:
    with pytest.raises(StackError, match=r"no user with email 'nobody@example\.test'"):
        stack.token("nobody@example.test")


def test_up_names_the_port_that_is_taken() -> None:
    config = _fresh_config()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", config.db_port))
        squatter.listen()
        with pytest.raises(StackError, match=f"port {config.db_port} .*already in use"):
            Stack(config).up()
    shutil.rmtree(config.state_dir, ignore_errors=True)


def test_readyz_fails_fast_while_postgrest_is_down_and_recovers(stack: Stack) -> None:
    assert _get(stack.bff_url + "/readyz")[0] == 200
    pid_file = stack.config.state_dir / "postgrest.pid"
    from devstack import _processes

    _processes.stop(pid_file)
    try:
        started = time.monotonic()
        status, body = _get(stack.bff_url + "/readyz")
        assert time.monotonic() - started < 2
        assert status == 503
        assert json.loads(body)["error"]["code"] == "upstream_unavailable"
    finally:
        stack.up()
    assert _get(stack.bff_url + "/readyz")[0] == 200


@pytest.fixture
def second_stack() -> Iterator[Stack]:
    config = _fresh_config()
    other = Stack(config)
    try:
        yield other
    finally:
        other.down()
        shutil.rmtree(config.state_dir, ignore_errors=True)


def test_down_leaves_no_process_behind(second_stack: Stack) -> None:
    second_stack.up()
    state = second_stack.config.state_dir
    names = ("postgrest", "auth", "realtime", "storage", "gateway", "bff", "web")
    pids = [running_pid(state / f"{name}.pid") for name in names]
    postmaster = int((state / "pgdata/postmaster.pid").read_text().split()[0])
    assert all(pids)

    second_stack.down()

    for pid in [*pids, postmaster]:
        assert pid is not None
        assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)
    config = second_stack.config
    ports = (config.api_port, config.db_port, config.rest_port, config.auth_port,
             config.realtime_port, config.storage_port, config.bff_port,
             config.web_port)  # fmt: skip
    assert all(port_is_free(p) for p in ports)


def _is_zombie(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_up_recreates_a_cluster_whose_superuser_is_postgres(
    second_stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cluster made before the superuser split holds only demo data: `up` rebuilds it, saying
    so, with supabase_admin as the superuser and `postgres` as an ordinary role."""
    config = replace(second_stack.config, with_bff=False)
    with monkeypatch.context() as patch:  # as older checkouts made it
        patch.setattr(_postgres, "SUPERUSER", "postgres")
        made_before = _postgres.Cluster(
            config.state_dir / "pgdata", config.state_dir / "logs/postgres.log", config.db_port,
            durable=False,
        )  # fmt: skip
        made_before.init()
    report = Stack(config).up()
    assert "re-created" in report[0] and "supabase_admin" in report[0], report
    assert second_stack.psql("select rolsuper from pg_roles where rolname = 'postgres';") == "f"


def test_state_dir_falls_back_to_temp_when_checkout_is_private(tmp_path: Path) -> None:
    private = tmp_path / "private"
    (private / "checkout").mkdir(parents=True)
    private.chmod(0o700)
    config = StackConfig.for_checkout(private / "checkout")
    if os.geteuid() == 0:
        assert config.state_dir.parent == Path(tempfile.gettempdir())
    else:
        assert config.state_dir == private / "checkout" / ".supabase" / "local"
