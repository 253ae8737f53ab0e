"""Attachments end to end through the BFF: register, upload to Storage, attach, download, remove,
purge; who may do what; each limit's own code. Uploads go to the Storage stand-in at the project
URL with storage3 (supabase-py's client), as a browser would with supabase-js (tests/js/ does).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from storage3 import SyncStorageClient
from storage3.exceptions import StorageApiError

from bff.purge import Purger
from devstack import Stack

from ..conftest import ActAs, NewTicket, count_rows

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
Upload = Callable[..., dict[str, Any]]


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def _storage(stack: Stack, http: httpx.Client, token: str | None = None) -> SyncStorageClient:
    """Storage as the browser reaches it: the project URL, the anon key, and the user's token if
    given (none is needed to upload to a signed URL)."""
    headers = {"apikey": stack.anon_key, "Authorization": f"Bearer {token or stack.anon_key}"}
    return SyncStorageClient(f"{stack.api_url}/storage/v1/", headers=headers, http_client=http)


@pytest.fixture
def upload(act: ActAs, stack: Stack, http: httpx.Client) -> Upload:
    """Register a file as `who` and upload its bytes to the signed URL; return the answer."""

    def register_and_upload(
        who: str, ticket_id: str, data: bytes = PNG, *, content_type: str = "image/png",
        file_name: str = "screenshot.png", put: bool = True, **extra: Any,
    ) -> dict[str, Any]:  # fmt: skip
        body = {"ticket_id": ticket_id, "file_name": file_name, "content_type": content_type,
                "size_bytes": len(data), **extra}  # fmt: skip
        response = act(who, "createAttachmentUpload", body)
        assert response.status_code == 201, response.get_json()
        answer: dict[str, Any] = response.get_json()
        if put:
            upload = answer["upload"]
            _storage(stack, http).from_(upload["bucket_id"]).upload_to_signed_url(
                upload["path"], upload["token"], data, {"content-type": content_type}
            )
        return answer

    return register_and_upload


def _comment_with(act: ActAs, who: str, ticket_id: str, attachment_id: str, **extra: Any) -> Any:
    """addComment as `who` on the ticket, attaching one file; return the response."""
    body = {"ticket_id": ticket_id, "body": "See the file.", "attachment_ids": [attachment_id],
            **extra}  # fmt: skip
    return act(who, "addComment", body)


def _download(url: str) -> httpx.Response:
    with httpx.Client(timeout=10) as client:
        return client.get(url)


def test_a_customer_attaches_a_file_to_a_new_ticket_and_downloads_it(
    act: ActAs, upload: Upload, orgs: dict[str, str]
) -> None:
    ticket_id = str(uuid.uuid4())
    answer = upload("alice", ticket_id, handling_org_id=orgs["acme"])
    attachment = answer["attachment"]
    assert (attachment["status"], attachment["ticket_id"]) == ("pending", ticket_id)

    created = act("alice", "createTicket", {
        "handling_org_id": orgs["acme"], "subject": "The invoice is blank",
        "description": "See the screenshot.", "ticket_id": ticket_id,
        "attachment_ids": [attachment["id"]]})  # fmt: skip
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["id"] == ticket_id

    detail = act("agent1", "getTicket", {"ticket_id": ticket_id}).get_json()
    assert [a["id"] for a in detail["attachments"]] == [attachment["id"]]

    for who in ("alice", "agent1"):
        link = act(who, "getAttachmentUrl", {"attachment_id": attachment["id"]})
        assert link.status_code == 200, link.get_json()
        got = _download(link.get_json()["url"])
        assert got.status_code == 200 and got.content == PNG
        assert got.headers["content-disposition"].startswith("attachment")


def test_a_file_on_an_internal_note_never_reaches_the_customer(
    act: ActAs,
    upload: Upload,
    new_ticket: NewTicket,
    stack: Stack,
    tokens: dict[str, str],
    http: httpx.Client,
) -> None:
    ticket = new_ticket("alice", "acme")
    answer = upload("agent1", ticket["id"], b"internal findings", content_type="text/plain",
                    file_name="notes.txt")  # fmt: skip
    note = _comment_with(act, "agent1", ticket["id"], answer["attachment"]["id"], is_internal=True)
    assert note.status_code == 201, note.get_json()
    assert [a["id"] for a in note.get_json()["attachments"]] == [answer["attachment"]["id"]]

    attachment_id = answer["attachment"]["id"]
    staff_view = act("agent2", "getTicket", {"ticket_id": ticket["id"]}).get_json()
    assert any(c["attachments"] for c in staff_view["comments"])
    customer_view = act("alice", "getTicket", {"ticket_id": ticket["id"]}).get_json()
    assert all(not c["attachments"] for c in customer_view["comments"])
    assert act("alice", "getAttachmentUrl", {"attachment_id": attachment_id}).status_code == 404
    # Straight through PostgREST and Storage with her own token: nothing either.
    rows = http.get(f"{stack.rest_url}/ticket_attachments", params={"id": f"eq.{attachment_id}"},
                    headers={"Authorization": f"Bearer {tokens['alice']}"})  # fmt: skip
    assert rows.status_code == 200 and rows.json() == []
    mine = _storage(stack, http, tokens["alice"]).from_("ticket-attachments")
    with pytest.raises(StorageApiError, match="not found"):
        mine.create_signed_url(answer["upload"]["path"], 60)


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 201), ("agent2", 201), ("acme_admin", 201), ("bob", 404), ("globex_agent", 404)],
    ids=["requester", "colleague", "admin", "other_customer", "other_org_employee"],
)
def test_who_may_register_a_file_for_a_ticket(
    act: ActAs, new_ticket: NewTicket, who: str, status: int
) -> None:
    ticket = new_ticket("alice", "acme")
    body = {"ticket_id": ticket["id"], "file_name": "a.pdf", "content_type": "application/pdf",
            "size_bytes": 1000}  # fmt: skip
    assert act(who, "createAttachmentUpload", body).status_code == status
    assert act(None, "createAttachmentUpload", body).status_code == 401


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"size_bytes": 25 * 1024 * 1024 + 1}, "attachment_too_large"),
        (
            {"content_type": "application/x-msdownload", "file_name": "setup.exe"},
            "attachment_type_blocked",
        ),
        ({"file_name": "invoice.pdf.html"}, "attachment_type_blocked"),
        ({"content_type": "image/svg+xml", "file_name": "logo.svg"}, "attachment_type_blocked"),
    ],
    ids=["over_25_mib", "executable", "html_by_extension", "svg"],
)
def test_each_limit_has_its_own_code(
    act: ActAs, new_ticket: NewTicket, body: dict[str, Any], code: str
) -> None:
    ticket = new_ticket("alice", "acme")
    sent = {"ticket_id": ticket["id"], "file_name": "a.pdf", "content_type": "application/pdf",
            "size_bytes": 1000, **body}  # fmt: skip
    response = act("alice", "createAttachmentUpload", sent)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == code


def test_a_users_pending_uploads_are_bounded_across_tickets(
    act: ActAs, orgs: dict[str, str], stack: Stack
) -> None:
    """Drafts are free to name, so the bound is per user: 100 MiB not yet attached."""
    body = {"handling_org_id": orgs["acme"], "file_name": "big.zip",
            "content_type": "application/zip", "size_bytes": 25 * 1024 * 1024}  # fmt: skip
    registered = []
    try:
        for _ in range(4):
            answer = act("bob", "createAttachmentUpload", {**body, "ticket_id": str(uuid.uuid4())})
            assert answer.status_code == 201, answer.get_json()
            registered.append(answer.get_json()["attachment"]["id"])
        refused = act("bob", "createAttachmentUpload", {**body, "ticket_id": str(uuid.uuid4())})
        assert refused.get_json()["error"]["code"] == "pending_uploads_full"
    finally:
        for attachment_id in registered:
            act("bob", "removeAttachment", {"attachment_id": attachment_id})


def test_a_file_not_uploaded_cannot_be_attached(
    act: ActAs, upload: Upload, new_ticket: NewTicket
) -> None:
    ticket = new_ticket("alice", "acme")
    answer = upload("alice", ticket["id"], put=False)
    response = _comment_with(act, "alice", ticket["id"], answer["attachment"]["id"])
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "attachment_not_ready"
    assert answer["attachment"]["id"] in error["message"]


def test_someone_elses_upload_cannot_be_attached(
    act: ActAs, upload: Upload, new_ticket: NewTicket
) -> None:
    ticket = new_ticket("alice", "acme")
    answer = upload("agent1", ticket["id"])
    response = _comment_with(act, "alice", ticket["id"], answer["attachment"]["id"])
    assert response.get_json()["error"]["code"] == "attachment_not_ready"


def test_removal_redacts_and_the_purge_deletes_the_object(
    act: ActAs, upload: Upload, new_ticket: NewTicket, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    ticket = new_ticket("alice", "acme")
    answer = upload("alice", ticket["id"])
    attachment_id = answer["attachment"]["id"]
    added = _comment_with(act, "alice", ticket["id"], attachment_id)
    assert added.status_code == 201, added.get_json()
    # The requester may not remove an attached file; a colleague neither; the admin may.
    assert act("alice", "removeAttachment", {"attachment_id": attachment_id}).status_code == 403
    assert act("agent2", "removeAttachment", {"attachment_id": attachment_id}).status_code == 403
    removed = act("acme_admin", "removeAttachment", {"attachment_id": attachment_id})
    assert removed.status_code == 200, removed.get_json()
    assert removed.get_json()["status"] == "removed"
    assert act("alice", "getAttachmentUrl", {"attachment_id": attachment_id}).status_code == 404
    events = act("alice", "getTicket", {"ticket_id": ticket["id"]}).get_json()["events"]
    removal = [e for e in events if e["kind"] == "attachment_removed"]
    assert removal and "screenshot" not in str(removal).lower()

    object_name = answer["upload"]["path"]
    in_storage = "select count(*) from storage.objects where name = %s"
    assert count_rows(db, in_storage, object_name) == 1
    with httpx.Client() as http:
        Purger(stack.api_url, stack.service_role_key, http).run(batch=100)
    assert count_rows(db, in_storage, object_name) == 0


def test_the_purge_deletes_expired_uploads_and_their_records(
    upload: Upload, new_ticket: NewTicket, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    ticket = new_ticket("alice", "acme")
    answer = upload("alice", ticket["id"])
    attachment_id = answer["attachment"]["id"]
    # Past its hour, and past the 2 hours a signed upload URL stays usable on Storage.
    db.execute(
        "update public.ticket_attachments set expires_at = now() - interval '3 hours', "
        "purge_after = now() - interval '3 hours' where id = %s",
        (attachment_id,),
    )
    with httpx.Client() as http:
        Purger(stack.api_url, stack.service_role_key, http).run(batch=100)
    assert count_rows(db, "select count(*) from public.ticket_attachments where id = %s",
                      attachment_id) == 0  # fmt: skip
    assert count_rows(db, "select count(*) from storage.objects where name = %s",
                      answer["upload"]["path"]) == 0  # fmt: skip


@pytest.mark.parametrize(
    "file_name",
    ["../../etc/passwd", "invoice\u202egpj.exe.pdf", "x" * 996 + ".pdf", "cafe\u0301.pdf"],
    ids=["traversal", "rtl_override", "1000_chars", "nfd"],
)
def test_hostile_file_names_are_stored_and_downloaded_under_a_safe_name(
    act: ActAs, upload: Upload, new_ticket: NewTicket, file_name: str
) -> None:
    ticket = new_ticket("alice", "acme")
    answer = upload("alice", ticket["id"], b"%PDF-1.7", content_type="application/pdf",
                    file_name=file_name)  # fmt: skip
    stored = answer["attachment"]["stored_name"]
    assert answer["attachment"]["file_name"] == file_name
    assert "/" not in stored and "\\" not in stored and "\u202e" not in stored
    assert 0 < len(stored) <= 200 and not stored.startswith(".")
    attached = _comment_with(act, "alice", ticket["id"], answer["attachment"]["id"])
    assert attached.status_code == 201, attached.get_json()
    link = act("alice", "getAttachmentUrl", {"attachment_id": answer["attachment"]["id"]})
    assert link.get_json()["file_name"] == stored
    assert _download(link.get_json()["url"]).content == b"%PDF-1.7"


def test_a_nul_in_a_file_name_is_refused_clearly(act: ActAs, new_ticket: NewTicket) -> None:
    """PostgreSQL text cannot hold U+0000, so nothing could store the name as given."""
    ticket = new_ticket("alice", "acme")
    body = {"ticket_id": ticket["id"], "file_name": "a\u0000.pdf",
            "content_type": "application/pdf", "size_bytes": 10}  # fmt: skip
    response = act("alice", "createAttachmentUpload", body)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"][0]["path"] == ["file_name"]


def test_an_admin_lowers_the_organizations_file_size_limit(
    act: ActAs, new_ticket: NewTicket, orgs: dict[str, str]
) -> None:
    ticket = new_ticket("alice", "acme")
    lower = {"org_id": orgs["acme"], "attachment_size_limit_bytes": 1000}
    assert act("agent1", "updateOrganization", lower).status_code == 403
    changed = act("acme_admin", "updateOrganization", lower)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["attachment_size_limit_bytes"] == 1000
    try:
        body = {"ticket_id": ticket["id"], "file_name": "a.pdf", "content_type": "application/pdf"}
        refused = act("alice", "createAttachmentUpload", {**body, "size_bytes": 1001})
        assert refused.get_json()["error"]["code"] == "attachment_too_large"
        assert (
            act("alice", "createAttachmentUpload", {**body, "size_bytes": 1000}).status_code == 201
        )
    finally:
        restore = {"org_id": orgs["acme"], "attachment_size_limit_bytes": None}
        assert act("acme_admin", "updateOrganization", restore).status_code == 200
