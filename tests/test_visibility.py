"""Who sees what (README, "Who can see what"): every cell, through the BFF and through PostgREST.

One worked ticket per test module: alice's ticket at acme, assigned to a fresh team and to agent1,
with a public reply, an internal note, and changes of status, priority and details.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from devstack import Stack

from .conftest import ActAs

ROLES = ["requester", "other_customer", "colleague", "admin", "other_org_employee", "anon"]
# The seeded user acting in each role.
ACTOR = {"requester": "alice", "other_customer": "bob", "colleague": "agent2",
         "admin": "acme_admin", "other_org_employee": "globex_agent", "anon": None}  # fmt: skip
STAFF = {"colleague", "admin"}
OUTSIDERS = {"other_customer", "other_org_employee"}
PUBLIC_KINDS = {"created", "status_changed", "priority_changed", "details_changed",
                "assignment_changed", "comment_added"}  # fmt: skip


@pytest.fixture(scope="module")
def worked(
    app: Any, stack: Stack, tokens: dict[str, str], user_ids: dict[str, str]
) -> dict[str, Any]:
    """Alice's ticket at acme, worked by agent1 on a fresh team; also a second, unused team."""
    client = app.test_client()

    def post(who: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(f"/actions/{action}", json=body,
                               headers={"Authorization": f"Bearer {tokens[who]}"})  # fmt: skip
        assert response.status_code in (200, 201), response.get_json()
        result: dict[str, Any] = response.get_json()
        return result

    acme = stack.psql("select id from public.organizations where slug = 'acme';")
    tag = uuid.uuid4().hex[:8]
    team = post("acme_admin", "createTeam", {"org_id": acme, "name": f"Visibility {tag}"})
    unused = post("acme_admin", "createTeam", {"org_id": acme, "name": f"Unassigned {tag}"})
    post("acme_admin", "addTeamMember", {"team_id": team["id"], "user_id": user_ids["agent1"]})
    ticket = post("alice", "createTicket", {"handling_org_id": acme, "subject": f"Seen {tag}",
                                            "description": "Who can see this?"})  # fmt: skip
    worked = post("agent1", "updateTicket", {
        "ticket_id": ticket["id"], "expected_version": 1, "status": "in_progress",
        "priority": "high", "assigned_team_id": team["id"],
        "assigned_employee_id": user_ids["agent1"]})  # fmt: skip
    post("alice", "updateTicket", {"ticket_id": ticket["id"], "expected_version": worked["version"],
                                   "description": "Who can see this, exactly?"})  # fmt: skip
    public = post("agent1", "addComment", {"ticket_id": ticket["id"], "body": "On it."})
    note = {"ticket_id": ticket["id"], "body": "Alice again.", "is_internal": True}
    internal = post("agent1", "addComment", note)
    return {"ticket": ticket, "team": team, "unused_team": unused, "public": public,
            "internal": internal, "acme": acme}  # fmt: skip


def _rest(
    stack: Stack, tokens: dict[str, str], role: str, table: str, **params: str
) -> httpx.Response:
    """GET a table through PostgREST with the role's own token (anon: the anon key)."""
    actor = ACTOR[role]
    token = tokens[actor] if actor else stack.anon_key
    return httpx.get(f"{stack.rest_url}/{table}", params=params,
                     headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def _rows(stack: Stack, tokens: dict[str, str], role: str, table: str, **params: str) -> list[Any]:
    response = _rest(stack, tokens, role, table, **params)
    if role == "anon":
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "42501"
        assert response.json()["message"] == f"permission denied for table {table}"
        return []
    assert response.status_code == 200, response.text
    rows: list[Any] = response.json()
    return rows


# ticket fields -------------------------------------------------------------------------------

EMBED = "id,profiles(display_name),requester(*),assignee(display_name),team:teams(name)"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_the_ticket_with_its_people_and_team_through_postgrest(
    stack: Stack, tokens: dict[str, str], worked: dict[str, Any], role: str
) -> None:
    """Embeds work as the visibility table promises: requesters see the assignee's name too."""
    rows = _rows(stack, tokens, role, "tickets", id=f"eq.{worked['ticket']['id']}", select=EMBED)
    if role in OUTSIDERS or role == "anon":
        assert rows == []
        return
    [row] = rows
    assert row["profiles"] == {"display_name": "Alice"}
    assert row["requester"]["display_name"] == "Alice"
    assert set(row["requester"]) == {"id", "display_name", "avatar_url", "created_at", "updated_at"}
    assert row["assignee"] == {"display_name": "Arthur Agent"}
    assert row["team"] == {"name": worked["team"]["name"]}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_reading_a_ticket_directly_answers_as_the_bff_does(
    stack: Stack,
    tokens: dict[str, str],
    act: ActAs,
    worked: dict[str, Any],
    role: str,
    method: str,
) -> None:
    """rpc/get_ticket (GET too: it writes nothing) gives the BFF's status, and its code."""
    body = {"ticket_id": worked["ticket"]["id"]}
    actor = ACTOR[role]
    token = tokens[actor] if actor else stack.anon_key
    url, headers = f"{stack.rest_url}/rpc/get_ticket", {"Authorization": f"Bearer {token}"}
    if method == "GET":
        direct = httpx.get(url, params=body, headers=headers)
    else:
        direct = httpx.post(url, json=body, headers=headers)
    through_bff = act(actor, "getTicket", body)
    assert direct.status_code == through_bff.status_code, direct.text
    if through_bff.status_code == 200:
        mine, bffs = direct.json(), through_bff.get_json()  # same data; timestamps spelt apart
        assert (mine["id"], mine["version"], mine["subject"]) == (
            bffs["id"], bffs["version"], bffs["subject"])  # fmt: skip
        assert [c["id"] for c in mine["comments"]] == [c["id"] for c in bffs["comments"]]
    elif role != "anon":
        assert (direct.json()["code"], through_bff.get_json()["error"]["code"]) == (
            "PT404", "not_found")  # fmt: skip


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_the_ticket_through_the_bff(act: ActAs, worked: dict[str, Any], role: str) -> None:
    ticket = worked["ticket"]
    response = act(ACTOR[role], "getTicket", {"ticket_id": ticket["id"]})
    if role == "anon":
        assert response.status_code == 401
    elif role in OUTSIDERS:
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    else:
        assert response.status_code == 200, response.get_json()
        detail = response.get_json()
        assert (detail["subject"], detail["status"], detail["priority"]) == (
            ticket["subject"], "in_progress", "high")  # fmt: skip
        assert detail["assigned_team_id"] == worked["team"]["id"]
        assert detail["team"] == {"id": worked["team"]["id"], "name": worked["team"]["name"]}
        assert detail["assignee"]["display_name"] == "Arthur Agent"
        assert set(detail["assignee"]) == {"id", "display_name", "avatar_url"}
        assert detail["requester"]["display_name"] == "Alice"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_the_ticket_through_postgrest(
    stack: Stack, tokens: dict[str, str], worked: dict[str, Any], role: str
) -> None:
    rows = _rows(stack, tokens, role, "tickets", id=f"eq.{worked['ticket']['id']}")
    if role in OUTSIDERS or role == "anon":
        assert rows == []
    else:
        [row] = rows
        assert row["description"] == "Who can see this, exactly?"
        assert row["assigned_employee_id"] is not None
        assert row["assigned_team_id"] == worked["team"]["id"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_the_ticket_in_lists(act: ActAs, worked: dict[str, Any], role: str) -> None:
    ticket_id = worked["ticket"]["id"]
    listed = act(ACTOR[role], "listTickets", {"org_id": worked["acme"], "limit": 100})
    dashboard = act(ACTOR[role], "listMyTickets", {"limit": 100})
    if role == "anon":
        assert (listed.status_code, dashboard.status_code) == (401, 401)
        return
    in_list = ticket_id in {t["id"] for t in listed.get_json()["items"]}
    in_dashboard = ticket_id in {t["id"] for t in dashboard.get_json()["items"]}
    assert in_list is (role in STAFF or role == "requester")
    assert in_dashboard is (role == "requester")


@pytest.mark.parametrize("role", ["other_customer", "other_org_employee"], ids=lambda r: f"the_{r}")
def test_outsiders_list_none_of_the_orgs_other_tickets(
    act: ActAs, user_ids: dict[str, str], worked: dict[str, Any], role: str
) -> None:
    items = act(ACTOR[role], "listTickets", {"org_id": worked["acme"], "limit": 100}).get_json()[
        "items"
    ]
    assert {t["user_id"] for t in items} <= {user_ids[ACTOR[role] or ""]}


# comments and internal notes -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_comments_and_internal_notes(
    act: ActAs, stack: Stack, tokens: dict[str, str], worked: dict[str, Any], role: str
) -> None:
    ticket_id = worked["ticket"]["id"]
    expected = {
        "requester": {worked["public"]["id"]},
        "colleague": {worked["public"]["id"], worked["internal"]["id"]},
        "admin": {worked["public"]["id"], worked["internal"]["id"]},
    }.get(role, set())
    rows = _rows(stack, tokens, role, "ticket_comments", ticket_id=f"eq.{ticket_id}")
    assert {row["id"] for row in rows} == expected
    if expected:
        detail = act(ACTOR[role], "getTicket", {"ticket_id": ticket_id}).get_json()
        assert {c["id"] for c in detail["comments"]} == expected


# history events -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_history_events(
    act: ActAs, stack: Stack, tokens: dict[str, str], worked: dict[str, Any], role: str
) -> None:
    ticket_id = worked["ticket"]["id"]
    rows = _rows(stack, tokens, role, "ticket_events", ticket_id=f"eq.{ticket_id}")
    if role in OUTSIDERS or role == "anon":
        assert rows == []
        return
    detail = act(ACTOR[role], "getTicket", {"ticket_id": ticket_id}).get_json()
    for events in (rows, detail["events"]):
        kinds = {e["kind"] for e in events}
        internal = [e for e in events if e["is_internal"]]
        team_events = [e for e in events if e["kind"] == "assignment_changed" and
                       "team_name" in (e["new_value"] or {})]  # fmt: skip
        assert kinds == PUBLIC_KINDS
        assert [e["new_value"]["team_name"] for e in team_events] == [worked["team"]["name"]]
        if role == "requester":
            assert internal == []
        else:
            # The employee assignment and the internal note.
            assert sorted(e["kind"] for e in internal) == ["assignment_changed", "comment_added"]


# teams -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_teams(stack: Stack, tokens: dict[str, str], worked: dict[str, Any], role: str) -> None:
    ids = f"in.({worked['team']['id']},{worked['unused_team']['id']})"
    rows = _rows(stack, tokens, role, "teams", id=ids, select="id,name")
    expected = {
        "requester": {worked["team"]["id"]},
        "colleague": {worked["team"]["id"], worked["unused_team"]["id"]},
        "admin": {worked["team"]["id"], worked["unused_team"]["id"]},
    }.get(role, set())
    assert {row["id"] for row in rows} == expected


# profiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_profiles(
    stack: Stack,
    tokens: dict[str, str],
    user_ids: dict[str, str],
    role: str,
    worked: dict[str, Any],
) -> None:
    people = ["alice", "bob", "agent1", "globex_admin"]
    ids = "in.(" + ",".join(user_ids[p] for p in people) + ")"
    rows = _rows(stack, tokens, role, "profiles", id=ids, select="id,display_name,avatar_url")
    seen = {p for p in people if user_ids[p] in {row["id"] for row in rows}}
    expected = {
        # The assignee (agent1), never another customer.
        "requester": {"alice", "agent1"},
        "other_customer": {"bob", "agent1"},  # agent1 works bob's seeded refund ticket
        "colleague": {"alice", "bob", "agent1"},
        "admin": {"alice", "bob", "agent1"},
        "other_org_employee": {"alice", "bob", "globex_admin"},  # requesters at globex, co-member
        "anon": set(),
    }[role]
    assert seen == expected


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anon"], ids=lambda r: f"the_{r}")
def test_nobody_reads_email_addresses(stack: Stack, tokens: dict[str, str], role: str) -> None:
    """profiles holds only what people show each other, so `*` is safe (Auth keeps the email)."""
    rows = _rows(stack, tokens, role, "profiles", select="*")
    assert rows
    assert all(set(row) == {"id", "display_name", "avatar_url", "created_at", "updated_at"}
               for row in rows)  # fmt: skip


