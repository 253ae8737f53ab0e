"""The app's shell: sign-in, where each kind of user lands, the session ending, a phone screen."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Route, expect

from devstack import Stack
from tests.conftest import ActAs, NewTicket
from tests.web.conftest import PHONE, NewContext, fill_sign_in, screenshot, sign_in, sign_up


def test_a_wrong_password_shows_auths_message_and_stays_on_sign_in(new_context: NewContext) -> None:
    page = new_context().new_page()
    page.goto("/")
    screenshot(page, "sign-in")
    fill_sign_in(page, "alice@example.test", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Invalid login credentials")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_staff_land_on_their_organizations_tickets_and_customers_on_their_requests(
    new_context: NewContext, orgs: dict[str, str]
) -> None:
    staff = sign_in(new_context(), "agent1@acme.test")
    expect(staff).to_have_url(re.compile(f"#/org/{orgs['acme']}/tickets$"))
    customer = sign_in(new_context(), "alice@example.test")
    expect(customer).to_have_url(re.compile("#/requests$"))


def test_an_ended_session_sends_the_user_to_sign_in_and_back_where_they_were(
    new_context: NewContext, stack: Stack, orgs: dict[str, str]
) -> None:
    page = sign_in(new_context(), "agent2@acme.test")
    expect(page).to_have_url(re.compile(f"#/org/{orgs['acme']}/tickets$"))
    # The session ends on the server (signed out everywhere, or revoked by an admin): the next
    # request with its token is refused, and the app asks to sign in again.
    _end_sessions_of(stack, "agent2@acme.test")
    page.goto("/#/requests")
    page.reload()  # coming back to the app later: its first request carries the ended session
    expect(page.locator("form.signin-card").get_by_role("alert")).to_contain_text(
        "Your session has ended"
    )
    fill_sign_in(page, "agent2@acme.test")
    expect(page).to_have_url(re.compile("#/requests$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _end_sessions_of(stack: Stack, email: str) -> None:
    """End every session of `email` on the server (signed out everywhere, or revoked)."""
    stack.psql(
        "delete from auth.sessions "
        "where user_id = (select id from auth.users where email = :'email');",
        {"email": email},
    )


# What supabase-js keeps in localStorage: the session, with `expires_at` in epoch seconds.
_EXPIRE_STORED_SESSION = """() => {
  const key = Object.keys(localStorage).find((name) => name.endsWith('-auth-token'))
  const session = JSON.parse(localStorage.getItem(key))
  session.expires_at = Math.floor(Date.now() / 1000) - 60
  localStorage.setItem(key, JSON.stringify(session))
}"""


def test_an_expired_token_that_cannot_be_refreshed_sends_the_user_to_sign_in(
    new_context: NewContext, stack: Stack
) -> None:
    page = sign_in(new_context(), "bob@example.test")
    expect(page).to_have_url(re.compile("#/requests$"))
    # The access token's hour is up, and its refresh token is gone meanwhile (the session
    # itself still stands, so only the refresh can fail): the next action asks supabase-js for a
    # fresh token, Auth refuses the refresh, and the app asks to sign in again, then returns to
    # where the user was going.
    stack.psql(
        "delete from auth.refresh_tokens "
        "where user_id = (select id::text from auth.users where email = 'bob@example.test');"
    )
    page.evaluate(_EXPIRE_STORED_SESSION)
    page.get_by_role("link", name="Invitations").click()
    expect(page.locator("form.signin-card").get_by_role("alert")).to_contain_text(
        "Your session has ended"
    )
    fill_sign_in(page, "bob@example.test")
    expect(page).to_have_url(re.compile("#/invitations$"))
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()


def test_signing_out_shows_the_sign_in_screen_without_a_warning(new_context: NewContext) -> None:
    page = sign_in(new_context(), "alice@example.test")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_header_folds_into_a_menu_on_a_phone(new_context: NewContext) -> None:
    page = sign_in(new_context(viewport=PHONE), "alice@example.test")
    expect(page.get_by_role("link", name="My requests")).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    expect(page.get_by_role("link", name="My requests")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="My requests")).to_be_hidden()
    expect(menu).to_be_focused()


def test_after_a_session_ends_another_user_starts_at_their_own_start(
    new_context: NewContext, stack: Stack, orgs: dict[str, str]
) -> None:
    page = sign_in(new_context(), "admin@acme.test")
    page.goto(f"/#/org/{orgs['acme']}/admin/members")
    expect(page.get_by_role("heading", name=re.compile("^Administration"))).to_be_visible()
    _end_sessions_of(stack, "admin@acme.test")
    page.reload()
    expect(page.locator("form.signin-card").get_by_role("alert")).to_contain_text(
        "Your session has ended"
    )
    # Someone else signs in at this browser: they land on their own start, not the admin's screen.
    fill_sign_in(page, "alice@example.test")
    expect(page).to_have_url(re.compile("#/requests$"))


def test_a_malformed_address_lands_on_the_start_instead_of_a_blank_page(
    new_context: NewContext,
) -> None:
    page = sign_in(new_context(), "alice@example.test")
    page.goto("/#/requests/%E0%A4%A")
    page.reload()
    expect(page).to_have_url(re.compile("#/requests$"))
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()


def test_the_first_tab_offers_to_skip_to_the_screen_and_a_new_screen_takes_focus(
    new_context: NewContext,
) -> None:
    page = sign_in(new_context(), "alice@example.test")
    main = page.get_by_role("main")
    expect(main).to_be_focused()
    page.get_by_role("link", name="Invitations").click()
    expect(main).to_be_focused()
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(main).to_be_focused()


def test_pending_invitations_are_counted_in_the_header(new_context: NewContext) -> None:
    # bob@example.test is invited to join Globex Help's staff (supabase/seed.sql).
    page = sign_in(new_context(), "bob@example.test")
    expect(page.get_by_role("link", name="Invitations (1)")).to_be_visible()


def test_a_failure_that_may_pass_offers_try_again_and_trying_again_works(
    new_context: NewContext,
) -> None:
    context = new_context()
    failures = iter([True])

    def first_fails(route: Route) -> None:
        if next(failures, False):
            body = {"error": {"code": "upstream_unavailable", "message": "The database is busy.",
                              "request_id": "req-busy-1"}}  # fmt: skip
            route.fulfill(status=503, json=body, headers={"Access-Control-Allow-Origin": "*"})
        else:
            route.continue_()

    context.route("**/actions/listMyTickets", first_fails)
    page = sign_in(context, "bob@example.test")
    alert = page.get_by_role("alert").filter(has_text="The database is busy.")
    expect(alert).to_contain_text("req-busy-1")
    alert.get_by_role("button", name="Try again").click()
    expect(alert).to_have_count(0)
    expect(page.get_by_role("list", name="My requests")).to_be_visible()


def _new_member(stack: Stack, org_id: str, role: str) -> str:
    """A new user, made a member of the organization (set-up, as the database would after an
    accepted invitation); return their email address."""
    email = f"member-{uuid.uuid4().hex[:8]}@example.test"
    sign_up(stack, email)
    stack.psql(
        "insert into public.organization_members (organization_id, user_id, role) "
        "select :'org', id, :'role' from auth.users where email = :'email';",
        {"org": org_id, "role": role, "email": email},
    )
    return email


def test_a_member_removed_while_working_loses_the_organizations_screens(
    new_context: NewContext, stack: Stack, act: ActAs, orgs: dict[str, str], new_ticket: NewTicket
) -> None:
    email = _new_member(stack, orgs["acme"], "employee")
    ticket = new_ticket()
    page = sign_in(new_context(), email)
    expect(page).to_have_url(re.compile(f"#/org/{orgs['acme']}/tickets$"))
    expect(page.get_by_role("status").filter(has_text=re.compile("^Live$"))).to_be_visible()

    user_id = stack.psql("select id from auth.users where email = :'email';", {"email": email})
    removed = act("acme_admin", "removeMember", {"org_id": orgs["acme"], "user_id": user_id})
    assert removed.status_code == 200, removed.get_json()
    # The next refusal (here: the ticket, now not found for them) makes the app read the
    # memberships again: the organization's screens close, and so does their live channel.
    page.goto(f"/#/org/{orgs['acme']}/tickets/{ticket['id']}")
    expect(page.get_by_role("heading", name="This ticket is for staff")).to_be_visible()
    expect(page.get_by_label("Organization")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Live")).to_have_count(0)


def test_what_was_typed_survives_the_session_ending_and_is_sent_after_signing_in_again(
    new_context: NewContext, stack: Stack, new_ticket: NewTicket, act: ActAs
) -> None:
    ticket = new_ticket()
    page = sign_in(new_context(), "alice@example.test")
    page.goto(f"/#/requests/{ticket['id']}")
    reply = f"A long reply typed with care {uuid.uuid4().hex[:8]}"
    page.get_by_label("Your reply").fill(reply)
    _end_sessions_of(stack, "alice@example.test")
    page.get_by_role("button", name="Send reply").click()
    # Signing in again happens over the screen: the reply is still there, and goes out.
    dialog = page.get_by_role("dialog", name="Sign in again")
    expect(dialog.get_by_role("alert")).to_contain_text("Your session has ended")
    fill_sign_in(page, "alice@example.test")
    expect(dialog).to_have_count(0)
    expect(page.get_by_label("Your reply")).to_have_value(reply)
    page.get_by_role("button", name="Send reply").click()
    sent = page.get_by_role("region", name="Conversation").get_by_role("listitem")
    expect(sent.filter(has_text=reply)).to_contain_text("You")
    expect(sent.filter(has_text=reply)).not_to_contain_text("Sending")
    comments = act("alice", "getTicket", {"ticket_id": ticket["id"]}).get_json()["comments"]
    assert [c["body"] for c in comments] == [reply]
    # And the screen is live again, on the new token: a staff reply arrives without a reload.
    expect(page.get_by_role("status").filter(has_text=re.compile("^Live$"))).to_be_visible()
    answer = f"Thanks, noted {uuid.uuid4().hex[:8]}"
    added = act("agent1", "addComment", {"ticket_id": ticket["id"], "body": answer})
    assert added.status_code == 201, added.get_json()
    expect(page.get_by_role("region", name="Conversation")).to_contain_text(answer)


def test_an_admin_who_makes_themself_an_employee_loses_the_admin_screens_at_once(
    new_context: NewContext, stack: Stack, orgs: dict[str, str]
) -> None:
    email = _new_member(stack, orgs["acme"], "admin")
    page = sign_in(new_context(), email)
    page.goto(f"/#/org/{orgs['acme']}/admin/members")
    me = (
        page.get_by_role("list", name="Members")
        .get_by_role("listitem")
        .filter(has=page.get_by_text("you", exact=True))
    )
    me.get_by_role("combobox").select_option("employee")
    expect(page.get_by_role("alert")).to_contain_text("no longer an admin")
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Administration")).to_have_count(0)
