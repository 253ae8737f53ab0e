"""Routing and assignment under concurrency, driven through the running BFF over HTTP.

Many clients at once create tickets for a team, or free capacity in it, while a monitor reads the
team's loads: every ticket must be assigned exactly once, fairly, never above capacity or to
someone away, queued tickets must be assigned in queue order, and nothing may deadlock or time
out (every request succeeds, and Postgres counts no deadlock).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from devstack import Stack

from .conftest import Person, sign_up

CLIENTS = 32


@dataclass(frozen=True)
class Team:
    """A fresh organization with one team of agents, and customers who may submit to it."""

    org_id: str
    team_id: str
    admin: Person
    agents: list[Person]
    customers: list[Person]


def staffed_team(stack: Stack, agents: int, customers: int = 8) -> Team:
    admin = sign_up(stack)
    people = [sign_up(stack) for _ in range(agents)]
    buyers = [sign_up(stack) for _ in range(customers)]
    org_id, team_id = stack.psql(
        """
        with org as (
          insert into public.organizations (name, slug, customer_access, created_by)
          values ('Routing ' || :'slug', :'slug', 'public', :'admin') returning id
        )
        insert into public.teams (organization_id, name)
        select id, 'Queue' from org returning organization_id || ' ' || id;
        """,
        {"slug": f"routing-{uuid.uuid4().hex[:12]}", "admin": admin.id},
    ).split()
    agent_ids = ",".join(person.id for person in people)
    stack.psql(
        """
        insert into public.organization_members (organization_id, user_id, role)
        select :'org', unnest(string_to_array(:'agents', ','))::uuid, 'employee';
        insert into public.team_members (team_id, user_id)
        select :'team', unnest(string_to_array(:'agents', ','))::uuid;
        """,
        {"org": org_id, "team": team_id, "agents": agent_ids},
    )
    return Team(org_id, team_id, admin, people, buyers)


@pytest.fixture
def bff(stack: Stack) -> Iterator[Callable[[Person, str, dict[str, Any]], httpx.Response]]:
    """Call a server action of the running BFF over HTTP (thread-safe)."""
    with httpx.Client(base_url=stack.bff_url, timeout=30) as http:

        def post(who: Person, action: str, body: dict[str, Any]) -> httpx.Response:
            return http.post(
                f"/actions/{action}", json=body, headers={"Authorization": f"Bearer {who.token}"}
            )

        yield post


Post = Callable[[Person, str, dict[str, Any]], httpx.Response]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def deadlocks(db: psycopg.Connection[Any]) -> int:
    row = db.execute(
        "select deadlocks from pg_stat_database where datname = current_database()"
    ).fetchone()
    assert row is not None
    return int(row[0])


def loads(db: psycopg.Connection[Any], team_id: str) -> dict[str, tuple[int, int]]:
    """Per agent of the team: (open tickets of the team assigned to them, capacity), counted from
    the tickets themselves (not from the counters assignment reads), and checked against those
    counters."""
    rows = db.execute(
        """
        select a.user_id::text, a.open_assigned, a.capacity, (
          select count(*) from public.tickets t
          where t.assigned_team_id = %(team)s and t.assigned_employee_id = a.user_id
            and t.status in ('open', 'in_progress', 'waiting_on_customer')
        )
        from private.team_agents(%(team)s) a
        """,
        {"team": team_id},
    ).fetchall()
    return {user_id: (held, capacity) for user_id, _, capacity, held in rows}


def counters_agree(db: psycopg.Connection[Any], team_id: str) -> bool:
    """Whether each member's open_assigned counter equals their open tickets of the team."""
    row = db.execute(
        """
        select bool_and(tm.open_assigned = (
          select count(*) from public.tickets t
          where t.assigned_team_id = tm.team_id and t.assigned_employee_id = tm.user_id
            and t.status in ('open', 'in_progress', 'waiting_on_customer')))
        from public.team_members tm where tm.team_id = %s
        """,
        (team_id,),
    ).fetchone()
    return bool(row and row[0])


