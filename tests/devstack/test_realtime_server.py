"""The Realtime stand-in's own rules, spoken to as supabase-js speaks (Phoenix protocol 2.0.0).

The server runs exactly as the stack runs it (`python -m devstack.realtime ...`), against a
database of its own (bootstrap, migrations, seed), so the test-only policy below touches nobody
else's tests. supabase-js itself is exercised by tests/js/realtime.test.mjs.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import psycopg
import pytest

from devstack import Stack
from devstack._processes import free_port

from ._phoenix import OpenClient, run_clients, without_message_id

ACME = "aaaaaaaa-0000-4000-8000-000000000000"
AGENT1 = ("a0000000-0000-4000-8000-000000000002", "agent1@acme.test")
AGENT2 = ("a0000000-0000-4000-8000-000000000003", "agent2@acme.test")
GLOBEX_AGENT = ("b0000000-0000-4000-8000-000000000002", "agent@globex.test")
ACME_TOPIC = f"org:{ACME}:tickets"
OPEN_TOPIC = "test:open"  # a topic that the test-only policies let any signed-in user use

_OPEN_POLICIES = """
  create policy "Test: signed-in users receive test:open" on realtime.messages for select
    to authenticated using (topic = 'test:open' and (select realtime.topic()) = 'test:open');
  create policy "Test: signed-in users send on test:open" on realtime.messages for insert
    to authenticated with check (topic = 'test:open' and (select realtime.topic()) = 'test:open');