# organization members ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: f"the_{r}")
def test_organization_members(
    stack: Stack,
    tokens: dict[str, str],
    user_ids: dict[str, str],
    worked: dict[str, Any],
    role: str,
) -> None:
    rows = _rows(stack, tokens, role, "organization_members",
                 organization_id=f"eq.{worked['acme']}")  # fmt: skip
    members = {row["user_id"] for row in rows}
    if role in STAFF:
        assert {user_ids["acme_admin"], user_ids["agent1"], user_ids["agent2"]} <= members
    else:
        assert members == set()


# an employee of another org who requested a ticket here sees it as its requester ------------


def test_an_employee_of_another_org_sees_their_own_ticket_as_a_requester(
    act: ActAs, stack: Stack, tokens: dict[str, str]
) -> None:
    acme = stack.psql("select id from public.organizations where slug = 'acme';")
    body = {"handling_org_id": acme, "subject": "From Globex", "description": "Hi."}
    created = act("globex_agent", "createTicket", body)
    assert created.status_code == 201, created.get_json()
    ticket_id = created.get_json()["id"]
    assert act("agent1", "addComment", {"ticket_id": ticket_id, "body": "Hello"}).status_code == 201
    note = {"ticket_id": ticket_id, "body": "A competitor!", "is_internal": True}
    assert act("agent1", "addComment", note).status_code == 201
    detail = act("globex_agent", "getTicket", {"ticket_id": ticket_id}).get_json()
    assert [c["body"] for c in detail["comments"]] == ["Hello"]
    assert not any(e["is_internal"] for e in detail["events"])
    rows = _rows(
        stack, tokens, "other_org_employee", "ticket_comments", ticket_id=f"eq.{ticket_id}"
    )
    assert [row["body"] for row in rows] == ["Hello"]
    members = _rows(stack, tokens, "other_org_employee", "organization_members",
                    organization_id=f"eq.{acme}")  # fmt: skip
    assert members == []
