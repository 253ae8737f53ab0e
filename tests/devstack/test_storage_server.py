"""The Storage stand-in's own rules, driven by supabase-py's storage client (storage3) and plain
HTTP where a browser would speak it (a signed URL needs no token).

The server runs exactly as the stack would run it (`python -m devstack.storage ...`, connected as
supabase_storage_admin) against a database of its own (bootstrap, migrations, seed), in which a
private test bucket and test-only policies stand for what a project's migration would create:
signed-in users upload into the folder named after their id, and see, replace and delete what
they own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import jwt
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from storage3 import SyncStorageClient
from storage3._sync.file_api import SyncBucketProxy
from storage3.exceptions import StorageApiError

from devstack import Stack
from devstack._keys import LOCAL_JWT_SECRET, local_anon_key
from devstack._processes import free_port

BUCKET = "test-attachments"
SIZE_LIMIT = 1000

_TEST_BUCKET_AND_POLICIES = f"""
  insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
  values ('{BUCKET}', '{BUCKET}', false, {SIZE_LIMIT}, array['text/plain', 'image/*']);
  create policy "Test: users upload into their own folder" on storage.objects for insert
    to authenticated with check (bucket_id = '{BUCKET}'
      and (storage.foldername(name))[1] = (select auth.uid())::text);
  create policy "Test: users see what they own" on storage.objects for select
    to authenticated using (bucket_id = '{BUCKET}' and owner_id = (select auth.uid())::text);
  create policy "Test: users delete what they own" on storage.objects for delete
    to authenticated using (bucket_id = '{BUCKET}' and owner_id = (select auth.uid())::text);
"""
# No migration may put a trigger on Storage's tables: the cluster's superuser does, so that a test
# can make the final write of an upload fail after its bytes are stored.
_REFUSE_RECORDING = """
  create function public.test_refuse_recording() returns trigger language plpgsql as $$
  begin
    if new.name like '%refused-on-record%' and new.version <> '1' then
      raise exception 'refused by the test';
    end if;
    return new;
  end $$;
  create trigger test_refuse_recording before insert on storage.objects
    for each row execute function public.test_refuse_recording();
