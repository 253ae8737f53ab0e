"""`python -m devstack.auth`: serve the Auth stand-in under gunicorn until SIGTERM.

It checks its settings first (keys folder, database, Auth's tables) and exits with a message
naming what is wrong; once it serves, `GET /health` answers 200.
"""

from __future__ import annotations

from pathlib import Path

import click

from devstack._gunicorn import THREADS, StandInServer
from devstack.auth._app import create_app
from devstack.auth._settings import AuthSettings, SettingsError


@click.command()
@click.option(
    "--host",
    type=click.Choice(["127.0.0.1", "::1", "localhost"]),
    default="127.0.0.1",
    show_default=True,
    help="Loopback only: the stand-in signs with the stack's well-known local keys.",
)
@click.option("--port", type=click.IntRange(1, 65535), required=True)
@click.option(
    "--db-url",
    required=True,
    help="The stack's Postgres as supabase_auth_admin, which owns Auth's tables (as hosted Auth).",
)
@click.option(
    "--keys",
    "keys_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The stack's keys folder (<state>/keys).",
)
@click.option("--issuer", default=AuthSettings.issuer, show_default=True, help="`iss` of tokens.")
@click.option(
    "--jwt-expiry", type=click.IntRange(min=1), default=AuthSettings.jwt_expiry, show_default=True
)
@click.option(
    "--refresh-token-reuse-interval",
    type=click.IntRange(min=0),
    default=AuthSettings.refresh_token_reuse_interval,
    show_default=True,
)
@click.option("--workers", type=click.IntRange(1, 4), default=2, show_default=True)
def main(
    host: str,
    port: int,
    db_url: str,
    keys_dir: Path,
    issuer: str,
    jwt_expiry: int,
    refresh_token_reuse_interval: int,
    workers: int,
) -> None:
    """Serve the stand-in for Supabase Auth (local development and tests only)."""
    settings = AuthSettings(
        db_url=db_url,
        keys_dir=keys_dir,
        issuer=issuer,
        jwt_expiry=jwt_expiry,
        refresh_token_reuse_interval=refresh_token_reuse_interval,
    )
    try:
        settings.check()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    StandInServer(
        lambda: create_app(settings, pool_size=THREADS),
        name="auth",
        extension="devstack.auth",
        host=host,
        port=port,
        workers=workers,
    ).run()


if __name__ == "__main__":
    main()