"""


@dataclass(frozen=True)
class Server:
    url: str
    stack: Stack
    db_url: str

    def token(self, user: tuple[str, str], **options: Any) -> str:
        return self.stack.keys.access_token(*user, **options)


def _start(stack: Stack, db_url: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    argv = [sys.executable, "-m", "devstack.realtime", "--host", "127.0.0.1", "--port", str(port),
            "--db-url", db_url, "--keys", str(stack.keys.folder)]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while _status(f"http://127.0.0.1:{port}/health") != 200:
        assert process.poll() is None, (process.stderr.read() if process.stderr else b"").decode()
        assert time.monotonic() < deadline, "the Realtime stand-in did not become ready"
        time.sleep(0.1)
    return f"ws://127.0.0.1:{port}", process


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=10)
    if process.stderr:
        process.stderr.close()
    return code


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@pytest.fixture(scope="module")
def server(stack: Stack) -> Iterator[Server]:
    db_url = stack.provision_database("realtime_server")
    with psycopg.connect(db_url, autocommit=True) as db:
        db.execute(_OPEN_POLICIES)
    url, process = _start(stack, _as_realtime(stack))
    yield Server(url, stack, db_url)
    _stop(process)


def _as_realtime(stack: Stack) -> str:
    """The test database as the stand-in connects to it: as supabase_admin, as hosted Realtime."""
    return stack.database_url("realtime_server", role="supabase_admin")


def send(
    server: Server, *messages: tuple[str, str, Any], private: bool = True, commit: bool = True
) -> None:
    """Write messages to realtime.messages in one transaction, as the broadcast triggers do."""
    with psycopg.connect(server.db_url) as db:
        for topic, event, payload in messages:
            db.execute(
                "select realtime.send(%s::jsonb, %s, %s, %s)",
                (json.dumps(payload), event, topic, private),
            )
        if commit:
            db.commit()
        else:
            db.rollback()


def run(server: Server, scenario: Callable[[OpenClient], Awaitable[None]]) -> None:
    run_clients(server.url, server.stack.anon_key, scenario)


def _claims(server: Server, user: tuple[str, str]) -> dict[str, Any]:
    token = server.token(user, algorithm="HS256")
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _without(claims: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in claims.items() if key != name}


def _hs256(server: Server, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, server.stack.keys.secret, algorithm="HS256")


def _unknown_key_token(server: Server) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(server, AGENT1), key, algorithm="ES256", headers={"kid": "retired"})


def _unauthorized(topic: str) -> str:
    return f"Unauthorized: You do not have permissions to read from this Channel topic: {topic}"


# Joins -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["ES256", "HS256"])
def test_a_staff_token_joins_its_organizations_private_topic(
    server: Server, algorithm: str
) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        _, reply = await client.join(ACME_TOPIC, server.token(AGENT1, algorithm=algorithm))
        assert reply == {"status": "ok", "response": {"postgres_changes": []}}

    run(server, scenario)


REFUSED = [
    ("expired", lambda s: s.token(AGENT1, ttl=-30),
     r"InvalidJWTToken: Token has expired 3\d seconds ago"),
    ("signed_with_another_secret",
     lambda s: jwt.encode(_claims(s, AGENT1), "another-secret-of-at-least-32-chars!", "HS256"),
     re.escape("JwtSignatureError: Failed to validate JWT signature")),
    ("not_a_jwt", lambda s: "not-a-jwt",
     re.escape("MalformedJWT: The token provided is not a valid JWT")),
    ("signed_by_a_key_not_in_the_jwks", _unknown_key_token,
     re.escape('JwtSignerError: Failed to generate JWT signer for key ID (kid) "retired", '
               "check your JWT secret or JWKS configuration")),
    ("without_a_role", lambda s: _hs256(s, _without(_claims(s, AGENT1), "role")),
     re.escape("InvalidJWTToken: Fields `role` and `exp` are required in JWT")),
    ("meant_for_another_audience", lambda s: _hs256(s, {**_claims(s, AGENT1), "aud": "other"}),
     re.escape('InvalidJWTToken: Field `aud` must be "authenticated" (or the token must be the '
               "anon key)")),
    ("of_another_organizations_employee", lambda s: s.token(GLOBEX_AGENT),
     re.escape(_unauthorized(ACME_TOPIC))),
    ("anon", lambda s: s.stack.anon_key, re.escape(_unauthorized(ACME_TOPIC))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("token_of", "reason"),
    [(t, r) for _, t, r in REFUSED],
    ids=[f"a_token_{name}_is_refused" for name, _, _ in REFUSED],
)
def test_join_refusals_say_why(
    server: Server, token_of: Callable[[Server], str], reason: str
) -> None:
    token = token_of(server)

    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        _, reply = await client.join(ACME_TOPIC, token)
        assert reply["status"] == "error"
        assert re.fullmatch(reason, reply["response"]["reason"]), reply

    run(server, scenario)


@pytest.mark.parametrize(
    ("join", "reason"),
    [
        ({"private": False}, "PrivateOnly: This project only allows private channels"),
        ({"topic": ""}, "TopicNameRequired: You must provide a topic name"),
    ],
    ids=["a_public_channel_is_refused", "an_empty_topic_is_refused"],
)
def test_channels_the_product_does_not_use_are_refused(
    server: Server, join: dict[str, Any], reason: str
) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        topic = join.get("topic", ACME_TOPIC)
        _, reply = await client.join(topic, server.token(AGENT1), private=join.get("private", True))
        assert reply == {"status": "error", "response": {"reason": reason}}

    run(server, scenario)


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ("/websocket?vsn=2.0.0", 401, {"error": "API key is missing"}),
        (
            "/websocket?vsn=2.0.0&apikey=nope",
            401,
            {"error": "The token provided is not a valid JWT"},
        ),
        ("/websocket?vsn=3.0.0&apikey={anon}", 403, {"error": "Unsupported protocol version"}),
        ("/socket?vsn=2.0.0&apikey={anon}", 404, {"error": "Not found"}),
    ],
    ids=["no_api_key", "an_api_key_that_is_no_jwt", "an_unknown_protocol_version", "another_path"],
)
def test_the_handshake_refuses_before_the_websocket_opens(
    server: Server, query: str, status: int, body: dict[str, str]
) -> None:
    url = server.url.replace("ws://", "http://") + query.format(anon=server.stack.anon_key)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)  # noqa: S310
    assert (refused.value.code, json.loads(refused.value.read())) == (status, body)


# Delivery ----------------------------------------------------------------------------------------


def test_only_committed_private_messages_arrive_and_in_order(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        assert (await client.join(ACME_TOPIC, server.token(AGENT1)))[1]["status"] == "ok"
        send(server, (ACME_TOPIC, "sent", {"n": 1}))
        send(server, (ACME_TOPIC, "rolled_back", {"n": 2}), commit=False)
        send(server, (ACME_TOPIC, "public", {"n": 3}), private=False)
        send(server, ("org:elsewhere:tickets", "other_topic", {"n": 4}))
        send(server, (ACME_TOPIC, "sent", {"n": 5}), (ACME_TOPIC, "sent", {"n": 6}))
        for n in range(7, 27):
            send(server, (ACME_TOPIC, "sent", {"n": n}))
        send(server, (ACME_TOPIC, "last", {"n": 27}))
        received = await client.broadcasts(until_event="last")
        assert received == [("sent", {"n": n}) for n in (1, *range(5, 27))] + [("last", {"n": 27})]

    run(server, scenario)


def test_a_message_carries_its_id_in_the_payload_as_realtime_send_adds_it(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        assert (await client.join(ACME_TOPIC, server.token(AGENT1)))[1]["status"] == "ok"
        send(server, (ACME_TOPIC, "without_id", {"n": 1}), (ACME_TOPIC, "with_id", {"id": "mine"}))
        first = await client.next(lambda m: m[3] == "broadcast")
        second = await client.next(lambda m: m[3] == "broadcast")
        stored = _stored_ids(server, ACME_TOPIC, "without_id")
        assert first[4]["payload"] == {"n": 1, "id": first[4]["meta"]["id"]}
        assert first[4]["meta"]["id"] in stored, "the id is the stored message's"
        assert second[4]["payload"] == {"id": "mine"}, "a payload's own id is kept"

    run(server, scenario)


def _stored_ids(server: Server, topic: str, event: str) -> set[str]:
    with psycopg.connect(server.db_url) as db:
        rows = db.execute(
            "select id::text from realtime.messages where topic = %s and event = %s", (topic, event)
        ).fetchall()
    return {row[0] for row in rows}


def test_messages_arrive_in_commit_order_not_in_insert_order(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        assert (await client.join(ACME_TOPIC, server.token(AGENT1)))[1]["status"] == "ok"
        with psycopg.connect(server.db_url) as early, psycopg.connect(server.db_url) as late:
            sql = "select realtime.send(%s::jsonb, 'ordered', %s, true)"
            early.execute(sql, ('{"written": "first"}', ACME_TOPIC))
            late.execute(sql, ('{"written": "second"}', ACME_TOPIC))
            late.commit()
            early.commit()
        send(server, (ACME_TOPIC, "last", {}))
        received = await client.broadcasts(until_event="last")
        assert received[:2] == [
            ("ordered", {"written": "second"}),
            ("ordered", {"written": "first"}),
        ]

    run(server, scenario)


# Client broadcasts -------------------------------------------------------------------------------


def test_a_client_broadcast_is_dropped_where_the_insert_policy_denies_it(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        sender, listener = await open_client(), await open_client()
        join_ref, reply = await sender.join(
            ACME_TOPIC, server.token(AGENT1), broadcast={"ack": True, "self": True}
        )
        assert reply["status"] == "ok"
        assert (await listener.join(ACME_TOPIC, server.token(AGENT2)))[1]["status"] == "ok"
        ref = await sender.send_broadcast(join_ref, ACME_TOPIC, "ticket_updated", {"forged": True})
        send(server, (ACME_TOPIC, "marker", {}))
        assert await listener.broadcasts(until_event="marker") == [("marker", {})]
        assert await sender.broadcasts(until_event="marker") == [("marker", {})]
        assert not [m for m in await sender.nothing_more() if m[1] == ref], (
            "no ack for a refused send"
        )

    run(server, scenario)


def test_a_client_broadcast_goes_out_where_the_insert_policy_allows_it(server: Server) -> None:
    """The contrast that shows the refusal above comes from the policy (test-only, on test:open)."""

    async def scenario(open_client: OpenClient) -> None:
        sender, listener = await open_client(), await open_client()
        join_ref, reply = await sender.join(
            OPEN_TOPIC, server.token(AGENT1), broadcast={"ack": True, "self": False}
        )
        assert reply["status"] == "ok"
        assert (await listener.join(OPEN_TOPIC, server.token(GLOBEX_AGENT)))[1]["status"] == "ok"
        ref = await sender.send_broadcast(join_ref, OPEN_TOPIC, "cursor", {"x": 1})
        assert await sender.reply(ref) == {"status": "ok", "response": {}}
        assert await listener.broadcasts(until_event="cursor") == [("cursor", {"x": 1})]
        assert await sender.nothing_more() == [], "not echoed to the sender without self"

    run(server, scenario)
    with psycopg.connect(server.db_url) as db:
        stored = db.execute(
            "select count(*) from realtime.messages where topic = %s", (OPEN_TOPIC,)
        )
        assert stored.fetchone() == (0,), "a client broadcast is relayed, never stored"


# Token updates, expiry, leaving ------------------------------------------------------------------


def _system_error(message: str) -> Callable[[tuple[Any, ...]], bool]:
    return lambda m: (
        m[3] == "system"
        and m[4]["status"] == "error"
        and bool(re.fullmatch(message, m[4]["message"]))
    )


def test_an_access_token_that_no_longer_passes_ends_the_channel(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        join_ref, _ = await client.join(ACME_TOPIC, server.token(AGENT1))
        await client.push(
            f"realtime:{ACME_TOPIC}",
            "access_token",
            {"access_token": server.token(GLOBEX_AGENT)},
            join_ref,
        )
        reason = re.escape(
            f"You do not have permissions to read from this Channel topic: {ACME_TOPIC}"
        )
        system = await client.next(_system_error(reason))
        assert system[4] == {
            "extension": "system",
            "status": "error",
            "message": system[4]["message"],
            "channel": ACME_TOPIC,
        }
        closed = await client.next(lambda m: m[3] == "phx_close")
        assert closed[:3] == (join_ref, join_ref, f"realtime:{ACME_TOPIC}")
        send(server, (ACME_TOPIC, "after", {}))
        assert await client.nothing_more() == []

    run(server, scenario)


def test_a_token_that_expires_while_joined_ends_the_channel(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        await client.join(ACME_TOPIC, server.token(AGENT1, ttl=2))
        await client.next(_system_error(r"Token has expired \d+ seconds ago"), timeout=6)
        await client.next(lambda m: m[3] == "phx_close")
        send(server, (ACME_TOPIC, "after", {}))
        assert await client.nothing_more() == []

    run(server, scenario)


def test_a_fresh_access_token_keeps_the_channel_past_the_old_ones_expiry(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        join_ref, _ = await client.join(ACME_TOPIC, server.token(AGENT1, ttl=2))
        await client.push(
            f"realtime:{ACME_TOPIC}",
            "access_token",
            {"access_token": server.token(AGENT1)},
            join_ref,
        )
        await asyncio.sleep(3)
        send(server, (ACME_TOPIC, "still_here", {}))
        assert await client.broadcasts(until_event="still_here") == [("still_here", {})]
        assert await client.nothing_more(0.1) == []

    run(server, scenario)


def test_heartbeat_leave_and_unmatched_topics(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client()
        heartbeat = await client.push("phoenix", "heartbeat", {})
        assert await client.reply(heartbeat) == {"status": "ok", "response": {}}
        stray = await client.push("realtime:nowhere", "broadcast", {"event": "x", "payload": {}})
        assert await client.reply(stray) == {
            "status": "error",
            "response": {"reason": "unmatched topic"},
        }
        not_joined = await client.push("realtime:nowhere", "phx_leave", {})
        assert await client.reply(not_joined) == {"status": "ok", "response": {}}
        join_ref, _ = await client.join(ACME_TOPIC, server.token(AGENT1))
        leave = await client.push(f"realtime:{ACME_TOPIC}", "phx_leave", {}, join_ref)
        assert await client.reply(leave) == {"status": "ok", "response": {}}
        closed = await client.next(lambda m: m[3] == "phx_close")
        assert closed[:3] == (join_ref, join_ref, f"realtime:{ACME_TOPIC}")
        send(server, (ACME_TOPIC, "after", {}))
        assert await client.nothing_more() == []

    run(server, scenario)


def test_protocol_1_0_0_speaks_json_objects(server: Server) -> None:
    async def scenario(open_client: OpenClient) -> None:
        client = await open_client(vsn="1.0.0")
        config = {"private": True, "broadcast": {"self": False, "ack": False}}
        join = {
            "topic": f"realtime:{ACME_TOPIC}",
            "event": "phx_join",
            "ref": "1",
            "join_ref": "1",
            "payload": {"config": config, "access_token": server.token(AGENT1)},
        }
        await client.ws.send(json.dumps(join))
        reply = json.loads(await client.ws.recv())
        assert reply == {
            "topic": f"realtime:{ACME_TOPIC}",
            "event": "phx_reply",
            "ref": "1",
            "payload": {"status": "ok", "response": {"postgres_changes": []}},
        }
        send(server, (ACME_TOPIC, "as_json", {"n": 1}))
        message = json.loads(await asyncio.wait_for(client.ws.recv(), 5))
        assert message["event"] == "broadcast" and message["topic"] == f"realtime:{ACME_TOPIC}"
        assert message["payload"]["event"] == "as_json"
        assert without_message_id(message["payload"]) == {"n": 1}

    run(server, scenario)


# Running -----------------------------------------------------------------------------------------


def _slots(db_url: str) -> set[str]:
    with psycopg.connect(db_url) as db:
        rows = db.execute("select slot_name from pg_replication_slots").fetchall()
    return {row[0] for row in rows}


def _partitions(server: Server) -> list[str]:
    with psycopg.connect(server.db_url) as db:
        rows = db.execute(
            "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
            " where i.inhparent = 'realtime.messages'::regclass order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def _utc_day(offset: int) -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=offset)


def _utc_partition(offset: int) -> str:
    return _utc_day(offset).strftime("messages_%Y_%m_%d")


def test_the_server_keeps_the_days_partitions_as_realtimes_janitor_does(server: Server) -> None:
    """Yesterday to today + 3 exist, and older ones go, as soon as a server starts."""
    ahead, old = _utc_partition(3), _utc_partition(-4)
    with psycopg.connect(_as_realtime(server.stack), autocommit=True) as admin:
        admin.execute(f"drop table realtime.{ahead}")
        admin.execute(
            f"create table realtime.{old} partition of realtime.messages"
            f" for values from ('{_utc_day(-4)}') to ('{_utc_day(-3)}')"
        )
    assert ahead not in _partitions(server) and old in _partitions(server)
    _, process = _start(server.stack, _as_realtime(server.stack))
    try:
        deadline = time.monotonic() + 10
        while _partitions(server) != [_utc_partition(offset) for offset in range(-1, 4)]:
            assert time.monotonic() < deadline, _partitions(server)
            time.sleep(0.1)
    finally:
        _stop(process)


def test_sigterm_stops_the_server_and_its_replication_slot_goes_with_it(server: Server) -> None:
    before = _slots(server.db_url)
    url, process = _start(server.stack, _as_realtime(server.stack))
    (mine,) = _slots(server.db_url) - before
    assert mine.startswith("supabase_realtime_messages_replication_slot_")
    assert _stop(process) == 0
    deadline = time.monotonic() + 5
    while mine in _slots(server.db_url):
        assert time.monotonic() < deadline, "the temporary slot outlived the server"
        time.sleep(0.1)
    assert _status(url.replace("ws://", "http://") + "/health") is None
