"""The policies workflow: files in supabase/policies/ are the truth, migrations must match them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import psycopg
import pytest

from devstack.policies import find_drift, migration_sql, read_policy_files, write_migration

from ..conftest import PROJECT_DIR

POLICIES = PROJECT_DIR / "supabase" / "policies"


def test_policies_after_all_migrations_match_the_files(db: psycopg.Connection[Any]) -> None:
    drift = find_drift(db, POLICIES)
    assert drift.empty, "\n".join(drift.describe())


def test_every_declared_policy_is_named_after_its_table_file() -> None:
    declared = read_policy_files(POLICIES)
    assert declared, "no policies declared"
    assert all((POLICIES / f"{table}.sql").exists() for table in declared)


@pytest.mark.parametrize(
    ("table", "qualified"),
    [
        ("tickets", "public.tickets"),
        ("realtime.messages", "realtime.messages"),
        ("storage.objects", "storage.objects"),
    ],
    ids=["a_public_table", "realtime_channel_authorization", "storage_object_authorization"],
)
def test_generated_migration_brings_the_database_to_an_edited_file(
    db: psycopg.Connection[Any], tmp_path: Path, table: str, qualified: str
) -> None:
    edited = tmp_path / "policies"
    shutil.copytree(POLICIES, edited)
    policy_file = edited / f"{table}.sql"
    policy_file.write_text(
        policy_file.read_text()
        + f'\ncreate policy "Nobody reads through this test policy" on {qualified}\n'
        "  as restrictive for select to authenticated using (false);\n"
    )
    drift = find_drift(db, edited)
    assert drift.drop == {}
    assert list(drift.create) == [table]
    assert "Nobody reads through this test policy" in drift.create[table][0]

    with db.transaction(force_rollback=True):
        db.execute(migration_sql(drift).encode())
        assert find_drift(db, edited).empty
        assert not find_drift(db, POLICIES).empty


def test_new_migration_sorts_after_the_newest_even_with_a_slow_clock(tmp_path: Path) -> None:
    (tmp_path / "20991231235959_from_the_future.sql").write_text("select 1;\n")
    path = write_migration(tmp_path, "tighten_reads", "select 2;\n")
    assert path.name == "21000101000000_tighten_reads.sql"
    assert sorted(p.name for p in tmp_path.iterdir())[-1] == path.name


def test_migration_name_must_be_lowercase_words(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lowercase words"):
        write_migration(tmp_path, "Drop Everything; --", "select 1;\n")
