"""The `bff` command: the local stack, local access tokens, and the policies workflow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from devstack import DEMO_PASSWORD, Stack, StackConfig, StackError
from devstack.policies import PolicyDrift, find_drift, migration_sql, write_migration


def _project_dir() -> Path:
    """Return the checkout: the nearest folder above the working directory with `supabase/`."""
    here = Path.cwd().resolve()
    for folder in [here, *here.parents]:
        if (folder / "supabase" / "migrations").is_dir():
            return folder
    raise click.ClickException("run this inside the project (no supabase/migrations/ found above)")


def _stack() -> Stack:
    return Stack(StackConfig.for_checkout(_project_dir()))


@click.group()
def main() -> None:
    """Tools for the support ticket BFF."""


@main.group()
def stack() -> None:
    """Run the Docker-free local Supabase stack (Postgres, PostgREST, BFF)."""


def _run(lines_of: Callable[[], list[str]]) -> None:
    try:
        lines = lines_of()
    except StackError as error:
        raise click.ClickException(str(error)) from None
    for line in lines:
        click.echo(line)


@stack.command()
def up() -> None:
    """Start whatever part of the stack is not running (idempotent)."""
    _run(_stack().up)


@stack.command()
def down() -> None:
    """Stop every process the stack started."""
    _run(_stack().down)


@stack.command()
def reset() -> None:
    """Rebuild the database from bootstrap, migrations and seed."""
    _run(_stack().reset)


@stack.command()
def status() -> None:
    """Say what runs where."""
    _run(lambda: [f"{name}: {state}" for name, state in _stack().status().items()])


@main.command()
@click.option("--email", required=True, help="A user of the local stack, e.g. alice@example.test.")
@click.option("--alg", type=click.Choice(["ES256", "HS256"]), default="ES256", show_default=True)
@click.option("--ttl", type=click.IntRange(min=1), default=3600, show_default=True)
def token(email: str, alg: str, ttl: int) -> None:
    """Print an access token for a local user (local development and tests only)."""
    _run(lambda: [_stack().token(email, algorithm=alg, ttl=ttl)])


DEMO_USERS = (
    ("admin@acme.test", "admin of Acme Support"),
    ("agent1@acme.test", "employee of Acme Support, team Billing"),
    ("agent2@acme.test", "employee of Acme Support, team Technical"),
    ("admin@globex.test", "admin of Globex Help"),
    ("agent@globex.test", "employee of Globex Help"),
    ("alice@example.test", "customer"),
    ("bob@example.test", "customer (invited to join Globex Help's staff)"),
)


@stack.command()
def info() -> None:
    """Print the URLs, the keys, the demo users with their password, and a first request."""
    local = _stack()
    try:
        example = local.token("alice@example.test")
    except StackError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Web app                     {local.web_app.url}   sign in as a demo user below")
    click.echo(f"Project URL (SUPABASE_URL)  {local.api_url}")
    click.echo(f"  anon key                  {local.anon_key}")
    click.echo(f"  service_role key          {local.service_role_key}   (maintenance jobs only)")
    click.echo(f"BFF (server actions)        {local.bff_url}   docs: {local.bff_url}/docs")
    click.echo(f"Postgres (as in migrations) {local.postgres_url}")
    click.echo(f"  as its superuser          {local.db_url}")
    click.echo(f"State (delete it to start over after `bff stack down`)  {local.config.state_dir}")
    organizations = local.psql("select slug || '  ' || id from public.organizations order by slug;")
    click.echo("\nDemo organizations (org_id):")
    for line in organizations.splitlines():
        click.echo(f"  {line}")
    teams = local.psql(
        "select o.slug || ' ' || t.name || '  ' || t.id from public.teams t "
        "join public.organizations o on o.id = t.organization_id order by o.slug, t.name;"
    )
    click.echo("\nDemo teams (team_id):")
    for line in teams.splitlines():
        click.echo(f"  {line}")
    click.echo(f"\nDemo users, each with the password {DEMO_PASSWORD!r}:")
    for email, role in DEMO_USERS:
        click.echo(f"  {email:<22} {role}")
    click.echo("\nSign in with supabase-js (on Node 20, pass a third argument")
    click.echo("`{ realtime: { transport: WebSocket } }` with WebSocket from the `ws` package):")
    click.echo(f"  createClient('{local.api_url}', ANON_KEY).auth.signInWithPassword(")
    click.echo(f"    {{ email: 'alice@example.test', password: '{DEMO_PASSWORD}' }})")
    click.echo("\nOr call the BFF with a token (alice's, valid for an hour):")
    click.echo(
        f"  curl -s -X POST {local.bff_url}/actions/listTickets "
        f"-H 'Authorization: Bearer {example}' -H 'Content-Type: application/json' -d '{{}}'"
    )


@main.group()
def policies() -> None:
    """Keep supabase/policies/*.sql and the migrated local database in agreement."""


def _policy_drift() -> tuple[Path, PolicyDrift]:
    import psycopg

    local = _stack()
    folder = local.config.project_dir / "supabase" / "policies"
    try:
        with psycopg.connect(local.db_url) as connection:
            return folder, find_drift(connection, folder)
    except psycopg.OperationalError:
        raise click.ClickException("the local database is not running: `bff stack up`") from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@policies.command("check")
def policies_check() -> None:
    """Exit non-zero when the database's policies differ from the files."""
    _, drift = _policy_drift()
    if drift.empty:
        click.echo("policies match supabase/policies/")
        return
    for line in drift.describe():
        click.echo(line)
    raise click.ClickException("policies differ: run `bff policies migration NAME`")


@policies.command("migration")
@click.argument("name")
def policies_migration(name: str) -> None:
    """Write a migration that brings the policies to what supabase/policies/ says."""
    folder, drift = _policy_drift()
    if drift.empty:
        click.echo("nothing to do: the policies already match supabase/policies/")
        return
    try:
        path = write_migration(folder.parent / "migrations", name, migration_sql(drift))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {path.relative_to(folder.parent.parent)}; review it, then `bff stack up`")
