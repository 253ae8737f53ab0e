"""The frontend's own client, supabase-js, against the local project URL: each file under tests/js/
runs with Node's test runner against this session's stack, as the web app would use it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from devstack import DEMO_PASSWORD, Stack

from .conftest import PROJECT_DIR, USERS

JS_TESTS = sorted((PROJECT_DIR / "tests/js").glob("*.test.mjs"))


def node_environment(
    stack: Stack, tokens: dict[str, str], user_ids: dict[str, str], orgs: dict[str, str]
) -> dict[str, str]:
    """What a Node test gets: the project URL and its anon key, the BFF, and the seeded people."""
    return {
        **os.environ,
        "SUPABASE_URL": stack.api_url,
        "SUPABASE_ANON_KEY": stack.anon_key,
        "BFF_URL": stack.bff_url,
        "DATABASE_URL": stack.db_url,
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "TOKENS": json.dumps(tokens),
        "USER_IDS": json.dumps(user_ids),
        "ORG_IDS": json.dumps(orgs),
        "EMAILS": json.dumps(USERS),
    }


@pytest.mark.parametrize("test_file", JS_TESTS, ids=[f.name for f in JS_TESTS])
def test_supabase_js(
    stack: Stack,
    tokens: dict[str, str],
    user_ids: dict[str, str],
    orgs: dict[str, str],
    test_file: Path,
) -> None:
    result = subprocess.run(
        ["node", "--test", "--test-reporter=spec", str(test_file)],
        cwd=PROJECT_DIR,
        env=node_environment(stack, tokens, user_ids, orgs),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
