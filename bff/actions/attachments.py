"""Attachment actions: register an upload, sign a download, remove a file.

Bytes never pass through the BFF. `createAttachmentUpload` records a pending attachment in the
database (which checks access and limits), then asks Supabase Storage, with the caller's own
token, for a signed upload URL for exactly that attachment's object name; the policies on
`storage.objects` let the caller upload there and nowhere else. The browser uploads with
supabase-js `uploadToSignedUrl`, and `createTicket` / `addComment` attach the uploaded files by
id. Downloads are signed URLs valid for 5 minutes that download as a file, never render inline.

A pending attachment nobody attaches expires after 60 minutes; the purge (`bff-purge`) deletes
its object through the Storage API and its record. A removed attachment is unreadable at once and
its object is deleted by the next purge.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BeforeValidator, Field

from bff.actions._fields import MAX_INTEGER, Text, whole_number
from bff.actions._registry import ActionContext, ActionIn, ActionOut, action, call
from bff.errors import (
    ATTACHMENT_ERRORS,
    Forbidden,
    NotFound,
    TooManyAttachments,
    UpstreamUnavailable,
)

BUCKET = "ticket-attachments"
MAX_FILE_BYTES = 25 * 1024 * 1024  # the bucket's file_size_limit (supabase/migrations)
DOWNLOAD_URL_SECONDS = 300
MAX_PER_COMMENT = 10

FileName = Annotated[
    str,
    Text(1000),
    Field(
        description="As the user's device named it. Stored as given; the object and the download "
        "use a sanitized copy (stored_name)."
    ),
]
ContentType = Annotated[
    str,
    Text(
        255,
        lower=True,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$",
        form="a media type such as image/png, without parameters",
    ),
]
AttachmentIds = Annotated[
    list[UUID],
    Field(
        min_length=1,
        max_length=MAX_PER_COMMENT,
        description="Pending attachments you uploaded for this ticket, attached in the same "
        "transaction (422 attachment_not_ready names any that cannot be).",
    ),
]
# Ids for the documentation's examples (the ticket is seeded by supabase/seed.sql).
_TICKET = "aaaaaaaa-1000-4000-8000-000000000001"
_ATTACHMENT = "aaaaaaaa-2000-4000-8000-000000000001"


class AttachmentOut(ActionOut):
    id: UUID
    ticket_id: UUID
    handling_org_id: UUID
    comment_id: UUID | None = Field(description="null: a file on the ticket itself.")
    file_name: str = Field(description="As given at upload.")
    stored_name: str = Field(description="Sanitized: the object's and the download's name.")
    content_type: str
    size_bytes: int
    status: Literal["pending", "attached", "removed"]
    is_internal: bool = Field(description="On an internal note: staff only.")
    uploaded_by: UUID | None
    created_at: datetime
    expires_at: datetime = Field(description="A pending attachment not attached by then is purged.")


class AttachmentRef(ActionOut):
    """An attached file as a ticket or comment lists it."""

    id: UUID
    file_name: str
    stored_name: str
    content_type: str
    size_bytes: int
    created_at: datetime
    uploaded_by: UUID | None


class UploadOut(ActionOut):
    bucket_id: str
    path: str = Field(description="The object name to pass to uploadToSignedUrl.")
    token: str = Field(description="The token to pass to uploadToSignedUrl.")
    signed_url: str
    expires_at: datetime


class AttachmentUploadOut(ActionOut):
    attachment: AttachmentOut
    upload: UploadOut


class CreateAttachmentUploadIn(ActionIn):
    ticket_id: UUID = Field(
        description="The ticket the file is for. For a ticket still being written: an id you "
        "generate (a UUID v4) and then pass to createTicket, with handling_org_id."
    )
    handling_org_id: UUID | None = Field(
        None, description="Only for a ticket still being written: where it will be submitted."
    )
    file_name: FileName
    content_type: ContentType
    size_bytes: Annotated[
        int,
        Field(
            ge=1,
            le=MAX_INTEGER,
            description=f"Bytes, as the upload will be; at most {MAX_FILE_BYTES} (25 MiB) or the "
            "organization's lower limit, else 422 attachment_too_large.",
        ),
        BeforeValidator(whole_number),
    ]

    example = {
        "ticket_id": _TICKET,
        "file_name": "screenshot.png",
        "content_type": "image/png",
        "size_bytes": 48213,
    }


@action(
    "createAttachmentUpload", status=201, errors=(NotFound, TooManyAttachments, *ATTACHMENT_ERRORS)
)
def create_attachment_upload(
    ctx: ActionContext, payload: CreateAttachmentUploadIn
) -> AttachmentUploadOut:
    """Register a file for a ticket and get a signed URL to upload it to, valid for 60 minutes.

    Limits (each its own 422 code): 25 MiB per file or less where the organization says so
    (`attachment_too_large`), executable, script and markup types or extensions
    (`attachment_type_blocked`), 100 MiB per ticket (`ticket_attachments_full`), and per user,
    across tickets, 20 uploads not yet attached (`too_many_attachments`) of at most 100 MiB
    (`pending_uploads_full`). 404 for a ticket you cannot see.
    """
    params = payload.model_dump(mode="json", exclude_none=True)
    record = call(ctx, "create_attachment_upload", **params)
    attachment = AttachmentOut.model_validate(record)
    signed = ctx.storage().from_(BUCKET).create_signed_upload_url(record["object_name"])
    return AttachmentUploadOut(
        attachment=attachment,
        upload=UploadOut(
            bucket_id=BUCKET,
            path=signed["path"],
            token=signed["token"],
            signed_url=signed["signed_url"],
            expires_at=attachment.expires_at,
        ),
    )


class AttachmentIdIn(ActionIn):
    attachment_id: UUID

    example = {"attachment_id": _ATTACHMENT}


class DownloadOut(ActionOut):
    url: str = Field(description="Downloads the file (Content-Disposition: attachment).")
    expires_at: datetime
    file_name: str = Field(description="The name it downloads under (sanitized).")
    content_type: str
    size_bytes: int


@action("getAttachmentUrl", errors=(NotFound,))
def get_attachment_url(ctx: ActionContext, payload: AttachmentIdIn) -> DownloadOut:
    """A URL that downloads an attached file you may see, valid for 5 minutes.

    404 for an attachment you may not see (on an internal note, for a customer), removed, or
    still pending.
    """
    record = call(ctx, "get_attachment", attachment_id=str(payload.attachment_id))
    attachment = AttachmentOut.model_validate(record)
    if attachment.status != "attached":
        raise NotFound("The attachment was not found.")
    signed = (
        ctx.storage()
        .from_(BUCKET)
        .create_signed_url(
            record["object_name"], DOWNLOAD_URL_SECONDS, {"download": attachment.stored_name}
        )
    )
    url = signed["signedURL"]
    if not url:
        raise UpstreamUnavailable("File storage did not sign the download; try again.")
    return DownloadOut(
        url=url,
        expires_at=datetime.now(UTC) + timedelta(seconds=DOWNLOAD_URL_SECONDS),
        file_name=attachment.stored_name,
        content_type=attachment.content_type,
        size_bytes=attachment.size_bytes,
    )


@action("removeAttachment", errors=(Forbidden, NotFound))
def remove_attachment(ctx: ActionContext, payload: AttachmentIdIn) -> AttachmentOut:
    """Remove a file: the uploader while it is pending, the organization's admins at any time.

    It is unreadable at once; the purge deletes its object. The history keeps who removed it and
    when, and shows customers "attachment removed" without the file name. 403 for others who can
    see it.
    """
    return AttachmentOut.model_validate(
        call(ctx, "remove_attachment", attachment_id=str(payload.attachment_id))
    )
