"""The bootstrap (supabase/local/*.sql) gives `postgres` what hosted Supabase gives it, no more.

Migrations run as `postgres`, which is not a superuser on hosted projects: what it may not do
there must fail here too, and what the product relies on must work. Each statement runs as
`postgres` in a transaction that is rolled back.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import psycopg
import pytest

from devstack import Stack

ALICE = "c0000000-0000-4000-8000-000000000001"
ALICES_TICKET = "aaaaaaaa-1000-4000-8000-000000000001"  # seeded, at Acme
ACME_TOPIC = "org:aaaaaaaa-0000-4000-8000-000000000000:tickets"
ALICES_TOPIC = f"user:{ALICE}:tickets"


def _utc_day(offset: int) -> str:
    day = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=offset)
    return day.strftime("messages_%Y_%m_%d")


REFUSED = {
    "creating_a_function_in_realtime": "create function realtime.helper() returns int "
    "language sql as 'select 1'",
    "replacing_realtime_send": "create or replace function realtime.send(payload jsonb, "
    "event text, topic text, private boolean default true) returns void language sql as ''",
    "altering_realtime_messages": "alter table realtime.messages add column note text",
    "indexing_realtime_messages": "create index on realtime.messages (event)",
    "dropping_a_partition_of_realtime_messages": f"drop table realtime.{_utc_day(0)}",
    "adding_a_trigger_on_realtime_messages": "create trigger on_message after insert on "
    "realtime.messages for each row execute function private.handle_new_user()",
    "adding_a_rule_to_realtime_messages": "create rule no_deletes as on delete to "
    "realtime.messages do instead nothing",
    "creating_a_table_in_auth": "create table auth.notes (id int)",
    "altering_auth_users": "alter table auth.users add column note text",
    "creating_an_event_trigger": "create event trigger on_ddl on ddl_command_end "
    "execute function extensions.notify_schema_reload()",
    "creating_an_untrusted_extension": "create extension file_fdw",
    "becoming_a_superuser": "alter role postgres superuser",
    "renaming_realtime_send": "alter function realtime.send(jsonb, text, text, boolean) "
    "rename to send_elsewhere",
}

ALLOWED = {
    "creating_and_dropping_a_policy_on_realtime_messages": """
      create policy "Nobody" on realtime.messages for select to authenticated using (false);
      drop policy "Nobody" on realtime.messages""",
    "adding_a_trigger_on_auth_users": "create trigger on_signup after insert on auth.users "
    "for each row execute function private.handle_new_user()",
    "reading_auth_sessions_and_refresh_tokens": "select (select count(*) from auth.sessions), "
    "(select count(*) from auth.refresh_tokens)",
    "publishing_a_table_for_postgres_changes": "alter publication supabase_realtime "
    "add table public.profiles",
    "setting_session_replication_role": "set local session_replication_role = replica",
    "giving_postgrest_a_setting": "alter role authenticator set pgrst.db_max_rows = '1000'",
    "creating_pgtap_as_the_pgtap_files_do": "create extension if not exists pgtap "
    "with schema extensions",
    "creating_a_schema": "create schema reporting",
    "acting_as_each_api_role": "set local role anon; set local role authenticated; "
    "set local role service_role",
}


def _as_postgres(stack: Stack, sql: str) -> None:
    with psycopg.connect(stack.postgres_url) as db:
        try:
            db.execute(sql)
        finally:
            db.rollback()


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_postgres_is_refused(stack: Stack, sql: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_postgres(stack, sql)


@pytest.mark.parametrize("sql", ALLOWED.values(), ids=ALLOWED.keys())
def test_postgres_may_go_on(stack: Stack, sql: str) -> None:
    _as_postgres(stack, sql)


def test_postgres_is_not_a_superuser_and_supabase_admin_is(stack: Stack) -> None:
    with psycopg.connect(stack.postgres_url) as db:
        row = db.execute("select current_user, current_setting('is_superuser')").fetchone()
    assert row == ("postgres", "off")
    assert stack.psql("select current_user || ' ' || current_setting('is_superuser');") == (
        "supabase_admin on"
    )


# Who is a member of whom once every migration ran: what supabase/local/*.sql grants, no more.
# Hosted Supabase (supautils) refuses a migration that grants its roles; here `createrole` would
# let one through, so this test is what fails it. (Roles are the cluster's, not a database's.)
BOOTSTRAP_MEMBERSHIPS = [
    "authenticator in anon", "authenticator in authenticated", "authenticator in service_role",
    "postgres in anon", "postgres in authenticated", "postgres in pg_monitor",
    "postgres in pg_read_all_data", "postgres in pg_signal_backend", "postgres in service_role",
    "postgres in supabase_realtime_admin", "postgres in supabase_storage_admin",
    "supabase_storage_admin in authenticator",
]  # fmt: skip
_MEMBERSHIPS = """
  select string_agg(m.rolname || ' in ' || r.rolname, ',' order by m.rolname, r.rolname)
  from pg_auth_members a
  join pg_roles r on r.oid = a.roleid
  join pg_roles m on m.oid = a.member
  where m.rolname in ('postgres', 'anon', 'authenticated', 'service_role', 'authenticator')
     or r.rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin',
                      'supabase_auth_admin', 'supabase_storage_admin', 'supabase_realtime_admin')
