"""The knowledge base: articles, search, suggestions, votes, links to tickets and kbStats.

Through the BFF for each action, its input checks and who may call it; a small deflection
scenario measured by kbStats; and straight through PostgREST, where nobody outside an
organization's staff may see its drafts, internal or archived articles, nor what its readers did,
by any table or function. Every test builds its own invite-only organizations, so "another
organization's customer" is someone who may not submit there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

import httpx
import psycopg
import pytest

from devstack import Stack

from .conftest import Do, Org, Person, create_org, invalid_paths, seeded, sign_up


def rest(stack: Stack, who: Person | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A request to PostgREST as supabase-js sends it: the anon key, and the user's token."""
    token = who.token if who else stack.anon_key
    headers = {"apikey": stack.anon_key, "Authorization": f"Bearer {token}",
               "Prefer": "return=representation"}  # fmt: skip
    return httpx.request(method, f"{stack.rest_url}/{path}", headers=headers, **kwargs)


# set-up -------------------------------------------------------------------------------------


def kb_org(stack: Stack) -> Org:
    """An invite-only organization: its invited customer may submit (and read), nobody else."""
    return create_org(stack, customer_access="invite")


def add_customer(stack: Stack, org: Org) -> Person:
    """Another person invited to submit to the organization."""
    customer = sign_up(stack)
    stack.psql(
        "insert into public.organization_customers (organization_id, email) "
        "values (:'org', :'email');",
        {"org": org.id, "email": customer.email},
    )
    return customer


def write(
    do: Do, org: Org, title: str = "Exporting invoices", visibility: str = "public",
    body: str = "Open **Billing → Invoices** and choose *Export*.", **fields: Any,
) -> dict[str, Any]:  # fmt: skip
    """A draft written by the organization's employee."""
    article: dict[str, Any] = do(org.employee, "createArticle", 201, org_id=org.id, title=title,
                                 body=body, visibility=visibility, **fields)  # fmt: skip
    return article


def publish(do: Do, org: Org, article: dict[str, Any]) -> dict[str, Any]:
    published: dict[str, Any] = do(org.admin, "publishArticle", article_id=article["id"],
                                   expected_version=article["version"])  # fmt: skip
    return published


def archive(do: Do, org: Org, article: dict[str, Any]) -> dict[str, Any]:
    archived: dict[str, Any] = do(org.admin, "archiveArticle", article_id=article["id"],
                                  expected_version=article["version"])  # fmt: skip
    return archived


@dataclass(frozen=True)
class Shelf:
    """An organization with an article in each state: one its customers may read (published,
    public) and three they may not. Every title and body mentions the router."""

    org: Org
    public: dict[str, Any]
    internal: dict[str, Any]
    draft: dict[str, Any]
    archived: dict[str, Any]

    def hidden(self, kind: str) -> dict[str, Any]:
        article: dict[str, Any] = getattr(self, kind)
        return article


HIDDEN = ["draft", "internal", "archived"]


def stocked(do: Do, stack: Stack) -> Shelf:
    org = kb_org(stack)
    public = publish(do, org, write(do, org, "Router setup", body="Plug the router in."))
    internal = publish(do, org, write(do, org, "Router firmware secrets", "internal",
                                      body="The router's master password is hunter2."))  # fmt: skip
    draft = write(do, org, "Router draft tips", body="Restart the router twice.")
    archived = archive(do, org, publish(do, org, write(
        do, org, "Router legacy manual", body="The old router had a blue light.")))  # fmt: skip
    return Shelf(org, public, internal, draft, archived)


def acting(stack: Stack, org: Org, role: str) -> Person | None:
    """Who plays the role: the organization's people, another invite-only organization's
    customer, the seeded globex employee, or anon."""
    if role == "other_customer":
        return kb_org(stack).customer
    return {"admin": org.admin, "employee": org.employee, "customer": org.customer,
            "other_employee": seeded(stack, "globex_agent"), "anon": None}[role]  # fmt: skip


def submit(do: Do, who: Person, org: Org, subject: str = "Cannot export invoices",
           **fields: Any) -> dict[str, Any]:  # fmt: skip
    ticket: dict[str, Any] = do(who, "createTicket", 201, handling_org_id=org.id, subject=subject,
                                description="The button spins forever.", **fields)  # fmt: skip
    return ticket


def kb_state(db: psycopg.Connection[Any], org_id: str) -> tuple[Any, ...]:
    """Everything the knowledge base keeps for an organization, for "nothing changed"."""
    queries: list[LiteralString] = [
        "select id, title, body, category, tags, status, visibility, version, published_at "
        "from public.articles where organization_id = %(org)s order by id",
        "select id from public.article_events where organization_id = %(org)s order by id",
        "select id from public.article_views where organization_id = %(org)s order by id",
        "select article_id, user_id, helpful from public.article_votes "
        "where organization_id = %(org)s order by 1, 2",
        "select article_id, user_id, shown from public.article_suggestions "
        "where organization_id = %(org)s order by 1, 2",
        "select ticket_id, article_id, kind from public.ticket_articles "
        "where organization_id = %(org)s order by 1, 2, 3",
        "select language, publishers from public.knowledge_base_settings "
        "where organization_id = %(org)s",
    ]
    return tuple(db.execute(sql, {"org": org_id}).fetchall() for sql in queries)


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


# writing, publishing, history ---------------------------------------------------------------


def test_staff_write_drafts_that_only_staff_see(do: Do, stack: Stack) -> None:
    org = kb_org(stack)
    body = "    indented code\n\n# Export\n\nTrailing  \n"
    draft = do(org.employee, "createArticle", 201, org_id=org.id, title="  Exporting invoices ",
               body=body, visibility="public", category=" Billing ",
               tags=[" invoices", "export "])  # fmt: skip
    assert {k: draft[k] for k in ("organization_id", "title", "body", "category", "tags", "status",
                                  "visibility", "author_id", "published_at", "version")} == {
        "organization_id": org.id, "title": "Exporting invoices", "body": body,
        "category": "Billing", "tags": ["invoices", "export"], "status": "draft",
        "visibility": "public", "author_id": org.employee.id, "published_at": None,
        "version": 1}  # fmt: skip
    bare = do(org.admin, "createArticle", 201, org_id=org.id, title="Bare", body="x",
              visibility="internal")  # fmt: skip
    assert (bare["category"], bare["tags"], bare["author_id"]) == (None, [], org.admin.id)

    read = do(org.admin, "getArticle", article_id=draft["id"])
    assert {k: read[k] for k in draft} == draft
    assert (read["my_vote"], [e["kind"] for e in read["history"]]) == (None, ["created"])
    [created] = read["history"]
    assert (created["actor_id"], created["changes"]) == (
        org.employee.id, {"title": "Exporting invoices", "visibility": "public"})  # fmt: skip
    assert do(org.customer, "getArticle", 404, article_id=draft["id"])["error"]["code"] == (
        "not_found")  # fmt: skip
    assert do(org.customer, "listArticles", org_id=org.id)["items"] == []


