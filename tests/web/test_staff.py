"""The staff screens: the live dashboard, routing seen in the ticket view, replies and internal
notes with files, the stale edit and its resolution, an optimistic change rolled back, claiming
the next ticket, and the keyboard and phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Locator, Page, Request, Route, expect

from tests.conftest import ActAs
from tests.web.conftest import PHONE, NewContext, screenshot, sign_in, unique

API_ERROR = {
    "error": {"code": "internal_error", "message": "Try again later.", "request_id": "r-1"}
}

AGENT1 = "Arthur Agent"  # agent1@acme.test's display name (supabase/seed.sql)


def create_ticket(act: ActAs, org_id: str, subject: str, **fields: Any) -> dict[str, Any]:
    body = {
        "handling_org_id": org_id,
        "subject": subject,
        "description": "Written by the browser tests.",
        **fields,
    }
    response = act("alice", "createTicket", body)
    assert response.status_code == 201, response.get_json()
    ticket: dict[str, Any] = response.get_json()
    return ticket


def get_ticket(act: ActAs, ticket_id: str, who: str = "agent1") -> dict[str, Any]:
    response = act(who, "getTicket", {"ticket_id": ticket_id})
    assert response.status_code == 200, response.get_json()
    ticket: dict[str, Any] = response.get_json()
    return ticket


def agent1_page(new_context: NewContext, viewport: dict[str, int] | None = None) -> Page:
    """agent1 signed in, once the app has taken them to where staff land (so that its own move
    cannot overtake the test's next one)."""
    page = sign_in(new_context(viewport=viewport), "agent1@acme.test")
    expect(page).to_have_url(re.compile("#/org/[^/]+/tickets$"))
    return page


def open_dashboard(page: Page, org_id: str) -> None:
    page.goto(f"/#/org/{org_id}/tickets")
    expect(page.get_by_role("heading", name=re.compile("^Tickets"))).to_be_visible()
    # Broadcasts sent before the channel is joined are not replayed: wait until it is live.
    expect(page.get_by_role("status").filter(has_text=re.compile("^Live$"))).to_be_visible()


def open_ticket(page: Page, org_id: str, ticket: dict[str, Any]) -> None:
    page.goto(f"/#/org/{org_id}/tickets/{ticket['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket["subject"])
    expect(page.get_by_role("status").filter(has_text=re.compile("^Live$"))).to_be_visible()


def stat_card(page: Page, name: str) -> Locator:
    counts = page.get_by_role("list", name="Ticket counts")
    return counts.get_by_role("listitem").filter(has_text=name)


def stat(page: Page, name: str) -> int:
    """The number on a stat card, once the counts have loaded."""
    card = stat_card(page, name)
    expect(card).to_have_text(re.compile(r"^\d+"))
    return int(re.match(r"\d+", card.inner_text().strip()).group())  # type: ignore[union-attr]


def expect_stat(page: Page, name: str, count: int) -> None:
    expect(stat_card(page, name)).to_have_text(re.compile(rf"^\s*{count}\s*{name}"))


@pytest.fixture
def agent1_available(act: ActAs, orgs: dict[str, str]) -> Iterator[None]:
    response = act("agent1", "setMyAvailability", {"org_id": orgs["acme"], "status": "available"})
    assert response.status_code == 200, response.get_json()
    yield
    act("agent1", "setMyAvailability", {"org_id": orgs["acme"], "status": "available"})


def test_a_new_ticket_appears_on_the_open_dashboard_and_the_counts_follow(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    page = agent1_page(new_context)
    open_dashboard(page, orgs["acme"])
    open_before = stat(page, "Open")
    unassigned_before = stat(page, "Unassigned")
    in_progress_before = stat(page, "In progress")

    subject = unique("Cannot download my invoice")
    ticket = create_ticket(act, orgs["acme"], subject)

    card = page.get_by_role("list", name="Tickets").get_by_role("listitem").filter(has_text=subject)
    expect(card).to_be_visible()
    expect(card).to_contain_text(f"#{ticket['number']}")
    expect(card).to_contain_text("Open")
    expect(card).to_contain_text("Alice")
    expect(card).to_contain_text("Unassigned")
    expect_stat(page, "Open", open_before + 1)
    expect_stat(page, "Unassigned", unassigned_before + 1)

    # Someone else starts on it: the card changes in place, and so do the counts.
    response = act(
        "agent2",
        "updateTicket",
        {"ticket_id": ticket["id"], "expected_version": ticket["version"], "status": "in_progress"},
    )
    assert response.status_code == 200, response.get_json()
    expect(card).to_contain_text("In progress")
    expect_stat(page, "Open", open_before)
    expect_stat(page, "In progress", in_progress_before + 1)
    screenshot(page, "staff-dashboard")

    # The card leads to the ticket.
    card.get_by_role("link", name=subject).click()
    expect(page).to_have_url(re.compile(f"#/org/{orgs['acme']}/tickets/{ticket['id']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(subject)


def test_a_refund_ticket_is_routed_to_billing_and_assigned_by_round_robin(
    new_context: NewContext,
    act: ActAs,
    orgs: dict[str, str],
    teams: dict[str, str],
    agent1_available: None,
) -> None:
    before = act("acme_admin", "teamWorkload", {"team_id": teams["Billing"]}).get_json()
    setting = {
        "team_id": teams["Billing"],
        "strategy": "round_robin",
        "default_capacity": 1000,
        "requeue_when_away": False,
    }
    response = act("acme_admin", "setTeamAssignment", setting)
    assert response.status_code == 200, response.get_json()
    try:
        # The seeded rule "Refunds to Billing" matches the word "refund".
        ticket = create_ticket(act, orgs["acme"], unique("Please refund my order"))
        page = agent1_page(new_context)
        open_ticket(page, orgs["acme"], ticket)
        assignment = page.get_by_role("region", name="Assignment")
        expect(assignment.get_by_label("Team")).to_have_value(teams["Billing"])
        expect(assignment).to_contain_text("Billing")
        expect(assignment).to_contain_text(AGENT1)
        history = page.get_by_role("region", name="History")
        expect(history).to_contain_text('routed to Billing by rule "Refunds to Billing"')
        expect(history).to_contain_text(f"assigned it to {AGENT1} by round robin")
    finally:
        restored = act(
            "acme_admin",
            "setTeamAssignment",
            {
                "team_id": teams["Billing"],
                "strategy": "manual",
                "default_capacity": before["default_capacity"],
                "requeue_when_away": before["requeue_when_away"],
            },
        )
        assert restored.status_code == 200, restored.get_json()


def test_an_agent_replies_and_leaves_an_internal_note_with_a_file(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Printer prints blank pages"))
    page = agent1_page(new_context)
    open_ticket(page, orgs["acme"], ticket)
    conversation = page.get_by_role("region", name="Conversation")
    expect(conversation).to_contain_text("No comments yet")

    # What the agent is typing stays while the requester's comment arrives live.
    reply = unique("Could you send a photo of a printed page?")
    conversation.get_by_label("Reply").fill(reply)
    from_alice = unique("It happens with every document.")
    response = act("alice", "addComment", {"ticket_id": ticket["id"], "body": from_alice})
    assert response.status_code == 201, response.get_json()
    alices = conversation.get_by_role("listitem").filter(has_text=from_alice)
    expect(alices).to_contain_text("Alice")
    expect(alices).to_contain_text("Requester")
    expect(conversation.get_by_label("Reply")).to_have_value(reply)
    conversation.get_by_role("button", name="Send reply").click()
    comments = conversation.get_by_role("list", name="Comments")
    public = comments.get_by_role("listitem").filter(has_text=reply)
    expect(public).to_contain_text(AGENT1)

    note = unique("Same model as ticket 2; the driver update is the likely cause.")
    conversation.get_by_label("Internal note (staff only)").check()
    conversation.get_by_label("Internal note", exact=True).fill(note)
    conversation.get_by_label("Attach files").set_input_files(
        {"name": "driver-log.txt", "mimeType": "text/plain", "buffer": b"driver 4.2 failed\n" * 20}
    )
    chosen = conversation.get_by_role("list", name="Chosen files")
    expect(chosen.get_by_role("listitem").filter(has_text="driver-log.txt")).to_contain_text(
        "Uploaded"
    )
    conversation.get_by_role("button", name="Add internal note").click()

    internal = comments.get_by_role("listitem").filter(has_text=note)
    expect(internal).to_contain_text("Internal note")
    expect(internal.get_by_role("button", name="Download driver-log.txt")).to_be_visible()
    expect(internal).to_contain_text("360 B")
    expect(public).not_to_contain_text("Internal note")
    # Set apart: the note has its own background.
    background = "el => getComputedStyle(el).backgroundColor"
    assert internal.evaluate(background) != public.evaluate(background)
    # The form is empty again, ready for the next message.
    expect(conversation.get_by_label("Internal note", exact=True)).to_have_value("")
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("attached driver-log.txt")
    screenshot(page, "staff-ticket")

    # The requester sees the reply, never the note or its file.
    seen = get_ticket(act, ticket["id"], who="alice")
    assert [c["body"] for c in seen["comments"]] == [from_alice, reply]
    staff_view = get_ticket(act, ticket["id"])
    assert [c["body"] for c in staff_view["comments"]] == [from_alice, reply, note]
    assert [a["file_name"] for a in staff_view["comments"][2]["attachments"]] == ["driver-log.txt"]


def test_a_stale_edit_shows_what_changed_and_re_applies_the_agents_changes(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Password reset link expired"))
    page = agent1_page(new_context)
    open_ticket(page, orgs["acme"], ticket)

    page.get_by_role("button", name="Edit ticket").click()
    dialog = page.get_by_role("dialog", name=f"Edit ticket #{ticket['number']}")
    dialog.get_by_label("Priority").select_option("urgent")

    # Meanwhile another agent renames it.
    renamed = unique("Password reset link expires too soon")
    current = get_ticket(act, ticket["id"])
    response = act(
        "agent2",
        "updateTicket",
        {"ticket_id": ticket["id"], "expected_version": current["version"], "subject": renamed},
    )
    assert response.status_code == 200, response.get_json()
    expect(page.get_by_role("heading", level=1)).to_contain_text(renamed)

    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_contain_text("Someone changed this ticket while you were editing it")
    rows = dialog.get_by_role("row")
    subject_row = rows.filter(has=page.get_by_role("rowheader", name="Subject"))
    expect(subject_row).to_contain_text(ticket["subject"])  # when it was opened
    expect(subject_row).to_contain_text(renamed)  # now
    expect(subject_row).to_contain_text("not changed")  # by me
    priority_row = rows.filter(has=page.get_by_role("rowheader", name="Priority"))
    expect(priority_row).to_contain_text("Medium")
    expect(priority_row).to_contain_text("unchanged")
    expect(priority_row).to_contain_text("Urgent")

    dialog.get_by_role("button", name="Re-apply my changes").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_contain_text(renamed)
    panel = page.get_by_role("region", name="Status and priority")
    expect(panel.get_by_label("Priority")).to_have_value("urgent")
    stored = get_ticket(act, ticket["id"])
    assert (stored["subject"], stored["priority"]) == (renamed, "urgent")


def test_a_status_change_the_server_refuses_rolls_back_visibly(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Export stops at 10,000 rows"))
    page = agent1_page(new_context)
    open_ticket(page, orgs["acme"], ticket)
    panel = page.get_by_role("region", name="Status and priority")
    expect(panel.get_by_label("Status")).to_have_value("open")

    # Someone changes the ticket just before the agent's change reaches the server: it is stale.
    def change_first(route: Route) -> None:
        current = get_ticket(act, ticket["id"])
        act(
            "agent2",
            "updateTicket",
            {"ticket_id": ticket["id"], "expected_version": current["version"], "priority": "high"},
        )
        route.continue_()

    page.route("**/actions/updateTicket", change_first)
    panel.get_by_label("Status").select_option("resolved")

    notice = page.locator(".notices").get_by_role("alert")
    expect(notice).to_contain_text('Status "Resolved" was not saved and was undone')
    expect(notice).to_contain_text("version_conflict")
    expect(notice.locator(".request-id")).to_have_text(re.compile(r"\S+"))
    expect(panel.get_by_label("Status")).to_have_value("open")
    facts = page.get_by_role("definition").filter(has_text=re.compile("^(Open|Resolved)$"))
    expect(facts).to_have_text("Open")
    # What the other person did shows.
    expect(panel.get_by_label("Priority")).to_have_value("high")
    assert get_ticket(act, ticket["id"])["status"] == "open"

    # The agent still wants it resolved: once more, on the ticket as it is now.
    page.unroute("**/actions/updateTicket")
    page.get_by_role("button", name="Apply it to the ticket as it is now").click()
    expect(panel.get_by_label("Status")).to_have_value("resolved")
    expect(page.get_by_role("button", name="Apply it to the ticket as it is now")).to_be_hidden()
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("changed the status: Open → Resolved")  # stored
    stored = get_ticket(act, ticket["id"])
    assert (stored["status"], stored["priority"]) == ("resolved", "high")


def test_claim_next_ticket_assigns_the_queued_ticket_to_the_agent(
    new_context: NewContext,
    act: ActAs,
    orgs: dict[str, str],
    teams: dict[str, str],
    user_ids: dict[str, str],
    agent1_available: None,
) -> None:
    # Empty agent1's queues first (other tests leave tickets in Billing's), freeing the room.
    for _ in range(50):
        claimed = act("agent1", "claimNextTicket", {}).get_json()["ticket"]
        if claimed is None:
            break
        act(
            "agent1",
            "updateTicket",
            {
                "ticket_id": claimed["id"],
                "expected_version": claimed["version"],
                "status": "resolved",
            },
        )
    # A refund ticket goes to Billing (manual): it waits in the queue.
    ticket = create_ticket(act, orgs["acme"], unique("Refund the second charge"), priority="urgent")
    assert ticket["assigned_team_id"] == teams["Billing"]
    assert ticket["assigned_employee_id"] is None

    page = agent1_page(new_context)
    open_dashboard(page, orgs["acme"])
    # Away, one takes nothing: the API's answer shows.
    page.get_by_label("Away").check()
    expect(page.get_by_label("Away")).to_be_checked()
    expect(page.get_by_role("group", name="My availability")).to_be_enabled()
    page.get_by_role("button", name="Claim next ticket").click()
    expect(page.get_by_role("alert")).to_contain_text("assignee_unavailable")
    page.get_by_label("Available").check()
    expect(page.get_by_role("group", name="My availability")).to_be_enabled()
    # Only from agent1's team here: without team_id the API takes from any organization's.
    with page.expect_request("**/actions/claimNextTicket") as claim:
        page.get_by_role("button", name="Claim next ticket").click()
    assert body(claim.value) == {"team_id": teams["Billing"]}
    expect(page).to_have_url(re.compile(f"#/org/{orgs['acme']}/tickets/{ticket['id']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket["subject"])
    assignment = page.get_by_role("region", name="Assignment")
    expect(assignment.get_by_label("Assignee")).to_have_value(user_ids["agent1"])
    expect(assignment).to_contain_text(AGENT1)
    assert get_ticket(act, ticket["id"])["assigned_employee_id"] == user_ids["agent1"]

    # Nothing left: the dashboard says so.
    page.get_by_role("link", name="All tickets").click()
    page.get_by_role("button", name="Claim next ticket").click()
    expect(page.get_by_text("Billing's queue is empty")).to_be_visible()


def test_the_ticket_dialog_works_from_the_keyboard_and_the_dashboard_fits_a_phone(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    page = agent1_page(new_context)
    open_dashboard(page, orgs["acme"])
    new_ticket = page.get_by_role("button", name="New ticket")
    new_ticket.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="New ticket")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(new_ticket).to_be_focused()

    # Open it again and create a ticket without the mouse.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    subject = unique("Keyboard-made ticket")
    expect(dialog.get_by_label("Subject")).to_be_focused()
    page.keyboard.type(subject)
    page.keyboard.press("Tab")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # Medium → High
    page.keyboard.press("ArrowDown")  # → Urgent
    dialog.get_by_label("Subject").press("Enter")
    expect(dialog).to_be_hidden()
    card = page.get_by_role("list", name="Tickets").get_by_role("listitem").filter(has_text=subject)
    expect(card).to_contain_text("Urgent")
    expect(page.get_by_role("status").filter(has_text="created")).to_be_visible()

    phone = agent1_page(new_context, PHONE)
    open_dashboard(phone, orgs["acme"])
    expect(phone.get_by_role("list", name="Tickets").get_by_role("listitem").first).to_be_visible()
    stat(phone, "Open")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "staff-dashboard-phone")


def test_search_finds_tickets_and_load_more_brings_the_next_page(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    word = f"zebra{uuid.uuid4().hex[:6]}"
    subjects = [f"Label printer {word} number {n}" for n in range(27)]
    for subject in subjects:
        create_ticket(act, orgs["acme"], subject)
    create_ticket(act, orgs["acme"], unique("Label printer jams"))  # newer, without the word
    page = agent1_page(new_context)
    open_dashboard(page, orgs["acme"])
    page.get_by_label("Search").fill(word)
    cards = page.get_by_role("list", name="Tickets").get_by_role("listitem")
    expect(cards.filter(has_not_text=word)).to_have_count(0)
    expect(cards).to_have_count(25)
    expect(cards.first).to_contain_text(subjects[-1])  # newest first
    page.get_by_role("button", name="Load more").click()
    expect(cards).to_have_count(27)
    expect(cards.last).to_contain_text(subjects[0])
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()

    page.get_by_label("Priority").select_option("urgent")
    expect(page.get_by_text("No tickets match these filters.")).to_be_visible()


def test_a_ticket_that_is_not_there_shows_the_apis_error(
    new_context: NewContext, orgs: dict[str, str]
) -> None:
    page = agent1_page(new_context)
    page.goto(f"/#/org/{orgs['acme']}/tickets/{uuid.uuid4()}")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("not_found")
    expect(alert.locator(".request-id")).to_have_text(re.compile(r"\S+"))
    # A 404 will not pass by asking again: no "Try again" (a server fault would offer it).
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    page.get_by_role("link", name="All tickets").click()
    expect(page.get_by_role("heading", name=re.compile("^Tickets"))).to_be_visible()


def test_a_quick_status_button_leaves_keyboard_focus_on_the_status_it_set(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Keyboard only"))
    page = sign_in(new_context(), "agent1@acme.test")
    open_ticket(page, orgs["acme"], ticket)
    panel = page.get_by_role("region", name="Status and priority")
    page.get_by_role("button", name="Start work").focus()
    page.keyboard.press("Enter")
    # The button is gone with the status it set; focus is on the field that now shows it.
    expect(page.get_by_role("button", name="Start work")).to_have_count(0)
    expect(panel.get_by_label("Status")).to_have_value("in_progress")
    expect(panel.get_by_label("Status")).to_be_focused()


def record(page: Page, action: str) -> list[Request]:
    """The requests `page` makes to the BFF action `action`, from now on."""
    made: list[Request] = []

    def seen(request: Request) -> None:
        if request.url.endswith(f"/actions/{action}"):
            made.append(request)

    page.on("request", seen)
    return made


def body(request: Request) -> dict[str, Any]:
    sent: dict[str, Any] = request.post_data_json or {}
    return sent


def refuse(route: Route) -> None:
    route.fulfill(status=503, json=API_ERROR)


def test_a_note_typed_while_a_reply_fails_stays_a_note_and_the_reply_waits_apart(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Refused reply"))
    page = agent1_page(new_context)
    open_ticket(page, orgs["acme"], ticket)
    conversation = page.get_by_role("region", name="Conversation")
    comments = conversation.get_by_role("list", name="Comments")
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/actions/addComment", hold)

    reply = unique("Public reply A")
    conversation.get_by_label("Reply").fill(reply)
    expect(conversation.get_by_test_id("audience")).to_have_text(re.compile("requester will see"))
    conversation.get_by_role("button", name="Send reply").click()
    expect(comments.get_by_role("listitem").filter(has_text=reply)).to_contain_text("Sending")
    # While it is on its way, the agent writes a note.
    conversation.get_by_label("Internal note (staff only)").check()
    secret = unique("Secret: the requester is on our watch list")
    conversation.get_by_label("Internal note", exact=True).fill(secret)
    expect(conversation.get_by_role("button", name="Sending…")).to_be_disabled()
    held[0].fulfill(status=503, json=API_ERROR)

    # The note stays a note, with its text; the refused reply waits apart, said to be public.
    waiting = conversation.get_by_role("group", name="Message not sent")
    expect(waiting).to_contain_text("Your reply to the requester was not sent.")
    expect(waiting).to_contain_text(reply)
    expect(waiting).to_contain_text("Try again later.")
    expect(conversation.get_by_label("Internal note (staff only)")).to_be_checked()
    expect(conversation.get_by_label("Internal note", exact=True)).to_have_value(secret)
    expect(conversation.get_by_test_id("audience")).to_have_text(re.compile("only staff"))
    expect(comments).to_have_count(0)

    page.unroute("**/actions/addComment")
    waiting.get_by_role("button", name="Send this reply again").click()
    expect(comments.get_by_role("listitem").filter(has_text=reply)).to_contain_text(AGENT1)
    expect(waiting).to_be_hidden()
    conversation.get_by_role("button", name="Add internal note").click()
    expect(comments.get_by_role("listitem").filter(has_text=secret)).to_contain_text(
        "Internal note"
    )
    stored = get_ticket(act, ticket["id"])
    assert [(c["body"], c["is_internal"]) for c in stored["comments"]] == [
        (reply, False),
        (secret, True),
    ]

    # Refused with nothing typed since: the note comes back whole, still a note.
    page.route("**/actions/addComment", refuse)
    again = unique("Another secret")
    conversation.get_by_label("Internal note", exact=True).fill(again)
    conversation.get_by_role("button", name="Add internal note").click()
    expect(conversation.get_by_role("alert").filter(has_text="Try again later.")).to_be_visible()
    expect(conversation.get_by_label("Internal note", exact=True)).to_have_value(again)
    expect(conversation.get_by_label("Internal note (staff only)")).to_be_checked()


def test_files_upload_once_when_chosen_and_a_retried_note_reuses_them(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Files once"))
    page = agent1_page(new_context)
    open_ticket(page, orgs["acme"], ticket)
    conversation = page.get_by_role("region", name="Conversation")
    uploads = record(page, "createAttachmentUpload")
    removals = record(page, "removeAttachment")

    conversation.get_by_label("Attach files").set_input_files(
        [
            FilePayload(name="keep.txt", mimeType="text/plain", buffer=b"keep\n"),
            FilePayload(name="drop.txt", mimeType="text/plain", buffer=b"drop\n"),
        ]
    )
    chosen = conversation.get_by_role("list", name="Chosen files")
    for name in ("keep.txt", "drop.txt"):
        expect(chosen.get_by_role("listitem").filter(has_text=name)).to_contain_text("Uploaded")
    assert len(uploads) == 2
    # Taking a file off removes it on the server too.
    with page.expect_request("**/actions/removeAttachment"):
        chosen.get_by_role("button", name="Remove drop.txt").click()
    expect(chosen.get_by_role("listitem")).to_have_count(1)

    note = unique("With the log")
    conversation.get_by_label("Reply").fill(note)
    page.route("**/actions/addComment", refuse)
    with page.expect_request("**/actions/addComment") as first:
        conversation.get_by_role("button", name="Send reply").click()
    keep_id = body(first.value)["attachment_ids"][0]
    expect(conversation.get_by_role("alert").filter(has_text="Try again later.")).to_be_visible()
    expect(chosen.get_by_role("listitem").filter(has_text="keep.txt")).to_contain_text("Uploaded")
    page.unroute("**/actions/addComment")
    with page.expect_request("**/actions/addComment") as second:
        conversation.get_by_role("button", name="Send reply").click()
    assert body(second.value)["attachment_ids"] == [keep_id]
    comment = conversation.get_by_role("list", name="Comments").get_by_role("listitem")
    expect(
        comment.filter(has_text=note).get_by_role("button", name="Download keep.txt")
    ).to_be_visible()
    expect(conversation.get_by_role("list", name="Chosen files")).to_have_count(0)
    assert len(uploads) == 2  # never uploaded again
    assert keep_id not in [body(r)["attachment_id"] for r in removals]
    assert len(removals) == 1


def test_a_second_send_in_the_same_tick_adds_one_comment(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Double send"))
    page = agent1_page(new_context)
    open_ticket(page, orgs["acme"], ticket)
    conversation = page.get_by_role("region", name="Conversation")
    sent = record(page, "addComment")
    reply = unique("Only once")
    conversation.get_by_label("Reply").fill(reply)
    conversation.locator("form").evaluate("form => { form.requestSubmit(); form.requestSubmit() }")
    comments = conversation.get_by_role("list", name="Comments").get_by_role("listitem")
    expect(comments.filter(has_text=reply)).to_contain_text(AGENT1)
    expect(comments).to_have_count(1)
    assert len(sent) == 1
    assert len(get_ticket(act, ticket["id"])["comments"]) == 1


def test_claiming_offers_my_teams_here_and_explains_when_there_are_none(
    new_context: NewContext,
    act: ActAs,
    orgs: dict[str, str],
    teams: dict[str, str],
    user_ids: dict[str, str],
    agent1_available: None,
) -> None:
    admin = sign_in(new_context(), "admin@acme.test")
    open_dashboard(admin, orgs["acme"])
    work = admin.get_by_role("region", name="My work")
    expect(work).to_contain_text("You are not on a team in Acme Support")
    expect(work.get_by_role("button", name="Claim next ticket")).to_have_count(0)

    member = {"team_id": teams["Technical"], "user_id": user_ids["agent1"]}
    added = act("acme_admin", "addTeamMember", member)
    assert added.status_code == 200, added.get_json()
    try:
        page = agent1_page(new_context)
        open_dashboard(page, orgs["acme"])
        queue = page.get_by_role("region", name="My work").get_by_label("Queue")
        expect(queue).to_have_value(teams["Billing"])
        queue.select_option(label="Technical")
        with page.expect_request("**/actions/claimNextTicket") as claim:
            page.get_by_role("button", name="Claim next ticket").click()
        assert body(claim.value) == {"team_id": teams["Technical"]}
    finally:
        act("acme_admin", "removeTeamMember", member)


def test_a_ticket_of_another_organization_is_never_shown_as_this_ones(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    # agent1 asked Globex for help, as a customer: the ticket is theirs to read, not Acme's.
    response = act(
        "agent1",
        "createTicket",
        {"handling_org_id": orgs["globex"], "subject": unique("Globex"), "description": "Mine."},
    )
    assert response.status_code == 201, response.get_json()
    ticket = response.get_json()
    page = agent1_page(new_context)
    page.goto(f"/#/org/{orgs['acme']}/tickets/{ticket['id']}")
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("This ticket is not handled here")
    expect(notice).to_contain_text("Globex Help")
    expect(page.get_by_role("region", name="Conversation")).to_have_count(0)
    notice.get_by_role("link", name="open it in My requests").click()
    expect(page).to_have_url(re.compile(f"#/requests/{ticket['id']}$"))


def test_a_reopened_ticket_joins_the_list_of_what_needs_work(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Reopened later"))
    resolved = act(
        "agent2",
        "updateTicket",
        {"ticket_id": ticket["id"], "expected_version": ticket["version"], "status": "resolved"},
    )
    assert resolved.status_code == 200, resolved.get_json()
    page = agent1_page(new_context)
    open_dashboard(page, orgs["acme"])
    cards = page.get_by_role("list", name="Tickets").get_by_role("listitem")
    expect(cards.first).to_be_visible()
    card = cards.filter(has_text=ticket["subject"])
    expect(card).to_have_count(0)
    reopened = act(
        "agent2",
        "updateTicket",
        {
            "ticket_id": ticket["id"],
            "expected_version": resolved.get_json()["version"],
            "status": "open",
        },
    )
    assert reopened.status_code == 200, reopened.get_json()
    expect(card).to_contain_text("Open")


def test_a_filter_chosen_while_the_search_waits_is_kept(
    new_context: NewContext, orgs: dict[str, str]
) -> None:
    page = agent1_page(new_context)
    open_dashboard(page, orgs["acme"])
    expect(page.get_by_role("list", name="Tickets")).to_be_visible()
    status = page.get_by_label("Status")
    with page.expect_request(
        lambda r: r.url.endswith("/actions/listTickets") and "q" in (r.post_data_json or {})
    ) as searched:
        page.get_by_label("Search").fill("Printer")
        status.select_option(label="Any status")
    assert body(searched.value)["q"] == "Printer"
    assert "status" not in body(searched.value)
    expect(status).to_have_value("")


def test_someone_not_on_the_staff_gets_one_message_and_no_requests(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs["acme"], unique("Alice's own"))
    page = sign_in(new_context(), "alice@example.test")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    asked: list[str] = []
    staff_only = re.compile(
        r"/actions/(listTickets|ticketStats|getTicket)$"
        r"|/rest/v1/(teams|team_members|organization_members)"
    )

    def seen(request: Request) -> None:
        if staff_only.search(request.url):
            asked.append(request.url)

    page.on("request", seen)
    for path in (f"tickets/{ticket['id']}", "tickets"):
        page.goto(f"/#/org/{orgs['acme']}/{path}")
        main = page.get_by_role("main")
        expect(main.get_by_role("heading", name=re.compile("is for staff"))).to_be_visible()
        expect(main).to_contain_text("You are not on the staff of this organization")
        expect(main.get_by_role("alert")).to_have_count(0)
    main.get_by_role("link", name="My requests").click()
    expect(page).to_have_url(re.compile("#/requests$"))
    expect(page.get_by_role("main").get_by_text(ticket["subject"])).to_be_visible()
    assert asked == []


def test_long_unbroken_words_do_not_widen_the_page_on_a_phone(
    new_context: NewContext, act: ActAs, orgs: dict[str, str], user_ids: dict[str, str]
) -> None:
    word = "x" * 110 + uuid.uuid4().hex[:10]
    team_name = "T" * 92 + uuid.uuid4().hex[:8]
    team = act("acme_admin", "createTeam", {"org_id": orgs["acme"], "name": team_name})
    assert team.status_code == 201, team.get_json()
    team_id = team.get_json()["id"]
    member = {"team_id": team_id, "user_id": user_ids["agent1"]}
    try:
        assert act("acme_admin", "addTeamMember", member).status_code == 200
        ticket = create_ticket(act, orgs["acme"], word, description="d" * 120)
        moved = act(
            "acme_admin",
            "updateTicket",
            {
                "ticket_id": ticket["id"],
                "expected_version": ticket["version"],
                "assigned_team_id": team_id,
            },
        )
        assert moved.status_code == 200, moved.get_json()
        comment = act("alice", "addComment", {"ticket_id": ticket["id"], "body": "c" * 120})
        assert comment.status_code == 201, comment.get_json()
        page = agent1_page(new_context, PHONE)
        open_ticket(page, orgs["acme"], ticket)
        expect(page.get_by_role("region", name="Assignment")).to_contain_text(team_name)
        conversation = page.get_by_role("region", name="Conversation")
        file_name = "f" * 90 + ".txt"
        conversation.get_by_label("Attach files").set_input_files(
            FilePayload(name=file_name, mimeType="text/plain", buffer=b"long name\n")
        )
        expect(conversation.get_by_role("list", name="Chosen files")).to_contain_text("Uploaded")
        conversation.get_by_label("Reply").fill("r" * 120)
        fits = "document.documentElement.scrollWidth <= 390"
        assert page.evaluate(fits)
        conversation.get_by_role("button", name="Send reply").click()
        expect(conversation.get_by_role("button", name=f"Download {file_name}")).to_be_visible()
        assert page.evaluate(fits)

        open_dashboard(page, orgs["acme"])
        expect(page.get_by_role("region", name="My work").get_by_label("Queue")).to_be_visible()
        page.get_by_label("Search").fill(word)
        card = page.get_by_role("list", name="Tickets").get_by_role("listitem")
        expect(card).to_have_count(1)
        expect(card).to_contain_text(team_name)
        assert page.evaluate(fits)
    finally:
        act("acme_admin", "removeTeamMember", member)
        act("acme_admin", "deleteTeam", {"team_id": team_id})


def test_a_ticket_reached_under_another_organization_opens_in_its_own(
    new_context: NewContext, act: ActAs, orgs: dict[str, str], user_ids: dict[str, str]
) -> None:
    invited = act(
        "globex_admin",
        "inviteMember",
        {"org_id": orgs["globex"], "email": "agent1@acme.test", "role": "employee"},
    )
    assert invited.status_code < 300, invited.get_json()
    accepted = act("agent1", "acceptInvitation", {"invitation_id": invited.get_json()["id"]})
    assert accepted.status_code < 300, accepted.get_json()
    try:
        ticket = create_ticket(act, orgs["globex"], unique("Globex's own"))
        page = agent1_page(new_context)
        page.goto(f"/#/org/{orgs['acme']}/tickets/{ticket['id']}")
        expect(page).to_have_url(re.compile(f"#/org/{orgs['globex']}/tickets/{ticket['id']}$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(ticket["subject"])
        expect(page.get_by_role("link", name="All tickets")).to_have_attribute(
            "href", f"#/org/{orgs['globex']}/tickets"
        )
    finally:
        removed = act(
            "globex_admin",
            "removeMember",
            {"org_id": orgs["globex"], "user_id": user_ids["agent1"]},
        )
        assert removed.status_code < 300, removed.get_json()
