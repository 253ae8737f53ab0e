"""The whole help desk in two browsers at once, as the issue describes it: a customer submits a
request with a file after seeing a suggestion; an agent, already looking at the dashboard, sees it
arrive, routed and assigned to them, replies and leaves an internal note; the customer sees the
reply arrive and never the note."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import FilePayload, expect

from tests.conftest import ActAs
from tests.web.conftest import NewContext, sign_in

AGENT1 = "Arthur Agent"  # agent1@acme.test (supabase/seed.sql)
REFUND_ARTICLE = "Get a refund for a damaged order"  # a published Acme article (seed)


@pytest.fixture
def billing_round_robin(act: ActAs, teams: dict[str, str], orgs: dict[str, str]) -> Iterator[None]:
    """Billing assigns its tickets by round robin (the seed leaves it manual), agent1 available,
    with room for whatever backlog earlier tests left in Billing's queue."""
    before = act("acme_admin", "teamWorkload", {"team_id": teams["Billing"]}).get_json()
    available = act("agent1", "setMyAvailability", {"org_id": orgs["acme"], "status": "available"})
    assert available.status_code == 200, available.get_json()
    settings = {"team_id": teams["Billing"], "default_capacity": 1000, "requeue_when_away": False}
    answer = act("acme_admin", "setTeamAssignment", {**settings, "strategy": "round_robin"})
    assert answer.status_code == 200, answer.get_json()
    yield
    restored = act(
        "acme_admin",
        "setTeamAssignment",
        {
            "team_id": teams["Billing"],
            "strategy": before["strategy"],
            "default_capacity": before["default_capacity"],
            "requeue_when_away": before["requeue_when_away"],
        },
    )
    assert restored.status_code == 200, restored.get_json()


def test_a_request_goes_from_the_customer_to_the_routed_agent_and_the_reply_comes_back_live(
    new_context: NewContext, orgs: dict[str, str], billing_round_robin: None
) -> None:
    live = re.compile("^Live$")
    staff = sign_in(new_context(), "agent1@acme.test")
    staff.goto(f"/#/org/{orgs['acme']}/tickets")
    expect(staff.get_by_role("status").filter(has_text=live)).to_be_visible()

    # The customer writes a request; a suggestion shows while she types the subject.
    customer = sign_in(new_context(), "alice@example.test")
    customer.get_by_role("link", name="New request").click()
    customer.get_by_role("main").get_by_label("Organization").select_option(orgs["acme"])
    subject = f"Refund for a broken kettle {uuid.uuid4().hex[:8]}"
    customer.get_by_label("Subject").fill(subject)
    expect(customer.get_by_role("button", name=re.compile(REFUND_ARTICLE))).to_be_visible()
    customer.get_by_label("Description").fill("It stopped heating after two days.")
    photo = FilePayload(name="kettle.txt", mimeType="text/plain", buffer=b"The kettle, broken.\n")
    customer.get_by_label("Attach files").set_input_files(photo)
    expect(customer.get_by_role("listitem").filter(has_text="kettle.txt")).to_contain_text(
        "Uploaded"
    )
    customer.get_by_role("button", name="Submit request").click()
    expect(customer.get_by_role("heading", level=1, name=subject)).to_be_visible()
    expect(customer.get_by_role("status").filter(has_text=live)).to_be_visible()

    # The agent's dashboard shows it without a reload: routed to Billing by the seeded rule
    # "Refunds to Billing", and assigned to them by round robin.
    tickets = staff.get_by_role("list", name="Tickets")
    card = tickets.get_by_role("listitem").filter(has_text=subject)
    expect(card).to_contain_text("Billing")
    expect(card).to_contain_text(AGENT1)
    card.get_by_role("link", name=subject).click()
    expect(staff.get_by_role("region", name="Assignment")).to_contain_text(AGENT1)
    expect(staff.get_by_role("button", name="Download kettle.txt")).to_be_visible()
    expect(staff.get_by_role("status").filter(has_text=live)).to_be_visible()

    # The internal note first, then the reply: when the reply reaches the customer, the note was
    # written before it, so its absence on her screen means something.
    conversation = staff.get_by_role("region", name="Conversation")
    comments = conversation.get_by_role("list", name="Comments")
    note = f"Second broken kettle from this batch this week. {uuid.uuid4().hex[:8]}"
    conversation.get_by_label("Internal note (staff only)").check()
    conversation.get_by_label("Internal note", exact=True).fill(note)
    conversation.get_by_role("button", name="Add internal note").click()
    expect(comments.get_by_role("listitem").filter(has_text=note)).to_contain_text("Internal note")
    conversation.get_by_label("Internal note (staff only)").uncheck()
    reply = f"A new kettle is on its way. {uuid.uuid4().hex[:8]}"
    conversation.get_by_label("Reply").fill(reply)
    conversation.get_by_role("button", name="Send reply").click()
    expect(comments.get_by_role("listitem").filter(has_text=reply)).to_contain_text(AGENT1)

    # The customer, still on her request, sees the reply arrive; the note never does.
    expect(customer.get_by_text(reply)).to_be_visible()
    expect(customer.get_by_text(note)).to_have_count(0)
    customer.reload()
    expect(customer.get_by_text(reply)).to_be_visible()
    expect(customer.get_by_role("button", name="kettle.txt")).to_be_visible()
    expect(customer.get_by_text(note)).to_have_count(0)
