"""The table of server actions: name, input and output models, errors, and the function to run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from postgrest import SyncPostgrestClient
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from storage3 import SyncStorageClient

from bff.auth import Caller
from bff.errors import ApiError, ValidationFailed


def _document_input(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Make the JSON schema say what validation does: null only where `nullable` allows it."""
    nullable: frozenset[str] = getattr(model, "nullable", frozenset())
    for name, prop in schema.get("properties", {}).items():
        if name in nullable or "anyOf" not in prop:
            continue
        kept = [option for option in prop.pop("anyOf") if option.get("type") != "null"]
        if prop.get("default", ...) is None:
            del prop["default"]
        if len(kept) == 1:
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
    identifies: frozenset[str] = getattr(model, "identifies", frozenset())
    if identifies:
        schema["minProperties"] = len(identifies) + 1
    example = getattr(model, "example", None)
    if example is not None:
        schema["examples"] = [example]


class ActionIn(BaseModel):
    """Base of every action input.

    Strict: unknown fields, wrong JSON types (`"5"` for a number, `0` for a boolean) and `null`
    for a field that is not `nullable` are errors, and the JSON schema says so.
    """

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_document_input)

    nullable: ClassVar[frozenset[str]] = frozenset()
    """Fields where an explicit null means something (such as "unassign")."""
    identifies: ClassVar[frozenset[str]] = frozenset()
    """For a partial update: the fields naming what to change; at least one other is required."""
    example: ClassVar[dict[str, Any] | None] = None
    """A valid input, shown in the documentation."""

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError("null_refused", "Leave the field out instead of sending null")
        return value


class ActionOut(BaseModel):
    """Base of every action output."""


@dataclass
class ActionContext:
    """What an action gets besides its input: the caller and their database client."""

    caller: Caller
    db: SyncPostgrestClient
    open_storage: Callable[[], SyncStorageClient] | None = None
    """Opens Supabase Storage with the caller's token (only actions that need it do)."""
    idempotency_key: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    upstream_ms: float = 0.0
    """Time spent waiting for PostgREST, reported in the `Server-Timing` header."""

    def storage(self) -> SyncStorageClient:
        """Return Supabase Storage's client, acting with the caller's token."""
        if self.open_storage is None:
            raise RuntimeError("this context has no Storage client")
        return self.open_storage()


In = TypeVar("In", bound=ActionIn)
Out = TypeVar("Out", bound=ActionOut)


@dataclass(frozen=True)
class Action(Generic[In, Out]):
    """One server action, reachable as `POST /actions/<name>`."""

    name: str
    run: Callable[[ActionContext, In], Out]
    input_model: type[In]
    output_model: type[Out]
    summary: str
    description: str
    status: int = 200
    errors: tuple[type[ApiError], ...] = ()
    """What the action raises beyond `bff.errors.COMMON_ERRORS`."""
    idempotent_create: bool = False
    """Honours the `Idempotency-Key` header and may answer `Idempotent-Replayed: true`."""


ACTIONS: dict[str, Action[Any, Any]] = {}


def action(
    name: str,
    *,
    status: int = 200,
    errors: tuple[type[ApiError], ...] = (),
    idempotent_create: bool = False,
) -> Callable[[Callable[[ActionContext, In], Out]], Callable[[ActionContext, In], Out]]:
    """Register the decorated function as the server action `name`.

    The input and output models come from the function's annotations and the errors from
    `errors`, so the OpenAPI document, the validation and the code always agree.
    """

    def register(run: Callable[[ActionContext, In], Out]) -> Callable[[ActionContext, In], Out]:
        hints = run.__annotations__
        input_model = _resolve(run, hints["payload"])
        output_model = _resolve(run, hints["return"])
        summary, _, description = (run.__doc__ or name).strip().partition("\n")
        ACTIONS[name] = Action(
            name, run, input_model, output_model, summary.strip(),
            " ".join(description.split()), status, errors, idempotent_create,
        )  # fmt: skip
        return run

    return register


def call(ctx: ActionContext, function: str, **params: Any) -> Any:
    """Call the SQL function `function` through PostgREST as the caller; return its JSON."""
    started = time.perf_counter()
    try:
        return ctx.db.rpc(function, params).execute().data
    finally:
        ctx.upstream_ms += (time.perf_counter() - started) * 1000.0


def named_changes(payload: ActionIn) -> dict[str, Any]:
    """Return the fields the caller named besides those that identify the object, as JSON.

    For partial updates; naming nothing to change is an error (422 `validation_failed`), as the
    input's JSON schema says (`minProperties`).
    """
    named = payload.model_fields_set - type(payload).identifies
    if not named:
        raise ValidationFailed.for_field("body", "Name at least one field to change.")
    changes: dict[str, Any] = payload.model_dump(mode="json", include=named)
    return changes


def _resolve(run: Callable[..., Any], hint: Any) -> Any:
    if isinstance(hint, str):
        return run.__globals__[hint]
    return hint