"""


def test_the_migrations_grant_no_role_membership(stack: Stack) -> None:
    assert stack.psql(_MEMBERSHIPS + ";").split(",") == BOOTSTRAP_MEMBERSHIPS


def test_realtime_messages_has_daily_partitions_from_yesterday_and_no_catch_all(
    stack: Stack,
) -> None:
    partitions = stack.psql(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
        " where i.inhparent = 'realtime.messages'::regclass order by 1;"
    ).splitlines()
    assert partitions == [_utc_day(offset) for offset in range(-1, 4)]


# A trigger that broadcasts ------------------------------------------------------------------------

_BROADCAST_AS_CALLER = """
  create function private.test_broadcast_as_caller() returns trigger
  language plpgsql
  set search_path = ''
  as $$
  begin
    perform realtime.send(
      jsonb_build_object('comment_id', new.id), 'comment_added_as_caller',
      'user:' || (select auth.uid()) || ':tickets', true);
    return null;
  end
  $$;
  create trigger test_broadcast_as_caller after insert on public.ticket_comments
    for each row execute function private.test_broadcast_as_caller();
"""


def test_a_trigger_broadcasting_with_the_callers_rights_sends_nothing_and_only_warns(
    stack: Stack,
) -> None:
    """realtime.send inserts as its caller, as on hosted Supabase: a security invoker trigger
    broadcasts as the user who writes, whom no policy lets insert on the topic. The write goes
    through, the broadcast is lost with a warning, and the product's own trigger (security
    definer, in the private schema) still delivers."""
    warnings: list[str] = []
    with psycopg.connect(stack.postgres_url) as db:
        db.add_notice_handler(
            lambda notice: (
                warnings.append(notice.message_primary or "")
                if notice.severity_nonlocalized == "WARNING"
                else None
            )
        )
        try:
            db.execute(_BROADCAST_AS_CALLER)  # as a migration would create it
            db.execute(
                "select set_config('role', 'authenticated', true),"
                " set_config('request.jwt.claims', %s, true)",
                (json.dumps({"sub": ALICE, "role": "authenticated"}),),
            )
            row = db.execute(
                "select public.add_comment(%s, 'Is anyone there?') ->> 'id'", (ALICES_TICKET,)
            ).fetchone()
            assert row is not None
            db.execute("reset role")
            db.execute("set constraints all immediate")  # comment broadcasts are sent at commit
            sent: list[Any] = db.execute(
                "select topic, event from realtime.messages"
                " where payload ->> 'id' = %(comment)s or payload ->> 'comment_id' = %(comment)s"
                " order by topic",
                {"comment": row[0]},
            ).fetchall()
        finally:
            db.rollback()
    assert sent == [(ACME_TOPIC, "comment_added"), (ALICES_TOPIC, "comment_added")]
    assert any(
        warning.startswith("WarnSendingBroadcastMessage:") and "row-level security" in warning
        for warning in warnings
    ), warnings
