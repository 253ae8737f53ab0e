"""Knowledge-base actions: articles, search, suggestions while writing a ticket, votes, stats.

An article belongs to one organization. Its staff (admins and employees) read all of its
articles and write drafts; admins publish and archive them, and change what is published —
all staff may where the organization sets `publishers` to `staff`. Customers who may submit
tickets to the organization read its published public articles and nothing else; everyone else
finds nothing (404). Search, suggestions, votes and links are decided in the database
(`supabase/migrations/20261130180100_create_knowledge_base_api.sql`), under the same rules.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from bff.actions._fields import Cursor, PageSize, Text, Version, whole_number
from bff.actions._registry import (
    ActionContext,
    ActionIn,
    ActionOut,
    action,
    call,
    named_changes,
)
from bff.errors import Forbidden, NotFound, VersionConflict

ArticleStatus = Literal["draft", "published", "archived"]
Visibility = Literal["public", "internal"]
Language = Literal[
    "simple", "english", "french", "german", "spanish", "italian", "portuguese", "dutch"
]
Publishers = Literal["admins", "staff"]
Title = Annotated[str, Text(200)]
Category = Annotated[str, Text(100)]
Tag = Annotated[str, Text(50)]
Tags = Annotated[
    list[Tag], Field(max_length=20, description="At most 20, each 1 to 50 characters.")
]


def _as_written(value: Any, check: ValidatorFunctionWrapHandler) -> Any:
    # Markdown is stored as written: trimming would turn a leading indented code block into a
    # paragraph. Text's checks still apply; only its trimmed value is not kept.
    check(value)
    return value


Markdown = Annotated[
    str,
    Text(50_000, multiline=True),
    WrapValidator(_as_written),
    Field(description="Markdown, stored as written (not trimmed); clients render it."),
]
# RFC 3339 date-times (JSON Schema's date-time format) with an offset PostgreSQL accepts
# (at most 15:59 either way).
_DATE_TIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-](0[0-9]|1[0-5]):[0-5][0-9])$"
)


def _date_time_text(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(_DATE_TIME, value):
        raise PydanticCustomError(
            "datetime_type",
            "Give a date and time with an offset of at most 15:59, such as 2026-11-01T09:00:00Z",
        )
    return value


# A moment in time. Parsed leniently (strict parsing refuses JSON text once ActionIn has looked
# at the value), after the check above has refused numbers and other text.
Moment = Annotated[
    datetime,
    Field(strict=False, json_schema_extra={"pattern": _DATE_TIME}),
    BeforeValidator(_date_time_text),
]
# The text a customer searches with: never an error whatever it holds (quotes, OR, -word).
Query = Annotated[str, Text(200)]
SearchPageSize = Annotated[
    int, Field(ge=1, le=50, description="Results per page."), BeforeValidator(whole_number)
]
# A change to an article: 403 to staff who may not publish where that is needed, 404 to anyone
# else, 409 when the version is stale.
_CHANGE_ERRORS = (Forbidden, NotFound, VersionConflict)
# Seeded demo data (supabase/seed.sql), used in the documentation's examples.
_ACME = "aaaaaaaa-0000-4000-8000-000000000000"
_TICKET = "aaaaaaaa-1000-4000-8000-000000000001"
_REFUND_ARTICLE = "aaaaaaaa-3000-4000-8000-000000000001"  # published (version 2), public
_PRINTER_DRAFT = "aaaaaaaa-3000-4000-8000-000000000005"  # a draft (version 1)


class ArticleSummaryOut(ActionOut):
    """An article without its body (listings and search results)."""

    id: UUID
    organization_id: UUID
    title: str
    category: str | None
    tags: list[str]
    status: ArticleStatus
    visibility: Visibility = Field(
        description="public: customers who may submit to the organization; internal: its staff."
    )
    author_id: UUID | None = Field(description="null once the author's account is deleted.")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = Field(description="When it was last published.")
    version: int = Field(description="Send it back as expected_version when changing it.")


class ArticleOut(ArticleSummaryOut):
    body: str = Field(description="Markdown as written; render it.")


class CreateArticleIn(ActionIn):
    org_id: UUID
    title: Title
    body: Markdown
    visibility: Visibility
    category: Category | None = None
    tags: Tags | None = None

    example = {
        "org_id": _ACME,
        "title": "Exporting invoices",
        "body": "Open **Billing → Invoices** and choose *Export*.",
        "visibility": "public",
        "category": "Billing",
        "tags": ["invoices", "export"],
    }


@action("createArticle", status=201, errors=(NotFound,))
def create_article(ctx: ActionContext, payload: CreateArticleIn) -> ArticleOut:
    """Write a draft article for an organization (its staff); 404 for anyone else.

    The draft is yours (`author_id`), at version 1; nobody but staff sees it until it is
    published.
    """
    params = payload.model_dump(mode="json", exclude_none=True)
    return ArticleOut.model_validate(call(ctx, "create_article", **params))


class UpdateArticleIn(ActionIn):
    article_id: UUID
    expected_version: Version
    title: Title | None = None
    body: Markdown | None = None
    category: Category | None = Field(None, description="null removes the category.")
    tags: Tags | None = Field(None, description="Replaces the tags; [] removes them all.")
    visibility: Visibility | None = None

    nullable = frozenset({"category"})
    identifies = frozenset({"article_id", "expected_version"})
    example = {"article_id": _PRINTER_DRAFT, "expected_version": 1, "category": "Devices"}


@action("updateArticle", errors=_CHANGE_ERRORS)
def update_article(ctx: ActionContext, payload: UpdateArticleIn) -> ArticleOut:
    """Change the named fields of an article (staff; a published or archived one: publishers).

    Name at least one field to change. Staff change drafts; changing a published or archived
    article is 403 `forbidden` for those who may not publish. A stale `expected_version`
    answers 409 `version_conflict` with the current article in `details.current`.
    """
    result = call(
        ctx,
        "update_article",
        article_id=str(payload.article_id),
        expected_version=payload.expected_version,
        changes=named_changes(payload),
    )
    return ArticleOut.model_validate(result)


class ArticleVersionIn(ActionIn):
    article_id: UUID
    expected_version: Version

    example = {"article_id": _PRINTER_DRAFT, "expected_version": 1}


@action("publishArticle", errors=_CHANGE_ERRORS)
def publish_article(ctx: ActionContext, payload: ArticleVersionIn) -> ArticleOut:
    """Publish an article, a draft or an archived one (admins, or staff where publishers = staff).

    Other staff are 403 `forbidden`, anyone else 404. A stale `expected_version` answers 409
    `version_conflict` with the current article in `details.current`. Publishing sets
    `published_at`; publishing what is already published changes nothing.
    """
    params = payload.model_dump(mode="json")
    return ArticleOut.model_validate(call(ctx, "publish_article", **params))


@action("archiveArticle", errors=_CHANGE_ERRORS)
def archive_article(ctx: ActionContext, payload: ArticleVersionIn) -> ArticleOut:
    """Archive an article: staff still see it, customers, search and suggestions no longer do.

    Who may, and the answers to a stale version, are as for publishArticle; publishing it again
    brings it back.
    """
    params = payload.model_dump(mode="json")
    return ArticleOut.model_validate(call(ctx, "archive_article", **params))


class GetArticleIn(ActionIn):
    article_id: UUID
    from_suggestion: bool = Field(
        False, description="true when opened from suggestArticles' list (kbStats counts it)."
    )

    example = {"article_id": _REFUND_ARTICLE, "from_suggestion": True}


class ArticleEventOut(ActionOut):
    id: int
    kind: Literal["created", "updated", "published", "archived", "unpublished"]
    actor_id: UUID | None
    changes: dict[str, Any] = Field(
        description="created: the title and visibility; otherwise each changed field as {old, new}."
    )
    created_at: datetime


class ArticleDetailOut(ArticleOut):
    my_vote: bool | None = Field(description="Your markArticleHelpful answer; null: none.")
    history: list[ArticleEventOut] | None = Field(
        description="Every change, oldest first, for the organization's staff; null for others."
    )


@action("getArticle", errors=(NotFound,))
def get_article(ctx: ActionContext, payload: GetArticleIn) -> ArticleDetailOut:
    """Read an article with your vote and, for staff, its history.

    Staff read every article of their organization; customers who may submit to it read its
    published public ones; anything else is 404. Records the view for kbStats, unless you are
    the organization's staff.
    """
    result = call(
        ctx,
        "get_article",
        article_id=str(payload.article_id),
        from_suggestion=payload.from_suggestion,
    )
    return ArticleDetailOut.model_validate(result)


class ListArticlesIn(ActionIn):
    org_id: UUID
    status: list[ArticleStatus] | None = Field(
        None, min_length=1, max_length=3, description="Left out: every status you may see."
    )
    limit: PageSize = 25
    cursor: Cursor | None = None

    nullable = frozenset({"cursor"})
    example = {"org_id": _ACME, "status": ["draft", "published"], "limit": 25}


class ArticlePageOut(ActionOut):
    items: list[ArticleSummaryOut]
    next_cursor: str | None = Field(description="Pass it as cursor for the next page.")


@action("listArticles", errors=(NotFound,))
def list_articles(ctx: ActionContext, payload: ListArticlesIn) -> ArticlePageOut:
    """List an organization's articles you may read, most recently updated first, without bodies.

    Staff see every status; customers who may submit to the organization see its published
    public articles (asking for drafts finds none); anyone else is 404.
    """
    params = payload.model_dump(mode="json", exclude_none=True)
    return ArticlePageOut.model_validate(call(ctx, "list_articles", **params))


class SearchArticlesIn(ActionIn):
    org_id: UUID
    q: Query = Field(
        description="What the person typed. Words in any form and without accents; "
        '"quoted phrase", OR and -word work as in web search engines.'
    )
    limit: SearchPageSize = 10
    cursor: Cursor | None = None

    nullable = frozenset({"cursor"})
    example = {"org_id": _ACME, "q": "export invoice", "limit": 10}


class ArticleHitOut(ArticleSummaryOut):
    rank: float = Field(description="Higher is better; comparable within one search only.")
    snippet: str = Field(
        description="A short passage of the body around the words found: HTML-escaped Markdown "
        "with each match in <mark>…</mark>."
    )


class ArticleSearchOut(ActionOut):
    items: list[ArticleHitOut] = Field(description="Best first.")
    method: Literal["full_text", "similar"] | None = Field(
        description="full_text: words found (every word ranks above some); similar: nothing "
        "was, so titles, categories and tags spelt alike (typos); null: no result."
    )
    next_cursor: str | None = Field(description="Pass it as cursor for the next page.")


@action("searchArticles", errors=(NotFound,))
def search_articles(ctx: ActionContext, payload: SearchArticlesIn) -> ArticleSearchOut:
    """Search an organization's published articles you may read, best first.

    Words match in the organization's language whatever their form and accents, the title
    counting most; when no word matches, titles spelt alike do. Who may search: as listArticles
    (404 for anyone else). At most 1,000 results are reachable by paging.
    """
    params = payload.model_dump(mode="json", exclude_none=True)
    return ArticleSearchOut.model_validate(call(ctx, "search_articles", **params))


class SuggestArticlesIn(ActionIn):
    org_id: UUID = Field(description="The organization the ticket is being written to.")
    subject: Annotated[str, Text(200, blank=True)] = Field(description="As typed so far.")
    description: Annotated[str, Text(10_000, multiline=True, blank=True)] | None = None

    example = {"org_id": _ACME, "subject": "Cannot export invoices"}


class SuggestedArticleOut(ActionOut):
    id: UUID = Field(description="Open it with getArticle and from_suggestion: true.")
    title: str
    category: str | None
    rank: float


class SuggestionsOut(ActionOut):
    items: list[SuggestedArticleOut] = Field(
        max_length=5, description="Best first; none for fewer than 3 characters in all."
    )


@action("suggestArticles", errors=(NotFound,))
def suggest_articles(ctx: ActionContext, payload: SuggestArticlesIn) -> SuggestionsOut:
    """Suggest up to 5 published articles for a ticket being written, to show before submitting.

    Searches subject and description together as searchArticles does, among the articles you
    may read there (404 where you may not submit). Records that they were shown, for kbStats
    (not to the organization's staff); pass their ids to createTicket as suggested_article_ids
    if the ticket is submitted anyway.
    """
    params = payload.model_dump(mode="json", exclude_none=True)
    return SuggestionsOut.model_validate(call(ctx, "suggest_articles", **params))


class MarkArticleHelpfulIn(ActionIn):
    article_id: UUID
    helpful: bool

    example = {"article_id": _REFUND_ARTICLE, "helpful": True}


class ArticleVoteOut(ActionOut):
    article_id: UUID
    helpful: bool


@action("markArticleHelpful", errors=(NotFound,))
def mark_article_helpful(ctx: ActionContext, payload: MarkArticleHelpfulIn) -> ArticleVoteOut:
    """Say whether a published article you may read helped you; your last answer counts.

    Anything else (a draft, an archived article, one you may not read) is 404.
    """
    result = call(
        ctx, "mark_article_helpful", article_id=str(payload.article_id), helpful=payload.helpful
    )
    return ArticleVoteOut.model_validate(result)


class LinkArticleIn(ActionIn):
    ticket_id: UUID
    article_id: UUID = Field(description="An article of the ticket's organization, any status.")

    example = {"ticket_id": _TICKET, "article_id": _REFUND_ARTICLE}


class ArticleLinkOut(ActionOut):
    ticket_id: UUID
    article_id: UUID
    linked: bool


class LinkedArticleOut(ActionOut):
    """An article staff linked to a ticket (getTicket)."""

    id: UUID
    title: str
    status: ArticleStatus
    visibility: Visibility
    linked_at: datetime


@action("linkArticle", errors=(NotFound,))
def link_article(ctx: ActionContext, payload: LinkArticleIn) -> ArticleLinkOut:
    """Link an article to a ticket (staff of the ticket's organization; 404 for anyone else).

    getTicket lists it: to staff always, to the requester while it is published and public.
    Linking it again changes nothing. An article of another organization, or none, is 422 on
    `article_id`.
    """
    result = call(
        ctx, "link_article", ticket_id=str(payload.ticket_id), article_id=str(payload.article_id)
    )
    return ArticleLinkOut.model_validate(result)


class KbStatsIn(ActionIn):
    org_id: UUID
    from_: Moment = Field(alias="from", description="Start of the period (included).")
    to: Moment = Field(
        description="End of the period (excluded): after from, at most 366 days later."
    )

    example = {"org_id": _ACME, "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}


class ArticleStatsOut(ActionOut):
    article_id: UUID
    title: str
    views: int = Field(description="Times readers opened it.")
    opened_from_suggestions: int = Field(description="Of those, opened from suggestions.")
    helpful: int = Field(description="People whose latest answer, given in the period, is yes.")
    not_helpful: int = Field(description="Those whose latest answer, given then, is no.")
    suggested: int = Field(description="Times suggested (counted per day: whole days overlapping).")
    submitted_after_suggestion: int = Field(
        description="Tickets submitted anyway after it was suggested (suggested_article_ids)."
    )
    deflections: int = Field(
        description="People who opened it from suggestions and submitted no ticket to the "
        "organization in the next 24 hours."
    )


class KbStatsOut(ActionOut):
    model_config = ConfigDict(serialize_by_alias=True)

    org_id: UUID
    from_: datetime = Field(alias="from")
    to: datetime
    article_views: int
    tickets_submitted: int
    self_service: float | None = Field(
        description="Article views per ticket submitted, to 2 decimals; null with no ticket."
    )
    articles: list[ArticleStatsOut] = Field(
        description="Each article viewed or suggested in the period, most viewed first."
    )


@action("kbStats", errors=(NotFound,))
def kb_stats(ctx: ActionContext, payload: KbStatsIn) -> KbStatsOut:
    """Measure the knowledge base over a period (staff): views, votes, suggestions, deflections.

    Counts what readers did, not the organization's own staff (their views and the
    suggestions they saw are not recorded). A period that does not end after it starts, or
    spans more than 366 days, is 422 on `to`.
    """
    params = payload.model_dump(mode="json", by_alias=True)
    return KbStatsOut.model_validate(call(ctx, "kb_stats", **params))


class SetKnowledgeBaseSettingsIn(ActionIn):
    org_id: UUID
    language: Language = Field(
        description="The language words are stemmed in (searching finds other forms of them); "
        "simple: none. Changing it re-indexes every article."
    )
    publishers: Publishers = Field(
        description="Who publishes, archives and changes published articles: admins, or all staff."
    )

    example = {"org_id": _ACME, "language": "english", "publishers": "admins"}


class KnowledgeBaseSettingsOut(ActionOut):
    org_id: UUID
    language: Language
    publishers: Publishers


@action("setKnowledgeBaseSettings", errors=(Forbidden, NotFound))
def set_knowledge_base_settings(
    ctx: ActionContext, payload: SetKnowledgeBaseSettingsIn
) -> KnowledgeBaseSettingsOut:
    """Set an organization's knowledge-base language and publishers (admins).

    Other staff are 403 `forbidden`, anyone else 404. Until set: simple, admins.
    """
    params = payload.model_dump(mode="json")
    return KnowledgeBaseSettingsOut.model_validate(
        call(ctx, "set_knowledge_base_settings", **params)
    )
