"""The customer screens: a new request with knowledge-base suggestions and a file, the request's
live conversation (staff replies arrive, internal notes never do), my requests with the "Staff
replied" marker, the organization picker, the API's refusals shown as they are, and a phone."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask.testing import FlaskClient
from playwright.sync_api import FilePayload, Locator, Page, Route, expect

from devstack import Stack
from tests.conftest import ActAs
from tests.web.conftest import PHONE, NewContext, screenshot, sign_in, sign_up, unique

# A published public article of Acme's seeded knowledge base (supabase/seed.sql).
REFUND_ARTICLE = "Get a refund for a damaged order"
REFUND_ARTICLE_ID = "aaaaaaaa-3000-4000-8000-000000000001"


def create_ticket(act: ActAs, orgs: dict[str, str], subject: str) -> dict[str, Any]:
    response = act(
        "alice",
        "createTicket",
        {
            "handling_org_id": orgs["acme"],
            "subject": subject,
            "description": "The screen stays blank after signing in.",
        },
    )
    assert response.status_code == 201, response.get_json()
    ticket: dict[str, Any] = response.get_json()
    return ticket


def open_screen(page: Page, path: str) -> None:
    """Go to `path` once the app has landed on My requests after signing in (else its own
    redirect there could come after ours)."""
    expect(page).to_have_url(re.compile("#/requests$"))
    page.goto(f"/#{path}")


def organization_picker(page: Page) -> Locator:
    return page.get_by_role("main").get_by_label("Organization")


def request_row(page: Page, subject: str) -> Locator:
    return page.get_by_role("listitem").filter(has=page.get_by_role("link", name=subject))


def test_a_new_request_offers_articles_while_typing_and_lands_on_the_request_with_its_file(
    new_context: NewContext, orgs: dict[str, str]
) -> None:
    page = sign_in(new_context(), "alice@example.test")
    page.get_by_role("link", name="New request").click()
    expect(page.get_by_role("heading", name="New request")).to_be_visible()
    organization_picker(page).select_option(orgs["acme"])
    subject = unique("Refund for a damaged parcel")
    page.get_by_label("Subject").fill(subject)

    suggestion = page.get_by_role("button", name=re.compile(REFUND_ARTICLE))
    expect(suggestion).to_be_visible()
    screenshot(page, "customer-new-request")

    # The article opens in a dialog, its Markdown shown as text, with the helpful question.
    suggestion.click()
    dialog = page.get_by_role("dialog", name=REFUND_ARTICLE)
    expect(dialog).to_contain_text("we refund it in full")
    expect(dialog.get_by_role("strong").filter(has_text="Report a problem")).to_be_visible()
    expect(dialog).to_contain_text("Did this answer your question?")
    dialog.get_by_role("button", name="No").click()
    expect(dialog.get_by_role("button", name="No")).to_have_attribute("aria-pressed", "true")
    dialog.get_by_role("button", name="Back to writing my request").click()
    expect(dialog).to_be_hidden()

    page.get_by_label("Description").fill("The parcel arrived crushed; the lamp inside is broken.")
    report = FilePayload(name="damage-report.txt", mimeType="text/plain", buffer=b"Box crushed.\n")
    page.get_by_label("Attach files").set_input_files(report)
    upload = page.get_by_role("listitem").filter(has_text="damage-report.txt")
    expect(upload).to_contain_text("Uploaded")
    with page.expect_request("**/actions/createTicket") as sent:
        page.get_by_role("button", name="Submit request").click()
    # The ticket names the files uploaded for its reserved id, the articles that were shown, and
    # carries an Idempotency-Key (a retried submit returns the same ticket).
    body = sent.value.post_data_json
    assert isinstance(body, dict)
    assert REFUND_ARTICLE_ID in body["suggested_article_ids"]
    assert len(body["attachment_ids"]) == 1 and body["ticket_id"]
    assert sent.value.headers.get("idempotency-key")

    expect(page).to_have_url(re.compile(f"#/requests/{body['ticket_id']}$"))
    expect(page.get_by_role("heading", level=1, name=subject)).to_be_visible()
    expect(page.get_by_role("button", name="damage-report.txt")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    screenshot(page, "customer-request")


def test_staff_replies_arrive_live_and_internal_notes_never_reach_the_requester(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    subject = unique("Dashboard stays blank")
    ticket = create_ticket(act, orgs, subject)
    page = sign_in(new_context(), "alice@example.test")
    row = request_row(page, subject)
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("Staff replied")
    expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()

    # The internal note first: by the time the reply shows, the note has been written too.
    note = unique("Internal: probably the cache again, do not tell the customer")
    reply = unique("Thanks, we are looking into it")
    for body, internal in ((note, True), (reply, False)):
        answer = act(
            "agent1",
            "addComment",
            {"ticket_id": ticket["id"], "body": body, "is_internal": internal},
        )
        assert answer.status_code == 201, answer.get_json()
    expect(row.get_by_text("Staff replied")).to_be_visible()
    screenshot(page, "customer-requests")

    row.get_by_role("link", name=subject).click()
    expect(page.get_by_text(reply)).to_be_visible()
    expect(page.get_by_text(note)).to_have_count(0)

    # While the request is open, another reply shows without a reload; the note still does not.
    second = unique("Could you try clearing the browser cache?")
    answer = act("agent1", "addComment", {"ticket_id": ticket["id"], "body": second})
    assert answer.status_code == 201, answer.get_json()
    expect(page.get_by_role("listitem").filter(has_text=second)).to_contain_text("Staff")
    expect(page.get_by_text(note)).to_have_count(0)
    page.reload()
    expect(page.get_by_text(second)).to_be_visible()
    expect(page.get_by_text(note)).to_have_count(0)

    # Opening the request marked it seen: the marker is gone from the list.
    page.get_by_role("link", name="My requests").first.click()
    expect(request_row(page, subject)).to_be_visible()
    expect(request_row(page, subject)).not_to_contain_text("Staff replied")


def test_a_reply_shows_at_once_and_a_refused_one_goes_back_to_the_box_with_the_reason(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs, unique("Export is empty"))
    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, f"/requests/{ticket['id']}")
    box = page.get_by_label("Your reply")
    conversation = page.get_by_role("region", name="Conversation")

    text = unique("It happens with every browser I tried")
    box.fill(text)
    page.get_by_role("button", name="Send reply").click()
    expect(conversation.get_by_role("listitem").filter(has_text=text)).to_contain_text("You")
    expect(box).to_have_value("")

    # Too long for the API (10,000 characters): refused, taken back, with the API's message.
    refused = "x" * 10_001
    box.fill(refused)
    page.get_by_role("button", name="Send reply").click()
    failure = page.locator(".reply-refused")
    expect(failure).to_contain_text("Your reply was not sent")
    expect(failure).to_contain_text("at most 10000 characters")
    expect(failure.locator(".request-id")).not_to_be_empty()
    expect(box).to_have_value(refused)
    expect(conversation.get_by_role("listitem")).to_have_count(1)


def test_closing_a_request_shows_at_once_and_a_conflict_puts_the_status_back(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs, unique("Please close me"))
    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, f"/requests/{ticket['id']}")
    summary = page.locator(".request-summary")
    expect(summary).to_contain_text("Open")

    # Staff change the ticket while Alice's click is on its way: her version is stale (409).
    def staff_first(route: Route) -> None:
        current = act("agent1", "getTicket", {"ticket_id": ticket["id"]}).get_json()
        changed = act(
            "agent1",
            "updateTicket",
            {
                "ticket_id": ticket["id"],
                "expected_version": current["version"],
                "priority": "urgent",
            },
        )
        assert changed.status_code == 200, changed.get_json()
        route.continue_()

    page.route("**/actions/updateTicket", staff_first)
    page.get_by_role("button", name="Close request").click()
    details = page.get_by_role("region", name="Details")
    expect(details.get_by_role("alert")).to_contain_text("version_conflict")
    expect(details).to_contain_text("The request changed meanwhile")
    expect(summary).to_contain_text("Open")
    expect(summary).to_contain_text("Urgent")

    page.unroute("**/actions/updateTicket")
    page.get_by_role("button", name="Close request").click()
    expect(summary).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Reopen request")).to_be_visible()
    expect(page.get_by_role("region", name="History")).to_contain_text(
        "You changed the status: Open → Closed"
    )


def test_changing_the_organization_after_uploading_starts_the_files_again(
    new_context: NewContext, orgs: dict[str, str]
) -> None:
    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, "/requests/new")
    organization_picker(page).select_option(orgs["acme"])
    log = FilePayload(name="console.log.txt", mimeType="text/plain", buffer=b"error 42\n")
    page.get_by_label("Attach files").set_input_files(log)
    expect(page.get_by_role("listitem").filter(has_text="console.log.txt")).to_contain_text(
        "Uploaded"
    )

    # The file was uploaded for a ticket at Acme: it does not follow the request to Globex.
    organization_picker(page).select_option(orgs["globex"])
    expect(page.get_by_role("status").filter(has_text="Your files were removed")).to_contain_text(
        "uploaded for Acme Support"
    )
    expect(page.get_by_role("listitem").filter(has_text="console.log.txt")).to_have_count(0)

    page.get_by_label("Attach files").set_input_files(log)
    expect(page.get_by_role("listitem").filter(has_text="console.log.txt")).to_contain_text(
        "Uploaded"
    )
    subject = unique("Sync fails at night")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Description").fill("The log is attached.")
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", level=1, name=subject)).to_be_visible()
    expect(page.locator(".request-summary")).to_contain_text("Globex Help")
    expect(page.get_by_role("button", name="console.log.txt")).to_be_visible()


def test_a_submit_retried_after_a_lost_answer_creates_one_request(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, "/requests/new")
    organization_picker(page).select_option(orgs["acme"])
    subject = unique("Invoice PDF is blank")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Description").fill("Every invoice downloads as an empty page.")

    # The server creates the ticket but its answer never reaches the browser.
    def lose_the_answer(route: Route) -> None:
        route.fetch()
        route.abort("connectionreset")

    page.route("**/actions/createTicket", lose_the_answer)
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("alert").filter(has_text="could not be reached")).to_be_visible()
    page.unroute("**/actions/createTicket")
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", level=1, name=subject)).to_be_visible()

    mine = act("alice", "listMyTickets", {"limit": 100}).get_json()["items"]
    assert [t["subject"] for t in mine].count(subject) == 1


def test_the_organization_picker_offers_exactly_the_submittable_organizations(
    new_context: NewContext, act: ActAs
) -> None:
    answer = act("alice", "listSubmittableOrganizations")
    assert answer.status_code == 200, answer.get_json()
    submittable = answer.get_json()["items"]
    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, "/requests/new")
    picker = organization_picker(page)
    expect(picker.locator("option[value]:not([value=''])")).to_have_count(len(submittable))
    offered = picker.locator("option").evaluate_all(
        "options => options.filter(o => o.value).map(o => [o.value, o.textContent])"
    )
    assert sorted(offered) == sorted([o["id"], o["name"]] for o in submittable)


def test_a_subject_the_api_refuses_shows_its_message_and_request_id_and_can_be_fixed(
    new_context: NewContext, orgs: dict[str, str]
) -> None:
    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, "/requests/new")
    organization_picker(page).select_option(orgs["acme"])
    page.get_by_label("Subject").fill("Too long " * 25)  # 225 characters; the API takes 200
    page.get_by_label("Description").fill("The subject says it all.")
    page.get_by_role("button", name="Submit request").click()

    alert = page.get_by_role("alert").filter(has_text="Some fields are invalid")
    expect(alert).to_contain_text("String should have at most 200 characters")
    expect(alert.locator(".request-id")).to_have_text(re.compile(r"\S+"))
    expect(page.locator(".field-error")).to_have_text("String should have at most 200 characters")
    expect(page).to_have_url(re.compile("#/requests/new$"))

    subject = unique("Shorter subject")
    page.get_by_label("Subject").fill(subject)
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", level=1, name=subject)).to_be_visible()


def test_my_requests_on_a_phone(new_context: NewContext, act: ActAs, orgs: dict[str, str]) -> None:
    subject = unique("Cannot change my password")
    ticket = create_ticket(act, orgs, subject)
    body = {"ticket_id": ticket["id"], "body": "Which page shows the error?"}
    assert act("agent2", "addComment", body).status_code == 201
    page = sign_in(new_context(viewport=PHONE), "alice@example.test")
    expect(request_row(page, subject)).to_contain_text("Staff replied")
    expect(page.get_by_role("link", name="New request")).to_be_visible()
    screenshot(page, "customer-requests-phone")


def test_my_requests_page_with_load_more_and_filter_by_status(
    new_context: NewContext, client: FlaskClient, stack: Stack, orgs: dict[str, str]
) -> None:
    # A new customer, so the number of their requests is exactly what this test makes.
    email = f"pager-{uuid.uuid4().hex[:8]}@example.test"
    headers = {"Authorization": f"Bearer {sign_up(stack, email)}"}

    def as_customer(action: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = client.post(f"/actions/{action}", json=body, headers=headers)
        assert answer.status_code < 300, answer.get_json()
        result: dict[str, Any] = answer.get_json()
        return result

    batch = unique("Batch")
    created = [
        as_customer(
            "createTicket",
            {"handling_org_id": orgs["acme"], "subject": f"{batch} {n}", "description": "Paging."},
        )
        for n in range(30)
    ]
    closed = created[0]
    as_customer(
        "updateTicket",
        {"ticket_id": closed["id"], "expected_version": closed["version"], "status": "closed"},
    )

    page = sign_in(new_context(), email)
    rows = page.get_by_role("list", name="My requests").get_by_role("listitem")
    expect(rows).to_have_count(25)
    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(30)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()

    page.get_by_label("Show requests").select_option(label="Closed")
    expect(request_row(page, closed["subject"])).to_be_visible()
    expect(request_row(page, created[1]["subject"])).to_have_count(0)
    for text in rows.all_inner_texts():
        assert "Closed" in text


# Where a page is wider than the phone: the elements sticking out, to say what to fix.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > 391)
  .slice(0, 6)
  .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""

LONG_WORD = "Unbroken" * 15  # 120 characters without a break


def assert_fits_the_phone(page: Page, screen: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{screen} is {width} px wide: {page.evaluate(STICKING_OUT)}"


def test_staff_opening_a_request_they_did_not_submit_get_the_staff_view(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    subject = unique("Alice's printer is jammed")
    ticket = create_ticket(act, orgs, subject)
    answer = act("alice", "addComment", {"ticket_id": ticket["id"], "body": "Still jammed."})
    assert answer.status_code == 201, answer.get_json()

    page = sign_in(new_context(), "agent1@acme.test")
    page.goto(f"/#/requests/{ticket['id']}")
    # Not "Your request" with Alice's words as the support team's: the staff view of the ticket.
    expect(page).to_have_url(re.compile(f"#/org/{orgs['acme']}/tickets/{ticket['id']}$"))
    expect(page.get_by_role("heading", level=1, name=subject)).to_be_visible()
    expect(page.get_by_role("heading", name="Your request")).to_have_count(0)
    expect(page.get_by_role("button", name="Close request")).to_have_count(0)


def test_suggestions_stay_quiet_when_the_subject_is_refused_and_say_little_when_they_fail(
    new_context: NewContext, orgs: dict[str, str]
) -> None:
    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, "/requests/new")
    organization_picker(page).select_option(orgs["acme"])
    panel = page.get_by_role("complementary", name="Suggested articles")
    subject = page.get_by_label("Subject")
    subject.fill("Refund for a damaged parcel")
    suggestion = panel.get_by_role("button", name=re.compile(REFUND_ARTICLE))
    expect(suggestion).to_be_visible()

    # Over the API's 200 characters: suggestArticles answers 422, which is the form's to report
    # when it is sent; the panel keeps what it showed and raises no alarm.
    with page.expect_response("**/actions/suggestArticles") as refused:
        subject.fill("Refund for a damaged parcel " + "please " * 30)
    assert refused.value.status == 422
    expect(panel.locator(".suggestion-list")).to_have_attribute("aria-busy", "false")
    expect(suggestion).to_be_visible()
    expect(panel.get_by_role("alert")).to_have_count(0)
    expect(panel).not_to_contain_text("validation_failed")

    # A server failure: one quiet line with the request id, not an error box.
    failure = {"code": "internal_error", "message": "Boom.", "request_id": "req-suggest-500"}
    page.route(
        "**/actions/suggestArticles",
        lambda route: route.fulfill(
            status=500,
            json={"error": failure},
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )
    subject.fill("Parcel arrived broken")
    unavailable = panel.get_by_role("status").filter(has_text="Suggestions are unavailable")
    expect(unavailable).to_contain_text("req-suggest-500")
    expect(panel.get_by_role("alert")).to_have_count(0)


def test_a_reply_sent_twice_in_one_tick_is_sent_once(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs, unique("Double reply"))
    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, f"/requests/{ticket['id']}")
    text = unique("Only once, please")
    page.get_by_label("Your reply").fill(text)
    send_twice = "form => { form.requestSubmit(); form.requestSubmit() }"
    page.locator("form.reply-form").evaluate(send_twice)

    conversation = page.get_by_role("region", name="Conversation")
    sent = conversation.get_by_role("listitem").filter(has_text=text)
    expect(sent).to_have_count(1)
    expect(sent).not_to_contain_text("Sending…")
    page.reload()
    expect(conversation.get_by_role("listitem").filter(has_text=text)).to_have_count(1)
    comments = act("alice", "getTicket", {"ticket_id": ticket["id"]}).get_json()["comments"]
    assert [c["body"] for c in comments].count(text) == 1


def test_the_history_reads_oldest_first_with_replies_in_words(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    ticket = create_ticket(act, orgs, unique("History in order"))
    reply = {"ticket_id": ticket["id"], "body": "We are on it."}
    assert act("agent1", "addComment", reply).status_code == 201
    current = act("agent1", "getTicket", {"ticket_id": ticket["id"]}).get_json()
    change = {"ticket_id": ticket["id"], "expected_version": current["version"], "priority": "high"}
    assert act("agent1", "updateTicket", change).status_code == 200
    events = act("alice", "getTicket", {"ticket_id": ticket["id"]}).get_json()["events"]
    assert "comment_added" in [e["kind"] for e in events]

    page = sign_in(new_context(), "alice@example.test")
    open_screen(page, f"/requests/{ticket['id']}")
    lines = page.get_by_role("region", name="History").get_by_role("listitem")
    expect(lines).to_have_count(len(events))
    expect(lines.first).to_contain_text("You submitted the request")
    expect(lines.filter(has_text="Support replied")).to_have_count(1)
    expect(lines.last).to_contain_text("Support changed the priority: Medium → High")
    for text in lines.all_inner_texts():
        assert "_" not in text, text  # words, not the API's kinds


def test_long_unbroken_words_do_not_widen_the_customer_screens_on_a_phone(
    new_context: NewContext, act: ActAs, orgs: dict[str, str]
) -> None:
    marker = f"Zq{uuid.uuid4().hex[:8]}"
    created = act(
        "acme_admin",
        "createArticle",
        {
            "org_id": orgs["acme"],
            "title": f"{marker} {LONG_WORD}",
            "body": f"{LONG_WORD}\n\nThe answer.",
            "visibility": "public",
            "category": LONG_WORD[:100],
        },
    )
    assert created.status_code == 201, created.get_json()
    article = created.get_json()
    published = act(
        "acme_admin",
        "publishArticle",
        {"article_id": article["id"], "expected_version": article["version"]},
    ).get_json()
    try:
        ticket = create_ticket(act, orgs, f"{LONG_WORD} {uuid.uuid4().hex[:8]}")
        long_reply = {"ticket_id": ticket["id"], "body": LONG_WORD}
        assert act("agent1", "addComment", long_reply).status_code == 201
        page = sign_in(new_context(viewport=PHONE), "alice@example.test")
        expect(request_row(page, ticket["subject"])).to_be_visible()
        assert_fits_the_phone(page, "My requests")

        page.goto(f"/#/requests/{ticket['id']}")
        expect(page.get_by_text(LONG_WORD, exact=True)).to_be_visible()
        long_file = FilePayload(name=f"{LONG_WORD}.txt", mimeType="text/plain", buffer=b"x\n")
        page.get_by_label("Attach files").set_input_files(long_file)
        upload = page.get_by_role("listitem").filter(has_text=f"{LONG_WORD}.txt")
        expect(upload).to_contain_text("Uploaded")
        page.get_by_label("Your reply").fill(f"Here is the file. {LONG_WORD}")
        page.get_by_role("button", name="Send reply").click()
        expect(page.get_by_role("button", name=f"Download {LONG_WORD}.txt")).to_be_visible()
        assert_fits_the_phone(page, "The request")

        page.goto("/#/requests/new")
        organization_picker(page).select_option(orgs["acme"])
        page.get_by_label("Subject").fill(f"{marker} question")
        suggestion = page.get_by_role("button", name=re.compile(marker))
        expect(suggestion).to_be_visible()
        assert_fits_the_phone(page, "New request")
        suggestion.click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("The answer.")).to_be_visible()
        # The article's body and its buttons are on the screen, not off to the right.
        for part in (dialog.locator(".article-body"), dialog.get_by_role("button", name="Yes")):
            box = part.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert_fits_the_phone(page, "The article dialog")
    finally:
        act(
            "acme_admin",
            "archiveArticle",
            {"article_id": article["id"], "expected_version": published["version"]},
        )
