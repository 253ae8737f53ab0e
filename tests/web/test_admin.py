"""The organization admin screens (members and invitations, teams, routing rules, articles) and
the invitee's side (My invitations), as an admin, an invitee and an employee see them.

Each test names what it makes with a fresh uuid and takes it away again, so the seeded
organization stays as other tests expect it (one routing rule, its teams and members).
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from devstack import Stack
from tests.conftest import ActAs
from tests.web.conftest import PHONE, NewContext, screenshot, sign_in, sign_up, unique


def items(page: Page, list_name: str) -> Locator:
    """The rows of a list (not the items of lists inside them, such as an error's fields)."""
    return page.get_by_role("list", name=list_name).locator(":scope > li")


def row(page: Page, list_name: str, text: str) -> Locator:
    return items(page, list_name).filter(has_text=text)


def clear_notices(page: Page) -> None:
    """Dismiss the corner notices, so a screenshot shows the screen under them."""
    dismiss = page.locator(".notices").get_by_role("button", name="Dismiss")
    for _ in range(dismiss.count()):
        try:
            dismiss.first.click(timeout=2_000)
        except PlaywrightTimeoutError:  # gone by itself meanwhile
            break
    expect(page.locator(".notices .notice")).to_have_count(0)


def open_admin(page: Page, org_id: str, tab: str) -> None:
    page.goto(f"/#/org/{org_id}/admin/{tab}")
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()


@pytest.fixture
def acme(orgs: dict[str, str]) -> str:
    return orgs["acme"]


def test_an_admin_invites_an_employee_who_accepts_and_works_for_the_organization(
    new_context: NewContext, stack: Stack, acme: str, act: ActAs
) -> None:
    email = f"invitee-{uuid.uuid4().hex[:8]}@example.test"
    sign_up(stack, email)
    admin = sign_in(new_context(), "admin@acme.test")
    expect(admin.get_by_role("link", name="Admin")).to_be_visible()
    admin.get_by_role("link", name="Admin").click()
    expect(admin.get_by_role("link", name="Members")).to_have_attribute("aria-current", "page")
    admin.get_by_label("Email address").fill(email)
    admin.get_by_label("Role", exact=True).select_option("employee")
    admin.get_by_role("button", name="Send invitation").click()
    invitation = row(admin, "Invitations", email)
    expect(invitation).to_contain_text("Pending")
    expect(invitation).to_contain_text("Employee")
    screenshot(admin, "admin-members")

    try:
        invitee = sign_in(new_context(), email)
        invitee.get_by_role("link", name="Invitations").click()
        card = items(invitee, "Pending invitations")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("Acme Support")
        expect(card).to_contain_text("Invited as an employee")
        screenshot(invitee, "invitations")
        card.get_by_role("button", name="Accept the invitation from Acme Support").click()
        expect(
            invitee.get_by_role("status").filter(has_text="You are now an employee")
        ).to_contain_text("Acme Support")
        expect(invitee.get_by_text("No pending invitations")).to_be_visible()
        switcher = invitee.get_by_label("Organization")
        expect(switcher.locator("option", has_text="Acme Support")).to_have_count(1)
        invitee.get_by_role("link", name="Open its tickets").click()
        expect(invitee).to_have_url(re.compile(f"#/org/{acme}/tickets$"))
        expect(switcher).to_have_value(acme)
        expect(invitee.get_by_role("link", name="Tickets")).to_be_visible()

        admin.reload()
        expect(row(admin, "Invitations", email)).to_contain_text("Accepted")
        expect(row(admin, "Members", email.split("@")[0])).to_be_visible()
    finally:
        user_id = stack.psql("select id from auth.users where email = :'email';", {"email": email})
        act("acme_admin", "removeMember", {"org_id": acme, "user_id": user_id})


def test_an_admin_revokes_an_invitation_and_an_invitee_declines_one(
    new_context: NewContext, stack: Stack, acme: str
) -> None:
    declining = f"decliner-{uuid.uuid4().hex[:8]}@example.test"
    revoked = f"revoked-{uuid.uuid4().hex[:8]}@example.test"
    sign_up(stack, declining)
    admin = sign_in(new_context(), "admin@acme.test")
    open_admin(admin, acme, "members")
    for email in (declining, revoked):
        admin.get_by_label("Email address").fill(email)
        admin.get_by_role("button", name="Send invitation").click()
        expect(row(admin, "Invitations", email)).to_contain_text("Pending")
    admin.get_by_role("button", name=f"Revoke the invitation to {revoked}").click()
    expect(row(admin, "Invitations", revoked)).to_contain_text("Revoked")
    expect(admin.get_by_role("button", name=f"Revoke the invitation to {revoked}")).to_have_count(0)

    invitee = sign_in(new_context(), declining)
    invitee.goto("/#/invitations")
    invitee.get_by_role("button", name="Decline the invitation from Acme Support").click()
    expect(invitee.get_by_role("status").filter(has_text="You declined")).to_contain_text(
        "Acme Support"
    )
    expect(invitee.get_by_text("No pending invitations")).to_be_visible()
    expect(invitee.get_by_label("Organization")).to_have_count(0)

    admin.get_by_role("button", name="Refresh").click()
    expect(row(admin, "Invitations", declining)).to_contain_text("Declined")


def test_the_last_admin_stepping_down_is_refused_and_the_role_rolls_back(
    new_context: NewContext, acme: str
) -> None:
    admin = sign_in(new_context(), "admin@acme.test")
    open_admin(admin, acme, "members")
    role = admin.get_by_label("Role of Ada Admin")
    expect(role).to_have_value("admin")
    role.select_option("employee")
    me = row(admin, "Members", "Ada Admin")
    expect(me.get_by_role("alert")).to_contain_text("An organization needs at least one admin")
    expect(me.locator(".request-id")).not_to_be_empty()
    expect(role).to_have_value("admin")
    expect(admin.get_by_role("link", name="Admin")).to_be_visible()


def test_an_admin_makes_a_team_assigning_round_robin_with_a_capacity(
    new_context: NewContext, stack: Stack, acme: str, act: ActAs
) -> None:
    name = unique("Escalations")
    admin = sign_in(new_context(), "admin@acme.test")
    open_admin(admin, acme, "teams")
    admin.get_by_label("New team name").fill(name)
    admin.get_by_role("button", name="Create team").click()
    try:
        expect(admin.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "true")
        expect(admin.get_by_role("heading", name=name)).to_be_visible()
        expect(admin.get_by_text("Nobody is on this team yet")).to_be_visible()

        admin.get_by_label("Add a member").select_option(label="Arthur Agent")
        admin.get_by_role("button", name="Add to team").click()
        agent = row(admin, "Team members", "Arthur Agent")
        expect(agent).to_contain_text("0 / 10 open")
        expect(admin.get_by_role("button", name=name)).to_contain_text("1 member")

        admin.get_by_label("Assignment strategy").select_option("round_robin")
        admin.get_by_label("Default capacity").fill("3")
        admin.get_by_role("button", name="Save assignment").click()
        expect(agent).to_contain_text("0 / 3 open")
        agent.get_by_label("Capacity of Arthur Agent", exact=True).fill("2")
        agent.get_by_role("button", name="Save the capacity of Arthur Agent").click()
        expect(agent).to_contain_text("0 / 2 open")
        expect(agent).to_contain_text("own capacity")
        clear_notices(admin)
        screenshot(admin, "admin-teams")

        admin.reload()
        admin.get_by_role("button", name=name).click()
        expect(admin.get_by_label("Assignment strategy")).to_have_value("round_robin")
        expect(admin.get_by_label("Default capacity")).to_have_value("3")
        expect(row(admin, "Team members", "Arthur Agent")).to_contain_text("0 / 2 open")

        renamed = f"{name} renamed"
        admin.get_by_role("button", name="Rename").click()
        dialog = admin.get_by_role("dialog", name="Rename team")
        dialog.get_by_label("Team name").fill(renamed)
        dialog.get_by_role("button", name="Rename").click()
        expect(admin.get_by_role("heading", name=renamed)).to_be_visible()
        expect(admin.get_by_role("button", name=renamed)).to_have_attribute("aria-pressed", "true")

        admin.get_by_role("button", name="Delete team").click()
        dialog = admin.get_by_role("dialog", name="Delete team")
        expect(dialog).to_contain_text(renamed)
        dialog.get_by_role("button", name="Delete team").click()
        expect(admin.get_by_role("button", name=name)).to_have_count(0)
    finally:
        for team_id in stack.psql(
            "select id from public.teams where organization_id = :'org' and name like :'name';",
            {"org": acme, "name": f"{name}%"},
        ).split():
            act("acme_admin", "deleteTeam", {"team_id": team_id})


def test_an_admin_adds_a_routing_rule_moves_it_up_and_resolves_a_conflicting_edit(
    new_context: NewContext, stack: Stack, acme: str, act: ActAs
) -> None:
    name = unique("Test rule")
    keyword = f"zz{uuid.uuid4().hex[:10]}"  # matches no ticket another test makes
    admin = sign_in(new_context(), "admin@acme.test")
    open_admin(admin, acme, "routing")
    rules = items(admin, "Routing rules")
    expect(rules.first).to_be_visible()
    before = rules.count()

    admin.get_by_role("button", name="New rule").click()
    dialog = admin.get_by_role("dialog", name="New routing rule")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Keywords").fill(keyword)
    dialog.get_by_label("Team", exact=True).select_option(label="Billing")
    dialog.get_by_role("button", name="Create rule").click()
    try:
        expect(dialog).to_be_hidden()
        expect(rules).to_have_count(before + 1)
        expect(rules.last).to_contain_text(name)
        expect(rules.last).to_contain_text(keyword)
        expect(rules.last).to_contain_text("Billing")

        for position in range(before, 0, -1):
            admin.get_by_role("button", name=f"Move {name} up", exact=True).click()
            expect(rules.nth(position - 1)).to_contain_text(name)
        admin.reload()
        expect(rules.first).to_contain_text(name)
        expect(rules).to_have_count(before + 1)
        screenshot(admin, "admin-routing")

        billing = stack.psql(
            "select id from public.teams where organization_id = :'org' and name = 'Billing';",
            {"org": acme},
        )
        # Another admin adds a rule meanwhile: a move made from the stale list is refused (every
        # rule must be listed), rolls back with the API's message, and the list catches up.
        other = act(
            "acme_admin",
            "createRoutingRule",
            {
                "org_id": acme,
                "name": f"{name} other",
                "conditions": {"keywords": [f"{keyword}x"]},
                "team_id": billing,
            },
        )
        assert other.status_code == 201, other.get_json()
        admin.get_by_role("button", name=f"Move {name} down", exact=True).click()
        refused = rules.filter(has_text=name).first
        expect(refused.get_by_role("alert")).to_contain_text("List every routing rule")
        expect(refused.locator(".request-id")).to_have_text(re.compile(r"\S+"))
        expect(rules).to_have_count(before + 2)
        expect(rules.first).to_contain_text(name)
        expect(rules.last).to_contain_text(f"{name} other")

        # Someone else changes the rule while it is open here: saving is a version conflict that
        # shows the rule as it is now, and applying the edit on top of it keeps both changes.
        rule_id = stack.psql(
            "select id from public.routing_rules"
            " where organization_id = :'org' and name = :'name';",
            {"org": acme, "name": name},
        )
        admin.get_by_role("button", name=f"Edit {name}", exact=True).click()
        dialog = admin.get_by_role("dialog", name="Edit routing rule")
        dialog.get_by_label("Set priority").select_option("urgent")
        renamed = f"{name} (renamed)"
        answer = act(
            "acme_admin",
            "updateRoutingRule",
            {"rule_id": rule_id, "expected_version": 1, "name": renamed},
        )
        assert answer.status_code == 200, answer.get_json()
        dialog.get_by_role("button", name="Save rule").click()
        conflict = dialog.get_by_role("alert")
        expect(conflict).to_contain_text("changed by someone else")
        expect(conflict).to_contain_text(renamed)
        conflict.get_by_role("button", name="Apply my changes to the current version").click()
        expect(dialog).to_be_hidden()
        expect(rules.first).to_contain_text(renamed)
        expect(rules.first).to_contain_text("Urgent")

        admin.get_by_role("button", name=f"Delete {renamed}", exact=True).click()
        admin.get_by_role("dialog", name="Delete rule").get_by_role(
            "button", name="Delete rule"
        ).click()
        expect(rules.filter(has_text=renamed)).to_have_count(0)
        expect(rules).to_have_count(before + 1)
    finally:
        stack.psql(
            "delete from public.routing_rules"
            " where organization_id = :'org' and name like :'name';",
            {"org": acme, "name": f"{name}%"},
        )


def test_an_admin_writes_publishes_and_edits_an_article(
    new_context: NewContext, stack: Stack, acme: str, act: ActAs
) -> None:
    title = unique("Test article")
    admin = sign_in(new_context(), "admin@acme.test")
    open_admin(admin, acme, "articles")
    admin.get_by_role("button", name="New article").click()
    dialog = admin.get_by_role("dialog", name="New article")
    dialog.get_by_label("Title").fill(title)
    dialog.get_by_label("Body").fill("Check the **cable** first.")
    dialog.get_by_label("Visibility").select_option("internal")
    dialog.get_by_label("Category").fill("Testing")
    dialog.get_by_label("Tags").fill("cables, e2e")
    dialog.get_by_role("button", name="Create draft").click()
    try:
        expect(dialog).to_be_hidden()
        article = row(admin, "Articles", title)
        expect(article).to_contain_text("Draft")
        expect(article).to_contain_text("Internal")
        expect(article).to_contain_text("#cables")

        article.get_by_role("button", name=f"Publish {title}").click()
        expect(article).to_contain_text("Published")
        expect(article.get_by_role("button", name=f"Archive {title}")).to_be_visible()
        admin.get_by_label("Status").select_option("published")
        expect(row(admin, "Articles", title)).to_contain_text("Published")
        admin.get_by_label("Status").select_option("draft")
        expect(admin.get_by_role("list", name="Articles")).not_to_contain_text(title)
        admin.get_by_label("Status").select_option("published")
        article = row(admin, "Articles", title)
        expect(article).to_contain_text("Published")
        clear_notices(admin)
        screenshot(admin, "admin-articles")

        # A stale edit: the body changed meanwhile; the new title goes on top of it.
        article.get_by_role("button", name=f"Edit {title}").click()
        dialog = admin.get_by_role("dialog", name="Edit article")
        expect(dialog.get_by_label("Body")).to_have_value("Check the **cable** first.")
        retitled = f"{title} (edited)"
        dialog.get_by_label("Title").fill(retitled)
        article_id = stack.psql(
            "select id from public.articles where organization_id = :'org' and title = :'title';",
            {"org": acme, "title": title},
        )
        version = int(
            stack.psql("select version from public.articles where id = :'id';", {"id": article_id})
        )
        answer = act(
            "acme_admin",
            "updateArticle",
            {"article_id": article_id, "expected_version": int(version), "body": "Check the plug."},
        )
        assert answer.status_code == 200, answer.get_json()
        dialog.get_by_role("button", name="Save article").click()
        expect(dialog.get_by_role("alert")).to_contain_text("changed by someone else")
        dialog.get_by_role("button", name="Apply my changes to the current version").click()
        expect(dialog).to_be_hidden()
        expect(row(admin, "Articles", retitled)).to_contain_text("Published")
        stored = stack.psql(
            "select title || '|' || body from public.articles where id = :'id';", {"id": article_id}
        )
        assert stored == f"{retitled}|Check the plug."
    finally:
        stack.psql(
            "delete from public.articles where organization_id = :'org' and title like :'title';",
            {"org": acme, "title": f"{title}%"},
        )


def test_articles_come_a_page_at_a_time(
    new_context: NewContext, stack: Stack, acme: str, act: ActAs
) -> None:
    prefix = unique("Paged draft")
    try:
        for number in range(21):  # one more than a page
            answer = act(
                "acme_admin",
                "createArticle",
                {
                    "org_id": acme,
                    "title": f"{prefix} {number:02}",
                    "body": "Draft.",
                    "visibility": "internal",
                },
            )
            assert answer.status_code == 201, answer.get_json()
        admin = sign_in(new_context(), "admin@acme.test")
        open_admin(admin, acme, "articles")
        admin.get_by_label("Status").select_option("draft")
        articles = items(admin, "Articles")
        expect(articles).to_have_count(20)
        expect(articles.first).to_contain_text(f"{prefix} 20")  # most recently updated first
        expect(row(admin, "Articles", f"{prefix} 00")).to_have_count(0)
        admin.get_by_role("button", name="Load more").click()
        expect(row(admin, "Articles", f"{prefix} 00")).to_contain_text("Draft")
        expect(articles.nth(20)).to_contain_text(f"{prefix} 00")
    finally:
        stack.psql(
            "delete from public.articles where organization_id = :'org' and title like :'title';",
            {"org": acme, "title": f"{prefix}%"},
        )


def test_an_employee_opening_the_admin_screens_sees_the_apis_refusal(
    new_context: NewContext, acme: str
) -> None:
    agent = sign_in(new_context(), "agent1@acme.test")
    expect(agent.get_by_role("link", name="Admin")).to_have_count(0)
    agent.goto(f"/#/org/{acme}/admin")
    alert = agent.get_by_role("alert")
    expect(alert).to_contain_text("Only admins of this organization can do this.")
    expect(alert).to_contain_text("forbidden")
    expect(alert.locator(".request-id")).to_have_text(re.compile(r"\S+"))
    expect(agent.get_by_role("link", name="Members")).to_have_count(0)
    expect(agent.get_by_role("button", name="Send invitation")).to_have_count(0)


def test_my_invitations_says_when_there_are_none(new_context: NewContext) -> None:
    page = sign_in(new_context(), "alice@example.test")
    page.get_by_role("link", name="Invitations").click()
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    expect(page.get_by_text("No pending invitations")).to_be_visible()


def test_the_admin_tabs_work_by_keyboard_on_a_phone(new_context: NewContext, acme: str) -> None:
    admin = sign_in(new_context(viewport=PHONE), "admin@acme.test")
    open_admin(admin, acme, "members")
    tabs = admin.get_by_role("navigation", name="Administration")
    expect(tabs.get_by_role("link")).to_have_count(4)
    members = tabs.get_by_role("link", name="Members")
    expect(members).to_have_attribute("aria-current", "page")
    members.focus()
    admin.keyboard.press("Tab")
    expect(tabs.get_by_role("link", name="Teams")).to_be_focused()
    admin.keyboard.press("Enter")
    expect(admin).to_have_url(re.compile(f"#/org/{acme}/admin/teams$"))
    expect(admin.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    expect(admin.get_by_role("button", name="Billing")).to_be_in_viewport()
    tabs.get_by_role("link", name="Articles").click()
    expect(items(admin, "Articles").first).to_be_visible()


# Where a page is wider than the phone: the elements sticking out, to say what to fix.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > 391)
  .slice(0, 6)
  .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


def assert_fits_the_phone(page: Page, screen: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{screen} is {width} px wide: {page.evaluate(STICKING_OUT)}"


def test_long_unbroken_words_do_not_widen_the_admin_screens_on_a_phone(
    new_context: NewContext, act: ActAs, acme: str
) -> None:
    word = uuid.uuid4().hex[:8] + "Unbroken" * 12  # 104 characters without a break
    made = act("acme_admin", "createTeam", {"org_id": acme, "name": word[:70]})
    assert made.status_code == 201, made.get_json()
    team = made.get_json()
    rule_body = {
        "org_id": acme,
        "name": unique("Long keyword"),
        "conditions": {"keywords": [word[:100]]},
        "team_id": team["id"],
    }
    made = act("acme_admin", "createRoutingRule", rule_body)
    assert made.status_code == 201, made.get_json()
    rule = made.get_json()
    article_body = {
        "org_id": acme,
        "title": unique("Long tag"),
        "body": "Body.",
        "visibility": "internal",
        "category": word[:100],
        "tags": [word[:50]],
    }
    made = act("acme_admin", "createArticle", article_body)
    assert made.status_code == 201, made.get_json()
    article = made.get_json()
    try:
        page = sign_in(new_context(viewport=PHONE), "admin@acme.test")
        open_admin(page, acme, "teams")
        expect(page.get_by_role("button", name=re.compile(word[:70]))).to_be_visible()
        assert_fits_the_phone(page, "Teams")

        page.get_by_role("link", name="Routing").click()
        expect(row(page, "Routing rules", rule["name"])).to_contain_text(word[:100])
        assert_fits_the_phone(page, "Routing")

        page.get_by_role("link", name="Articles").click()
        expect(row(page, "Articles", article["title"])).to_contain_text(f"#{word[:50]}")
        assert_fits_the_phone(page, "Articles")
    finally:
        act(
            "acme_admin",
            "archiveArticle",
            {"article_id": article["id"], "expected_version": article["version"]},
        )
        act("acme_admin", "deleteRoutingRule", {"rule_id": rule["id"]})
        act("acme_admin", "deleteTeam", {"team_id": team["id"]})


# What Age shows: "just now", "5 min", "3 h", "2 d".
AGE = r"(just now|\d+ (min|h|d) ago)"


def test_admin_dates_are_ages_and_expiries_read_as_dates(
    new_context: NewContext, stack: Stack, act: ActAs, acme: str
) -> None:
    email = f"dates-{uuid.uuid4().hex[:8]}@example.test"
    sign_up(stack, email)
    invited = act(
        "acme_admin", "inviteMember", {"org_id": acme, "email": email, "role": "employee"}
    )
    assert invited.status_code == 201, invited.get_json()
    invitation = invited.get_json()
    try:
        admin = sign_in(new_context(), "admin@acme.test")
        open_admin(admin, acme, "members")
        me = row(admin, "Members", "Ada Admin")
        expect(me).to_contain_text(re.compile(f"Joined {AGE}"))
        expect(me.locator("time")).to_have_attribute("title", re.compile(r"\d"))

        at_expiry = f"time[datetime='{invitation['expires_at']}']"
        expiry = row(admin, "Invitations", email).locator(at_expiry)
        expect(expiry).to_have_text(re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}$"))
        expect(expiry).to_have_attribute("title", re.compile(r"\d"))

        invitee = sign_in(new_context(), email)
        invitee.goto("/#/invitations")
        card = items(invitee, "Pending invitations")
        expect(card).to_contain_text(re.compile(f"Invited as an employee {AGE}"))
        expiry = card.locator(at_expiry)
        expect(expiry).to_have_text(re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}$"))
        expect(card).not_to_contain_text(re.compile(r"\d{1,2}/\d{1,2}/\d{4}"))
    finally:
        act("acme_admin", "revokeInvitation", {"invitation_id": invitation["id"]})


def test_the_only_admin_is_not_offered_removing_themselves(
    new_context: NewContext, act: ActAs, acme: str
) -> None:
    admin = sign_in(new_context(), "admin@acme.test")
    open_admin(admin, acme, "members")
    members = items(admin, "Members")
    expect(members.first).to_be_visible()
    roles = members.locator("select").evaluate_all("selects => selects.map((s) => s.value)")
    assert roles.count("admin") == 1, roles  # Ada is Acme's only admin

    me = row(admin, "Members", "Ada Admin")
    expect(me).to_contain_text("You are the only admin")
    expect(me.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    # Everyone else can still be removed (after a confirmation).
    others = members.filter(has_not_text="Ada Admin")
    expect(others.get_by_role("button", name=re.compile("^Remove"))).to_have_count(others.count())
