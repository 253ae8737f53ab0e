"""The Docker-free local Supabase stack: Postgres, Supabase's bootstrap, migrations, PostgREST, BFF.

Tooling for development and tests only; nothing here is imported by the running app.
"""

from devstack._errors import StackError
from devstack.stack import Stack, StackConfig

__all__ = ["Stack", "StackConfig", "StackError"]
