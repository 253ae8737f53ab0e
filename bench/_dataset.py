"""Generated data, loaded in bulk as the superuser and grown in place between rounds.

Organizations have Zipf-like sizes (weight 1/rank^1.1: the largest holds about a fifth of all
tickets), staff and teams in proportion, many customers, realistic status and priority mixes,
comments, and a few tickets with ten attached files. Triggers are skipped during the load
(`session_replication_role = replica`), so the loader writes what they would (profiles, ticket
numbers, counters) and then checks that every foreign key still holds. A `bench` schema (never
exposed by PostgREST) remembers what was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from bench._articles_sql import (
    CHECK_ARTICLES,
    CHECK_SEARCH_COLUMNS,
    KNOWLEDGE_BASE_SERVICE_ROLE_GRANTS,
    LOAD_ARTICLES,
)
from bench._dataset_sql import (
    ADD_AGENTS,
    ATTACH_FILES,
    CHECK_INTEGRITY,
    GROW_TICKETS,
    PREPARE,
    SERVICE_ROLE_GRANTS,
)

ZIPF_EXPONENT = 1.1


@dataclass(frozen=True)
class ArticleCounts:
    """What `Dataset.load_articles` stored."""

    published: int
    public: int
    """Of the published, those customers may read."""
    drafts: int
    archived: int
    largest_org: int
    """Published articles of the largest organization."""
    english_orgs: int
    """Organizations whose knowledge base is in English; the others are `simple`."""

    def line(self) -> str:
        """Return the counts as one line of the report."""
        return (
            f"knowledge base: {self.published:,} published articles ({self.public:,} public, "
            f"the largest organization {self.largest_org:,}), {self.drafts:,} drafts and "
            f"{self.archived:,} archived besides; {self.english_orgs} organizations in English, "
            "the others simple"
        )


@dataclass(frozen=True)
class Person:
    """A generated user."""

    user_id: str
    email: str


class Dataset:
    """The benchmark's data in one database."""

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    def _connect(self) -> psycopg.Connection[Any]:
        connection = psycopg.connect(
            self._db_url, autocommit=True, cursor_factory=psycopg.ClientCursor
        )
        connection.execute("set synchronous_commit = off")
        connection.execute("set maintenance_work_mem = '512MB'")
        connection.execute("set session_replication_role = replica")
        return connection

    def prepare(self, *, organizations: int, customers: int) -> None:
        """Create organizations, staff, teams and customers (once)."""
        with self._connect() as connection:
            connection.execute(
                PREPARE,
                {"organizations": organizations, "customers": customers, "s": ZIPF_EXPONENT},
            )
            # The bench calls the read functions as service_role to measure RLS; the migrations
            # grant them to authenticated only (see the report).
            connection.execute(SERVICE_ROLE_GRANTS)

    def grow(self, tickets: int) -> int:
        """Add tickets (and their comments) until the organizations hold about `tickets`.

        Secondary indexes are dropped for the load and rebuilt after (as a bulk import would), the
        statistics counters (maintained by triggers, which the load bypasses) are recounted, and
        the tables are vacuumed and analyzed. Returns the number of tickets now stored.
        """
        with self._connect() as connection:
            definitions = _drop_secondary_indexes(connection)
            connection.execute(GROW_TICKETS, {"tickets": tickets})
            for definition in definitions:
                connection.execute(definition)
            connection.execute("set session_replication_role = origin")
            _check_integrity(connection)
            connection.execute("select private.rebuild_ticket_stat_counts()")
            for table in (
                "public.tickets",
                "public.ticket_comments",
                "public.ticket_attachments",
                "private.ticket_counters",
                "private.ticket_stat_counts",
            ):
                connection.execute(f"vacuum (analyze) {table}")
            row = connection.execute("select count(*) from public.tickets").fetchone()
        return int(row[0]) if row else 0

    def load_articles(self, articles: int) -> ArticleCounts:
        """Give the organizations `articles` published articles in their shares (once).

        As with tickets, secondary indexes are rebuilt after the load, which writes the search
        columns as the articles' trigger would; a sample recomputed by the trigger proves it.
        """
        with self._connect() as connection:
            definitions = _drop_secondary_indexes(connection, ("public.articles",))
            connection.execute(LOAD_ARTICLES, {"articles": articles})
            for definition in definitions:
                connection.execute(definition)
            connection.execute("set session_replication_role = origin")
            _check_integrity(connection, CHECK_ARTICLES)
            _check_search_columns(connection)
            connection.execute("vacuum (analyze) public.articles")
            connection.execute("analyze public.knowledge_base_settings")
            connection.execute(KNOWLEDGE_BASE_SERVICE_ROLE_GRANTS)
            row = connection.execute(
                """
                select count(*) filter (where a.status = 'published'),
                  count(*) filter (where a.status = 'published' and a.visibility = 'public'),
                  count(*) filter (where a.status = 'draft'),
                  count(*) filter (where a.status = 'archived'),
                  count(*) filter (where a.status = 'published' and o.rank = 1),
                  (select count(*) from public.knowledge_base_settings where language = 'english')
                from public.articles a join bench.orgs o on o.org_id = a.organization_id
                """
            ).fetchone()
        assert row is not None
        return ArticleCounts(*(int(value) for value in row))

    def attach_files(self, tickets: int) -> None:
        """Give `tickets` tickets of the largest organization ten attached files each (once).

        As many others, with the same two comments and no files, are kept for comparison; see
        `file_tickets`.
        """
        with self._connect() as connection:
            connection.execute(ATTACH_FILES, {"tickets": tickets})
            connection.execute("set session_replication_role = origin")
            _check_integrity(connection)

    def add_agents(self, ranks: list[int], *, team_size: int) -> None:
        """Fill the first team of each organization of `ranks` up to `team_size` members.

        The new members are employees of the organization, available, with the team's default
        capacity and no tickets.
        """
        with self._connect() as connection:
            connection.execute(ADD_AGENTS, {"ranks": ranks, "team_size": team_size})
            connection.execute("set session_replication_role = origin")
            _check_integrity(connection)
            connection.execute(
                "analyze auth.users, public.profiles, public.organization_members, "
                "public.team_members"
            )

    def first_team(self, rank: int) -> str:
        """Return the id of the first team of the organization of size rank `rank`."""
        with psycopg.connect(self._db_url) as connection:
            row = connection.execute(
                "select team_id from bench.teams where rank = %s and t = 1", (rank,)
            ).fetchone()
        if row is None:
            raise LookupError(f"no team in the organization of rank {rank}")
        return str(row[0])

    def file_tickets(self, *, with_files: bool) -> list[str]:
        """Return the tickets `attach_files` gave ten files (or, for comparison, none)."""
        with psycopg.connect(self._db_url) as connection:
            rows = connection.execute(
                "select ticket_id from bench.file_tickets where with_files = %s order by ticket_id",
                (with_files,),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def staff(self, rank: int, index: int) -> Person:
        """Return staff member `index` (1 is the admin) of the organization of size rank `rank`."""
        return self._person(
            "select s.user_id, u.email from bench.staff s join auth.users u on u.id = s.user_id"
            " where s.rank = %s and s.j = %s",
            (rank, index),
        )

    def customer(self, index: int) -> Person:
        """Return customer number `index` (from 1)."""
        return self._person(
            "select c.user_id, u.email from bench.customers c join auth.users u on u.id = c.user_id"
            " where c.i = %s",
            (index,),
        )

    def organization(self, rank: int) -> str:
        """Return the id of the organization of size rank `rank` (1 is the largest)."""
        with psycopg.connect(self._db_url) as connection:
            row = connection.execute(
                "select org_id from bench.orgs where rank = %s", (rank,)
            ).fetchone()
        if row is None:
            raise LookupError(f"no organization of rank {rank}")
        return str(row[0])

    def ticket_version(self, ticket_id: str) -> int:
        """Return the stored version of a ticket."""
        with psycopg.connect(self._db_url) as connection:
            row = connection.execute(
                "select version from public.tickets where id = %s", (ticket_id,)
            ).fetchone()
        if row is None:
            raise LookupError(f"no ticket {ticket_id}")
        return int(row[0])

    def _person(self, query: str, args: tuple[int, ...]) -> Person:
        with psycopg.connect(self._db_url) as connection:
            row = connection.execute(query, args).fetchone()
        if row is None:
            raise LookupError(f"no generated user for {args}")
        return Person(str(row[0]), str(row[1]))


def _check_integrity(connection: psycopg.Connection[Any], checks: str = CHECK_INTEGRITY) -> None:
    """Raise unless the generated rows keep every foreign key (the load bypasses them)."""
    problems = connection.execute(checks).fetchall()
    broken = [f"{name}: {count}" for name, count in problems if count]
    if broken:
        raise RuntimeError("generated data breaks foreign keys: " + ", ".join(broken))


def _check_search_columns(connection: psycopg.Connection[Any]) -> None:
    """Raise unless the trigger, recomputing a sample's search columns, finds what the load
    wrote (in a transaction rolled back: the sample's versions and history stay as they were)."""
    with connection.transaction(force_rollback=True):
        row = connection.execute(CHECK_SEARCH_COLUMNS).fetchone()
    assert row is not None
    sampled, different = (int(value) for value in row)
    if not sampled or different:
        raise RuntimeError(
            f"the load's search columns differ from the trigger's in {different} of {sampled} "
            "sampled articles"
        )


def _drop_secondary_indexes(
    connection: psycopg.Connection[Any],
    tables: tuple[str, ...] = ("public.tickets", "public.ticket_comments"),
) -> list[str]:
    """Drop the indexes of `tables` that back no constraint; return their DDL."""
    rows = connection.execute(
        """
        select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        from pg_index i
        where i.indrelid = any(%s::regclass[])
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
        """,
        (list(tables),),
    ).fetchall()
    for name, _ in rows:
        connection.execute(f"drop index {name}")
    return [definition for _, definition in rows]