def test_updating_an_article_changes_the_named_fields_if_nobody_changed_it(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    org = kb_org(stack)
    draft = write(do, org, category="Billing", tags=["invoices"])
    changed = do(org.employee, "updateArticle", article_id=draft["id"], expected_version=1,
                 title=" Exports ", category=None, tags=[], visibility="internal")  # fmt: skip
    assert {k: changed[k] for k in ("title", "body", "category", "tags", "visibility", "version",
                                    "status")} == {
        "title": "Exports", "body": draft["body"], "category": None, "tags": [],
        "visibility": "internal", "version": 2, "status": "draft"}  # fmt: skip

    before = kb_state(db, org.id)
    stale = do(org.admin, "updateArticle", 409, article_id=draft["id"], expected_version=1,
               body="Late")["error"]  # fmt: skip
    assert stale["code"] == "version_conflict"
    current = stale["details"]["current"]
    assert {k: current[k] for k in ("id", "title", "body", "visibility", "version")} == {
        k: changed[k] for k in ("id", "title", "body", "visibility", "version")}  # fmt: skip
    assert kb_state(db, org.id) == before

    history = do(org.employee, "getArticle", article_id=draft["id"])["history"]
    assert [e["kind"] for e in history] == ["created", "updated"]
    assert history[1]["actor_id"] == org.employee.id
    assert history[1]["changes"] == {
        "title": {"old": "Exporting invoices", "new": "Exports"},
        "category": {"old": "Billing", "new": None},
        "tags": {"old": ["invoices"], "new": []},
        "visibility": {"old": "public", "new": "internal"}}  # fmt: skip


def test_admins_publish_and_archive_and_every_step_is_recorded(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    org = kb_org(stack)
    draft = write(do, org)
    before = kb_state(db, org.id)
    for action in ("publishArticle", "archiveArticle"):
        refused = do(org.employee, action, 403, article_id=draft["id"], expected_version=1)
        assert refused["error"]["code"] == "forbidden"
    assert kb_state(db, org.id) == before

    published = publish(do, org, draft)
    assert (published["status"], published["version"]) == ("published", 2)
    assert published["published_at"] is not None
    assert do(org.customer, "getArticle", article_id=draft["id"])["title"] == "Exporting invoices"
    assert publish(do, org, published) == published  # publishing it again changes nothing

    before = kb_state(db, org.id)
    refused = do(org.employee, "updateArticle", 403, article_id=draft["id"], expected_version=2,
                 title="Sneaky")  # fmt: skip
    assert refused["error"]["code"] == "forbidden"
    assert kb_state(db, org.id) == before
    stale = do(org.admin, "archiveArticle", 409, article_id=draft["id"], expected_version=1)
    assert stale["error"]["code"] == "version_conflict"
    assert stale["error"]["details"]["current"]["status"] == "published"
    assert kb_state(db, org.id) == before

    edited = do(org.admin, "updateArticle", article_id=draft["id"], expected_version=2,
                body="Now **with** screenshots.")  # fmt: skip
    assert (edited["status"], edited["version"]) == ("published", 3)
    archived = archive(do, org, edited)
    assert (archived["status"], archived["version"]) == ("archived", 4)
    do(org.customer, "getArticle", 404, article_id=draft["id"])
    assert do(org.employee, "getArticle", article_id=draft["id"])["status"] == "archived"
    republished = publish(do, org, archived)
    assert republished["status"] == "published"

    history = do(org.admin, "getArticle", article_id=draft["id"])["history"]
    assert [(e["kind"], e["actor_id"]) for e in history] == [
        ("created", org.employee.id), ("published", org.admin.id), ("updated", org.admin.id),
        ("archived", org.admin.id), ("published", org.admin.id)]  # fmt: skip
    assert history[1]["changes"] == {"status": {"old": "draft", "new": "published"}}
    assert history[2]["changes"] == {
        "body": {"old": draft["body"], "new": "Now **with** screenshots."}}  # fmt: skip


def test_staff_publish_where_the_organization_lets_them(do: Do, stack: Stack) -> None:
    org = kb_org(stack)
    settings = do(org.admin, "setKnowledgeBaseSettings", org_id=org.id, language="english",
                  publishers="staff")  # fmt: skip
    assert settings == {"org_id": org.id, "language": "english", "publishers": "staff"}
    draft = write(do, org)
    published = do(org.employee, "publishArticle", article_id=draft["id"], expected_version=1)
    edited = do(org.employee, "updateArticle", article_id=draft["id"],
                expected_version=published["version"], title="Invoices, exported")  # fmt: skip
    archived = do(org.employee, "archiveArticle", article_id=draft["id"],
                  expected_version=edited["version"])  # fmt: skip
    assert (published["status"], edited["title"], archived["status"]) == (
        "published", "Invoices, exported", "archived")  # fmt: skip

    do(org.admin, "setKnowledgeBaseSettings", org_id=org.id, language="english",
       publishers="admins")  # fmt: skip
    again = do(org.employee, "publishArticle", 403, article_id=draft["id"],
               expected_version=archived["version"])  # fmt: skip
    assert again["error"]["code"] == "forbidden"


def test_changing_the_language_reindexes_without_editing_the_articles(do: Do, stack: Stack) -> None:
    """A new language re-stems every article for search. That is no edit: versions, update times
    and history stay as they were, so nobody's expected_version goes stale."""
    org = kb_org(stack)
    article = publish(do, org, write(do, org, "Refunding orders", body="Refunds take 5 days."))
    before = do(org.customer, "searchArticles", org_id=org.id, q="refund")
    assert (ids(before["items"]), before["method"]) == ([article["id"]], "similar")

    do(org.admin, "setKnowledgeBaseSettings", org_id=org.id, language="english",
       publishers="admins")  # fmt: skip
    after = do(org.customer, "searchArticles", org_id=org.id, q="refund")
    assert (ids(after["items"]), after["method"]) == ([article["id"]], "full_text")
    stored = do(org.admin, "getArticle", article_id=article["id"])
    assert (stored["version"], stored["updated_at"]) == (article["version"], article["updated_at"])
    assert [e["kind"] for e in stored["history"]] == ["created", "published"]


# reading, listing, voting -------------------------------------------------------------------


def test_reading_an_article_records_the_view_and_shows_my_vote(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    shelf = stocked(do, stack)
    org, article_id = shelf.org, shelf.public["id"]
    read = do(org.customer, "getArticle", article_id=article_id)
    assert (read["body"], read["my_vote"], read["history"]) == ("Plug the router in.", None, None)
    assert do(org.customer, "markArticleHelpful", article_id=article_id, helpful=True) == {
        "article_id": article_id, "helpful": True}  # fmt: skip
    assert do(org.customer, "getArticle", article_id=article_id)["my_vote"] is True
    do(org.customer, "markArticleHelpful", article_id=article_id, helpful=False)
    do(org.customer, "getArticle", article_id=article_id, from_suggestion=True)
    assert do(org.customer, "getArticle", article_id=article_id)["my_vote"] is False
    for staff in (org.employee, org.admin):  # the organization's own staff are no readers
        do(staff, "getArticle", article_id=article_id, from_suggestion=True)

    views = db.execute(
        "select user_id::text, from_suggestion from public.article_views where article_id = %s "
        "order by id", (article_id,)).fetchall()  # fmt: skip
    assert views == [(org.customer.id, False)] * 2 + [(org.customer.id, True)] + [
        (org.customer.id, False)]  # fmt: skip
    votes = db.execute("select user_id::text, helpful from public.article_votes "
                       "where article_id = %s", (article_id,)).fetchall()  # fmt: skip
    assert votes == [(org.customer.id, False)]


def test_listing_pages_through_the_articles_most_recently_updated_first(
    do: Do, stack: Stack
) -> None:
    shelf = stocked(do, stack)
    org = shelf.org
    newest_first = [shelf.archived, shelf.draft, shelf.internal, shelf.public]
    seen: list[str] = []
    page = do(org.employee, "listArticles", org_id=org.id, limit=3)
    assert page["next_cursor"] is not None
    seen += ids(page["items"])
    page = do(org.employee, "listArticles", org_id=org.id, limit=3, cursor=page["next_cursor"])
    seen += ids(page["items"])
    assert (seen, page["next_cursor"]) == (ids(newest_first), None)
    assert all("body" not in item for item in page["items"])

    drafts = do(org.admin, "listArticles", org_id=org.id, status=["draft", "archived"])
    assert ids(drafts["items"]) == [shelf.archived["id"], shelf.draft["id"]]
    customers = do(org.customer, "listArticles", org_id=org.id)
    assert (ids(customers["items"]), customers["next_cursor"]) == ([shelf.public["id"]], None)
    asked = do(org.customer, "listArticles", org_id=org.id, status=["draft", "archived"])
    assert asked["items"] == []


# search and suggestions ---------------------------------------------------------------------


def test_search_finds_words_in_any_form_without_accents_and_despite_typos(
    do: Do, stack: Stack
) -> None:
    org = kb_org(stack)
    do(org.admin, "setKnowledgeBaseSettings", org_id=org.id, language="english",
       publishers="admins")  # fmt: skip
    refunds = "Refunds reach your card <within> 5 days & more."
    refund = publish(do, org, write(do, org, "Refunding a cancelled order", body=refunds))
    cafe = publish(do, org, write(do, org, "Café opening hours", body="The café opens at nine."))
    body_only = publish(do, org, write(do, org, "Delivery", body="Parcels travel by zeppelin."))

    def found(q: str) -> dict[str, Any]:
        result: dict[str, Any] = do(org.customer, "searchArticles", org_id=org.id, q=q)
        return result

    stemmed = found("refund cancelling")
    assert (ids(stemmed["items"]), stemmed["method"]) == ([refund["id"]], "full_text")
    [hit] = stemmed["items"]
    assert "<mark>Refunds</mark>" in hit["snippet"]
    assert "&lt;within&gt;" in hit["snippet"] and "&amp;" in hit["snippet"]
    assert "<within>" not in hit["snippet"] and "body" not in hit
    assert hit["rank"] > 0
    assert ids(found("cafe")["items"]) == [cafe["id"]]
    assert ids(found("zeppelin")["items"]) == [body_only["id"]]
    typo = found("refundng")
    assert (ids(typo["items"]), typo["method"]) == ([refund["id"]], "similar")
    assert found("refund -cancelled")["items"] == []  # "-word" excludes
    nothing = found("xylophone")
    assert (nothing["items"], nothing["method"], nothing["next_cursor"]) == ([], None, None)
    for hostile in ('"unclosed', "-", "!!! & | ()", "' or 1=1 --", "refund OR"):
        assert found(hostile)["items"] is not None  # never an error


def test_search_ranks_every_word_first_and_pages(do: Do, stack: Stack) -> None:
    org = kb_org(stack)
    both = [publish(do, org, write(do, org, f"Printer jam {i}", body="Printer paper jam."))
            for i in range(3)]  # fmt: skip
    one = publish(do, org, write(do, org, "Printer ink", body="Ink runs out."))
    first = do(org.employee, "searchArticles", org_id=org.id, q="printer jam", limit=2)
    assert first["next_cursor"] is not None
    second = do(org.employee, "searchArticles", org_id=org.id, q="printer jam", limit=2,
                cursor=first["next_cursor"])  # fmt: skip
    assert second["next_cursor"] is None
    ranked = ids(first["items"]) + ids(second["items"])
    assert sorted(ranked[:3]) == sorted(ids(both)) and ranked[3] == one["id"]
    ranks = [hit["rank"] for hit in first["items"] + second["items"]]
    assert ranks == sorted(ranks, reverse=True)


@pytest.mark.parametrize("role", ["customer", "employee"])
def test_search_and_suggestions_show_published_articles_the_reader_may_see(
    do: Do, stack: Stack, role: str
) -> None:
    shelf = stocked(do, stack)
    who = acting(stack, shelf.org, role)
    visible = {shelf.public["id"]} | ({shelf.internal["id"]} if role == "employee" else set())
    searched = do(who, "searchArticles", org_id=shelf.org.id, q="router", limit=50)
    suggested = do(who, "suggestArticles", org_id=shelf.org.id, subject="My router",
                   description="The router blinks.")  # fmt: skip
    typo = do(who, "searchArticles", org_id=shelf.org.id, q="ruoter")
    assert set(ids(searched["items"])) == visible
    assert set(ids(suggested["items"])) == visible
    assert set(ids(typo["items"])) <= visible


def test_suggestions_need_three_characters_and_record_what_was_shown(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    shelf = stocked(do, stack)
    org = shelf.org
    for subject, description in (("", None), ("ro", None), ("r", " ")):
        body: dict[str, Any] = {"subject": subject}
        if description is not None:
            body["description"] = description
        assert do(org.customer, "suggestArticles", org_id=org.id, **body) == {"items": []}
    assert db.execute("select count(*) from public.article_suggestions where organization_id = %s",
                      (org.id,)).fetchone() == (0,)  # fmt: skip

    for _ in range(2):
        suggested = do(org.customer, "suggestArticles", org_id=org.id, subject="Router")
        [item] = suggested["items"]
        assert (item["id"], item["title"], item["category"]) == (
            shelf.public["id"], "Router setup", None)  # fmt: skip
    do(org.customer, "suggestArticles", org_id=org.id, subject="Help",
       description="My router is on fire")  # fmt: skip
    staff_sees = do(org.employee, "suggestArticles", org_id=org.id, subject="Router")["items"]
    assert len(staff_sees) == 2  # the internal one too, not recorded
    shown = db.execute("select article_id::text, user_id::text, shown from "
                       "public.article_suggestions where organization_id = %s",
                       (org.id,)).fetchall()  # fmt: skip
    assert shown == [(shelf.public["id"], org.customer.id, 3)]


def test_at_most_five_suggestions_best_first(do: Do, stack: Stack) -> None:
    org = kb_org(stack)
    for i in range(7):
        publish(do, org, write(do, org, f"Modem guide {i}", body="Modem " * (i + 1)))
    suggested = do(org.customer, "suggestArticles", org_id=org.id, subject="modem")["items"]
    assert len(suggested) == 5
    ranks = [item["rank"] for item in suggested]
    assert ranks == sorted(ranks, reverse=True)


# kbStats ------------------------------------------------------------------------------------


def period(hours: float = 1) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"from": (now - timedelta(hours=hours)).isoformat(),
            "to": (now + timedelta(hours=hours)).isoformat()}  # fmt: skip


def test_kb_stats_count_views_votes_suggestions_and_deflections(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    """Two customers are shown the export article and open it from the suggestions; the first
    finds the answer (a deflection), the second submits anyway, naming it. The first also opens
    the password article directly."""
    org = kb_org(stack)
    export = publish(do, org, write(do, org, "Exporting invoices", body="Use the export button."))
    password = publish(do, org, write(do, org, "Resetting a password", body="Click forgot."))
    helped, unhelped = org.customer, add_customer(stack, org)
    quiet = do(org.admin, "kbStats", org_id=org.id, **period())
    figures = ("article_views", "tickets_submitted", "self_service", "articles")
    assert [quiet[k] for k in figures] == [0, 0, None, []]

    for customer in (helped, unhelped):
        [suggested] = do(customer, "suggestArticles", org_id=org.id,
                         subject="Cannot export invoices")["items"]  # fmt: skip
        assert suggested["id"] == export["id"]
        do(customer, "getArticle", article_id=export["id"], from_suggestion=True)
    do(helped, "markArticleHelpful", article_id=export["id"], helpful=True)
    do(unhelped, "markArticleHelpful", article_id=export["id"], helpful=False)
    do(helped, "getArticle", article_id=password["id"])
    ticket = submit(do, unhelped, org, suggested_article_ids=[export["id"]])

    pending = do(org.employee, "kbStats", org_id=org.id, **period())
    assert pending["articles"][0]["deflections"] == 0  # not before 24 hours have passed
    # A day later: the first customer's visit was a day ago, and they never submitted a ticket.
    db.execute("update public.article_views set created_at = created_at - interval '25 hours' "
               "where user_id = %s", (helped.id,))  # fmt: skip
    stats = do(org.employee, "kbStats", org_id=org.id, **period(hours=26))
    assert [stats[k] for k in ("org_id", *figures[:3])] == [org.id, 3, 1, 3.0]
    assert stats["articles"] == [
        {"article_id": export["id"], "title": "Exporting invoices", "views": 2,
         "opened_from_suggestions": 2, "helpful": 1, "not_helpful": 1, "suggested": 2,
         "submitted_after_suggestion": 1, "deflections": 1},
        {"article_id": password["id"], "title": "Resetting a password", "views": 1,
         "opened_from_suggestions": 0, "helpful": 0, "not_helpful": 0, "suggested": 0,
         "submitted_after_suggestion": 0, "deflections": 0},
    ]  # fmt: skip
    recorded = db.execute("select article_id::text, kind from public.ticket_articles "
                          "where ticket_id = %s", (ticket["id"],)).fetchall()  # fmt: skip
    assert recorded == [(export["id"], "suggested")]

    earlier = datetime.now(UTC) - timedelta(days=10)
    days: dict[str, Any] = {"from": earlier.isoformat(),
                            "to": (earlier + timedelta(days=1)).isoformat()}  # fmt: skip
    before = do(org.admin, "kbStats", org_id=org.id, **days)
    assert (before["article_views"], before["tickets_submitted"], before["articles"]) == (0, 0, [])


def test_create_ticket_keeps_only_suggested_articles_the_requester_may_read(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    shelf = stocked(do, stack)
    elsewhere = stocked(do, stack)
    named = [shelf.public["id"], shelf.internal["id"], shelf.draft["id"], shelf.archived["id"],
             elsewhere.public["id"], str(uuid.uuid4())]  # fmt: skip
    ticket = submit(do, shelf.org.customer, shelf.org, suggested_article_ids=named)
    kept = db.execute("select article_id::text, kind from public.ticket_articles "
                      "where ticket_id = %s", (ticket["id"],)).fetchall()  # fmt: skip
    assert kept == [(shelf.public["id"], "suggested")]
    plain = submit(do, shelf.org.customer, shelf.org, suggested_article_ids=[])
    assert db.execute("select count(*) from public.ticket_articles where ticket_id = %s",
                      (plain["id"],)).fetchone() == (0,)  # fmt: skip
    # Suggested articles are no links: getTicket lists none.
    assert do(shelf.org.employee, "getTicket", ticket_id=ticket["id"])["articles"] == []


# links to tickets ---------------------------------------------------------------------------


def test_linked_articles_show_in_the_ticket_for_staff_and_while_public_for_the_requester(
    do: Do, stack: Stack
) -> None:
    shelf = stocked(do, stack)
    org = shelf.org
    ticket = submit(do, org.customer, org)
    assert do(org.customer, "getTicket", ticket_id=ticket["id"])["articles"] == []
    linked = [shelf.public, shelf.internal, shelf.draft, shelf.archived]
    for article in linked:
        answer = do(org.employee, "linkArticle", ticket_id=ticket["id"], article_id=article["id"])
        assert answer == {"ticket_id": ticket["id"], "article_id": article["id"], "linked": True}
    again = do(org.admin, "linkArticle", ticket_id=ticket["id"], article_id=shelf.public["id"])
    assert again["linked"] is True

    staff_view = do(org.admin, "getTicket", ticket_id=ticket["id"])["articles"]
    assert ids(staff_view) == ids(linked)
    assert [staff_view[1][k] for k in ("title", "status", "visibility")] == [
        "Router firmware secrets", "published", "internal"]  # fmt: skip
    requester_view = do(org.customer, "getTicket", ticket_id=ticket["id"])["articles"]
    assert ids(requester_view) == [shelf.public["id"]]

    archive(do, org, do(org.admin, "getArticle", article_id=shelf.public["id"]))
    assert do(org.customer, "getTicket", ticket_id=ticket["id"])["articles"] == []
    assert len(do(org.employee, "getTicket", ticket_id=ticket["id"])["articles"]) == 4


def test_only_the_tickets_organizations_articles_can_be_linked(
    do: Do, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    shelf, elsewhere = stocked(do, stack), stocked(do, stack)
    ticket = submit(do, shelf.org.customer, shelf.org)
    before = kb_state(db, shelf.org.id)
    for article_id in (elsewhere.public["id"], str(uuid.uuid4())):
        refused = do(shelf.org.employee, "linkArticle", 422, ticket_id=ticket["id"],
                     article_id=article_id)  # fmt: skip
        assert invalid_paths(refused) == [["article_id"]]
    assert kb_state(db, shelf.org.id) == before


# input validation ---------------------------------------------------------------------------

GONE = object()  # leave the field out
Base = Callable[[Shelf, str], dict[str, Any]]
BASES: dict[str, Base] = {
    "createArticle": lambda s, t: {"org_id": s.org.id, "title": "New", "body": "Text.",
                                   "visibility": "public"},
    "updateArticle": lambda s, t: {"article_id": s.draft["id"], "expected_version": 1},
    "publishArticle": lambda s, t: {"article_id": s.draft["id"], "expected_version": 1},
    "archiveArticle": lambda s, t: {"article_id": s.public["id"], "expected_version": 2},
    "getArticle": lambda s, t: {"article_id": s.public["id"]},
    "listArticles": lambda s, t: {"org_id": s.org.id},
    "searchArticles": lambda s, t: {"org_id": s.org.id, "q": "router"},
    "suggestArticles": lambda s, t: {"org_id": s.org.id, "subject": "router"},
    "markArticleHelpful": lambda s, t: {"article_id": s.public["id"], "helpful": True},
    "linkArticle": lambda s, t: {"ticket_id": t, "article_id": s.public["id"]},
    "kbStats": lambda s, t: {"org_id": s.org.id, **period()},
    "setKnowledgeBaseSettings": lambda s, t: {"org_id": s.org.id, "language": "english",
                                              "publishers": "staff"},
    "createTicket": lambda s, t: {"handling_org_id": s.org.id, "subject": "Help",
                                  "description": "Please."},
}  # fmt: skip
LATER = (datetime.now(UTC) + timedelta(days=1)).isoformat()
INVALID: list[tuple[str, str, dict[str, Any], list[str]]] = [
    # (id, action, fields over the base body, the path named)
    ("an_org_id_that_is_not_a_uuid", "createArticle", {"org_id": "acme"}, ["org_id"]),
    ("a_missing_title", "createArticle", {"title": GONE}, ["title"]),
    ("a_null_title", "createArticle", {"title": None}, ["title"]),
    ("a_blank_title", "createArticle", {"title": " \t "}, ["title"]),
    ("a_title_of_201_characters", "createArticle", {"title": "t" * 201}, ["title"]),
    ("a_title_with_a_line_break", "createArticle", {"title": "Two\nlines"}, ["title"]),
    ("a_title_as_a_number", "createArticle", {"title": 7}, ["title"]),
    ("a_missing_body", "createArticle", {"body": GONE}, ["body"]),
    ("a_blank_body", "createArticle", {"body": "\n\n  "}, ["body"]),
    ("a_body_of_50001_characters", "createArticle", {"body": "b" * 50_001}, ["body"]),
    ("a_body_with_a_nul_character", "createArticle", {"body": "a\x00b"}, ["body"]),
    ("a_body_with_a_control_character", "createArticle", {"body": "a\x07b"}, ["body"]),
    ("a_visibility_that_does_not_exist", "createArticle", {"visibility": "secret"},
     ["visibility"]),
    ("a_missing_visibility", "createArticle", {"visibility": GONE}, ["visibility"]),
    ("a_blank_category", "createArticle", {"category": "  "}, ["category"]),
    ("a_category_of_101_characters", "createArticle", {"category": "c" * 101}, ["category"]),
    ("a_null_category_on_create", "createArticle", {"category": None}, ["category"]),
    ("21_tags", "createArticle", {"tags": [f"t{i}" for i in range(21)]}, ["tags"]),
    ("a_tag_of_51_characters", "createArticle", {"tags": ["t" * 51]}, ["tags", "0"]),
    ("a_blank_tag", "createArticle", {"tags": ["ok", " "]}, ["tags", "1"]),
    ("a_tag_as_a_number", "createArticle", {"tags": [1]}, ["tags", "0"]),
    ("tags_as_text", "createArticle", {"tags": "a,b"}, ["tags"]),
    ("a_status_on_create", "createArticle", {"status": "published"}, ["status"]),
    ("an_author_on_create", "createArticle", {"author_id": str(uuid.uuid4())}, ["author_id"]),
    ("nothing_to_change", "updateArticle", {}, ["body"]),
    ("version_0", "updateArticle", {"expected_version": 0, "title": "X"}, ["expected_version"]),
    ("a_version_as_text", "updateArticle", {"expected_version": "1", "title": "X"},
     ["expected_version"]),
    ("a_fractional_version", "updateArticle", {"expected_version": 1.5, "title": "X"},
     ["expected_version"]),
    ("a_huge_version", "updateArticle", {"expected_version": 2**31, "title": "X"},
     ["expected_version"]),
    ("a_null_new_title", "updateArticle", {"title": None}, ["title"]),
    ("a_blank_new_title", "updateArticle", {"title": ""}, ["title"]),
    ("a_null_new_body", "updateArticle", {"body": None}, ["body"]),
    ("a_new_body_of_50001_characters", "updateArticle", {"body": "b" * 50_001}, ["body"]),
    ("null_new_tags", "updateArticle", {"tags": None}, ["tags"]),
    ("a_null_new_visibility", "updateArticle", {"visibility": None}, ["visibility"]),
    ("a_blank_new_category", "updateArticle", {"category": ""}, ["category"]),
    ("a_status_by_update", "updateArticle", {"status": "published"}, ["status"]),
    ("a_missing_version_to_publish", "publishArticle", {"expected_version": GONE},
     ["expected_version"]),
    ("a_negative_version_to_publish", "publishArticle", {"expected_version": -1},
     ["expected_version"]),
    ("an_article_id_that_is_not_a_uuid", "archiveArticle", {"article_id": "first"},
     ["article_id"]),
    ("a_missing_article_id", "getArticle", {"article_id": GONE}, ["article_id"]),
    ("from_suggestion_as_text", "getArticle", {"from_suggestion": "yes"}, ["from_suggestion"]),
    ("from_suggestion_as_a_number", "getArticle", {"from_suggestion": 1}, ["from_suggestion"]),
    ("a_null_from_suggestion", "getArticle", {"from_suggestion": None}, ["from_suggestion"]),
    ("a_status_that_does_not_exist", "listArticles", {"status": ["deleted"]}, ["status", "0"]),
    ("an_empty_status_list", "listArticles", {"status": []}, ["status"]),
    ("a_status_as_text", "listArticles", {"status": "draft"}, ["status"]),
    ("a_list_limit_of_0", "listArticles", {"limit": 0}, ["limit"]),
    ("a_list_limit_of_101", "listArticles", {"limit": 101}, ["limit"]),
    ("a_cursor_with_foreign_characters", "listArticles", {"cursor": "page 2!"}, ["cursor"]),
    ("a_made_up_list_cursor", "listArticles", {"cursor": "bm90IGEgY3Vyc29y"}, ["cursor"]),
    ("a_missing_q", "searchArticles", {"q": GONE}, ["q"]),
    ("a_blank_q", "searchArticles", {"q": "   "}, ["q"]),
    ("a_q_of_201_characters", "searchArticles", {"q": "q" * 201}, ["q"]),
    ("a_q_with_a_line_break", "searchArticles", {"q": "router\nsetup"}, ["q"]),
    ("a_search_limit_of_0", "searchArticles", {"limit": 0}, ["limit"]),
    ("a_search_limit_of_51", "searchArticles", {"limit": 51}, ["limit"]),
    ("a_search_limit_as_text", "searchArticles", {"limit": "10"}, ["limit"]),
    ("a_made_up_search_cursor", "searchArticles", {"cursor": "eyJvIjogLTF9"}, ["cursor"]),
    ("a_missing_subject", "suggestArticles", {"subject": GONE}, ["subject"]),
    ("a_null_subject", "suggestArticles", {"subject": None}, ["subject"]),
    ("a_subject_of_201_characters", "suggestArticles", {"subject": "s" * 201}, ["subject"]),
    ("a_subject_with_a_line_break", "suggestArticles", {"subject": "a\nb"}, ["subject"]),
    ("a_description_of_10001_characters", "suggestArticles", {"description": "d" * 10_001},
     ["description"]),
    ("a_description_with_a_nul_character", "suggestArticles", {"description": "a\x00"},
     ["description"]),
    ("helpful_as_text", "markArticleHelpful", {"helpful": "yes"}, ["helpful"]),
    ("helpful_as_a_number", "markArticleHelpful", {"helpful": 1}, ["helpful"]),
    ("a_null_helpful", "markArticleHelpful", {"helpful": None}, ["helpful"]),
    ("a_missing_helpful", "markArticleHelpful", {"helpful": GONE}, ["helpful"]),
    ("a_linked_article_that_is_not_a_uuid", "linkArticle", {"article_id": "faq"},
     ["article_id"]),
    ("a_missing_ticket", "linkArticle", {"ticket_id": GONE}, ["ticket_id"]),
    ("a_missing_from", "kbStats", {"from": GONE}, ["from"]),
    ("a_from_without_an_offset", "kbStats", {"from": "2026-11-01T00:00:00"}, ["from"]),
    ("a_from_that_is_a_date", "kbStats", {"from": "2026-11-01"}, ["from"]),
    ("a_from_as_a_number", "kbStats", {"from": 1_700_000_000}, ["from"]),
    ("a_from_that_is_no_day", "kbStats", {"from": "2026-02-30T00:00:00Z"}, ["from"]),
    ("an_offset_postgres_cannot_hold", "kbStats", {"from": "2026-11-01T00:00:00+21:04"},
     ["from"]),
    ("a_null_to", "kbStats", {"to": None}, ["to"]),
    ("a_to_before_from", "kbStats", {"from": LATER, "to": "2026-01-01T00:00:00Z"}, ["to"]),
    ("a_to_equal_to_from", "kbStats", {"from": "2026-11-01T00:00:00Z",
                                       "to": "2026-11-01T01:00:00+01:00"}, ["to"]),
    ("a_period_of_367_days", "kbStats", {"from": "2025-01-01T00:00:00Z",
                                         "to": "2026-01-03T00:00:00Z"}, ["to"]),
    ("a_language_that_does_not_exist", "setKnowledgeBaseSettings", {"language": "klingon"},
     ["language"]),
    ("a_missing_language", "setKnowledgeBaseSettings", {"language": GONE}, ["language"]),
    ("publishers_that_do_not_exist", "setKnowledgeBaseSettings", {"publishers": "everyone"},
     ["publishers"]),
    ("21_suggested_articles", "createTicket",
     {"suggested_article_ids": [str(uuid.uuid4()) for _ in range(21)]},
     ["suggested_article_ids"]),
    ("a_suggested_article_that_is_not_a_uuid", "createTicket",
     {"suggested_article_ids": ["faq"]}, ["suggested_article_ids", "0"]),
    ("null_suggested_articles", "createTicket", {"suggested_article_ids": None},
     ["suggested_article_ids"]),
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
    shelf = stocked(do, stack)
    ticket = submit(do, shelf.org.customer, shelf.org)
    body = BASES[action](shelf, ticket["id"]) | fields
    who = shelf.org.customer if action == "createTicket" else shelf.org.admin
    before = kb_state(db, shelf.org.id)
    refused = do(who, action, 422, **{k: v for k, v in body.items() if v is not GONE})
    assert path in invalid_paths(refused)
    assert kb_state(db, shelf.org.id) == before


EDGES: list[tuple[str, str, dict[str, Any]]] = [
    ("a_title_of_200_characters", "createArticle", {"title": "t" * 200}),
    ("a_body_of_50000_characters", "createArticle", {"body": "b" * 50_000}),
    ("20_tags_of_50_characters", "createArticle",
     {"tags": [f"{i:02}" + "t" * 48 for i in range(20)]}),
    ("no_tags", "createArticle", {"tags": []}),
    ("a_category_of_100_characters", "createArticle", {"category": "c" * 100}),
    ("a_whole_float_version", "updateArticle", {"expected_version": 1.0, "title": "X"}),
    ("a_q_of_200_characters", "searchArticles", {"q": "router " + "q" * 193}),
    ("a_search_limit_of_50", "searchArticles", {"limit": 50}),
    ("a_list_limit_of_100", "listArticles", {"limit": 100, "status": ["draft", "published",
                                                                       "archived"]}),
    ("an_empty_subject", "suggestArticles", {"subject": ""}),
    ("a_description_of_10000_characters", "suggestArticles", {"description": "d" * 10_000}),
    ("a_period_of_366_days", "kbStats", {"from": "2025-01-01T00:00:00Z",
                                         "to": "2026-01-02T00:00:00Z"}),
    ("offsets_of_15_59", "kbStats", {"from": "2026-01-01T00:00:00+15:59",
                                     "to": "2026-01-01T00:00:00.5-15:59"}),
    ("20_suggested_articles", "createTicket",
     {"suggested_article_ids": [str(uuid.uuid4()) for _ in range(20)]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "fields"), [case[1:] for case in EDGES], ids=[case[0] for case in EDGES]
)
def test_edge_values_are_accepted(
    do: Do, stack: Stack, action: str, fields: dict[str, Any]
) -> None:
    shelf = stocked(do, stack)
    ticket = submit(do, shelf.org.customer, shelf.org)
    body = BASES[action](shelf, ticket["id"]) | fields
    who = shelf.org.customer if action == "createTicket" else shelf.org.admin
    do(who, action, 201 if action.startswith("create") else 200, **body)


# who may do what ----------------------------------------------------------------------------

ROLES = ["admin", "employee", "customer", "other_customer", "other_employee", "anon"]
ROLE_WORDS = {
    "admin": "the_admin", "employee": "an_employee", "customer": "a_customer",
    "other_customer": "another_orgs_customer", "other_employee": "another_orgs_employee",
    "anon": "anon",
}  # fmt: skip
OK, FORBIDDEN, HIDDEN_404, ANON = 0, 403, 404, 401
# Per action: the body (given the shelf and a ticket of its customer's), and what each role gets
# (OK: the action's success status).
EVERYONE_READS = {"admin": OK, "employee": OK, "customer": OK, "other_customer": HIDDEN_404,
                  "other_employee": HIDDEN_404, "anon": ANON}  # fmt: skip
STAFF_ONLY = EVERYONE_READS | {"customer": HIDDEN_404}
PUBLISHERS = STAFF_ONLY | {"employee": FORBIDDEN}
ACCESS: list[tuple[str, str, Base, dict[str, int]]] = [
    # (what, action, body, status per role)
    ("createArticle", "createArticle", BASES["createArticle"], STAFF_ONLY),
    ("updateArticle_on_a_draft", "updateArticle", lambda s, t: {
        "article_id": s.draft["id"], "expected_version": 1, "body": "Changed."}, STAFF_ONLY),
    ("updateArticle_on_a_published_article", "updateArticle", lambda s, t: {
        "article_id": s.public["id"], "expected_version": 2, "body": "Changed."}, PUBLISHERS),
    ("publishArticle", "publishArticle", BASES["publishArticle"], PUBLISHERS),
    ("archiveArticle", "archiveArticle", BASES["archiveArticle"], PUBLISHERS),
    ("getArticle", "getArticle", BASES["getArticle"], EVERYONE_READS),
    ("listArticles", "listArticles", BASES["listArticles"], EVERYONE_READS),
    ("searchArticles", "searchArticles", BASES["searchArticles"], EVERYONE_READS),
    ("suggestArticles", "suggestArticles", BASES["suggestArticles"], EVERYONE_READS),
    ("markArticleHelpful", "markArticleHelpful", BASES["markArticleHelpful"], EVERYONE_READS),
    ("linkArticle", "linkArticle", BASES["linkArticle"], STAFF_ONLY),
    ("kbStats", "kbStats", BASES["kbStats"], STAFF_ONLY),
    ("setKnowledgeBaseSettings", "setKnowledgeBaseSettings", BASES["setKnowledgeBaseSettings"],
     PUBLISHERS),
]  # fmt: skip
VERBS = {OK: "may", FORBIDDEN: "is_forbidden_to", HIDDEN_404: "does_not_find",
         ANON: "is_unauthorized_to"}  # fmt: skip
ACCESS_CASES = [(action, body, role, expected[role])
                for _, action, body, expected in ACCESS for role in ROLES]  # fmt: skip
ACCESS_IDS = [f"{ROLE_WORDS[role]}_{VERBS[expected[role]]}_{what}"
              for what, _, _, expected in ACCESS for role in ROLES]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "body", "role", "expected"),
    ACCESS_CASES,
    ids=ACCESS_IDS,
)
def test_who_may_call_each_action(
    do: Do, stack: Stack, db: psycopg.Connection[Any], action: str, body: Base, role: str,
    expected: int,
) -> None:  # fmt: skip
    shelf = stocked(do, stack)
    ticket = submit(do, shelf.org.customer, shelf.org)
    who = acting(stack, shelf.org, role)
    before = kb_state(db, shelf.org.id)
    if expected == OK:
        do(who, action, 201 if action.startswith("create") else 200, **body(shelf, ticket["id"]))
        return
    refused = do(who, action, expected, **body(shelf, ticket["id"]))
    code = {FORBIDDEN: "forbidden", HIDDEN_404: "not_found", ANON: "unauthorized"}[expected]
    assert refused["error"]["code"] == code
    assert kb_state(db, shelf.org.id) == before


READS: list[tuple[str, Callable[[Shelf, dict[str, Any]], dict[str, Any]]]] = [
    ("getArticle", lambda s, a: {"article_id": a["id"]}),
    ("getArticle", lambda s, a: {"article_id": a["id"], "from_suggestion": True}),
    ("markArticleHelpful", lambda s, a: {"article_id": a["id"], "helpful": True}),
]


@pytest.mark.parametrize("kind", HIDDEN)
@pytest.mark.parametrize(
    ("action", "body"),
    READS,
    ids=["getArticle", "getArticle_from_suggestion", "markArticleHelpful"],
)
def test_a_customer_does_not_find_what_is_not_published_and_public(
    do: Do, stack: Stack, db: psycopg.Connection[Any], action: str,
    body: Callable[[Shelf, dict[str, Any]], dict[str, Any]], kind: str,
) -> None:  # fmt: skip
    shelf = stocked(do, stack)
    before = kb_state(db, shelf.org.id)
    refused = do(shelf.org.customer, action, 404, **body(shelf, shelf.hidden(kind)))
    assert refused["error"]["code"] == "not_found"
    assert kb_state(db, shelf.org.id) == before


def test_staff_vote_on_published_articles_only(do: Do, stack: Stack) -> None:
    shelf = stocked(do, stack)
    for article in (shelf.public, shelf.internal):
        do(shelf.org.employee, "markArticleHelpful", article_id=article["id"], helpful=True)
    for article in (shelf.draft, shelf.archived):
        do(shelf.org.employee, "markArticleHelpful", 404, article_id=article["id"], helpful=True)


@pytest.mark.parametrize("role", ["customer", "other_customer", "other_employee"])
def test_a_public_organizations_readers_see_its_published_public_articles_only(
    do: Do, stack: Stack, role: str
) -> None:
    """Everyone signed in may submit to a public organization, so reads its public articles."""
    org = create_org(stack)
    public = publish(do, org, write(do, org, "Router setup", body="Plug the router in."))
    for title, visibility in (("Router secrets", "internal"), ("Router draft", "public")):
        article = write(do, org, title, visibility)
        if visibility == "internal":
            publish(do, org, article)
    who = acting(stack, org, role)
    assert ids(do(who, "listArticles", org_id=org.id)["items"]) == [public["id"]]
    assert ids(do(who, "searchArticles", org_id=org.id, q="router")["items"]) == [public["id"]]
    assert ids(do(who, "suggestArticles", org_id=org.id, subject="router")["items"]) == [
        public["id"]]  # fmt: skip
    do(who, "kbStats", 404, org_id=org.id, **period())


UNKNOWN: list[tuple[str, dict[str, Any]]] = [
    ("createArticle", {"org_id": None, "title": "X", "body": "Y", "visibility": "public"}),
    ("updateArticle", {"article_id": None, "expected_version": 1, "title": "X"}),
    ("publishArticle", {"article_id": None, "expected_version": 1}),
    ("archiveArticle", {"article_id": None, "expected_version": 1}),
    ("getArticle", {"article_id": None}),
    ("listArticles", {"org_id": None}),
    ("searchArticles", {"org_id": None, "q": "x"}),
    ("suggestArticles", {"org_id": None, "subject": "router"}),
    ("markArticleHelpful", {"article_id": None, "helpful": True}),
    ("linkArticle", {"ticket_id": None, "article_id": None}),
    ("kbStats", {"org_id": None, **period()}),
    ("setKnowledgeBaseSettings", {"org_id": None, "language": "simple", "publishers": "admins"}),
]


@pytest.mark.parametrize(("action", "body"), UNKNOWN, ids=[f"{u[0]}_of_nothing" for u in UNKNOWN])
def test_what_does_not_exist_is_not_found(do: Do, stack: Stack, action: str, body: Any) -> None:
    org = kb_org(stack)
    made_up = {k: str(uuid.uuid4()) if v is None else v for k, v in body.items()}
    assert do(org.admin, action, 404, **made_up)["error"]["code"] == "not_found"


# straight through PostgREST -----------------------------------------------------------------


def busy(do: Do, stack: Stack) -> tuple[Shelf, str]:
    """A stocked organization its customer used: suggestions, a view, a vote, and a ticket
    with every article linked and the public one suggested. Also the ticket's id."""
    shelf = stocked(do, stack)
    org = shelf.org
    do(org.admin, "setKnowledgeBaseSettings", org_id=org.id, language="english",
       publishers="admins")  # fmt: skip
    do(org.customer, "suggestArticles", org_id=org.id, subject="router")
    do(org.customer, "getArticle", article_id=shelf.public["id"], from_suggestion=True)
    do(org.customer, "markArticleHelpful", article_id=shelf.public["id"], helpful=True)
    do(org.employee, "getArticle", article_id=shelf.internal["id"])
    do(org.employee, "markArticleHelpful", article_id=shelf.internal["id"], helpful=False)
    ticket = submit(do, org.customer, org, suggested_article_ids=[shelf.public["id"]])
    for kind in ("public", *HIDDEN):
        do(org.employee, "linkArticle", ticket_id=ticket["id"], article_id=shelf.hidden(kind)["id"])
    return shelf, ticket["id"]


TABLES = ["articles", "article_events", "article_views", "article_votes", "article_suggestions",
          "ticket_articles", "knowledge_base_settings"]  # fmt: skip


@pytest.mark.parametrize("role", ["employee", "customer", "other_customer", "other_employee",
                                  "anon"], ids=lambda r: f"the_{r}")  # fmt: skip
@pytest.mark.parametrize("table", TABLES)
def test_knowledge_base_tables_through_postgrest(
    do: Do, stack: Stack, table: str, role: str
) -> None:
    shelf, ticket_id = busy(do, stack)
    org = shelf.org
    response = rest(stack, acting(stack, org, role), "GET", table,
                    params={"organization_id": f"eq.{org.id}"})  # fmt: skip
    if role == "anon":
        assert response.status_code == 401, response.text
        return
    assert response.status_code == 200, response.text
    rows = response.json()
    if role in ("other_customer", "other_employee"):
        assert rows == []
        return
    every = {shelf.public["id"], shelf.internal["id"], shelf.draft["id"], shelf.archived["id"]}
    if role == "employee":  # the organization's staff read it all: this test would see a leak
        about = {"articles": "id", "knowledge_base_settings": "organization_id"}.get(
            table, "article_id")  # fmt: skip
        expected_about = {
            "articles": every, "article_events": every, "ticket_articles": every,
            "article_views": {shelf.public["id"]},  # staff reading is not recorded
            "article_votes": {shelf.public["id"], shelf.internal["id"]},
            "article_suggestions": {shelf.public["id"]}, "knowledge_base_settings": {org.id},
        }  # fmt: skip
        assert {row[about] for row in rows} == expected_about[table], rows
        return
    # A customer: the published public article, their own vote, and its link to their ticket.
    if table == "articles":
        assert [r["id"] for r in rows] == [shelf.public["id"]]
    elif table == "article_votes":
        assert [(r["article_id"], r["user_id"]) for r in rows] == [
            (shelf.public["id"], org.customer.id)]  # fmt: skip
    elif table == "ticket_articles":
        assert [(r["ticket_id"], r["article_id"], r["kind"]) for r in rows] == [
            (ticket_id, shelf.public["id"], "linked")]  # fmt: skip
    else:
        assert rows == []


RPCS: list[tuple[str, Callable[[Shelf, str], dict[str, Any]]]] = [
    ("create_article", lambda s, t: {"org_id": s.org.id, "title": "Mine", "body": "x",
                                     "visibility": "public"}),
    ("update_article", lambda s, t: {"article_id": s.draft["id"], "expected_version": 1,
                                     "changes": {"title": "Mine"}}),
    ("publish_article", lambda s, t: {"article_id": s.draft["id"], "expected_version": 1}),
    ("archive_article", lambda s, t: {"article_id": s.public["id"], "expected_version": 2}),
    ("get_article", lambda s, t: {"article_id": s.public["id"]}),
    ("list_articles", lambda s, t: {"org_id": s.org.id}),
    ("search_articles", lambda s, t: {"org_id": s.org.id, "q": "router"}),
    ("suggest_articles", lambda s, t: {"org_id": s.org.id, "subject": "router"}),
    ("mark_article_helpful", lambda s, t: {"article_id": s.public["id"], "helpful": False}),
    ("link_article", lambda s, t: {"ticket_id": t, "article_id": s.draft["id"]}),
    ("kb_stats", lambda s, t: {"org_id": s.org.id, **period()}),
    ("set_knowledge_base_settings", lambda s, t: {"org_id": s.org.id, "language": "simple",
                                                  "publishers": "staff"}),
]  # fmt: skip


@pytest.mark.parametrize("role", ["other_customer", "other_employee", "anon"],
                         ids=lambda r: f"the_{r}")  # fmt: skip
@pytest.mark.parametrize(("function", "body"), RPCS, ids=[f[0] for f in RPCS])
def test_knowledge_base_functions_find_nothing_for_outsiders_through_postgrest(
    do: Do, stack: Stack, db: psycopg.Connection[Any], function: str,
    body: Callable[[Shelf, str], dict[str, Any]], role: str,
) -> None:  # fmt: skip
    shelf, ticket_id = busy(do, stack)
    before = kb_state(db, shelf.org.id)
    response = rest(stack, acting(stack, shelf.org, role), "POST", f"rpc/{function}",
                    json=body(shelf, ticket_id))  # fmt: skip
    if role == "anon":
        assert response.status_code == 401, response.text
    else:
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "PT404"
    assert kb_state(db, shelf.org.id) == before


CUSTOMER_RPCS = [case for case in RPCS if case[0] in (
    "create_article", "update_article", "publish_article", "archive_article", "link_article",
    "kb_stats", "set_knowledge_base_settings")]  # fmt: skip


@pytest.mark.parametrize(("function", "body"), CUSTOMER_RPCS, ids=[f[0] for f in CUSTOMER_RPCS])
def test_a_customer_changes_and_measures_nothing_through_postgrest(
    do: Do, stack: Stack, db: psycopg.Connection[Any], function: str,
    body: Callable[[Shelf, str], dict[str, Any]],
) -> None:  # fmt: skip
    shelf, ticket_id = busy(do, stack)
    before = kb_state(db, shelf.org.id)
    response = rest(stack, shelf.org.customer, "POST", f"rpc/{function}",
                    json=body(shelf, ticket_id))  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (404, "PT404"), response.text
    assert kb_state(db, shelf.org.id) == before


@pytest.mark.parametrize("kind", HIDDEN)
def test_a_customer_reads_nothing_hidden_through_the_functions(
    do: Do, stack: Stack, kind: str
) -> None:
    shelf, ticket_id = busy(do, stack)
    customer, article = shelf.org.customer, shelf.hidden(kind)
    for function, body in (("get_article", {"article_id": article["id"]}),
                           ("mark_article_helpful", {"article_id": article["id"],
                                                     "helpful": True})):  # fmt: skip
        response = rest(stack, customer, "POST", f"rpc/{function}", json=body)
        assert (response.status_code, response.json()["code"]) == (404, "PT404"), response.text
    title = article["title"]
    for function, body in (
        ("search_articles", {"org_id": shelf.org.id, "q": title, "limit": 50}),
        ("suggest_articles", {"org_id": shelf.org.id, "subject": title}),
        ("list_articles", {"org_id": shelf.org.id, "status": [article["status"]]}),
    ):  # fmt: skip
        response = rest(stack, customer, "POST", f"rpc/{function}", json=body)
        assert response.status_code == 200, response.text
        assert article["id"] not in ids(response.json()["items"]), function
    ticket = rest(stack, customer, "POST", "rpc/get_ticket", json={"ticket_id": ticket_id})
    assert ids(ticket.json()["articles"]) == [shelf.public["id"]]


def test_another_orgs_staff_read_no_suggestion_counts_or_stats(do: Do, stack: Stack) -> None:
    shelf, _ = busy(do, stack)
    stranger = kb_org(stack)
    for who in (stranger.admin, stranger.employee):
        stats = rest(stack, who, "POST", "rpc/kb_stats", json={"org_id": shelf.org.id,
                                                               **period()})  # fmt: skip
        assert stats.status_code == 404, stats.text
        for table in ("article_suggestions", "article_views", "article_votes"):
            rows = rest(stack, who, "GET", table,
                        params={"article_id": f"eq.{shelf.public['id']}"})  # fmt: skip
            assert rows.json() == [], (table, rows.text)


WRITES: list[tuple[str, str, str, str, Callable[[Shelf], dict[str, str]], Any]] = [
    # (id, who, method, table, filter, payload)
    ("a_customer_adding_an_article", "customer", "POST", "articles", lambda s: {},
     {"organization_id": "{org}", "title": "Mine", "body": "x", "visibility": "public"}),
    ("another_orgs_employee_adding_an_article", "other_employee", "POST", "articles",
     lambda s: {}, {"organization_id": "{org}", "title": "Mine", "body": "x",
                    "visibility": "public"}),
    ("an_employee_adding_a_published_article", "employee", "POST", "articles", lambda s: {},
     {"organization_id": "{org}", "title": "Mine", "body": "x", "visibility": "public",
      "status": "published"}),
    ("an_employee_publishing_a_draft_directly", "employee", "PATCH", "articles",
     lambda s: {"id": f"eq.{s.draft['id']}"}, {"status": "published"}),
    ("an_employee_editing_a_published_article_directly", "employee", "PATCH", "articles",
     lambda s: {"id": f"eq.{s.public['id']}"}, {"title": "Hijacked"}),
    ("an_employee_making_a_published_article_internal", "employee", "PATCH", "articles",
     lambda s: {"id": f"eq.{s.public['id']}"}, {"visibility": "internal"}),
    ("an_employee_changing_the_author", "employee", "PATCH", "articles",
     lambda s: {"id": f"eq.{s.draft['id']}"}, {"author_id": "{admin}"}),
    ("an_employee_deleting_an_article", "employee", "DELETE", "articles",
     lambda s: {"id": f"eq.{s.draft['id']}"}, None),
    ("a_customer_editing_a_public_article", "customer", "PATCH", "articles",
     lambda s: {"id": f"eq.{s.public['id']}"}, {"title": "Hijacked"}),
    ("another_orgs_employee_editing_a_draft", "other_employee", "PATCH", "articles",
     lambda s: {"id": f"eq.{s.draft['id']}"}, {"title": "Hijacked"}),
    ("an_employee_rewriting_history", "employee", "PATCH", "article_events",
     lambda s: {"article_id": f"eq.{s.public['id']}"}, {"kind": "updated"}),
    ("an_employee_adding_views", "employee", "POST", "article_views", lambda s: {},
     {"article_id": "{public}", "organization_id": "{org}", "user_id": "{customer}"}),
    ("a_customer_voting_directly", "customer", "POST", "article_votes", lambda s: {},
     {"article_id": "{public}", "organization_id": "{org}", "user_id": "{customer}",
      "helpful": False}),
    ("an_employee_adding_suggestions", "employee", "POST", "article_suggestions", lambda s: {},
     {"article_id": "{public}", "organization_id": "{org}", "user_id": "{customer}",
      "shown": 100}),
    ("an_employee_linking_directly", "employee", "POST", "ticket_articles", lambda s: {},
     {"ticket_id": "{ticket}", "article_id": "{draft}", "organization_id": "{org}",
      "kind": "linked"}),
    ("an_admin_changing_settings_directly", "admin", "PATCH", "knowledge_base_settings",
     lambda s: {"organization_id": "eq.{org}"}, {"publishers": "staff"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "method", "table", "params", "payload"),
    [case[1:] for case in WRITES],
    ids=[f"nothing_changes_by_{case[0]}" for case in WRITES],
)
def test_nobody_writes_around_the_functions_through_postgrest(
    do: Do, stack: Stack, db: psycopg.Connection[Any], who: str, method: str, table: str,
    params: Callable[[Shelf], dict[str, str]], payload: Any,
) -> None:  # fmt: skip
    shelf, ticket_id = busy(do, stack)
    org = shelf.org
    names = {"org": org.id, "admin": org.admin.id, "customer": org.customer.id,
             "public": shelf.public["id"], "draft": shelf.draft["id"],
             "ticket": ticket_id}  # fmt: skip
    if payload is not None:
        payload = {k: v.format(**names) if isinstance(v, str) else v for k, v in payload.items()}
    query = {k: v.format(**names) for k, v in params(shelf).items()}
    before = kb_state(db, org.id)
    response = rest(stack, acting(stack, org, who), method, table, params=query, json=payload)
    if response.status_code < 300:
        assert response.json() == [], response.text  # no row was theirs to change
    else:
        assert response.status_code in (401, 403), response.text
    assert kb_state(db, org.id) == before
