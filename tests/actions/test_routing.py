"""Routing and assignment: rules, team strategies, capacity, availability, queues and claims.

Through the BFF for each action, its input checks and who may call it; end to end from a
customer's ticket to the history that explains it; and straight through PostgREST, where the
organization's rules, capacities and availability must stay hidden from everyone but its staff.
Races are tests/actions/test_routing_races.py's.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from typing import Any, LiteralString

import httpx
import psycopg
import pytest
from flask.testing import FlaskClient

from devstack import Stack

from .conftest import Do, Org, Person, create_org, invalid_paths, seeded, sign_up

# A team of the seeded organization acme (supabase/seed.sql): never a team of a fresh org.
ACME_BILLING = "aaaaaaaa-0000-4000-8000-0000000000b1"


# set-up -------------------------------------------------------------------------------------


def add_agent(stack: Stack, org: Org, *team_ids: str) -> Person:
    """A new employee of the organization, on the given teams."""
    agent = sign_up(stack)
    stack.psql(
        "insert into public.organization_members (organization_id, user_id, role) "
        "values (:'org', :'user', 'employee');",
        {"org": org.id, "user": agent.id},
    )
    for team_id in team_ids:
        stack.psql(
            "insert into public.team_members (team_id, user_id) values (:'team', :'user');",
            {"team": team_id, "user": agent.id},
        )
    return agent


def add_rule(stack: Stack, org: Org, name: str, team_id: str | None = None) -> str:
    """A rule routing tickets that mention a refund, last in the organization's order."""
    return stack.psql(
        "insert into public.routing_rules (organization_id, name, position, keywords, team_id) "
        "select :'org', :'name', count(*) + 1, array['refund'], :'team' "
        "from public.routing_rules where organization_id = :'org' returning id;",
        {"org": org.id, "name": name, "team": team_id or org.team_id},
    )


def add_team(do: Do, org: Org, name: str) -> str:
    team_id: str = do(org.admin, "createTeam", 201, org_id=org.id, name=name)["id"]
    return team_id


