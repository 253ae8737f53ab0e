"""The Docker-free local Supabase stack: Postgres, bootstrap, migrations, PostgREST, stand-ins,
nginx at the project URL, and the BFF.

Tooling for development and tests only; nothing here is imported by the running app.
"""

from devstack._errors import StackError
from devstack.stack import Stack, StackConfig

# Every seeded user's password (supabase/seed.sql sets it): local demo data only.
DEMO_PASSWORD = "demo-password"  # noqa: S105 - public demo data, like the seed

__all__ = ["DEMO_PASSWORD", "Stack", "StackConfig", "StackError"]