class LoadMonitor:
    """Reads the team's loads in a loop while a race runs; remembers the worst overload seen."""

    def __init__(self, db_url: str, team_id: str) -> None:
        self.db_url, self.team_id = db_url, team_id
        self.worst = -1_000_000
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> LoadMonitor:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        with psycopg.connect(self.db_url, autocommit=True) as db:
            while not self._stop.is_set():
                for held, capacity in loads(db, self.team_id).values():
                    self.worst = max(self.worst, held - capacity)
                self.samples += 1


def create_tickets(post: Post, team: Team, count: int, **fields: Any) -> list[dict[str, Any]]:
    def submit(index: int) -> dict[str, Any]:
        body = {
            "handling_org_id": team.org_id,
            "subject": f"Race {index} {uuid.uuid4().hex[:6]}",
            "description": "Submitted while everyone else submits too.",
            **fields,
        }
        ticket: dict[str, Any] = ok(
            post(team.customers[index % len(team.customers)], "createTicket", body), 201
        )
        return ticket

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(submit, range(count)))


def employee_assignments(db: psycopg.Connection[Any], ticket_ids: list[str]) -> Counter[str]:
    """How many times each ticket was given to an employee, from its history."""
    rows = db.execute(
        "select ticket_id::text from public.ticket_events "
        "where ticket_id = any(%s::uuid[]) and kind = 'assignment_changed' "
        "and new_value ->> 'employee_id' is not null",
        (ticket_ids,),
    ).fetchall()
    return Counter(ticket_id for (ticket_id,) in rows)


def configure(post: Post, team: Team, strategy: str, capacity: int) -> None:
    ok(
        post(
            team.admin,
            "setTeamAssignment",
            {"team_id": team.team_id, "strategy": strategy, "default_capacity": capacity,
             "requeue_when_away": False},
        )
    )  # fmt: skip
    ok(post(team.admin, "setDefaultTeam", {"org_id": team.org_id, "team_id": team.team_id}))


