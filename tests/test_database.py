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
def pgtap(stack: Stack) -> Stack:
    stack.psql("create extension if not exists pgtap with schema extensions;")
    return stack


@pytest.mark.parametrize("test_file", PGTAP_FILES, ids=[f.name for f in PGTAP_FILES])
def test_pgtap_file_passes(pgtap: Stack, test_file: Path) -> None:
    config = pgtap.config
    result = subprocess.run(
        ["pg_prove", "--host", "127.0.0.1", "--port", str(config.db_port), "--username",
         "postgres", "--dbname", "postgres", "--verbose", str(test_file)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PGPASSWORD": "postgres", "PGOPTIONS": _SEARCH_PATH},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_there_are_pgtap_files() -> None:
    assert PGTAP_FILES, "no pgTAP files under supabase/tests/database"


def test_supabase_advisors_report_no_findings(stack: Stack) -> None:
    result = subprocess.run(
        [str(PROJECT_DIR / "node_modules/.bin/supabase"), "db", "advisors",
         f"--remote={stack.db_url}", "--level", "info", "--output-format", "json", "--yes",
         "--workdir", str(PROJECT_DIR)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["results"]
    assert findings == [], json.dumps(findings, indent=2)