"""


@dataclass(frozen=True)
class Server:
    url: str
    stack: Stack
    db_url: str
    data_dir: Path
    user_ids: dict[str, str]

    def token(self, who: str, **options: Any) -> str:
        return self.stack.keys.access_token(self.user_ids[who], f"{who}@example.test", **options)


def _as_role(db_url: str, role: str) -> str:
    """The same database as `role` (every local login role has the stack's password)."""
    parts = urlsplit(db_url)
    return urlunsplit(parts._replace(netloc=f"{role}:postgres@{parts.hostname}:{parts.port}"))


def _storage_admin_url(db_url: str) -> str:
    return _as_role(db_url, "supabase_storage_admin")


def _superuser_url(db_url: str) -> str:
    with psycopg.connect(db_url) as db:
        row = db.execute(
            "select rolname from pg_roles where rolsuper"
            " and rolname in ('supabase_admin', 'postgres')"
            " order by rolname = 'supabase_admin' desc limit 1"
        ).fetchone()
    assert row is not None, "neither supabase_admin nor postgres is a superuser"
    return _as_role(db_url, row[0])


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _argv(stack: Stack, port: int, db_url: str, data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "devstack.storage", "--port", str(port), "--db-url", db_url,
            "--keys", str(stack.keys.folder), "--data-dir", str(data_dir)]  # fmt: skip


@pytest.fixture(scope="module")
def server(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_url = stack.provision_database("storage_server")
    with psycopg.connect(_superuser_url(db_url), autocommit=True) as db:
        db.execute(_REFUSE_RECORDING)
    with psycopg.connect(db_url, autocommit=True) as db:  # as a migration runs
        db.execute(_TEST_BUCKET_AND_POLICIES)
        rows = db.execute(
            "select split_part(email, '@', 1), id::text from auth.users"
            " where email in ('alice@example.test', 'bob@example.test')"
        ).fetchall()
    user_ids: dict[str, str] = dict(rows)
    port, data_dir = free_port(), tmp_path_factory.mktemp("storage-data")
    argv = _argv(stack, port, _storage_admin_url(db_url), data_dir)
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while _status(f"http://127.0.0.1:{port}/health") != 200:
        assert process.poll() is None, (process.stderr.read() if process.stderr else b"").decode()
        assert time.monotonic() < deadline, "the Storage stand-in did not become ready"
        time.sleep(0.1)
    yield Server(f"http://127.0.0.1:{port}", stack, db_url, data_dir, user_ids)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    if process.stderr:
        process.stderr.close()


@pytest.fixture
def storage(server: Server) -> Iterator[Callable[[str | None], SyncBucketProxy]]:
    """The test bucket through storage3, as a named user (their access token) or, with
    `None`, with the anon key alone."""
    clients: list[SyncStorageClient] = []

    def bucket(who: str | None) -> SyncBucketProxy:
        token = server.token(who) if who else local_anon_key()
        client = SyncStorageClient(
            f"{server.url}/", {"apikey": local_anon_key(), "Authorization": f"Bearer {token}"}
        )
        clients.append(client)
        return client.from_(BUCKET)

    yield bucket
    for client in clients:
        client.session.close()


def own_path(server: Server, who: str, name: str = "") -> str:
    return f"{server.user_ids[who]}/{name or uuid.uuid4().hex[:8] + '.txt'}"


def signed_url(bucket: SyncBucketProxy, path: str, expires_in: int, **options: Any) -> str:
    url = bucket.create_signed_url(path, expires_in, options or None)["signedURL"]  # type: ignore[arg-type]
    assert url is not None
    return url


def stored_row(server: Server, name: str) -> dict[str, Any] | None:
    with psycopg.connect(server.db_url, row_factory=psycopg.rows.dict_row) as db:
        return db.execute(
            "select owner, owner_id, version, metadata from storage.objects"
            " where bucket_id = %s and name = %s",
            (BUCKET, name),
        ).fetchone()


def stored_files(server: Server, name: str) -> list[Path]:
    folder = server.data_dir / BUCKET / name
    return sorted(folder.iterdir()) if folder.is_dir() else []


def upload(
    bucket: SyncBucketProxy, path: str, body: bytes = b"hello", mime: str = "text/plain"
) -> None:
    bucket.upload(path, body, {"content-type": mime})


def assert_storage_error(error: StorageApiError, status: str, code: str, message: str = "") -> None:
    """The answer is Storage's error: its status in the body, its `error` code, its message."""
    assert (str(error.status), error.code) == (status, code), error.to_dict()
    assert message in error.message


# Signed upload URLs ------------------------------------------------------------------------------
def test_a_signed_upload_url_is_given_where_the_insert_policy_allows(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    signed = storage("alice").create_signed_upload_url(path)
    claims = jwt.decode(signed["token"], LOCAL_JWT_SECRET, algorithms=["HS256"])
    assert claims["url"] == f"{BUCKET}/{path}" and claims["scope"] == "upload"
    assert claims["owner"] == server.user_ids["alice"] and claims["upsert"] is False
    assert claims["exp"] - claims["iat"] == 7200, "two hours, as on hosted projects"


@pytest.mark.parametrize(
    ("who", "folder"),
    [("alice", "bob"), (None, "alice")],
    ids=["in_someone_elses_folder", "with_the_anon_key_alone"],
)
def test_a_signed_upload_url_is_refused_where_the_insert_policy_does_not_allow(
    server: Server, storage: Callable[[str | None], SyncBucketProxy], who: str | None, folder: str
) -> None:
    with pytest.raises(StorageApiError) as refused:
        storage(who).create_signed_upload_url(own_path(server, folder))
    assert_storage_error(refused.value, "403", "Unauthorized", "row-level security policy")


def test_the_signed_upload_url_takes_one_upload_without_a_token(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    signed = storage("alice").create_signed_upload_url(path)

    first = httpx.put(
        signed["signed_url"], content=b"first", headers={"Content-Type": "text/plain"}
    )
    again = httpx.put(
        signed["signed_url"], content=b"again", headers={"Content-Type": "text/plain"}
    )

    assert first.status_code == 200 and first.json() == {
        "Id": first.json()["Id"],
        "Key": f"{BUCKET}/{path}",
    }
    assert again.status_code == 400
    assert again.json()["statusCode"] == "409" and again.json()["error"] == "Duplicate"
    row = stored_row(server, path)
    assert row is not None and row["owner_id"] == server.user_ids["alice"]
    assert str(row["owner"]) == server.user_ids["alice"]
    assert [file.read_bytes() for file in stored_files(server, path)] == [b"first"]


def test_a_signed_upload_url_uploads_only_its_own_object(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    signed = storage("alice").create_signed_upload_url(own_path(server, "alice"))
    other = own_path(server, "alice")
    with pytest.raises(StorageApiError) as refused:
        storage(None).upload_to_signed_url(
            other, signed["token"], b"x", {"content-type": "text/plain"}
        )
    assert_storage_error(refused.value, "400", "InvalidSignature")
    assert stored_row(server, other) is None


def test_a_download_token_cannot_upload(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path)
    download_url = signed_url(storage("alice"), path, 60)
    token = httpx.URL(download_url).params["token"]
    with pytest.raises(StorageApiError) as refused:
        storage(None).upload_to_signed_url(path, token, b"x", {"content-type": "text/plain"})
    assert_storage_error(refused.value, "400", "InvalidSignature", "not scoped for upload")


def test_replacing_an_object_needs_an_update_policy(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path, b"first")
    with pytest.raises(StorageApiError) as refused:  # the test bucket has no update policy
        storage("alice").update(path, b"second", {"content-type": "text/plain"})
    assert_storage_error(refused.value, "403", "Unauthorized", "row-level security policy")
    assert [file.read_bytes() for file in stored_files(server, path)] == [b"first"]


# The bucket's limits -----------------------------------------------------------------------------
def _raw_upload(server: Server, path: str, body: bytes, mime: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/object/{BUCKET}/{path}",
        content=body,
        headers={"Authorization": f"Bearer {server.token('alice')}", "Content-Type": mime},
    )


@pytest.mark.parametrize(
    ("body", "mime", "status", "code"),
    [
        (b"x" * (SIZE_LIMIT + 1), "text/plain", "413", "Payload too large"),
        (b"<b>hi</b>", "text/html", "415", "invalid_mime_type"),
        (b"plain", "text/plain;charset=UTF-8", "415", "invalid_mime_type"),
        (b"plain", "plain", "415", "invalid_mime_type"),
    ],
    ids=["over_the_size_limit", "a_type_not_allowed", "an_allowed_type_with_parameters",
         "not_a_type"],
)  # fmt: skip
def test_an_upload_outside_the_buckets_limits_is_refused_and_leaves_nothing(
    server: Server, body: bytes, mime: str, status: str, code: str
) -> None:
    path = own_path(server, "alice")
    response = _raw_upload(server, path, body, mime)
    assert response.status_code == 400
    assert (response.json()["statusCode"], response.json()["error"]) == (status, code)
    assert stored_row(server, path) is None and stored_files(server, path) == []


def test_a_form_upload_over_the_size_limit_is_refused_after_the_policies_are_asked(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    with pytest.raises(StorageApiError) as refused:
        upload(storage("alice"), path, b"x" * (SIZE_LIMIT + 1))
    assert_storage_error(refused.value, "413", "Payload too large")
    assert stored_row(server, path) is None and stored_files(server, path) == []
    with pytest.raises(StorageApiError) as denied:
        upload(storage("alice"), own_path(server, "bob"), b"x" * (SIZE_LIMIT + 1))
    assert_storage_error(denied.value, "403", "Unauthorized")


@pytest.mark.parametrize("mime", ["text/plain;charset=UTF-8", "image/png"])
def test_a_form_upload_is_checked_by_its_type_without_parameters(
    server: Server, storage: Callable[[str | None], SyncBucketProxy], mime: str
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path, b"ok", mime)
    row = stored_row(server, path)
    assert row is not None and row["metadata"]["mimetype"] == mime.split(";")[0]
    assert row["metadata"]["size"] == 2


def test_bytes_whose_row_cannot_be_written_are_removed(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice", "refused-on-record.txt")
    with pytest.raises(StorageApiError) as failed:
        upload(storage("alice"), path)
    assert_storage_error(failed.value, "500", "DatabaseError")
    assert stored_row(server, path) is None and stored_files(server, path) == []


# Downloads ---------------------------------------------------------------------------------------
def test_a_signed_url_serves_the_bytes_until_it_expires(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path, b"attachment body")
    url = signed_url(storage("alice"), path, 1)

    served = httpx.get(url)
    assert served.status_code == 200 and served.content == b"attachment body"
    assert served.headers["content-type"] == "text/plain"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "content-disposition" not in served.headers and "expires" in served.headers

    time.sleep(2.1)
    expired = httpx.get(url)
    assert expired.status_code == 400
    assert expired.json()["error"] == "InvalidJWT"
    assert expired.json()["message"] == '"exp" claim timestamp check failed'


@pytest.mark.parametrize(
    ("download", "disposition"),
    [(True, "attachment;"),
     ("Rapport été.txt",
      "attachment; filename=Rapport%20%C3%A9t%C3%A9.txt;"
      " filename*=UTF-8''Rapport%20%C3%A9t%C3%A9.txt")],
    ids=["without_a_name", "with_a_name"],
)  # fmt: skip
def test_a_signed_url_for_download_is_an_attachment(
    server: Server,
    storage: Callable[[str | None], SyncBucketProxy],
    download: bool | str,
    disposition: str,
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path)
    served = httpx.get(signed_url(storage("alice"), path, 60, download=download))
    assert served.status_code == 200 and served.headers["content-disposition"] == disposition


def test_another_user_cannot_see_sign_or_download_an_object(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path)
    bob = storage("bob")
    for attempt in (lambda: bob.create_signed_url(path, 60), lambda: bob.download(path),
                    lambda: bob.info(path)):  # fmt: skip
        with pytest.raises(StorageApiError) as denied:
            attempt()
        assert_storage_error(denied.value, "404", "not_found", "Object not found")
    assert bob.list(server.user_ids["alice"]) == []
    signed = bob.create_signed_urls([path], 60)
    assert signed[0]["signedURL"] is None and "do not have access" in str(signed[0]["error"])
    assert storage("alice").download(path) == b"hello"


def test_the_service_role_sees_past_the_policies(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path)
    service_key = server.stack.keys.sign(
        {"role": "service_role", "exp": int(time.time()) + 60}, "HS256"
    )
    with SyncStorageClient(f"{server.url}/", {"Authorization": f"Bearer {service_key}"}) as client:
        assert client.from_(BUCKET).download(path) == b"hello"
        assert client.get_bucket(BUCKET).file_size_limit == SIZE_LIMIT
    as_alice = {"Authorization": f"Bearer {server.token('alice')}"}
    # No policy on storage.buckets lets users see the bucket.
    with (
        SyncStorageClient(f"{server.url}/", as_alice) as client,
        pytest.raises(StorageApiError) as hidden,
    ):
        client.get_bucket(BUCKET)
    assert_storage_error(hidden.value, "404", "Bucket not found")


# Removing ----------------------------------------------------------------------------------------
def test_remove_deletes_only_what_the_policies_allow(
    server: Server, storage: Callable[[str | None], SyncBucketProxy]
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path)

    assert storage("bob").remove([path]) == []
    assert stored_row(server, path) is not None and len(stored_files(server, path)) == 1

    removed = storage("alice").remove([path, own_path(server, "alice")])
    assert [item["name"] for item in removed] == [path]
    assert removed[0]["owner_id"] == server.user_ids["alice"]
    assert stored_row(server, path) is None and stored_files(server, path) == []


def test_a_direct_delete_from_storage_objects_is_refused(server: Server) -> None:
    with (
        psycopg.connect(server.db_url) as db,
        pytest.raises(psycopg.errors.InsufficientPrivilege) as refused,
    ):
        db.execute("delete from storage.objects where bucket_id = %s", (BUCKET,))
    assert "Use the Storage API instead" in str(refused.value)


# Tokens ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["ES256", "HS256"])
def test_both_kinds_of_local_access_token_are_accepted(
    server: Server, storage: Callable[[str | None], SyncBucketProxy], algorithm: str
) -> None:
    path = own_path(server, "alice")
    upload(storage("alice"), path)
    headers = {"Authorization": f"Bearer {server.token('alice', algorithm=algorithm)}"}
    response = httpx.get(f"{server.url}/object/authenticated/{BUCKET}/{path}", headers=headers)
    assert response.status_code == 200 and response.content == b"hello"


def _expired(server: Server) -> str:
    return server.token("alice", ttl=-10)


def _foreign(server: Server) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode({"sub": server.user_ids["alice"], "role": "authenticated"}, key,
                      algorithm="ES256", headers={"kid": server.stack.keys.kid})  # fmt: skip


@pytest.mark.parametrize(
    ("make_token", "message"),
    [(lambda server: "not-a-jwt", "Invalid Compact JWS"),
     (_expired, '"exp" claim timestamp check failed'),
     (_foreign, "signature verification failed")],
    ids=["garbage", "expired", "signed_with_another_key"],
)  # fmt: skip
def test_a_bad_access_token_is_refused_in_storages_shape(
    server: Server, make_token: Callable[[Server], str], message: str
) -> None:
    response = httpx.post(
        f"{server.url}/object/upload/sign/{BUCKET}/{own_path(server, 'alice')}",
        headers={"Authorization": f"Bearer {make_token(server)}"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": "403", "code": "AccessDenied", "error": "Unauthorized", "message": message,
    }  # fmt: skip


def test_the_server_will_not_start_with_a_folder_that_holds_no_keys(
    server: Server, tmp_path: Path
) -> None:
    argv = _argv(server.stack, free_port(), _storage_admin_url(server.db_url), tmp_path / "data")
    argv[argv.index("--keys") + 1] = str(tmp_path)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and "jwks.public.json not found" in result.stderr


# What migrations may do to Storage's schema -----------------------------------------------------
@pytest.fixture
def migrator(server: Server) -> Iterator[psycopg.Connection[Any]]:
    """A connection as hosted projects' `postgres` is: no superuser, a member of Storage's role."""
    name = f"test_migrator_{uuid.uuid4().hex[:8]}"
    superuser = _superuser_url(server.db_url)
    with psycopg.connect(superuser, autocommit=True) as admin:
        admin.execute(f"create role {name} login password 'postgres' bypassrls")
        admin.execute(f"grant supabase_storage_admin to {name}")
        try:
            with psycopg.connect(_as_role(server.db_url, name), autocommit=True) as db:
                yield db
        finally:
            admin.execute(f"drop owned by {name}")
            admin.execute(f"drop role {name}")


def test_a_migration_may_create_policies_on_storage_objects_and_insert_buckets(
    migrator: psycopg.Connection[Any],
) -> None:
    bucket = f"test-{uuid.uuid4().hex[:8]}"
    migrator.execute(
        'create policy "Test: a migration\'s policy" on storage.objects for select'
        " to authenticated using (false)"
    )
    migrator.execute('drop policy "Test: a migration\'s policy" on storage.objects')
    migrator.execute("insert into storage.buckets (id, name) values (%s, %s)", (bucket, bucket))


@pytest.mark.parametrize(
    "statement",
    ["alter table storage.objects disable row level security",
     "create trigger test_t before insert on storage.objects for each row"
     " execute function storage.update_updated_at_column()",
     "drop table storage.buckets cascade",
     "create table storage.test_table (id int)"],
    ids=["disabling_rls", "a_trigger", "dropping_a_table", "a_new_table"],
)  # fmt: skip
def test_a_migration_may_not_change_storages_schema(
    migrator: psycopg.Connection[Any], statement: str
) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        migrator.execute(statement)


# supabase-js --------------------------------------------------------------------------------------
# What the browser does, with supabase-js's own Storage client (the one `supabase.storage` is),
# pointed at the stand-in directly (the project URL's /storage/v1 is the gateway's business).
_SUPABASE_JS_ROUND_TRIP = """
import { StorageClient } from "@supabase/storage-js";
const { URL: url, ANON_KEY: anon, ALICE, BOB, BUCKET: bucket, FOLDER: folder } = process.env;
const as = (token) => new StorageClient(url, { apikey: anon, Authorization: `Bearer ${token}` })
  .from(bucket);
const [alice, bob, browser] = [as(ALICE), as(BOB), as(anon)];
const seen = {};
const path = `${folder}/from-js-${Date.now()}.txt`;
const signed = await alice.createSignedUploadUrl(path);
seen.signedUploadError = signed.error?.message ?? null;
const file = new Blob(["hello from js"], { type: "text/plain" });
const first = await browser.uploadToSignedUrl(path, signed.data.token, file);
seen.uploaded = first.data?.fullPath ?? first.error?.message;
const again = await browser.uploadToSignedUrl(path, signed.data.token, file);
seen.again = again.error && { status: again.error.status, statusCode: again.error.statusCode };
const big = await alice.createSignedUploadUrl(`${folder}/big-${Date.now()}.txt`);
const tooBig = await browser.uploadToSignedUrl(big.data.path, big.data.token,
  new Blob(["x".repeat(2000)], { type: "text/plain" }));
seen.tooBig = tooBig.error?.statusCode ?? null;
const link = await alice.createSignedUrl(path, 60, { download: true });
const served = await fetch(link.data.signedUrl);
seen.served = { status: served.status, disposition: served.headers.get("content-disposition"),
  body: await served.text() };
seen.downloaded = await (await alice.download(path)).data.text();
const stranger = await bob.createSignedUploadUrl(path.replace(folder, "someone-else"));
seen.strangerSigning = stranger.error?.statusCode ?? null;
seen.strangerRemoved = (await bob.remove([path])).data;
seen.ownerRemoved = (await alice.remove([path])).data.map((row) => row.name);
seen.afterRemoval = (await alice.download(path)).error?.statusCode ?? null;
console.log(JSON.stringify({ ...seen, path }));
"""


def test_supabase_js_uploads_to_a_signed_url_and_downloads_as_the_browser_would(
    server: Server,
) -> None:
    result = subprocess.run(
        ["node", "--input-type=module", "-e", _SUPABASE_JS_ROUND_TRIP],
        cwd=Path(__file__).resolve().parents[2],
        env={
            "PATH": os.environ.get("PATH", ""),
            "URL": server.url,
            "ANON_KEY": local_anon_key(),
            "ALICE": server.token("alice"),
            "BOB": server.token("bob"),
            "BUCKET": BUCKET,
            "FOLDER": server.user_ids["alice"],
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    path = seen.pop("path")
    assert seen == {
        "signedUploadError": None,
        "uploaded": f"{BUCKET}/{path}",
        "again": {"status": 400, "statusCode": "409"},
        "tooBig": "413",
        "served": {"status": 200, "disposition": "attachment;", "body": "hello from js"},
        "downloaded": "hello from js",
        "strangerSigning": "403",
        "strangerRemoved": [],
        "ownerRemoved": [path],
        "afterRemoval": "404",
    }
