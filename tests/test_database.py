"""The database as migrated: every pgTAP file passes, and Supabase's advisors find nothing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest

from devstack import Stack

from .conftest import PROJECT_DIR, NewTicket

_SEARCH_PATH = "-c search_path=public,extensions"
PGTAP_FILES = sorted((PROJECT_DIR / "supabase/tests/database").glob("*.test.sql"))


@pytest.fixture(scope="module")
def pgtap_database(stack: Stack) -> str:
    """A database of its own, exactly as seeded: other tests' rows never reach the pgTAP files."""
    stack.provision_database("pgtap")
    return "pgtap"


@pytest.mark.parametrize("test_file", PGTAP_FILES, ids=[f.name for f in PGTAP_FILES])
def test_pgtap_file_passes(stack: Stack, pgtap_database: str, test_file: Path) -> None:
    result = subprocess.run(
        ["pg_prove", "--host", "127.0.0.1", "--port", str(stack.config.db_port), "--username",
         "postgres", "--dbname", pgtap_database, "--verbose", str(test_file)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PGPASSWORD": "postgres", "PGOPTIONS": _SEARCH_PATH},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_there_are_pgtap_files() -> None:
    assert PGTAP_FILES, "no pgTAP files under supabase/tests/database"


# The advisor calls an index unused until it has been scanned once. On a seeded database the
# tables are so small that the planner never picks the search index, so run the search predicate
# once the way it runs on a large table (07_list_tickets.test.sql checks that plan).
_SEARCH_LIKE_AT_SCALE = """
  set enable_seqscan = off;
  select count(*) from public.tickets where (subject || ' ' || description) ilike '%printer%';
"""


def test_supabase_advisors_report_no_findings(stack: Stack, pgtap_database: str) -> None:
    url = stack.database_url(pgtap_database, role="postgres")  # as on a hosted project
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1"], input=_SEARCH_LIKE_AT_SCALE,
                   text=True, check=True, capture_output=True)  # fmt: skip
    result = subprocess.run(
        [str(PROJECT_DIR / "node_modules/.bin/supabase"), "db", "advisors",
         f"--remote={url}", "--level", "info", "--output-format", "json", "--yes",
         "--workdir", str(PROJECT_DIR)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["results"]
    assert findings == [], json.dumps(findings, indent=2)


def test_concurrent_updates_in_one_organization_do_not_wait_on_its_counts(
    stack: Stack, new_ticket: NewTicket
) -> None:
    """Two sessions move two tickets of one organization from open to in progress at once."""
    first, second = new_ticket(), new_ticket()
    move = "update public.tickets set status = 'in_progress' where id = %s"
    with psycopg.connect(stack.db_url) as holder:
        holder.execute(move, (first["id"],))  # its counter rows stay locked until it commits
        # The count shard is the backend pid modulo 8: find a session on another shard.
        others = [psycopg.connect(stack.db_url, autocommit=True)]
        while others[-1].info.backend_pid % 8 == holder.info.backend_pid % 8 and len(others) < 9:
            others.append(psycopg.connect(stack.db_url, autocommit=True))
        try:
            others[-1].execute("set lock_timeout = '5s'")
            others[-1].execute(move, (second["id"],))  # waited, then failed, before sharding
        finally:
            for other in others:
                other.close()
        holder.commit()
    counted = _counts(stack)
    assert counted["shards"] > 1
    assert counted["counted"] == counted["fresh"]


def _counts(stack: Stack) -> dict[str, Any]:
    with psycopg.connect(stack.db_url) as connection:
        row = connection.execute(
            """
            select
              (select count(distinct shard) from private.ticket_stat_counts),
              (select jsonb_object_agg(k, n) from (
                 select concat_ws('/', organization_id, status, priority, unassigned) k,
                   sum(tickets) n
                 from private.ticket_stat_counts group by 1 having sum(tickets) <> 0) c),
              (select jsonb_object_agg(k, n) from (
                 select concat_ws('/', handling_org_id, status, priority,
                   assigned_team_id is null and assigned_employee_id is null) k, count(*) n
                 from public.tickets group by 1) t)
            """
        ).fetchone()
    assert row is not None
    return {"shards": row[0], "counted": row[1], "fresh": row[2]}
