"""`python -m devstack.storage`: serve the Storage stand-in under gunicorn until SIGTERM.

Every option can also come from the environment (`STORAGE_PORT`, `STORAGE_DB_URL`, ...). It
checks its settings first (keys, data folder, database and role) and exits with a message naming
what is wrong; once it serves, `GET /health` answers 200.
"""

from __future__ import annotations

from pathlib import Path

import click

from devstack._gunicorn import THREADS, StandInServer
from devstack.storage._app import create_app
from devstack.storage._settings import (
    DEFAULT_FILE_SIZE_LIMIT,
    DEFAULT_UPLOAD_URL_EXPIRY,
    SettingsError,
    StorageSettings,
)


@click.command()
@click.option(
    "--host",
    envvar="STORAGE_HOST",
    type=click.Choice(["127.0.0.1", "::1", "localhost"]),
    default="127.0.0.1",
    show_default=True,
    help="Loopback only: the stand-in trusts the stack's well-known local keys.",
)
@click.option("--port", envvar="STORAGE_PORT", type=click.IntRange(1, 65535), required=True)
@click.option(
    "--db-url",
    envvar="STORAGE_DB_URL",
    required=True,
    help="The stack's Postgres as supabase_storage_admin, as hosted Storage connects.",
)
@click.option(
    "--keys",
    "keys_dir",
    envvar="STORAGE_KEYS_DIR",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The stack's keys folder (<state>/keys): the JWT secret's and the public JWKS.",
)
@click.option(
    "--data-dir",
    envvar="STORAGE_DATA_DIR",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Where objects' bytes are kept (<state>/storage).",
)
@click.option(
    "--file-size-limit",
    envvar="STORAGE_FILE_SIZE_LIMIT",
    type=click.IntRange(min=0),
    default=DEFAULT_FILE_SIZE_LIMIT,
    show_default=True,
    help="Bytes: no object is larger, whatever its bucket allows.",
)
@click.option(
    "--upload-url-expiry",
    envvar="STORAGE_UPLOAD_URL_EXPIRY",
    type=click.IntRange(min=1),
    default=DEFAULT_UPLOAD_URL_EXPIRY,
    show_default=True,
    help="Seconds a signed upload URL lasts.",
)
@click.option("--workers", envvar="STORAGE_WORKERS", type=click.IntRange(1, 4), default=2)
def main(
    host: str,
    port: int,
    db_url: str,
    keys_dir: Path,
    data_dir: Path,
    file_size_limit: int,
    upload_url_expiry: int,
    workers: int,
) -> None:
    """Serve the stand-in for Supabase Storage (local development and tests only)."""
    settings = StorageSettings(
        db_url=db_url,
        keys_dir=keys_dir,
        data_dir=data_dir,
        file_size_limit=file_size_limit,
        upload_url_expiry=upload_url_expiry,
    )
    try:
        settings.check()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    StandInServer(
        lambda: create_app(settings, pool_size=THREADS),
        name="storage",
        extension="devstack.storage",
        host=host,
        port=port,
        workers=workers,
        timeout=120,  # uploads of the largest files on a slow disk
    ).run()


if __name__ == "__main__":
    main()
