"""`python -m devstack.realtime --host H --port P --db-url URL --keys DIR`: serve until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import click

from devstack.realtime._server import ServerConfig, StartupError, serve_until


async def _serve(config: ServerConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await serve_until(config, stop)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, required=True, help="Port to listen on.")
@click.option(
    "--db-url",
    required=True,
    help="Postgres URL of a superuser: supabase_admin, as hosted Realtime connects.",
)
@click.option(
    "--keys",
    "keys_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The stack's keys folder (its jwks.json verifies access tokens).",
)
def main(host: str, port: int, db_url: str, keys_dir: Path) -> None:
    """Stand-in for Supabase Realtime, local development and tests only."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("websockets", "psycopg.pool"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        asyncio.run(_serve(ServerConfig(host, port, db_url, keys_dir)))
    except StartupError as error:
        raise click.ClickException(str(error)) from None


if __name__ == "__main__":
    main()
