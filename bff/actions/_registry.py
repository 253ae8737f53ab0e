"""The table of server actions: name, input and output models, and the function that runs each."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from postgrest import SyncPostgrestClient
from pydantic import BaseModel, ConfigDict

from bff.auth import Caller
from bff.errors import ValidationFailed


class ActionIn(BaseModel):
    """Base of every action input: unknown fields are an error, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ActionOut(BaseModel):
    """Base of every action output."""


@dataclass
class ActionContext:
    """What an action gets besides its input: the caller and their database client."""

    caller: Caller
    db: SyncPostgrestClient
    idempotency_key: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    upstream_ms: float = 0.0
    """Time spent waiting for PostgREST, reported in the `Server-Timing` header."""


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
    status: int = 200
    extra_errors: tuple[str, ...] = ()


ACTIONS: dict[str, Action[Any, Any]] = {}


def action(
    name: str, *, status: int = 200, errors: tuple[str, ...] = ()
) -> Callable[[Callable[[ActionContext, In], Out]], Callable[[ActionContext, In], Out]]:
    """Register the decorated function as the server action `name`.

    The input and output models come from the function's annotations, so the OpenAPI document
    and the validation always agree with the code.
    """

    def register(run: Callable[[ActionContext, In], Out]) -> Callable[[ActionContext, In], Out]:
        hints = run.__annotations__
        input_model = _resolve(run, hints["payload"])
        output_model = _resolve(run, hints["return"])
        summary = (run.__doc__ or name).strip().splitlines()[0]
        ACTIONS[name] = Action(name, run, input_model, output_model, summary, status, errors)
        return run

    return register


def call(ctx: ActionContext, function: str, **params: Any) -> Any:
    """Call the SQL function `function` through PostgREST as the caller; return its JSON."""
    started = time.perf_counter()
    try:
        return ctx.db.rpc(function, params).execute().data
    finally:
        ctx.upstream_ms += (time.perf_counter() - started) * 1000.0


def named_changes(
    payload: ActionIn, *, keys: set[str], nullable: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Return the fields the caller named besides `keys`, as JSON, for a partial update.

    Naming nothing is an error, and so is naming `null` for a field outside `nullable`.
    """
    named = payload.model_fields_set - keys
    if not named:
        raise ValidationFailed.for_field("body", "Name at least one field to change.")
    for name in type(payload).model_fields:  # in declaration order
        if name in named and name not in nullable and getattr(payload, name) is None:
            raise ValidationFailed.for_field(name, f"{name} cannot be null.")
    changes: dict[str, Any] = payload.model_dump(mode="json", include=named)
    return changes


def _resolve(run: Callable[..., Any], hint: Any) -> Any:
    if isinstance(hint, str):
        return run.__globals__[hint]
    return hint