def assign_by(
    do: Do, org: Org, strategy: str, capacity: int = 10, requeue: bool = False,
    team_id: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Set the team's (by default the org's first team's) strategy; return its workload."""
    workload: dict[str, Any] = do(
        org.admin, "setTeamAssignment", team_id=team_id or org.team_id, strategy=strategy,
        default_capacity=capacity, requeue_when_away=requeue,
    )  # fmt: skip
    return workload


def submit(
    do: Do, who: Person, org: Org, subject: str = "Printer on fire", priority: str = "medium",
    description: str = "It started smoking after the update.",
) -> dict[str, Any]:  # fmt: skip
    ticket: dict[str, Any] = do(
        who, "createTicket", 201, handling_org_id=org.id, subject=subject,
        description=description, priority=priority,
    )  # fmt: skip
    return ticket


def queued_tickets(do: Do, org: Org, priorities: list[str]) -> list[dict[str, Any]]:
    """Tickets waiting in the org's first team's queue (a manual team: nobody takes them)."""
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    return [submit(do, org.customer, org, f"Queued {i}", p) for i, p in enumerate(priorities)]


def employee_events(ticket: dict[str, Any]) -> list[dict[str, Any]]:
    """The history's employee assignments (the team's are separate events)."""
    return [
        e for e in ticket["events"]
        if e["kind"] == "assignment_changed" and "employee_id" in (e["new_value"] or {})
    ]  # fmt: skip


def events_of(ticket: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in ticket["events"] if e["kind"] == kind]


def queue_ids(do: Do, who: Person, team_id: str) -> list[str]:
    return [t["id"] for t in do(who, "listTeamQueue", team_id=team_id, limit=100)["items"]]


def agents(workload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {agent["user_id"]: agent for agent in workload["agents"]}


def given(conditions: dict[str, Any]) -> dict[str, Any]:
    """A rule's conditions that are set (one left out matches anything)."""
    return {name: value for name, value in conditions.items() if value is not None}


# What the BFF's answer and the database's conflict details say alike about a rule.
SAME = ("id", "organization_id", "name", "position", "team_id", "set_priority", "version")


def stored_as_answered(answer: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether an action's ticket is the ticket as stored (getTicket's adds more fields)."""
    return {k: stored[k] for k in answer} == answer


def routing_state(db: psycopg.Connection[Any], org_id: str) -> tuple[Any, ...]:
    """Everything routing can change in an organization, for "nothing changed"."""
    queries: list[LiteralString] = [
        "select id, name, position, priorities, keywords, requester_domains, team_id, "
        "set_priority, version from public.routing_rules where organization_id = %(org)s "
        "order by position",
        "select team_id, strategy, default_capacity, requeue_when_away, is_default "
        "from public.team_assignment_settings where organization_id = %(org)s order by team_id",
        "select team_id, user_id, capacity from public.team_members "
        "where organization_id = %(org)s order by team_id, user_id",
        "select user_id, availability from public.organization_members "
        "where organization_id = %(org)s order by user_id",
        "select id, assigned_team_id, assigned_employee_id, status, priority, version "
        "from public.tickets where handling_org_id = %(org)s order by id",
    ]
    return tuple(db.execute(sql, {"org": org_id}).fetchall() for sql in queries)


# routing rules ------------------------------------------------------------------------------


def test_rules_are_added_last_or_at_a_position_and_listed_in_order(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    create = {"org_id": org.id, "team_id": org.team_id}
    conditions = {"keywords": [" refund ", "chargeback"], "requester_domains": ["Example.COM"],
                  "priorities": ["urgent", "high", "urgent"]}  # fmt: skip
    first = do(
        org.admin, "createRoutingRule", 201, **create, name=" Refunds ", conditions=conditions
    )
    assert (first["name"], first["position"], first["version"]) == ("Refunds", 1, 1)
    assert first["conditions"] == {"keywords": ["refund", "chargeback"],
                                   "priorities": ["high", "urgent"],
                                   "requester_domains": ["example.com"]}  # fmt: skip
    assert first["set_priority"] is None
    vip = {"requester_domains": ["vip.test"]}
    second = do(org.admin, "createRoutingRule", 201, **create, name="VIP", conditions=vip,
                set_priority="urgent")  # fmt: skip
    assert (second["position"], second["set_priority"]) == (2, "urgent")
    top = do(org.admin, "createRoutingRule", 201, **create, name="All", conditions={}, position=1)
    assert top["position"] == 1

    listed = do(org.employee, "listRoutingRules", org_id=org.id)
    assert [(r["name"], r["position"]) for r in listed["rules"]] == [
        ("All", 1), ("Refunds", 2), ("VIP", 3)]  # fmt: skip
    assert listed["rules"][1] == first | {"position": 2}
    assert listed["default_team_id"] is None


def test_a_rule_name_is_taken_once_per_organization(do: Do, stack: Stack) -> None:
    org, other = create_org(stack), create_org(stack)
    rule = {"name": "Refunds", "conditions": {"keywords": ["refund"]}}
    do(org.admin, "createRoutingRule", 201, **rule, org_id=org.id, team_id=org.team_id)
    taken = do(org.admin, "createRoutingRule", 409, **rule | {"name": " Refunds"}, org_id=org.id,
               team_id=org.team_id)  # fmt: skip
    assert taken["error"]["code"] == "conflict"
    do(other.admin, "createRoutingRule", 201, **rule, org_id=other.id, team_id=other.team_id)


def test_updating_a_rule_checks_its_version_and_its_name(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    org = create_org(stack)
    billing = add_team(do, org, "Billing")
    add_rule(stack, org, "Taken")
    rule_id = add_rule(stack, org, "Refunds")

    changed = do(org.admin, "updateRoutingRule", rule_id=rule_id, expected_version=1,
                 name="Money back", conditions={"priorities": ["urgent"]}, team_id=billing,
                 set_priority="urgent")  # fmt: skip
    assert (changed["name"], changed["version"], changed["position"]) == ("Money back", 2, 2)
    assert given(changed["conditions"]) == {"priorities": ["urgent"]}  # replaced: no keywords
    assert (changed["team_id"], changed["set_priority"]) == (billing, "urgent")

    before = routing_state(db, org.id)
    stale = do(org.admin, "updateRoutingRule", 409, rule_id=rule_id, expected_version=1,
               name="Late")["error"]  # fmt: skip
    assert stale["code"] == "version_conflict"
    current = stale["details"]["current"]
    assert {k: current[k] for k in SAME} == {k: changed[k] for k in SAME}
    assert given(current["conditions"]) == given(changed["conditions"])
    taken = do(org.admin, "updateRoutingRule", 409, rule_id=rule_id, expected_version=2,
               name=" Taken ")["error"]  # fmt: skip
    assert taken["code"] == "conflict"
    assert routing_state(db, org.id) == before

    cleared = do(org.admin, "updateRoutingRule", rule_id=rule_id, expected_version=2,
                 set_priority=None)  # fmt: skip
    assert (cleared["set_priority"], cleared["name"], cleared["version"]) == (None, "Money back", 3)


def test_deleting_a_rule_closes_up_the_positions(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    first, middle, last = (add_rule(stack, org, name) for name in ("First", "Middle", "Last"))
    assert do(org.admin, "deleteRoutingRule", rule_id=middle) == {"id": middle, "deleted": True}
    listed = do(org.admin, "listRoutingRules", org_id=org.id)["rules"]
    assert [(r["id"], r["position"]) for r in listed] == [(first, 1), (last, 2)]
    again = do(org.admin, "deleteRoutingRule", 404, rule_id=middle)
    assert again["error"]["code"] == "not_found"
    do(org.admin, "deleteRoutingRule", rule_id=first)
    listed = do(org.admin, "listRoutingRules", org_id=org.id)["rules"]
    assert [(r["id"], r["position"]) for r in listed] == [(last, 1)]


@pytest.mark.parametrize(
    "how", ["team", "postgrest"], ids=["deleting_its_team", "deleting_it_through_postgrest"]
)
def test_a_rule_deleted_any_other_way_leaves_the_order_whole(
    do: Do, stack: Stack, how: str
) -> None:
    """Deleting a team deletes its rules; an admin may delete a rule straight through PostgREST.
    Either way the rules after it move up, and new rules still go last."""
    org = create_org(stack)
    billing = add_team(do, org, "Billing")
    first, doomed, last = (add_rule(stack, org, name, team) for name, team in (
        ("First", org.team_id), ("To billing", billing), ("Last", org.team_id)))  # fmt: skip
    if how == "team":
        do(org.admin, "deleteTeam", team_id=billing)
    else:
        deleted = rest(stack, org.admin, "DELETE", "routing_rules", params={"id": f"eq.{doomed}"})
        assert deleted.status_code == 200 and len(deleted.json()) == 1, deleted.text
    added = do(org.admin, "createRoutingRule", 201, org_id=org.id, name="New", conditions={},
               team_id=org.team_id)  # fmt: skip
    listed = do(org.admin, "listRoutingRules", org_id=org.id)["rules"]
    assert [(r["id"], r["position"]) for r in listed] == [(first, 1), (last, 2), (added["id"], 3)]


def test_reordering_lists_every_rule_once(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    a, b, c = (add_rule(stack, org, name) for name in ("A", "B", "C"))
    reordered = do(org.admin, "reorderRoutingRules", org_id=org.id, rule_ids=[c, a, b])
    assert [(r["id"], r["position"]) for r in reordered["rules"]] == [(c, 1), (a, 2), (b, 3)]
    assert do(org.employee, "listRoutingRules", org_id=org.id) == reordered


def test_rule_answers_are_shaped_as_the_document_says(
    client: FlaskClient, do: Do, stack: Stack
) -> None:
    """A condition the rule leaves out is documented as an array when present, never null: the
    answer leaves it out (a client validating answers against /openapi.json would refuse it)."""
    documented = client.get("/openapi.json").get_json()["components"]["schemas"]
    properties = documented["RoutingConditions"]["properties"]
    org = create_org(stack)
    made = do(org.admin, "createRoutingRule", 201, org_id=org.id, name="Refunds",
              conditions={"keywords": ["refund"]}, team_id=org.team_id)  # fmt: skip
    listed = do(org.admin, "listRoutingRules", org_id=org.id)["rules"]
    for conditions in (made["conditions"], listed[0]["conditions"]):
        assert set(conditions) <= set(properties)
        for name, value in conditions.items():
            allowed = {properties[name].get("type")} | {
                option.get("type") for option in properties[name].get("anyOf", [])}  # fmt: skip
            assert value is not None or "null" in allowed, (name, conditions)


@pytest.mark.parametrize(
    "order",
    ["missing", "duplicate", "unknown", "other_org"],
    ids=["leaving_a_rule_out_is_invalid", "naming_a_rule_twice_is_invalid",
         "adding_an_unknown_rule_is_invalid", "adding_another_orgs_rule_is_invalid"],
)  # fmt: skip
def test_a_reorder_that_does_not_list_every_rule_once_is_refused(
    do: Do, stack: Stack, db: psycopg.Connection[Any], order: str
) -> None:
    org, other = create_org(stack), create_org(stack)
    a, b = add_rule(stack, org, "A"), add_rule(stack, org, "B")
    rule_ids = {"missing": [b], "duplicate": [b, a, b], "unknown": [b, a, str(uuid.uuid4())],
                "other_org": [b, a, add_rule(stack, other, "Theirs")]}[order]  # fmt: skip
    before = routing_state(db, org.id)
    refused = do(org.admin, "reorderRoutingRules", 422, org_id=org.id, rule_ids=rule_ids)
    assert invalid_paths(refused) == [["rule_ids"]]
    assert routing_state(db, org.id) == before


def test_the_default_team_is_one_at_most_and_null_clears_it(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    billing = add_team(do, org, "Billing")
    chosen = do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    assert chosen["default_team_id"] == org.team_id
    moved = do(org.admin, "setDefaultTeam", org_id=org.id, team_id=billing)
    assert moved["default_team_id"] == billing
    assert do(org.employee, "teamWorkload", team_id=org.team_id)["is_default"] is False
    assert do(org.employee, "teamWorkload", team_id=billing)["is_default"] is True
    cleared = do(org.admin, "setDefaultTeam", org_id=org.id, team_id=None)
    assert cleared["default_team_id"] is None
    assert do(org.employee, "listRoutingRules", org_id=org.id) == cleared


@pytest.mark.parametrize("team", ["other_org", "unknown"], ids=["another_orgs", "an_unknown"])
@pytest.mark.parametrize(
    "action", ["setDefaultTeam", "createRoutingRule", "updateRoutingRule"],
    ids=["team_is_no_default_team", "team_is_no_rules_team", "team_is_no_changed_rules_team"],
)  # fmt: skip
def test_only_a_team_of_the_organization_takes_its_tickets(
    do: Do, stack: Stack, db: psycopg.Connection[Any], action: str, team: str
) -> None:
    org = create_org(stack)
    rule_id = add_rule(stack, org, "Refunds")
    team_id = ACME_BILLING if team == "other_org" else str(uuid.uuid4())
    bodies: dict[str, dict[str, Any]] = {
        "setDefaultTeam": {"org_id": org.id},
        "createRoutingRule": {"org_id": org.id, "name": "Theirs", "conditions": {}},
        "updateRoutingRule": {"rule_id": rule_id, "expected_version": 1},
    }
    body = bodies[action]
    before = routing_state(db, org.id)
    assert invalid_paths(do(org.admin, action, 422, **body, team_id=team_id)) == [["team_id"]]
    assert routing_state(db, org.id) == before


# team assignment, capacity, workload ----------------------------------------------------------


def test_a_team_starts_manual_and_its_assignment_can_be_set(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    workload = do(org.employee, "teamWorkload", team_id=org.team_id)
    assert {k: workload[k] for k in ("organization_id", "strategy", "default_capacity",
                                     "requeue_when_away", "is_default", "queued")} == {
        "organization_id": org.id, "strategy": "manual", "default_capacity": 10,
        "requeue_when_away": False, "is_default": False, "queued": 0}  # fmt: skip
    [employee] = workload["agents"]
    assert {k: employee[k] for k in ("user_id", "availability", "open_assigned", "capacity",
                                     "capacity_override")} == {
        "user_id": org.employee.id, "availability": "available", "open_assigned": 0,
        "capacity": 10, "capacity_override": None}  # fmt: skip
    changed = assign_by(do, org, "round_robin", 3, requeue=True)
    assert (changed["strategy"], changed["default_capacity"], changed["requeue_when_away"]) == (
        "round_robin", 3, True)  # fmt: skip
    assert agents(changed)[org.employee.id]["capacity"] == 3
    assert do(org.employee, "teamWorkload", team_id=org.team_id) == changed


def test_a_members_capacity_overrides_the_default_until_null_restores_it(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    org = create_org(stack)
    member: dict[str, Any] = {"team_id": org.team_id, "user_id": org.employee.id}
    assign_by(do, org, "least_loaded", 4)
    for capacity, shown in ((7, (7, 7)), (0, (0, 0)), (None, (4, None))):
        workload = do(org.admin, "setMemberCapacity", **member, capacity=capacity)
        employee = agents(workload)[org.employee.id]
        assert (employee["capacity"], employee["capacity_override"]) == shown

    before = routing_state(db, org.id)
    for user_id in (org.admin.id, org.customer.id, str(uuid.uuid4())):
        refused = do(org.admin, "setMemberCapacity", 422, team_id=org.team_id, user_id=user_id,
                     capacity=3)  # fmt: skip
        assert invalid_paths(refused) == [["user_id"]]
    assert routing_state(db, org.id) == before


def test_the_workload_counts_open_tickets_of_the_team_per_agent(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    billing = add_team(do, org, "Billing")
    do(org.admin, "addTeamMember", team_id=billing, user_id=org.employee.id)
    places = [(org.team_id, "open"), (org.team_id, "waiting_on_customer"),
              (org.team_id, "resolved"), (billing, "in_progress")]  # fmt: skip
    for team_id, status in places:
        ticket = submit(do, org.customer, org)
        do(org.admin, "updateTicket", ticket_id=ticket["id"], expected_version=1, status=status,
           assigned_team_id=team_id, assigned_employee_id=org.employee.id)  # fmt: skip
    waiting = submit(do, org.customer, org)
    do(org.admin, "updateTicket", ticket_id=waiting["id"], expected_version=1,
       assigned_team_id=org.team_id)  # fmt: skip
    workload = do(org.employee, "teamWorkload", team_id=org.team_id)
    assert (agents(workload)[org.employee.id]["open_assigned"], workload["queued"]) == (2, 1)


# queues and claims --------------------------------------------------------------------------


def test_the_queue_lists_highest_priority_then_longest_waiting_one_page_at_a_time(
    do: Do, stack: Stack
) -> None:
    org = create_org(stack)
    tickets = queued_tickets(do, org, ["low", "urgent", "medium", "urgent", "high", "low"])
    taken, done = (submit(do, org.customer, org) for _ in range(2))
    do(org.admin, "updateTicket", ticket_id=taken["id"], expected_version=1,
       assigned_employee_id=org.employee.id)  # fmt: skip
    do(org.admin, "updateTicket", ticket_id=done["id"], expected_version=1, status="resolved")
    expected = [tickets[i]["id"] for i in (1, 3, 4, 2, 0, 5)]

    seen: list[str] = []
    page = do(org.employee, "listTeamQueue", team_id=org.team_id, limit=4)
    pages = 1
    while page["next_cursor"] is not None:
        seen += [ticket["id"] for ticket in page["items"]]
        page = do(org.employee, "listTeamQueue", team_id=org.team_id, limit=4,
                  cursor=page["next_cursor"])  # fmt: skip
        pages += 1
    seen += [ticket["id"] for ticket in page["items"]]
    assert (seen, pages) == (expected, 2)
    assert queue_ids(do, org.admin, org.team_id) == expected
    exact = do(org.employee, "listTeamQueue", team_id=org.team_id, limit=6)
    assert ([t["id"] for t in exact["items"]], exact["next_cursor"]) == (expected, None)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [_b64("not json"), _b64(json.dumps({"r": 1})), _b64(json.dumps({"r": "x", "c": 1, "i": 2})),
     _b64(json.dumps([1, 2, 3])), "AAAA", "a"],
    ids=["text_that_is_not_json", "json_missing_fields", "json_of_wrong_types", "a_json_list",
         "zero_bytes", "a_single_character"],
)  # fmt: skip
def test_a_queue_cursor_the_listing_did_not_return_is_invalid(
    do: Do, stack: Stack, cursor: str
) -> None:
    org = create_org(stack)
    queued_tickets(do, org, ["low", "high"])
    refused = do(org.employee, "listTeamQueue", 422, team_id=org.team_id, limit=1, cursor=cursor)
    assert invalid_paths(refused) == [["cursor"]]


def test_claiming_takes_the_queue_in_order_until_it_is_empty(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    tickets = queued_tickets(do, org, ["low", "urgent", "medium"])
    claimed = [do(org.employee, "claimNextTicket", team_id=org.team_id)["ticket"] for _ in tickets]
    assert [ticket["id"] for ticket in claimed] == [tickets[i]["id"] for i in (1, 2, 0)]
    assert do(org.employee, "claimNextTicket", team_id=org.team_id) == {"ticket": None}
    for ticket in claimed:
        stored = do(org.employee, "getTicket", ticket_id=ticket["id"])
        assert stored_as_answered(ticket, stored)
        assert stored["assigned_employee_id"] == org.employee.id
        [claim] = employee_events(stored)
        assert (claim["new_value"]["assigned_by"], claim["actor_id"]) == ("claim", org.employee.id)


def test_claiming_without_a_team_takes_the_next_ticket_of_any_of_my_teams(
    do: Do, stack: Stack
) -> None:
    org = create_org(stack)
    billing = add_team(do, org, "Billing")
    agent = add_agent(stack, org, org.team_id, billing)
    assert do(agent, "claimNextTicket") == {"ticket": None}
    [older] = queued_tickets(do, org, ["medium"])
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=billing)
    urgent = submit(do, org.customer, org, "Urgent", "urgent")
    first = do(agent, "claimNextTicket")["ticket"]
    assert (first["id"], first["assigned_team_id"]) == (urgent["id"], billing)
    second = do(agent, "claimNextTicket")["ticket"]
    assert (second["id"], second["assigned_team_id"]) == (older["id"], org.team_id)
    assert do(agent, "claimNextTicket") == {"ticket": None}


@pytest.mark.parametrize(
    "why", ["away", "offline", "at_capacity", "capacity_zero"],
    ids=["an_away_agent_cannot_claim", "an_offline_agent_cannot_claim",
         "an_agent_at_capacity_cannot_claim", "an_agent_of_capacity_zero_cannot_claim"],
)  # fmt: skip
def test_claiming_needs_availability_and_room_even_in_a_manual_team(
    do: Do, stack: Stack, db: psycopg.Connection[Any], why: str
) -> None:
    org = create_org(stack)
    queued_tickets(do, org, ["high", "low"])
    if why in ("away", "offline"):
        do(org.employee, "setMyAvailability", org_id=org.id, status=why)
    elif why == "at_capacity":
        do(org.admin, "setMemberCapacity", team_id=org.team_id, user_id=org.employee.id,
           capacity=1)  # fmt: skip
        do(org.employee, "claimNextTicket", team_id=org.team_id)
    else:
        assign_by(do, org, "manual", 0)
    before = routing_state(db, org.id)
    for body in ({"team_id": org.team_id}, {}):
        refused = do(org.employee, "claimNextTicket", 409, **body)
        assert refused["error"]["code"] == "assignee_unavailable"
    assert routing_state(db, org.id) == before


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [("staff_not_on_the_team", 403, "forbidden"), ("customer", 404, "not_found"),
     ("other_org_employee", 404, "not_found"), ("other_org_admin", 404, "not_found"),
     ("anon", 401, "unauthorized"), ("unknown_team", 404, "not_found")],
    ids=["staff_not_on_the_team_are_forbidden_to_claim", "a_customer_does_not_find_the_team",
         "another_orgs_employee_does_not_find_the_team",
         "another_orgs_admin_does_not_find_the_team", "anon_is_unauthorized_to_claim",
         "an_unknown_team_is_not_found"],
)  # fmt: skip
def test_only_members_of_the_team_claim_its_tickets(
    do: Do, stack: Stack, db: psycopg.Connection[Any], role: str, status: int, code: str
) -> None:
    org = create_org(stack)
    queued_tickets(do, org, ["high"])
    who = {"staff_not_on_the_team": org.admin, "unknown_team": org.employee}.get(role)
    who = who or acting(stack, org, role)
    team_id = str(uuid.uuid4()) if role == "unknown_team" else org.team_id
    before = routing_state(db, org.id)
    assert do(who, "claimNextTicket", status, team_id=team_id)["error"]["code"] == code
    assert routing_state(db, org.id) == before


# availability -------------------------------------------------------------------------------


def test_staff_set_their_own_availability(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    for who, status in ((org.employee, "away"), (org.admin, "offline"), (org.employee, "offline")):
        answer = do(who, "setMyAvailability", org_id=org.id, status=status)
        assert answer == {"organization_id": org.id, "user_id": who.id, "availability": status}
    workload = do(org.admin, "teamWorkload", team_id=org.team_id)
    assert agents(workload)[org.employee.id]["availability"] == "offline"


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [("customer", 404, "not_found"), ("other_org_employee", 404, "not_found"),
     ("anon", 401, "unauthorized")],
    ids=["a_customer_has_no_availability_here", "another_orgs_employee_has_none_here",
         "anon_is_unauthorized_to_set_availability"],
)  # fmt: skip
def test_only_staff_have_an_availability(
    do: Do, stack: Stack, db: psycopg.Connection[Any], role: str, status: int, code: str
) -> None:
    org = create_org(stack)
    before = routing_state(db, org.id)
    refused = do(acting(stack, org, role), "setMyAvailability", status, org_id=org.id,
                 status="away")  # fmt: skip
    assert refused["error"]["code"] == code
    assert routing_state(db, org.id) == before


def test_becoming_available_takes_the_queue(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    assign_by(do, org, "least_loaded", 1)
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    do(org.employee, "setMyAvailability", org_id=org.id, status="away")
    first, second = (submit(do, org.customer, org, f"Waiting {i}") for i in range(2))
    assert (first["assigned_employee_id"], second["assigned_employee_id"]) == (None, None)
    do(org.employee, "setMyAvailability", org_id=org.id, status="available")
    taken = do(org.employee, "getTicket", ticket_id=first["id"])
    assert taken["assigned_employee_id"] == org.employee.id
    assert queue_ids(do, org.employee, org.team_id) == [second["id"]]  # capacity 1


@pytest.mark.parametrize("status", ["away", "offline"])
@pytest.mark.parametrize("requeue", [True, False], ids=["requeueing", "keeping"])
def test_going_away_returns_open_tickets_to_the_queue_if_the_team_says_so(
    do: Do, stack: Stack, status: str, requeue: bool
) -> None:
    org = create_org(stack)
    other = add_agent(stack, org, org.team_id)
    assign_by(do, org, "least_loaded", 5, requeue=requeue)
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    do(other, "setMyAvailability", org_id=org.id, status="away")
    ticket = submit(do, org.customer, org)
    assert ticket["assigned_employee_id"] == org.employee.id
    do(other, "setMyAvailability", org_id=org.id, status="available")

    do(org.employee, "setMyAvailability", org_id=org.id, status=status)

    history = do(org.admin, "getTicket", ticket_id=ticket["id"])
    if not requeue:
        assert history["assigned_employee_id"] == org.employee.id
        assert len(employee_events(history)) == 1
        return
    assert history["assigned_employee_id"] == other.id
    taken_back, given = employee_events(history)[-2:]
    assert taken_back["actor_id"] is None
    assert (taken_back["new_value"]["employee_id"], taken_back["new_value"]["reason"]) == (
        None, f"assignee_{status}")  # fmt: skip
    assert (given["new_value"]["employee_id"], given["new_value"]["assigned_by"]) == (
        other.id, "least_loaded")  # fmt: skip


def test_raising_capacity_or_switching_on_a_strategy_takes_the_queue(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    tickets = queued_tickets(do, org, ["low", "high", "medium"])
    assert assign_by(do, org, "least_loaded", 0)["queued"] == 3
    member: dict[str, Any] = {"team_id": org.team_id, "user_id": org.employee.id}
    for capacity, queued, held in ((1, 2, 1), (None, 2, 1)):  # lowering takes nothing away
        workload = do(org.admin, "setMemberCapacity", **member, capacity=capacity)
        assert (workload["queued"], agents(workload)[org.employee.id]["open_assigned"]) == (
            queued, held)  # fmt: skip
    taken = do(org.employee, "getTicket", ticket_id=tickets[1]["id"])  # the high one
    assert taken["assigned_employee_id"] == org.employee.id
    more = assign_by(do, org, "least_loaded", 3)
    assert (more["queued"], agents(more)[org.employee.id]["open_assigned"]) == (0, 3)


def test_round_robin_takes_turns(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    second = add_agent(stack, org, org.team_id)
    assign_by(do, org, "round_robin", 10)
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    turns = [submit(do, org.customer, org, f"Turn {i}")["assigned_employee_id"] for i in range(6)]
    assert Counter(turns) == {org.employee.id: 3, second.id: 3}
    assert all(a != b for a, b in pairwise(turns))


# which rule routes a ticket -----------------------------------------------------------------

MATCHES: list[tuple[str, dict[str, Any], str, str, str, bool]] = [
    # (id, conditions, ticket subject, priority, requester's email domain, routed)
    ("a_keyword_matches_whatever_its_case", {"keywords": ["refund"]}, "I want a REFUND",
     "medium", "example.test", True),
    ("a_keyword_matches_inside_longer_words", {"keywords": ["refund"]}, "Refunds, please",
     "medium", "example.test", True),
    ("a_missing_keyword_does_not_match", {"keywords": ["refund"]}, "Money back, please",
     "medium", "example.test", False),
    ("every_word_of_a_keyword_must_occur", {"keywords": ["credit card"]},
     "My card is not a credit line", "medium", "example.test", True),
    ("one_word_of_a_keyword_is_not_enough", {"keywords": ["credit card"]}, "My card broke",
     "medium", "example.test", False),
    ("any_one_keyword_is_enough", {"keywords": ["refund", "chargeback"]}, "A chargeback!",
     "medium", "example.test", True),
    ("percent_in_a_keyword_is_a_percent_sign", {"keywords": ["100%"]}, "100 times over",
     "medium", "example.test", False),
    ("underscore_in_a_keyword_is_an_underscore", {"keywords": ["a_b"]}, "aXb", "medium",
     "example.test", False),
    ("accented_keywords_match_as_search_does", {"keywords": ["CAFÉ"]}, "Le café est froid",
     "medium", "example.test", True),
    ("a_listed_priority_matches", {"priorities": ["high", "urgent"]}, "Help", "urgent",
     "example.test", True),
    ("another_priority_does_not_match", {"priorities": ["high", "urgent"]}, "Help", "low",
     "example.test", False),
    ("the_requesters_domain_matches", {"requester_domains": ["acme-corp.test"]}, "Help",
     "medium", "acme-corp.test", True),
    ("a_subdomain_of_it_matches", {"requester_domains": ["acme-corp.test"]}, "Help", "medium",
     "eu.acme-corp.test", True),
    ("a_domain_ending_alike_does_not_match", {"requester_domains": ["acme-corp.test"]}, "Help",
     "medium", "notacme-corp.test", False),
    ("a_domain_containing_it_does_not_match", {"requester_domains": ["acme-corp.test"]}, "Help",
     "medium", "acme-corp.test.evil.test", False),
    ("every_condition_must_hold", {"keywords": ["refund"], "priorities": ["urgent"]},
     "Refund now", "medium", "example.test", False),
    ("every_condition_holding_matches",
     {"keywords": ["refund"], "priorities": ["urgent"], "requester_domains": ["vip.test"]},
     "Refund now", "urgent", "vip.test", True),
    ("a_keyword_in_the_description_matches", {"keywords": ["more to say"]}, "Help", "medium",
     "example.test", True),
    ("a_keyword_across_subject_and_description", {"keywords": ["credit nothing"]},
     "Credit line", "medium", "example.test", True),
    ("a_requesters_domain_matches_whatever_its_case", {"requester_domains": ["acme-corp.test"]},
     "Help", "medium", "EU.Acme-Corp.TEST", True),
    ("no_conditions_match_everything", {}, "Anything", "low", "example.test", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("conditions", "subject", "priority", "domain", "routed"),
    [case[1:] for case in MATCHES],
    ids=[case[0] for case in MATCHES],
)
def test_a_rule_routes_the_tickets_its_conditions_describe(
    do: Do, stack: Stack, conditions: dict[str, Any], subject: str, priority: str, domain: str,
    routed: bool,
) -> None:  # fmt: skip
    org = create_org(stack)
    do(org.admin, "createRoutingRule", 201, org_id=org.id, name="Rule", conditions=conditions,
       team_id=org.team_id)  # fmt: skip
    requester = sign_up(stack, f"requester-{uuid.uuid4().hex[:8]}@{domain}")
    ticket = submit(do, requester, org, subject, priority, "Nothing more to say.")
    assert ticket["assigned_team_id"] == (org.team_id if routed else None)
    if list(conditions) == ["keywords"]:  # keywords find exactly what listTickets' q finds
        found = {t["id"] for keyword in conditions["keywords"] for t in do(
            org.employee, "listTickets", org_id=org.id, q=keyword, limit=100)["items"]}  # fmt: skip
        assert (ticket["id"] in found) is routed


def test_the_first_matching_rule_by_position_wins(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    billing = add_team(do, org, "Billing")
    first = add_rule(stack, org, "To the front line", org.team_id)
    second = add_rule(stack, org, "To billing", billing)
    assert submit(do, org.customer, org, "Refund")["assigned_team_id"] == org.team_id
    do(org.admin, "reorderRoutingRules", org_id=org.id, rule_ids=[second, first])
    assert submit(do, org.customer, org, "Refund")["assigned_team_id"] == billing
    do(org.admin, "deleteRoutingRule", rule_id=second)
    assert submit(do, org.customer, org, "Refund")["assigned_team_id"] == org.team_id


def test_tickets_no_rule_matches_go_to_the_default_team_or_none(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    add_rule(stack, org, "Refunds")
    teamless = submit(do, org.customer, org, "Other")
    assert teamless["assigned_team_id"] is None
    history = do(org.admin, "getTicket", ticket_id=teamless["id"])
    assert [e["kind"] for e in history["events"]] == ["created"]
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    ticket = submit(do, org.customer, org, "Other")
    assert (ticket["assigned_team_id"], ticket["assigned_employee_id"]) == (org.team_id, None)
    history = do(org.admin, "getTicket", ticket_id=ticket["id"])
    [routed] = events_of(history, "routed")
    assert routed["new_value"]["routed_by"] == "default_team"
    assert "rule_name" not in routed["new_value"]
    # A manual team assigns nobody and queues nothing: people assign or claim.
    assert events_of(history, "queued") == []
    assert queue_ids(do, org.employee, org.team_id) == [ticket["id"]]


@pytest.mark.parametrize(
    ("submitted", "stored"),
    [("low", "high"), ("medium", "high"), ("high", "high"), ("urgent", "urgent")],
    ids=["low_is_raised", "medium_is_raised", "high_stays", "urgent_is_never_lowered"],
)
def test_a_rules_priority_only_ever_raises_the_tickets(
    do: Do, stack: Stack, submitted: str, stored: str
) -> None:
    org = create_org(stack)
    do(org.admin, "createRoutingRule", 201, org_id=org.id, name="Refunds", team_id=org.team_id,
       conditions={"keywords": ["refund"]}, set_priority="high")  # fmt: skip
    ticket = submit(do, org.customer, org, "Refund", submitted)
    assert (ticket["priority"], ticket["version"]) == (stored, 1)
    [routed] = events_of(do(org.admin, "getTicket", ticket_id=ticket["id"]), "routed")
    raised = {k: routed["new_value"].get(k) for k in ("priority_from", "priority_to")}
    expected = {"priority_from": submitted, "priority_to": stored}
    assert raised == (expected if stored != submitted else dict.fromkeys(expected))


# end to end ---------------------------------------------------------------------------------


def test_a_customers_ticket_is_routed_and_given_to_the_least_loaded_available_agent(
    do: Do, stack: Stack
) -> None:
    org = create_org(stack)
    billing = add_team(do, org, "Billing")
    busy, away, full, free = (add_agent(stack, org, billing) for _ in range(4))
    # busy holds a ticket of the team already; away is away; full may hold none.
    held = submit(do, org.customer, org, "Older")
    do(org.admin, "updateTicket", ticket_id=held["id"], expected_version=1,
       assigned_team_id=billing, assigned_employee_id=busy.id)  # fmt: skip
    assign_by(do, org, "least_loaded", 2, team_id=billing)
    do(away, "setMyAvailability", org_id=org.id, status="away")
    do(org.admin, "setMemberCapacity", team_id=billing, user_id=full.id, capacity=0)
    do(org.admin, "createRoutingRule", 201, org_id=org.id, name="Refunds to Billing",
       conditions={"keywords": ["refund"]}, team_id=billing, set_priority="high")  # fmt: skip

    ticket = submit(do, org.customer, org, "Refund for order 1234", "medium")

    assert (ticket["assigned_team_id"], ticket["assigned_employee_id"]) == (billing, free.id)
    assert (ticket["priority"], ticket["version"]) == ("high", 1)
    loads = agents(do(org.employee, "teamWorkload", team_id=billing))
    assert [loads[a.id]["open_assigned"] for a in (busy, away, full, free)] == [1, 0, 0, 1]

    staff_view = do(org.employee, "getTicket", ticket_id=ticket["id"])
    assert staff_view["events"][0]["kind"] == "created"
    assert events_of(staff_view, "queued") == []
    [routed] = events_of(staff_view, "routed")
    assert routed["is_internal"] is True
    assert routed["new_value"] == {
        "routed_by": "rule", "rule_id": routed["new_value"]["rule_id"],
        "rule_name": "Refunds to Billing", "team_id": billing, "team_name": "Billing",
        "priority_from": "medium", "priority_to": "high"}  # fmt: skip
    [team_change] = [e for e in events_of(staff_view, "assignment_changed")
                     if "team_name" in e["new_value"]]  # fmt: skip
    assert team_change["is_internal"] is False
    assert team_change["new_value"] == {"team_id": billing, "team_name": "Billing"}
    [assigned] = employee_events(staff_view)
    assert assigned["is_internal"] is True
    assert (assigned["new_value"]["employee_id"], assigned["new_value"]["assigned_by"]) == (
        free.id, "least_loaded")  # fmt: skip

    customer_view = do(org.customer, "getTicket", ticket_id=ticket["id"])
    assert [e["kind"] for e in customer_view["events"]] == ["created", "assignment_changed"]
    assert not any(e["is_internal"] for e in customer_view["events"])
    assert customer_view["events"][1]["new_value"] == {"team_id": billing, "team_name": "Billing"}
    assert (customer_view["team"], customer_view["priority"]) == (
        {"id": billing, "name": "Billing"}, "high")  # fmt: skip


def test_assigning_past_capacity_is_for_admins_and_on_the_record(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    org = create_org(stack)
    second = add_agent(stack, org, org.team_id)
    assign_by(do, org, "least_loaded", 1)
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    one, two, waiting = (submit(do, org.customer, org, f"T{i}") for i in range(3))
    holder, other = one["assigned_employee_id"], two["assigned_employee_id"]
    assert {holder, other} == {org.employee.id, second.id}
    assert waiting["assigned_employee_id"] is None

    before = routing_state(db, org.id)
    for ticket, assignee in ((waiting, holder), (one, other)):
        refused = do(org.employee, "updateTicket", 409, ticket_id=ticket["id"],
                     expected_version=1, assigned_employee_id=assignee)  # fmt: skip
        assert refused["error"]["code"] == "assignee_unavailable"
    assert routing_state(db, org.id) == before

    forced = do(org.admin, "updateTicket", ticket_id=waiting["id"], expected_version=1,
                assigned_employee_id=holder)  # fmt: skip
    assert forced["assigned_employee_id"] == holder
    [event] = employee_events(do(org.admin, "getTicket", ticket_id=waiting["id"]))
    assert event["actor_id"] == org.admin.id
    new_value = event["new_value"]
    assert (new_value["employee_id"], new_value["assigned_by"], new_value["over_capacity"]) == (
        holder, "manual", True)  # fmt: skip
    load = agents(do(org.admin, "teamWorkload", team_id=org.team_id))[holder]
    assert (load["open_assigned"], load["capacity"]) == (2, 1)


def test_assigning_someone_away_in_an_automatic_team_is_refused(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    assign_by(do, org, "round_robin", 5)
    ticket = submit(do, org.customer, org)
    do(org.employee, "setMyAvailability", org_id=org.id, status="away")
    refused = do(org.employee, "updateTicket", 409, ticket_id=ticket["id"], expected_version=1,
                 assigned_team_id=org.team_id, assigned_employee_id=org.employee.id)  # fmt: skip
    assert refused["error"]["code"] == "assignee_unavailable"
    assert do(org.admin, "getTicket", ticket_id=ticket["id"])["version"] == 1


def test_a_manual_team_lets_people_assign_past_capacity(do: Do, stack: Stack) -> None:
    org = create_org(stack)
    assign_by(do, org, "manual", 0)
    do(org.employee, "setMyAvailability", org_id=org.id, status="away")
    ticket = submit(do, org.customer, org)
    assigned = do(org.employee, "updateTicket", ticket_id=ticket["id"], expected_version=1,
                  assigned_team_id=org.team_id, assigned_employee_id=org.employee.id)  # fmt: skip
    assert assigned["assigned_employee_id"] == org.employee.id
    [event] = employee_events(do(org.admin, "getTicket", ticket_id=ticket["id"]))
    assert event["new_value"]["assigned_by"] == "manual"
    assert "over_capacity" not in event["new_value"]


def test_a_ticket_nobody_can_take_waits_and_is_assigned_when_an_agent_resolves_one(
    do: Do, stack: Stack
) -> None:
    org = create_org(stack)
    assign_by(do, org, "least_loaded", 1)
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    first = submit(do, org.customer, org, "First")
    assert first["assigned_employee_id"] == org.employee.id
    waiting = submit(do, org.customer, org, "Second")
    assert (waiting["assigned_team_id"], waiting["assigned_employee_id"]) == (org.team_id, None)

    staff_view = do(org.employee, "getTicket", ticket_id=waiting["id"])
    [queued] = events_of(staff_view, "queued")
    assert queued["is_internal"] is True
    assert queued["new_value"] == {"team_id": org.team_id, "team_name": "Front line",
                                   "reason": "no_agent_available"}  # fmt: skip
    assert employee_events(staff_view) == []
    customer_view = do(org.customer, "getTicket", ticket_id=waiting["id"])
    assert [e["kind"] for e in customer_view["events"]] == ["created", "assignment_changed"]
    assert queue_ids(do, org.employee, org.team_id) == [waiting["id"]]

    resolved = do(org.employee, "updateTicket", ticket_id=first["id"], expected_version=1,
                  status="resolved")  # fmt: skip
    assert (resolved["status"], resolved["assigned_employee_id"]) == ("resolved", org.employee.id)
    assert stored_as_answered(resolved, do(org.employee, "getTicket", ticket_id=first["id"]))

    now = do(org.employee, "getTicket", ticket_id=waiting["id"])
    assert now["assigned_employee_id"] == org.employee.id
    [taken] = employee_events(now)
    assert taken["actor_id"] is None
    assert (taken["new_value"]["assigned_by"], taken["new_value"]["from_queue"]) == (
        "least_loaded", True)  # fmt: skip
    assert queue_ids(do, org.employee, org.team_id) == []


def test_a_requester_closing_their_ticket_gives_the_agent_the_next_one(
    do: Do, stack: Stack
) -> None:
    org = create_org(stack)
    assign_by(do, org, "round_robin", 1)
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    first, waiting = (submit(do, org.customer, org, f"T{i}") for i in range(2))
    closed = do(org.customer, "updateTicket", ticket_id=first["id"], expected_version=1,
                status="closed")  # fmt: skip
    assert stored_as_answered(closed, do(org.customer, "getTicket", ticket_id=first["id"]))
    taken = do(org.employee, "getTicket", ticket_id=waiting["id"])
    assert taken["assigned_employee_id"] == org.employee.id


def test_moving_a_ticket_into_a_team_with_room_answers_with_it_assigned(
    do: Do, stack: Stack
) -> None:
    org = create_org(stack)
    assign_by(do, org, "least_loaded", 3)
    ticket = submit(do, org.customer, org)
    moved = do(org.admin, "updateTicket", ticket_id=ticket["id"], expected_version=1,
               assigned_team_id=org.team_id)  # fmt: skip
    stored = do(org.admin, "getTicket", ticket_id=ticket["id"])
    assert moved["assigned_employee_id"] == org.employee.id
    assert stored_as_answered(moved, stored)
    assert events_of(stored, "queued") == []


def test_reopening_for_an_agent_who_is_away_puts_the_ticket_back_in_the_queue(
    do: Do, stack: Stack
) -> None:
    org = create_org(stack)
    assign_by(do, org, "least_loaded", 3)
    do(org.admin, "setDefaultTeam", org_id=org.id, team_id=org.team_id)
    ticket = submit(do, org.customer, org)
    resolved = do(org.employee, "updateTicket", ticket_id=ticket["id"], expected_version=1,
                  status="resolved")  # fmt: skip
    do(org.employee, "setMyAvailability", org_id=org.id, status="away")
    reopened = do(org.customer, "updateTicket", ticket_id=ticket["id"],
                  expected_version=resolved["version"], status="open")  # fmt: skip
    assert (reopened["status"], reopened["assigned_employee_id"]) == ("open", None)
    assert queue_ids(do, org.employee, org.team_id) == [ticket["id"]]
    last = employee_events(do(org.admin, "getTicket", ticket_id=ticket["id"]))[-1]
    assert (last["new_value"]["employee_id"], last["new_value"]["reason"]) == (
        None, "assignee_unavailable")  # fmt: skip


# input validation ---------------------------------------------------------------------------

Base = Callable[[Org, str], dict[str, Any]]
BASES: dict[str, Base] = {
    "createRoutingRule": lambda o, r: {"org_id": o.id, "name": "New rule", "team_id": o.team_id,
                                       "conditions": {"keywords": ["refund"]}},
    "updateRoutingRule": lambda o, r: {"rule_id": r, "expected_version": 1},
    "deleteRoutingRule": lambda o, r: {"rule_id": r},
    "reorderRoutingRules": lambda o, r: {"org_id": o.id, "rule_ids": [r]},
    "listRoutingRules": lambda o, r: {"org_id": o.id},
    "setDefaultTeam": lambda o, r: {"org_id": o.id, "team_id": o.team_id},
    "setTeamAssignment": lambda o, r: {"team_id": o.team_id, "strategy": "least_loaded",
                                       "default_capacity": 5, "requeue_when_away": False},
    "setMemberCapacity": lambda o, r: {"team_id": o.team_id, "user_id": o.employee.id,
                                       "capacity": 3},
    "teamWorkload": lambda o, r: {"team_id": o.team_id},
    "listTeamQueue": lambda o, r: {"team_id": o.team_id},
    "setMyAvailability": lambda o, r: {"org_id": o.id, "status": "away"},
    "claimNextTicket": lambda o, r: {"team_id": o.team_id},
}  # fmt: skip
GONE = "<left out>"  # a field sent as this is left out of the body


def where(**conditions: Any) -> dict[str, Any]:
    return {"conditions": conditions}


INVALID: list[tuple[str, str, dict[str, Any], list[str]]] = [
    # (id, action, fields over the base body, path of the invalid field)
    ("an_empty_keyword_list", "createRoutingRule", where(keywords=[]), ["conditions", "keywords"]),
    ("an_empty_priority_list", "createRoutingRule", where(priorities=[]),
     ["conditions", "priorities"]),
    ("an_empty_domain_list", "createRoutingRule", where(requester_domains=[]),
     ["conditions", "requester_domains"]),
    ("an_unknown_condition", "createRoutingRule", where(tags=["vip"]), ["conditions", "tags"]),
    ("a_null_condition", "createRoutingRule", where(keywords=None), ["conditions", "keywords"]),
    ("a_keyword_string_instead_of_a_list", "createRoutingRule", where(keywords="refund"),
     ["conditions", "keywords"]),
    ("null_conditions", "createRoutingRule", {"conditions": None}, ["conditions"]),
    ("conditions_as_text", "createRoutingRule", {"conditions": "refund"}, ["conditions"]),
    ("missing_conditions", "createRoutingRule", {"conditions": GONE}, ["conditions"]),
    ("a_priority_that_does_not_exist", "createRoutingRule", where(priorities=["critical"]),
     ["conditions", "priorities", "0"]),
    ("a_capitalised_priority", "createRoutingRule", where(priorities=["High"]),
     ["conditions", "priorities", "0"]),
    ("five_priorities", "createRoutingRule",
     where(priorities=["low", "medium", "high", "urgent", "low"]), ["conditions", "priorities"]),
    ("a_domain_with_a_space", "createRoutingRule", where(requester_domains=["not a domain"]),
     ["conditions", "requester_domains", "0"]),
    ("a_domain_without_a_dot", "createRoutingRule", where(requester_domains=["localhost"]),
     ["conditions", "requester_domains", "0"]),
    ("an_email_address_as_domain", "createRoutingRule",
     where(requester_domains=["someone@example.com"]), ["conditions", "requester_domains", "0"]),
    ("a_url_as_domain", "createRoutingRule", where(requester_domains=["https://example.com"]),
     ["conditions", "requester_domains", "0"]),
    ("a_domain_with_an_underscore", "createRoutingRule",
     where(requester_domains=["example.com", "ex_ample.com"]),
     ["conditions", "requester_domains", "1"]),
    ("an_empty_domain", "createRoutingRule", where(requester_domains=[""]),
     ["conditions", "requester_domains", "0"]),
    ("an_ip_address_as_domain", "createRoutingRule", where(requester_domains=["10.0.0.1"]),
     ["conditions", "requester_domains", "0"]),
    ("a_blank_keyword", "createRoutingRule", where(keywords=["   "]),
     ["conditions", "keywords", "0"]),
    ("an_empty_keyword", "createRoutingRule", where(keywords=["refund", ""]),
     ["conditions", "keywords", "1"]),
    ("a_keyword_of_101_characters", "createRoutingRule", where(keywords=["k" * 101]),
     ["conditions", "keywords", "0"]),
    ("a_keyword_with_a_line_break", "createRoutingRule", where(keywords=["re\nfund"]),
     ["conditions", "keywords", "0"]),
    ("a_keyword_with_a_nul_character", "createRoutingRule", where(keywords=["re\x00fund"]),
     ["conditions", "keywords", "0"]),
    ("a_null_keyword", "createRoutingRule", where(keywords=[None]),
     ["conditions", "keywords", "0"]),
    ("a_number_as_keyword", "createRoutingRule", where(keywords=[7]),
     ["conditions", "keywords", "0"]),
    ("21_keywords", "createRoutingRule", where(keywords=[f"k{i}" for i in range(21)]),
     ["conditions", "keywords"]),
    ("a_null_name", "createRoutingRule", {"name": None}, ["name"]),
    ("a_blank_name", "createRoutingRule", {"name": "  "}, ["name"]),
    ("a_name_of_101_characters", "createRoutingRule", {"name": "n" * 101}, ["name"]),
    ("a_null_team", "createRoutingRule", {"team_id": None}, ["team_id"]),
    ("a_team_that_is_not_a_uuid", "createRoutingRule", {"team_id": "billing"}, ["team_id"]),
    ("a_set_priority_that_does_not_exist", "createRoutingRule", {"set_priority": "critical"},
     ["set_priority"]),
    ("a_null_set_priority_on_create", "createRoutingRule", {"set_priority": None},
     ["set_priority"]),
    ("position_0", "createRoutingRule", {"position": 0}, ["position"]),
    ("a_negative_position", "createRoutingRule", {"position": -1}, ["position"]),
    ("a_fractional_position", "createRoutingRule", {"position": 1.5}, ["position"]),
    ("a_position_as_text", "createRoutingRule", {"position": "1"}, ["position"]),
    ("a_position_as_boolean", "createRoutingRule", {"position": True}, ["position"]),
    ("a_position_past_the_end", "createRoutingRule", {"position": 3}, ["position"]),
    ("a_huge_position", "createRoutingRule", {"position": 2**40}, ["position"]),
    ("an_unknown_field", "createRoutingRule", {"colour": "red"}, ["colour"]),
    ("nothing_to_change", "updateRoutingRule", {}, ["body"]),
    ("a_version_as_text", "updateRoutingRule", {"expected_version": "1", "name": "X"},
     ["expected_version"]),
    ("version_0", "updateRoutingRule", {"expected_version": 0, "name": "X"},
     ["expected_version"]),
    ("a_fractional_version", "updateRoutingRule", {"expected_version": 1.5, "name": "X"},
     ["expected_version"]),
    ("an_empty_new_name", "updateRoutingRule", {"name": ""}, ["name"]),
    ("a_null_new_name", "updateRoutingRule", {"name": None}, ["name"]),
    ("an_empty_keyword_list_on_update", "updateRoutingRule", where(keywords=[]),
     ["conditions", "keywords"]),
    ("an_unknown_condition_on_update", "updateRoutingRule", where(words=["x"]),
     ["conditions", "words"]),
    ("null_conditions_on_update", "updateRoutingRule", {"conditions": None}, ["conditions"]),
    ("a_null_new_team", "updateRoutingRule", {"team_id": None}, ["team_id"]),
    ("moving_a_rule_by_update", "updateRoutingRule", {"position": 1}, ["position"]),
    ("no_rule_ids", "reorderRoutingRules", {"rule_ids": []}, ["rule_ids"]),
    ("a_rule_id_that_is_not_a_uuid", "reorderRoutingRules", {"rule_ids": ["first"]},
     ["rule_ids", "0"]),
    ("null_rule_ids", "reorderRoutingRules", {"rule_ids": None}, ["rule_ids"]),
    ("a_rule_id_of_the_wrong_type", "deleteRoutingRule", {"rule_id": 12}, ["rule_id"]),
    ("an_org_id_that_is_not_a_uuid", "listRoutingRules", {"org_id": "acme"}, ["org_id"]),
    ("a_missing_default_team", "setDefaultTeam", {"team_id": GONE}, ["team_id"]),
    ("a_default_team_that_is_not_a_uuid", "setDefaultTeam", {"team_id": "front"}, ["team_id"]),
    ("a_strategy_that_does_not_exist", "setTeamAssignment", {"strategy": "fifo"}, ["strategy"]),
    ("a_null_strategy", "setTeamAssignment", {"strategy": None}, ["strategy"]),
    ("a_missing_strategy", "setTeamAssignment", {"strategy": GONE}, ["strategy"]),
    ("a_negative_default_capacity", "setTeamAssignment", {"default_capacity": -1},
     ["default_capacity"]),
    ("a_default_capacity_of_1001", "setTeamAssignment", {"default_capacity": 1001},
     ["default_capacity"]),
    ("a_fractional_default_capacity", "setTeamAssignment", {"default_capacity": 3.5},
     ["default_capacity"]),
    ("a_default_capacity_as_text", "setTeamAssignment", {"default_capacity": "3"},
     ["default_capacity"]),
    ("a_null_default_capacity", "setTeamAssignment", {"default_capacity": None},
     ["default_capacity"]),
    ("a_huge_default_capacity", "setTeamAssignment", {"default_capacity": 2**31},
     ["default_capacity"]),
    ("requeue_as_text", "setTeamAssignment", {"requeue_when_away": "yes"},
     ["requeue_when_away"]),
    ("requeue_as_a_number", "setTeamAssignment", {"requeue_when_away": 1},
     ["requeue_when_away"]),
    ("a_null_requeue", "setTeamAssignment", {"requeue_when_away": None}, ["requeue_when_away"]),
    ("a_negative_capacity", "setMemberCapacity", {"capacity": -1}, ["capacity"]),
    ("a_capacity_of_1001", "setMemberCapacity", {"capacity": 1001}, ["capacity"]),
    ("a_fractional_capacity", "setMemberCapacity", {"capacity": 3.5}, ["capacity"]),
    ("a_capacity_as_text", "setMemberCapacity", {"capacity": "3"}, ["capacity"]),
    ("a_capacity_as_boolean", "setMemberCapacity", {"capacity": True}, ["capacity"]),
    ("a_missing_capacity", "setMemberCapacity", {"capacity": GONE}, ["capacity"]),
    ("a_user_that_is_not_a_uuid", "setMemberCapacity", {"user_id": "me"}, ["user_id"]),
    ("a_team_id_as_a_number", "teamWorkload", {"team_id": 12}, ["team_id"]),
    ("a_queue_limit_of_0", "listTeamQueue", {"limit": 0}, ["limit"]),
    ("a_queue_limit_of_101", "listTeamQueue", {"limit": 101}, ["limit"]),
    ("a_queue_limit_as_text", "listTeamQueue", {"limit": "10"}, ["limit"]),
    ("a_fractional_queue_limit", "listTeamQueue", {"limit": 2.5}, ["limit"]),
    ("a_cursor_with_foreign_characters", "listTeamQueue", {"cursor": "page 2!"}, ["cursor"]),
    ("an_availability_that_does_not_exist", "setMyAvailability", {"status": "busy"}, ["status"]),
    ("a_null_availability", "setMyAvailability", {"status": None}, ["status"]),
    ("a_missing_availability", "setMyAvailability", {"status": GONE}, ["status"]),
    ("a_claimed_team_that_is_not_a_uuid", "claimNextTicket", {"team_id": "mine"}, ["team_id"]),
    ("a_null_claimed_team", "claimNextTicket", {"team_id": None}, ["team_id"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "fields", "path"),
    [case[1:] for case in INVALID],
    ids=[f"{case[0]}_is_invalid_for_{case[1]}" for case in INVALID],
)
def test_invalid_input_is_refused_naming_the_field(
    do: Do, stack: Stack, db: psycopg.Connection[Any], action: str, fields: dict[str, Any],
    path: list[str],
) -> None:  # fmt: skip
    org = create_org(stack)
    body = BASES[action](org, add_rule(stack, org, "Refunds")) | fields
    before = routing_state(db, org.id)
    refused = do(org.admin, action, 422, **{k: v for k, v in body.items() if v != GONE})
    assert path in invalid_paths(refused)
    assert routing_state(db, org.id) == before


@pytest.mark.parametrize(
    ("action", "fields"),
    [("setMemberCapacity", {"capacity": 3.0}), ("setMemberCapacity", {"capacity": 1000}),
     ("setMemberCapacity", {"capacity": 0}), ("setTeamAssignment", {"default_capacity": 1000.0}),
     ("createRoutingRule", {"position": 2.0}), ("createRoutingRule", {"position": 1}),
     ("createRoutingRule", where(requester_domains=[" Sub.Example.COM "]))],
    ids=["a_whole_float_capacity", "capacity_1000", "capacity_0", "a_whole_float_default",
         "a_whole_float_position", "position_1", "a_domain_with_spaces_and_capitals"],
)  # fmt: skip
def test_edge_values_are_accepted(
    do: Do, stack: Stack, action: str, fields: dict[str, Any]
) -> None:
    org = create_org(stack)
    body = BASES[action](org, add_rule(stack, org, "Refunds")) | fields
    do(org.admin, action, 201 if action.startswith("create") else 200, **body)


# who may do what ----------------------------------------------------------------------------

Body = Callable[[Org, list[str]], dict[str, Any]]
# Each admin action, and a body that changes something when the admin sends it.
ADMIN_ACTIONS: list[tuple[str, Body, int]] = [
    ("createRoutingRule", lambda o, r: {"org_id": o.id, "name": "Refunds",
     "conditions": {"keywords": ["refund"]}, "team_id": o.team_id}, 201),
    ("updateRoutingRule", lambda o, r: {"rule_id": r[0], "expected_version": 1,
     "name": "Renamed"}, 200),
    ("deleteRoutingRule", lambda o, r: {"rule_id": r[0]}, 200),
    ("reorderRoutingRules", lambda o, r: {"org_id": o.id, "rule_ids": r[::-1]}, 200),
    ("setDefaultTeam", lambda o, r: {"org_id": o.id, "team_id": o.team_id}, 200),
    ("setTeamAssignment", lambda o, r: {"team_id": o.team_id, "strategy": "round_robin",
     "default_capacity": 5, "requeue_when_away": True}, 200),
    ("setMemberCapacity", lambda o, r: {"team_id": o.team_id, "user_id": o.employee.id,
     "capacity": 3}, 200),
]  # fmt: skip
STAFF_VIEWS: list[tuple[str, Body]] = [
    ("listRoutingRules", lambda o, r: {"org_id": o.id}),
    ("teamWorkload", lambda o, r: {"team_id": o.team_id}),
    ("listTeamQueue", lambda o, r: {"team_id": o.team_id}),
]
OUTSIDERS = [
    ("customer", 404, "not_found"),
    ("other_org_employee", 404, "not_found"),
    ("other_org_admin", 404, "not_found"),
    ("anon", 401, "unauthorized"),
]
ROLE_WORDS = {
    "employee": "an_employee_is_forbidden_to",
    "customer": "a_customer_does_not_find",
    "other_org_employee": "another_orgs_employee_does_not_find",
    "other_org_admin": "another_orgs_admin_does_not_find",
    "anon": "anon_is_unauthorized_to",
}


def ruled_org(stack: Stack) -> tuple[Org, list[str]]:
    """An invite-only organization (other tenants cannot see it) with two rules."""
    org = create_org(stack, customer_access="invite")
    return org, [add_rule(stack, org, "First"), add_rule(stack, org, "Second")]


def acting(stack: Stack, org: Org, role: str) -> Person | None:
    return {"admin": org.admin, "employee": org.employee, "customer": org.customer,
            "other_org_employee": seeded(stack, "globex_agent"),
            "other_org_admin": seeded(stack, "globex_admin"), "anon": None}[role]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "body", "status"),
    ADMIN_ACTIONS,
    ids=[f"the_admin_may_{a[0]}" for a in ADMIN_ACTIONS],
)
def test_the_admin_configures_routing(
    do: Do, stack: Stack, db: psycopg.Connection[Any], action: str, body: Body, status: int
) -> None:
    org, rules = ruled_org(stack)
    before = routing_state(db, org.id)
    do(org.admin, action, status, **body(org, rules))
    assert routing_state(db, org.id) != before


@pytest.mark.parametrize(
    ("action", "body", "role", "status", "code"),
    [(a, b, role, status, code) for a, b, _ in ADMIN_ACTIONS
     for role, status, code in [("employee", 403, "forbidden"), *OUTSIDERS]],
    ids=[f"{ROLE_WORDS[role]}_{a}" for a, _, _ in ADMIN_ACTIONS
         for role in ["employee", *(o[0] for o in OUTSIDERS)]],
)  # fmt: skip
def test_nobody_but_the_admin_configures_routing(
    do: Do, stack: Stack, db: psycopg.Connection[Any], action: str, body: Body, role: str,
    status: int, code: str,
) -> None:  # fmt: skip
    org, rules = ruled_org(stack)
    before = routing_state(db, org.id)
    refused = do(acting(stack, org, role), action, status, **body(org, rules))
    assert refused["error"]["code"] == code
    assert routing_state(db, org.id) == before


@pytest.mark.parametrize("role", ["admin", "employee"])
@pytest.mark.parametrize(("action", "body"), STAFF_VIEWS, ids=[v[0] for v in STAFF_VIEWS])
def test_staff_see_the_routing_views(
    do: Do, stack: Stack, action: str, body: Body, role: str
) -> None:
    org, rules = ruled_org(stack)
    [waiting] = queued_tickets(do, org, ["high"])
    answer = do(acting(stack, org, role), action, **body(org, rules))
    if action == "listRoutingRules":
        assert ([r["id"] for r in answer["rules"]], answer["default_team_id"]) == (
            rules, org.team_id)  # fmt: skip
    elif action == "teamWorkload":
        assert (set(agents(answer)), answer["queued"]) == ({org.employee.id}, 1)
    else:
        assert [t["id"] for t in answer["items"]] == [waiting["id"]]


@pytest.mark.parametrize(
    ("action", "body", "role", "status", "code"),
    [(a, b, *o) for a, b in STAFF_VIEWS for o in OUTSIDERS],
    ids=[f"{ROLE_WORDS[o[0]]}_{a}" for a, _ in STAFF_VIEWS for o in OUTSIDERS],
)
def test_nobody_but_staff_sees_the_routing_views(
    do: Do, stack: Stack, action: str, body: Body, role: str, status: int, code: str
) -> None:
    org, rules = ruled_org(stack)
    queued_tickets(do, org, ["high"])
    assert do(acting(stack, org, role), action, status, **body(org, rules))["error"]["code"] == code


UNKNOWN: list[tuple[str, dict[str, Any]]] = [
    ("createRoutingRule", {"org_id": None, "name": "X", "conditions": {}, "team_id": None}),
    ("updateRoutingRule", {"rule_id": None, "expected_version": 1, "name": "X"}),
    ("deleteRoutingRule", {"rule_id": None}),
    ("reorderRoutingRules", {"org_id": None, "rule_ids": [None]}),
    ("listRoutingRules", {"org_id": None}),
    ("setDefaultTeam", {"org_id": None, "team_id": None}),
    ("setTeamAssignment", {"team_id": None, "strategy": "manual", "default_capacity": 1,
                           "requeue_when_away": False}),
    ("setMemberCapacity", {"team_id": None, "user_id": None, "capacity": 1}),
    ("teamWorkload", {"team_id": None}),
    ("listTeamQueue", {"team_id": None}),
    ("setMyAvailability", {"org_id": None, "status": "away"}),
]  # fmt: skip


@pytest.mark.parametrize(("action", "body"), UNKNOWN, ids=[f"{u[0]}_of_nothing" for u in UNKNOWN])
def test_what_does_not_exist_is_not_found(do: Do, stack: Stack, action: str, body: Any) -> None:
    org = create_org(stack)
    made_up = {k: str(uuid.uuid4()) if v is None else v for k, v in body.items()}
    made_up |= {k: [str(uuid.uuid4())] for k, v in body.items() if v == [None]}
    assert do(org.admin, action, 404, **made_up)["error"]["code"] == "not_found"


def test_another_orgs_admin_does_not_find_the_routing_of_a_public_org(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    """A public organization is visible to everyone signed in; its routing is not."""
    org = create_org(stack)
    rules = [add_rule(stack, org, "First"), add_rule(stack, org, "Second")]
    stranger = seeded(stack, "globex_admin")
    before = routing_state(db, org.id)
    for action, body in [(a, b) for a, b, _ in ADMIN_ACTIONS] + STAFF_VIEWS:
        assert do(stranger, action, 404, **body(org, rules))["error"]["code"] == "not_found"
    assert routing_state(db, org.id) == before


# straight through PostgREST -----------------------------------------------------------------


def rest(stack: Stack, who: Person | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A request to PostgREST as supabase-js sends it: the anon key, and the user's token."""
    token = who.token if who else stack.anon_key
    headers = {"apikey": stack.anon_key, "Authorization": f"Bearer {token}",
               "Prefer": "return=representation"}  # fmt: skip
    return httpx.request(method, f"{stack.rest_url}/{path}", headers=headers, **kwargs)


def routed_org(do: Do, stack: Stack) -> tuple[Org, str, str]:
    """An invite-only org with a rule to an automatic team, capacities, an away employee and a
    customer's ticket queued there; also the rule's and the ticket's ids."""
    org = create_org(stack, customer_access="invite")
    rule_id = add_rule(stack, org, "Refunds")
    assign_by(do, org, "least_loaded", 0)
    do(org.admin, "setMemberCapacity", team_id=org.team_id, user_id=org.employee.id, capacity=0)
    do(org.employee, "setMyAvailability", org_id=org.id, status="away")
    ticket = submit(do, org.customer, org, "Refund")
    return org, rule_id, ticket["id"]


TABLES: list[tuple[str, Callable[[Org], dict[str, str]]]] = [
    ("routing_rules", lambda o: {"organization_id": f"eq.{o.id}"}),
    ("team_assignment_settings", lambda o: {"team_id": f"eq.{o.team_id}",
                                            "select": "team_id,strategy,default_capacity"}),
    ("team_members", lambda o: {"team_id": f"eq.{o.team_id}", "select": "user_id,capacity"}),
    ("organization_members", lambda o: {"organization_id": f"eq.{o.id}",
                                        "select": "user_id,availability"}),
]  # fmt: skip
REST_ROLES = ["customer", "other_org_employee", "anon"]


@pytest.mark.parametrize("role", [*REST_ROLES, "employee"], ids=lambda r: f"the_{r}")
@pytest.mark.parametrize(("table", "params"), TABLES, ids=[t[0] for t in TABLES])
def test_routing_data_is_read_by_staff_only_through_postgrest(
    do: Do, stack: Stack, table: str, params: Callable[[Org], dict[str, str]], role: str
) -> None:
    org, _, _ = routed_org(do, stack)
    response = rest(stack, acting(stack, org, role), "GET", table, params=params(org))
    if role == "anon":
        assert response.status_code in (401, 403), response.text
        return
    assert response.status_code == 200, response.text
    rows = response.json()
    if role != "employee":
        assert rows == []
        return
    # The organization's staff do read it: this test would see a leak.
    expected: Callable[[], bool] = {
        "routing_rules": lambda: len(rows) == 1 and rows[0]["keywords"] == ["refund"],
        "team_assignment_settings": lambda: rows == [
            {"team_id": org.team_id, "strategy": "least_loaded", "default_capacity": 0}],
        "team_members": lambda: rows == [{"user_id": org.employee.id, "capacity": 0}],
        "organization_members": lambda: {r["user_id"]: r["availability"] for r in rows} == {
            org.employee.id: "away", org.admin.id: "available"},
    }[table]  # fmt: skip
    assert expected(), rows


@pytest.mark.parametrize("role", ["customer", "employee"])
def test_routing_history_is_internal_through_postgrest(do: Do, stack: Stack, role: str) -> None:
    org, _, ticket_id = routed_org(do, stack)
    response = rest(stack, acting(stack, org, role), "GET", "ticket_events",
                    params={"ticket_id": f"eq.{ticket_id}", "order": "id"})  # fmt: skip
    assert response.status_code == 200, response.text
    kinds = [e["kind"] for e in response.json()]
    if role == "customer":
        assert kinds == ["created", "assignment_changed"]
    else:
        assert kinds == ["created", "routed", "assignment_changed", "queued"]


RPCS: list[tuple[str, Callable[[Org, str], dict[str, Any]]]] = [
    ("list_routing_rules", lambda o, r: {"org_id": o.id}),
    ("team_workload", lambda o, r: {"team_id": o.team_id}),
    ("list_team_queue", lambda o, r: {"team_id": o.team_id}),
    ("create_routing_rule", lambda o, r: {"org_id": o.id, "name": "Mine",
     "conditions": {"keywords": ["x"]}, "team_id": o.team_id}),
    ("update_routing_rule", lambda o, r: {"rule_id": r, "expected_version": 1,
     "changes": {"name": "Mine"}}),
    ("delete_routing_rule", lambda o, r: {"rule_id": r}),
    ("reorder_routing_rules", lambda o, r: {"org_id": o.id, "rule_ids": [r]}),
    ("set_default_team", lambda o, r: {"org_id": o.id, "team_id": o.team_id}),
    ("set_team_assignment", lambda o, r: {"team_id": o.team_id, "strategy": "manual",
     "default_capacity": 1000, "requeue_when_away": True}),
    ("set_member_capacity", lambda o, r: {"team_id": o.team_id, "user_id": o.employee.id,
     "capacity": 1000}),
    ("claim_next_ticket", lambda o, r: {"team_id": o.team_id}),
    ("set_my_availability", lambda o, r: {"org_id": o.id, "status": "offline"}),
]  # fmt: skip


@pytest.mark.parametrize("role", REST_ROLES, ids=lambda r: f"the_{r}")
@pytest.mark.parametrize(("function", "body"), RPCS, ids=[f[0] for f in RPCS])
def test_routing_functions_find_nothing_for_outsiders_through_postgrest(
    do: Do, stack: Stack, db: psycopg.Connection[Any], function: str,
    body: Callable[[Org, str], dict[str, Any]], role: str,
) -> None:  # fmt: skip
    org, rule_id, _ = routed_org(do, stack)
    before = routing_state(db, org.id)
    response = rest(stack, acting(stack, org, role), "POST", f"rpc/{function}",
                    json=body(org, rule_id))  # fmt: skip
    if role == "anon":
        assert response.status_code == 401, response.text
    else:
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "PT404"
    assert routing_state(db, org.id) == before


WRITES: list[tuple[str, str, str, Callable[[Org, str], dict[str, str]], dict[str, Any] | None]] = [
    ("renaming_a_rule", "PATCH", "routing_rules", lambda o, r: {"id": f"eq.{r}"},
     {"name": "Hijacked"}),
    ("widening_a_rule", "PATCH", "routing_rules", lambda o, r: {"id": f"eq.{r}"},
     {"keywords": None}),
    ("deleting_a_rule", "DELETE", "routing_rules", lambda o, r: {"id": f"eq.{r}"}, None),
    ("adding_a_rule", "POST", "routing_rules", lambda o, r: {},
     {"organization_id": "{org}", "name": "Mine", "position": 2, "team_id": "{team}"}),
    ("changing_the_strategy", "PATCH", "team_assignment_settings",
     lambda o, r: {"team_id": f"eq.{o.team_id}"}, {"strategy": "manual", "default_capacity": 9}),
    ("making_it_the_default_team", "PATCH", "team_assignment_settings",
     lambda o, r: {"team_id": f"eq.{o.team_id}"}, {"is_default": True}),
    ("raising_their_capacity", "PATCH", "team_members",
     lambda o, r: {"team_id": f"eq.{o.team_id}"}, {"capacity": 1000}),
    ("setting_their_availability_directly", "PATCH", "organization_members",
     lambda o, r: {"organization_id": f"eq.{o.id}", "user_id": f"eq.{o.employee.id}"},
     {"availability": "available"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "table", "params", "payload"),
    [case[1:] for case in WRITES],
    ids=[f"an_employee_changes_nothing_by_{case[0]}" for case in WRITES],
)
def test_an_employee_changes_no_routing_through_postgrest(
    do: Do, stack: Stack, db: psycopg.Connection[Any], method: str, table: str,
    params: Callable[[Org, str], dict[str, str]], payload: dict[str, Any] | None,
) -> None:  # fmt: skip
    org, rule_id, _ = routed_org(do, stack)
    if payload is not None:
        payload = {k: v.format(org=org.id, team=org.team_id) if isinstance(v, str) else v
                   for k, v in payload.items()}  # fmt: skip
    before = routing_state(db, org.id)
    response = rest(stack, org.employee, method, table, params=params(org, rule_id), json=payload)
    if response.status_code < 300:
        assert response.json() == [], response.text  # no row was theirs to change
    else:
        assert response.status_code == 403, response.text
    assert routing_state(db, org.id) == before


def test_availability_is_set_only_through_set_my_availability(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    """Not even an admin writes someone's availability directly; each member sets their own."""
    org, _, _ = routed_org(do, stack)
    before = routing_state(db, org.id)
    for who, user in ((org.employee, org.employee), (org.admin, org.employee),
                      (org.admin, org.admin)):  # fmt: skip
        row = {"organization_id": f"eq.{org.id}", "user_id": f"eq.{user.id}"}
        response = rest(stack, who, "PATCH", "organization_members", params=row,
                        json={"availability": "away"})  # fmt: skip
        assert response.status_code == 403, response.text
    assert routing_state(db, org.id) == before
    own = rest(stack, org.employee, "POST", "rpc/set_my_availability",
               json={"org_id": org.id, "status": "offline"})  # fmt: skip
    assert (own.status_code, own.json()["availability"]) == (200, "offline"), own.text


@pytest.mark.parametrize("path", ["rpc", "table"], ids=["by_function", "into_the_table"])
@pytest.mark.parametrize(
    "keyword",
    ["re\tfund", "re\u2028fund", "re\u2029fund", "re\x85fund", "re\x9ffund", "re\x7ffund",
     "\u00a0refund", ""],
    ids=["a_tab", "a_line_separator", "a_paragraph_separator", "a_next_line", "a_c1_control",
         "a_delete", "a_leading_no_break_space", "nothing"],
)  # fmt: skip
def test_a_keyword_the_database_stores_reads_back_through_the_bff(
    do: Do, stack: Stack, keyword: str, path: str
) -> None:
    """An admin may write rules straight through PostgREST. What the database stores, the BFF
    must show (never a 500); what the BFF would refuse to show, the database must refuse."""
    org = create_org(stack)
    if path == "rpc":
        made = rest(stack, org.admin, "POST", "rpc/create_routing_rule", json={
            "org_id": org.id, "name": "Direct", "team_id": org.team_id,
            "conditions": {"keywords": [keyword]}})  # fmt: skip
    else:
        made = rest(stack, org.admin, "POST", "routing_rules", json={
            "organization_id": org.id, "name": "Direct", "position": 1, "team_id": org.team_id,
            "keywords": [keyword]})  # fmt: skip
    rules = do(org.employee, "listRoutingRules", org_id=org.id)["rules"]
    if made.status_code >= 400:
        assert made.status_code in (400, 422), made.text
        assert rules == []
    else:
        assert [rule["name"] for rule in rules] == ["Direct"], made.text


DB_INVALID: list[tuple[str, str, dict[str, Any], str]] = [
    # (id, function, fields over the base body, the hint naming the field)
    ("an_empty_keyword_list", "create_routing_rule", where(keywords=[]), "conditions.keywords"),
    ("a_blank_keyword", "create_routing_rule", where(keywords=["  "]), "conditions.keywords"),
    ("a_null_keyword", "create_routing_rule", where(keywords=[None]), "conditions.keywords"),
    ("an_unknown_condition", "create_routing_rule", where(tags=["vip"]), "conditions.tags"),
    ("a_priority_that_does_not_exist", "create_routing_rule", where(priorities=["critical"]),
     "conditions.priorities"),
    ("a_domain_with_a_space", "create_routing_rule", where(requester_domains=["not a domain"]),
     "conditions.requester_domains"),
    ("null_conditions", "create_routing_rule", {"conditions": None}, "conditions"),
    ("conditions_as_a_list", "create_routing_rule", {"conditions": ["refund"]}, "conditions"),
    ("a_blank_name", "create_routing_rule", {"name": "  "}, "name"),
    ("a_set_priority_that_does_not_exist", "create_routing_rule", {"set_priority": "critical"},
     "set_priority"),
    ("position_0", "create_routing_rule", {"position": 0}, "position"),
    ("a_position_past_the_end", "create_routing_rule", {"position": 3}, "position"),
    ("a_capacity_of_1001", "set_member_capacity", {"capacity": 1001}, "capacity"),
    ("a_negative_capacity", "set_member_capacity", {"capacity": -1}, "capacity"),
    ("a_default_capacity_of_1001", "set_team_assignment", {"default_capacity": 1001},
     "default_capacity"),
    ("a_strategy_that_does_not_exist", "set_team_assignment", {"strategy": "fifo"}, "strategy"),
    ("a_null_requeue", "set_team_assignment", {"requeue_when_away": None}, "requeue_when_away"),
    ("an_availability_that_does_not_exist", "set_my_availability", {"status": "busy"}, "status"),
    ("a_queue_limit_of_0", "list_team_queue", {"limit": 0}, "limit"),
    ("a_made_up_cursor", "list_team_queue", {"cursor": "garbage"}, "cursor"),
    ("no_changes", "update_routing_rule", {"changes": {}}, "changes"),
    ("moving_a_rule_by_update", "update_routing_rule", {"changes": {"position": 1}}, "position"),
    ("a_number_as_new_name", "update_routing_rule", {"changes": {"name": 5}}, "name"),
    ("a_team_that_is_not_a_uuid", "update_routing_rule", {"changes": {"team_id": "billing"}},
     "team_id"),
    ("an_empty_keyword_list_on_update", "update_routing_rule",
     {"changes": where(keywords=[])}, "conditions.keywords"),
    ("no_rule_ids", "reorder_routing_rules", {"rule_ids": []}, "rule_ids"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "fields", "hint"),
    [case[1:] for case in DB_INVALID],
    ids=[f"{case[0]}_is_refused_by_{case[1]}" for case in DB_INVALID],
)
def test_the_database_refuses_invalid_input_from_any_client(
    stack: Stack, db: psycopg.Connection[Any], function: str, fields: dict[str, Any], hint: str
) -> None:
    org = create_org(stack)
    rule_id = add_rule(stack, org, "Refunds")
    bases: dict[str, dict[str, Any]] = {
        "create_routing_rule": {"org_id": org.id, "name": "New", "team_id": org.team_id,
                                "conditions": {"keywords": ["x"]}},
        "set_member_capacity": {"team_id": org.team_id, "user_id": org.employee.id},
        "set_team_assignment": {"team_id": org.team_id, "strategy": "manual",
                                "default_capacity": 5, "requeue_when_away": False},
        "set_my_availability": {"org_id": org.id},
        "list_team_queue": {"team_id": org.team_id},
        "update_routing_rule": {"rule_id": rule_id, "expected_version": 1},
        "reorder_routing_rules": {"org_id": org.id},
    }  # fmt: skip
    before = routing_state(db, org.id)
    response = rest(stack, org.admin, "POST", f"rpc/{function}", json=bases[function] | fields)
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["hint"]) == ("PT422", hint)
    assert routing_state(db, org.id) == before
