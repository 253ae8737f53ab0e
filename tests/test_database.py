"""The database as migrated: every pgTAP file passes, and Supabase's advisors find nothing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bff.local import Stack

from .conftest import PROJECT_DIR

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
    url = stack.database_url(pgtap_database)
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
