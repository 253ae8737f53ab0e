"""Storage's HTTP routes (src/http/routes/object, bucket), as the gateway passes them on.

Each route parses the request, picks the caller (the token's, or the service role where Storage
acts as its "super user": a signed URL, a public bucket, recording an upload) and calls one
action. Route names follow Storage's operation names, which policies can read through
`storage.operation()`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from flask import Blueprint, Response, request

from devstack.storage import _objects as objects
from devstack.storage import _uploads as uploads
from devstack.storage._context import (
    caller_from_header,
    json_body,
    json_response,
    scope_for,
    service,
)
from devstack.storage._database import Row, Scope
from devstack.storage._downloads import info_response, object_response
from devstack.storage._errors import InvalidRequest, NoSuchBucket
from devstack.storage._models import (
    DeleteObjectsIn,
    ListObjectsIn,
    SignUrlIn,
    SignUrlsIn,
    parse_body,
)
from devstack.storage._tokens import Caller

routes = Blueprint("storage", __name__)

_OBJECT = "/object/<bucket_id>/<path:object_name>"


@routes.get("/status")
def status() -> Response:
    return Response(status=200)


@routes.get("/health")
def health() -> Response:
    service().database.ping()
    return json_response(
        {"healthy": True, "description": "Stand-in for Supabase Storage, local development only"}
    )


# Uploads ----------------------------------------------------------------------------------------
@routes.post("/object/upload/sign/<bucket_id>/<path:object_name>")
def create_signed_upload_url(bucket_id: str, object_name: str) -> Response:
    stand_in = service()
    scope = scope_for(caller_from_header(), "storage.object.sign_upload_url")
    content_length = request.headers.get("Content-Length")
    encoded = request.headers.get("X-Metadata")
    signed = objects.sign_upload_url(
        stand_in.database,
        stand_in.tokens,
        scope,
        bucket_id=bucket_id,
        object_name=object_name,
        upsert=request.headers.get("X-Upsert") == "true",
        metadata={
            name: value
            for name, value in (
                ("mimetype", request.headers.get("Content-Type")),
                ("contentLength", int(content_length) if content_length else None),
            )
            if value is not None
        },
        user_metadata=uploads.decode_user_metadata(encoded) if encoded is not None else None,
        expires_in=stand_in.settings.upload_url_expiry,
    )
    return json_response({"url": signed.url, "token": signed.token})


@routes.put("/object/upload/sign/<bucket_id>/<path:object_name>")
def upload_to_signed_url(bucket_id: str, object_name: str) -> Response:
    stand_in = service()
    token = request.args.get("token")
    if token is None:
        raise InvalidRequest("querystring must have required property 'token'")
    claims = stand_in.tokens.verify_url(token, f"{bucket_id}/{object_name}", "upload")
    # The policies were asked when the URL was signed: now Storage writes as its super user,
    # for the owner the token names.
    owner = claims.get("owner")
    as_service = scope_for(stand_in.tokens.service_role(), "storage.object.upload_signed")
    return _upload(
        bucket_id,
        object_name,
        as_service,
        owner=owner if isinstance(owner, str) else None,
        upsert=claims.get("upsert") is True,
    )


@routes.post(_OBJECT)
def create_object(bucket_id: str, object_name: str) -> Response:
    caller = caller_from_header()
    scope = scope_for(caller, "storage.object.upload")
    upsert = request.headers.get("X-Upsert") == "true"
    return _upload(bucket_id, object_name, scope, owner=caller.owner, upsert=upsert)


@routes.put(_OBJECT)
def update_object(bucket_id: str, object_name: str) -> Response:
    caller = caller_from_header()
    scope = scope_for(caller, "storage.object.upload_update")
    return _upload(bucket_id, object_name, scope, owner=caller.owner, upsert=True)


def _upload(
    bucket_id: str, object_name: str, scope: Scope, *, owner: str | None, upsert: bool
) -> Response:
    stand_in = service()
    as_service = scope.as_caller(stand_in.tokens.service_role())
    bucket = uploads.find_bucket_limits(stand_in.database, as_service, bucket_id)
    max_size = uploads.max_file_size(bucket, object_name, stand_in.settings.file_size_limit)
    incoming = uploads.read_upload(request, bucket, object_name, max_size)
    uploaded = uploads.upload_object(
        stand_in.database,
        stand_in.files,
        scope,
        as_service,
        bucket=bucket,
        object_name=object_name,
        incoming=incoming,
        max_size=max_size,
        owner=owner,
        upsert=upsert,
    )
    return json_response({"Id": uploaded.object_id, "Key": uploaded.key})


# Signed URLs ------------------------------------------------------------------------------------
@routes.post("/object/sign/<bucket_id>/<path:object_name>")
def create_signed_url(bucket_id: str, object_name: str) -> Response:
    params = parse_body(SignUrlIn, json_body(request), request.content_type)
    stand_in = service()
    signed = objects.sign_object_url(
        stand_in.database,
        stand_in.tokens,
        scope_for(caller_from_header(), "storage.object.sign"),
        bucket_id=bucket_id,
        object_name=object_name,
        expires_in=params.expiresIn,
    )
    return json_response({"signedURL": signed})


@routes.post("/object/sign/<bucket_id>")
def create_signed_urls(bucket_id: str) -> Response:
    params = parse_body(SignUrlsIn, json_body(request), request.content_type)
    stand_in = service()
    signed = objects.sign_object_urls(
        stand_in.database,
        stand_in.tokens,
        scope_for(caller_from_header(), "storage.object.sign_many"),
        bucket_id=bucket_id,
        paths=params.paths,
        expires_in=params.expiresIn,
    )
    return json_response(signed)


@routes.get("/object/sign/<bucket_id>/<path:object_name>")
def get_signed_object(bucket_id: str, object_name: str) -> Response:
    stand_in = service()
    token = request.args.get("token")
    if token is None:
        raise InvalidRequest("querystring must have required property 'token'")
    claims = stand_in.tokens.verify_url(token, f"{bucket_id}/{object_name}", "download")
    as_service = scope_for(stand_in.tokens.service_role(), "storage.object.get_signed")
    row = objects.find_object(
        stand_in.database, as_service, bucket_id, object_name, "id, version, metadata"
    )
    expires = format_datetime(datetime.fromtimestamp(int(claims["exp"]), UTC), usegmt=True)
    return object_response(
        stand_in.files,
        row,
        bucket_id,
        object_name,
        download=request.args.get("download"),
        expires=expires,
    )


# Reading ----------------------------------------------------------------------------------------
@routes.get("/object/authenticated/<bucket_id>/<path:object_name>")
def get_authenticated_object(bucket_id: str, object_name: str) -> Response:
    return _read_object(bucket_id, object_name, caller_from_header())


@routes.get(_OBJECT)
def get_object(bucket_id: str, object_name: str) -> Response:
    return _read_object(bucket_id, object_name, caller_from_header(optional=True))


@routes.get("/object/info/authenticated/<bucket_id>/<path:object_name>")
def get_authenticated_object_info(bucket_id: str, object_name: str) -> Response:
    return _read_info(bucket_id, object_name, caller_from_header())


@routes.get("/object/info/<bucket_id>/<path:object_name>")
def get_object_info(bucket_id: str, object_name: str) -> Response:
    return _read_info(bucket_id, object_name, caller_from_header(optional=True))


def _read_object(bucket_id: str, object_name: str, caller: Caller) -> Response:
    row = _readable_object(bucket_id, object_name, caller, "storage.object.get_authenticated")
    return object_response(
        service().files, row, bucket_id, object_name, download=request.args.get("download")
    )


def _read_info(bucket_id: str, object_name: str, caller: Caller) -> Response:
    row = _readable_object(bucket_id, object_name, caller, "object.get_authenticated_info")
    return info_response(row)


def _readable_object(bucket_id: str, object_name: str, caller: Caller, operation: str) -> Row:
    """Find an object as Storage does for a read: in a public bucket for anyone, else by policy.

    Without a valid token only public buckets exist.
    """
    stand_in = service()
    as_service = scope_for(stand_in.tokens.service_role(), operation)
    bucket = objects.find_bucket(stand_in.database, as_service, bucket_id)
    if not caller.authenticated and not bucket["public"]:
        raise NoSuchBucket()
    scope = as_service if bucket["public"] else scope_for(caller, operation)
    return objects.find_object(
        stand_in.database,
        scope,
        bucket_id,
        object_name,
        "id, name, version, bucket_id, metadata, user_metadata, updated_at, created_at",
    )


# Listing and removing ---------------------------------------------------------------------------
@routes.post("/object/list/<bucket_id>")
def list_objects(bucket_id: str) -> Response:
    params = parse_body(ListObjectsIn, json_body(request), request.content_type)
    sort = params.sortBy
    listed = objects.list_objects(
        service().database,
        scope_for(caller_from_header(), "storage.object.list"),
        bucket_id=bucket_id,
        prefix=params.prefix,
        search=params.search or "",
        limit=min(params.limit or 100, 1500),
        offset=params.offset or 0,
        sort_column=sort.column if sort else "name",
        descending=bool(sort and sort.order == "desc"),
    )
    return json_response([objects.object_json(entry) for entry in listed])


@routes.delete("/object/<bucket_id>")
def delete_objects(bucket_id: str) -> Response:
    params = parse_body(DeleteObjectsIn, json_body(request), request.content_type)
    stand_in = service()
    deleted = objects.delete_objects(
        stand_in.database,
        stand_in.files,
        scope_for(caller_from_header(), "storage.object.delete_many"),
        bucket_id=bucket_id,
        names=params.prefixes,
    )
    return json_response([objects.object_json(row) for row in deleted])


@routes.get("/bucket/<bucket_id>")
def get_bucket(bucket_id: str) -> Response:
    scope = scope_for(caller_from_header(), "storage.bucket.get")
    bucket = objects.find_bucket(service().database, scope, bucket_id)
    return json_response(objects.bucket_json(bucket))
