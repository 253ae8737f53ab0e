"""Stand-in for Supabase Storage, local development and tests only.

Supabase Storage cannot run here, so the local stack serves this instead, at the project URL's
`/storage/v1/` (the gateway strips the prefix). It speaks Storage's HTTP API for what supabase-js
and supabase-py's storage3 do with private buckets, and keeps state where Storage keeps it:
buckets and objects in `storage.buckets` / `storage.objects` (supabase/local/storage.sql), the
bytes in a data folder, one file per object version.

Every operation runs as Storage runs it: in a transaction under the caller's role with
`request.jwt.claims` and `storage.operation` set, so the project's policies on `storage.objects`
decide; the anon and service-role keys act as on hosted projects (the service role bypasses RLS).

    POST   /object/upload/sign/{bucket}/{name}   a signed upload URL (needs the insert policy)
    PUT    /object/upload/sign/{bucket}/{name}?token=   upload to it (form or raw body), once
    POST   /object/{bucket}/{name}               upload (PUT: upsert); x-upsert: true to replace
    POST   /object/sign/{bucket}/{name}          a signed download URL ({"expiresIn": seconds})
    POST   /object/sign/{bucket}                 several ({"expiresIn", "paths"})
    GET    /object/sign/{bucket}/{name}?token=&download=   the bytes behind a signed URL
    GET    /object/authenticated/{bucket}/{name} the bytes (also GET /object/{bucket}/{name})
    GET    /object/info/{bucket}/{name}          the object's info (also /info/authenticated/)
    POST   /object/list/{bucket}                 folders and files under a prefix
    DELETE /object/{bucket}                      remove {"prefixes": [...]}: what policies allow
    GET    /bucket/{id}                          a bucket the caller may see
    GET    /health                               200 once serving and the database answers

Errors have Storage's shape and statuses: `{"statusCode": "403", "code": "AccessDenied",
"error": "Unauthorized", "message": "..."}`, sent with HTTP 400 as Storage sends them.

Run it with `python -m devstack.storage --port PORT --db-url URL --keys DIR --data-dir DIR`.
Never part of a deployment: it lives with the local stack's tooling, outside the product.
"""

from devstack.storage._app import create_app
from devstack.storage._settings import SettingsError, StorageSettings

__all__ = ["SettingsError", "StorageSettings", "create_app"]
