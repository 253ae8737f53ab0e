"""`python -m bff.purge`: delete the files of expired uploads and removed attachments.

A maintenance job, not a user's action, so it acts as the service role: it is the only thing
that deletes attachment objects (no policy lets a user delete them). Each round leases up to
`batch` attachments from the database for 10 minutes (`claim_attachment_purge`: pending past
their expiry, and removed ones), deletes their objects through the Storage API (direct deletes
from `storage.objects` are refused on hosted Supabase), then tells the database which are done
(`finish_attachment_purge`). A signed upload URL stays usable on Storage for 2 hours, so a file
can still arrive after its record expired or was removed: the database asks for each one once
more after that window, and only then deletes an expired record (removed ones keep theirs, and
their history). When a round's Storage call fails, nothing is finished and the lease runs out:
those files are tried again 10 minutes later.

Settings: SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (keep the key to this job: the BFF never
has it). Run it every few minutes, e.g. a cron job `python -m bff.purge`, or leave it running
with `--every 300`. The local stack runs it every 60 seconds.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import click
import httpx
from postgrest import SyncPostgrestClient
from pydantic import BaseModel, TypeAdapter
from storage3 import SyncStorageClient

_log = logging.getLogger("bff.purge")


class _Claimed(BaseModel):
    id: UUID
    bucket_id: str
    object_name: str


_CLAIMED = TypeAdapter(list[_Claimed])


@dataclass(frozen=True)
class Purger:
    """The database and Storage, as the service role."""

    supabase_url: str
    service_role_key: str
    http: httpx.Client

    def _headers(self) -> dict[str, str]:
        key = self.service_role_key
        # A legacy service_role key is a JWT and goes as the bearer token too; a secret key
        # (sb_secret_...) is not a JWT and goes as `apikey` only, as Supabase's gateway expects.
        if key.count(".") == 2:
            return {"apikey": key, "Authorization": f"Bearer {key}"}
        return {"apikey": key}

    def _rpc(self, function: str, params: dict[str, Any]) -> Any:
        rest = SyncPostgrestClient(
            self.supabase_url + "/rest/v1", headers=self._headers(), http_client=self.http
        )
        return rest.rpc(function, params).execute().data

    def round(self, batch: int) -> int:
        """Purge up to `batch` attachments; return how many were finished."""
        claimed = _CLAIMED.validate_python(
            self._rpc("claim_attachment_purge", {"max_items": batch}) or []
        )
        if not claimed:
            return 0
        storage = SyncStorageClient(
            self.supabase_url + "/storage/v1/", headers=self._headers(), http_client=self.http
        )
        by_bucket: dict[str, list[str]] = {}
        for item in claimed:
            by_bucket.setdefault(item.bucket_id, []).append(item.object_name)
        for bucket, names in by_bucket.items():
            storage.from_(bucket).remove(names)  # absent objects (never uploaded) are no error
        ids = [str(item.id) for item in claimed]
        finished = self._rpc("finish_attachment_purge", {"attachment_ids": ids}) or {}
        count = int(finished.get("purged", 0))
        _log.info("purged %d attachment(s)", count)
        return count

    def run(self, batch: int) -> int:
        """Purge until nothing is left; return the total."""
        total = 0
        while (done := self.round(batch)) > 0:
            total += done
            if done < batch:
                break
        return total


@click.command()
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds between runs; once if left out.",
)
@click.option("--batch", type=click.IntRange(1, 1000), default=100, show_default=True)
def main(every: int | None, batch: int) -> None:
    """Delete the files of expired uploads and removed attachments (see the module's text)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    url = os.environ.get("SUPABASE_URL", "").rstrip("/")
    key = os.environ.get("SUPABASE_SERVICE_ROLE_KEY", "")
    if not url or not key:
        raise click.UsageError("set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY")
    with httpx.Client(timeout=30.0) as http:
        purger = Purger(url, key, http)
        while True:
            try:
                purger.run(batch)
            except Exception:  # a failed round is retried at the next one
                if every is None:
                    raise
                _log.exception("purge round failed; retrying in %d s", every)
            if every is None:
                return
            time.sleep(every)


if __name__ == "__main__":
    main()