def test_round_robin_gives_200_concurrent_tickets_to_10_agents_evenly(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    team = staffed_team(stack, agents=10)
    configure(bff, team, "round_robin", capacity=30)
    deadlocks_before = deadlocks(db)

    with LoadMonitor(stack.db_url, team.team_id) as monitor:
        tickets = create_tickets(bff, team, 200)

    assignees = Counter(ticket["assigned_employee_id"] for ticket in tickets)
    assert None not in assignees
    assert set(assignees) == {agent.id for agent in team.agents}
    assert max(assignees.values()) - min(assignees.values()) <= 1
    # Each answer is what was stored, and each ticket was assigned exactly once.
    stored = dict(
        db.execute(
            "select id::text, assigned_employee_id::text from public.tickets "
            "where assigned_team_id = %s",
            (team.team_id,),
        ).fetchall()
    )
    assert stored == {ticket["id"]: ticket["assigned_employee_id"] for ticket in tickets}
    assert set(employee_assignments(db, list(stored)).values()) == {1}
    assert monitor.samples > 0 and monitor.worst <= 0
    assert deadlocks(db) == deadlocks_before
    assert counters_agree(db, team.team_id)


def test_least_loaded_never_passes_capacity_and_queues_the_rest(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    team = staffed_team(stack, agents=8)
    configure(bff, team, "manual", capacity=10)
    # Uneven starting loads: agent i already holds i tickets of the team.
    for index, agent in enumerate(team.agents):
        for ticket in create_tickets(bff, team, index):
            ok(
                bff(
                    team.admin,
                    "updateTicket",
                    {"ticket_id": ticket["id"], "expected_version": ticket["version"],
                     "assigned_employee_id": agent.id},
                )
            )  # fmt: skip
    spare = sum(10 - index for index in range(len(team.agents)))  # 52
    configure(bff, team, "least_loaded", capacity=10)
    deadlocks_before = deadlocks(db)

    with LoadMonitor(stack.db_url, team.team_id) as monitor:
        tickets = create_tickets(bff, team, spare + 20)

    assert monitor.samples > 0 and monitor.worst <= 0
    assert all(held == capacity for held, capacity in loads(db, team.team_id).values())
    assigned = [ticket for ticket in tickets if ticket["assigned_employee_id"] is not None]
    assert len(assigned) == spare
    queue = ok(bff(team.agents[0], "listTeamQueue", {"team_id": team.team_id, "limit": 100}))
    assert {ticket["id"] for ticket in queue["items"]} == {
        ticket["id"] for ticket in tickets if ticket["assigned_employee_id"] is None
    }
    assert set(employee_assignments(db, [t["id"] for t in assigned]).values()) == {1}
    assert deadlocks(db) == deadlocks_before
    assert counters_agree(db, team.team_id)


def test_freed_capacity_takes_the_queue_in_order_when_many_agents_resolve_at_once(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    team = staffed_team(stack, agents=10)
    configure(bff, team, "round_robin", capacity=2)
    held = create_tickets(bff, team, 20)
    assert all(ticket["assigned_employee_id"] for ticket in held)
    # Three agents go away: they must not get anything from the queue.
    away = team.agents[:3]
    for agent in away:
        ok(bff(agent, "setMyAvailability", {"org_id": team.org_id, "status": "away"}))
    queued = create_tickets(bff, team, 12, priority="low") + create_tickets(
        bff, team, 12, priority="urgent"
    )
    assert not any(ticket["assigned_employee_id"] for ticket in queued)
    order = [
        ticket["id"]
        for ticket in ok(bff(team.admin, "listTeamQueue", {"team_id": team.team_id, "limit": 100}))[
            "items"
        ]
    ]
    assert len(order) == 24
    deadlocks_before = deadlocks(db)

    # Every available agent resolves both their tickets at once: 14 places free up.
    releasing = [t for t in held if t["assigned_employee_id"] not in {a.id for a in away}]
    by_id = {agent.id: agent for agent in team.agents}

    def resolve(ticket: dict[str, Any]) -> dict[str, Any]:
        body = {"ticket_id": ticket["id"], "expected_version": ticket["version"],
                "status": "resolved"}  # fmt: skip
        agent = by_id[ticket["assigned_employee_id"]]
        result: dict[str, Any] = ok(bff(agent, "updateTicket", body))
        return result

    with LoadMonitor(stack.db_url, team.team_id) as monitor, ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(resolve, releasing))

    assert len(releasing) == 14
    assigned = dict(
        db.execute(
            "select id::text, assigned_employee_id::text from public.tickets "
            "where id = any(%s::uuid[]) and assigned_employee_id is not null",
            (order,),
        ).fetchall()
    )
    # Exactly the first 14 of the queue (urgent first, oldest first), each once, none to the away.
    assert set(assigned) == set(order[:14])
    assert set(employee_assignments(db, order).values()) == {1}
    assert not set(assigned.values()) & {agent.id for agent in away}
    assert monitor.samples > 0 and monitor.worst <= 0
    assert deadlocks(db) == deadlocks_before
    assert counters_agree(db, team.team_id)


def test_agents_becoming_available_at_once_share_the_queue_within_capacity(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    team = staffed_team(stack, agents=8)
    configure(bff, team, "least_loaded", capacity=3)
    for agent in team.agents:
        ok(bff(agent, "setMyAvailability", {"org_id": team.org_id, "status": "offline"}))
    queued = create_tickets(bff, team, 30)
    assert not any(ticket["assigned_employee_id"] for ticket in queued)
    deadlocks_before = deadlocks(db)

    def come_back(agent: Person) -> None:
        ok(bff(agent, "setMyAvailability", {"org_id": team.org_id, "status": "available"}))

    with LoadMonitor(stack.db_url, team.team_id) as monitor, ThreadPoolExecutor(8) as pool:
        list(pool.map(come_back, team.agents))

    assert all(held == 3 for held, _ in loads(db, team.team_id).values())
    assert set(employee_assignments(db, [t["id"] for t in queued]).values()) == {1}
    waiting = ok(bff(team.admin, "teamWorkload", {"team_id": team.team_id}))["queued"]
    assert waiting == 30 - 8 * 3
    assert monitor.samples > 0 and monitor.worst <= 0
    assert deadlocks(db) == deadlocks_before
    assert counters_agree(db, team.team_id)


def test_concurrent_claims_take_the_queue_in_order_within_capacity(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    team = staffed_team(stack, agents=10)
    configure(bff, team, "manual", capacity=2)
    create_tickets(bff, team, 15, priority="low")
    create_tickets(bff, team, 15, priority="high")
    order = [
        ticket["id"]
        for ticket in ok(bff(team.admin, "listTeamQueue", {"team_id": team.team_id, "limit": 100}))[
            "items"
        ]
    ]
    deadlocks_before = deadlocks(db)

    # Each agent asks six or seven times at once; the team has room for two tickets each.
    def claim(index: int) -> str | None:
        agent = team.agents[index % len(team.agents)]
        response = bff(agent, "claimNextTicket", {"team_id": team.team_id})
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "assignee_unavailable"
            return None
        ticket = ok(response)["ticket"]
        return None if ticket is None else str(ticket["id"])

    with LoadMonitor(stack.db_url, team.team_id) as monitor, ThreadPoolExecutor(CLIENTS) as pool:
        claimed = [ticket for ticket in pool.map(claim, range(64)) if ticket is not None]

    assert len(claimed) == len(set(claimed)) == 20
    assert set(claimed) == set(order[:20])
    assert all(held == 2 for held, _ in loads(db, team.team_id).values())
    assert set(employee_assignments(db, claimed).values()) == {1}
    assert monitor.samples > 0 and monitor.worst <= 0
    assert deadlocks(db) == deadlocks_before
    assert counters_agree(db, team.team_id)


def test_requesters_and_staff_changing_the_same_tickets_at_once_never_deadlock(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    team = staffed_team(stack, agents=4)
    configure(bff, team, "round_robin", capacity=40)
    tickets = create_tickets(bff, team, 48)
    by_id = {agent.id: agent for agent in team.agents}
    requester_of = {
        ticket["id"]: next(c for c in team.customers if c.id == ticket["user_id"])
        for ticket in tickets
    }
    deadlocks_before = deadlocks(db)

    # The requester closes, the assignee resolves: both free the same place in the team, one of
    # them first; the other finds the ticket changed.
    def change(job: tuple[dict[str, Any], bool]) -> int:
        ticket, by_requester = job
        who = requester_of[ticket["id"]] if by_requester else by_id[ticket["assigned_employee_id"]]
        body = {"ticket_id": ticket["id"], "expected_version": ticket["version"],
                "status": "closed" if by_requester else "resolved"}  # fmt: skip
        return bff(who, "updateTicket", body).status_code

    jobs = [(ticket, by_requester) for ticket in tickets for by_requester in (True, False)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = Counter(pool.map(change, jobs))

    assert statuses == {200: 48, 409: 48}
    assert deadlocks(db) == deadlocks_before
    assert counters_agree(db, team.team_id)


def session_as(stack: Stack, person: Person) -> psycopg.Connection[Any]:
    """A database session acting as `person`, as PostgREST runs their requests."""
    connection = psycopg.connect(stack.db_url)
    connection.execute("set role authenticated")
    connection.execute(
        "select set_config('request.jwt.claims', %s, false)",
        (f'{{"sub": "{person.id}", "role": "authenticated"}}',),
    )
    return connection


def test_a_requester_waits_for_the_team_before_taking_the_ticket(stack: Stack, bff: Post) -> None:
    """The interleaving that deadlocked: staff hold the team and then change the ticket a requester
    is closing. The requester's update_ticket must wait for the team before it takes the ticket."""
    team = staffed_team(stack, agents=1)
    configure(bff, team, "round_robin", capacity=10)
    first, second = create_tickets(bff, team, 2)
    requester = next(c for c in team.customers if c.id == second["user_id"])
    staff, customer = session_as(stack, team.agents[0]), session_as(stack, requester)
    update = "select public.update_ticket(%s, %s, %s::jsonb)"
    try:
        # The agent resolves another ticket of the team: their transaction holds the team.
        staff.execute(update, (first["id"], first["version"], '{"status": "resolved"}'))

        def close() -> str:
            try:
                customer.execute(update, (second["id"], second["version"], '{"status": "closed"}'))
                customer.commit()
                return "closed"
            except psycopg.Error as error:
                customer.rollback()
                return error.sqlstate or "?"

        with ThreadPoolExecutor(1) as pool:
            closing = pool.submit(close)
            waiting = "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
            with psycopg.connect(stack.db_url, autocommit=True) as watcher:
                while watcher.execute(waiting).fetchone() == (0,) and not closing.done():
                    pass
            # The same agent now resolves the ticket the requester is closing, and commits.
            staff.execute(update, (second["id"], second["version"], '{"status": "resolved"}'))
            staff.commit()
            assert closing.result() == "PT409"  # it changed meanwhile: no deadlock (40P01)
    finally:
        staff.close()
        customer.close()


def test_a_queued_ticket_someone_is_commenting_on_is_assigned_in_its_turn(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    """The queue waits for a ticket another transaction holds instead of passing it over."""
    team = staffed_team(stack, agents=1)
    configure(bff, team, "round_robin", capacity=1)
    # One after the other: the first takes the agent's only place, the second waits.
    held, queued = create_tickets(bff, team, 1)[0], create_tickets(bff, team, 1)[0]
    assert (held["assigned_employee_id"], queued["assigned_employee_id"]) == (
        team.agents[0].id,
        None,
    )
    requester = next(c for c in team.customers if c.id == queued["user_id"])
    commenting = session_as(stack, requester)
    try:
        # The requester's public comment holds the queued ticket while the agent frees room.
        commenting.execute("select public.add_comment(%s, 'Any news?', false)", (queued["id"],))
        with ThreadPoolExecutor(1) as pool:
            resolving = pool.submit(
                bff, team.agents[0], "updateTicket",
                {"ticket_id": held["id"], "expected_version": held["version"],
                 "status": "resolved"},
            )  # fmt: skip
            waiting = "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
            with psycopg.connect(stack.db_url, autocommit=True) as watcher:
                while watcher.execute(waiting).fetchone() == (0,) and not resolving.done():
                    pass
            commenting.commit()
            ok(resolving.result())
    finally:
        commenting.close()
    row = db.execute(
        "select assigned_employee_id::text from public.tickets where id = %s", (queued["id"],)
    ).fetchone()
    assert row == (team.agents[0].id,)


def test_inserts_that_store_nothing_leave_the_loads_alone(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING runs the routing trigger for a row it then skips."""
    team = staffed_team(stack, agents=2)
    configure(bff, team, "round_robin", capacity=3)
    ticket = create_tickets(bff, team, 1)[0]
    customer = next(c for c in team.customers if c.id == ticket["user_id"])
    body = {"id": ticket["id"], "handling_org_id": team.org_id, "user_id": customer.id,
            "subject": "Again", "description": "Same id.", "priority": "low"}  # fmt: skip
    headers = {"apikey": stack.anon_key, "Authorization": f"Bearer {customer.token}",
               "Prefer": "resolution=ignore-duplicates,return=minimal"}  # fmt: skip
    for _ in range(6):
        response = httpx.post(f"{stack.rest_url}/tickets", json=body, headers=headers)
        assert response.status_code == 201, response.text
    assert counters_agree(db, team.team_id)
    assert sorted(held for held, _ in loads(db, team.team_id).values()) == [0, 1]
    assert create_tickets(bff, team, 1)[0]["assigned_employee_id"] is not None


def test_members_leaving_and_joining_while_tickets_arrive_never_deadlock(
    stack: Stack, bff: Post, db: psycopg.Connection[Any]
) -> None:
    team = staffed_team(stack, agents=6)
    configure(bff, team, "round_robin", capacity=50)
    deadlocks_before = deadlocks(db)
    stop = threading.Event()

    def churn(agent: Person) -> list[int]:
        statuses = []
        while not stop.is_set():
            for action in ("removeTeamMember", "addTeamMember"):
                body = {"team_id": team.team_id, "user_id": agent.id}
                statuses.append(bff(team.admin, action, body).status_code)
        return statuses

    with ThreadPoolExecutor(3) as pool:
        churning = [pool.submit(churn, agent) for agent in team.agents[:3]]
        tickets = create_tickets(bff, team, 120)
        stop.set()
        churned = [status for future in churning for status in future.result()]

    assert set(churned) == {200} and len(tickets) == 120
    assert deadlocks(db) == deadlocks_before
    assert counters_agree(db, team.team_id)
