"""Request bodies, checked as Storage's route schemas check them (Fastify's JSON-schema validator:
numbers given as strings are taken, unknown fields are ignored, and a refusal names the field the
way the validator does, e.g. "body must have required property 'expiresIn'")."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from devstack.storage._errors import InvalidRequest


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SignUrlIn(_Body):
    expiresIn: int = Field(ge=1)  # Storage's field names


class SignUrlsIn(_Body):
    expiresIn: int = Field(ge=1)
    paths: list[str] = Field(min_length=1, max_length=1000)


class DeleteObjectsIn(_Body):
    prefixes: list[str] = Field(min_length=1)


class SortByIn(_Body):
    column: Literal["name", "updated_at", "created_at", "last_accessed_at"]
    order: Literal["asc", "desc"] | None = None


class ListObjectsIn(_Body):
    prefix: str
    limit: int | None = Field(default=None, ge=1)
    offset: int | None = Field(default=None, ge=0)
    sortBy: SortByIn | None = None
    search: str | None = None


BodyT = TypeVar("BodyT", bound=_Body)


def parse_body(model: type[BodyT], body: bytes, content_type: str | None) -> BodyT:
    """Return the request body as `model`, or raise `InvalidRequest` worded as Storage's."""
    if content_type and content_type.startswith("application/json") and not body.strip():
        raise InvalidRequest("Body cannot be empty when content-type is set to 'application/json'")
    try:
        return model.model_validate_json(body or b"null")
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        if problem["type"] == "json_invalid":
            raise InvalidRequest(
                "Body is not valid JSON but content-type is set to 'application/json'"
            ) from None
        raise InvalidRequest(_validator_message(problem["loc"], problem["type"], problem)) from None


def _validator_message(location: tuple[Any, ...], kind: str, problem: Any) -> str:
    path = "/".join(["body", *(str(part) for part in location)])
    context = problem.get("ctx") or {}
    if kind == "missing":
        parent = "/".join(["body", *(str(part) for part in location[:-1])])
        return f"{parent} must have required property '{location[-1]}'"
    messages = {
        "greater_than_equal": f"must be >= {context.get('ge')}",
        "too_short": f"must NOT have fewer than {context.get('min_length')} items",
        "too_long": f"must NOT have more than {context.get('max_length')} items",
        "int_parsing": "must be integer",
        "int_type": "must be integer",
        "int_from_float": "must be integer",
        "string_type": "must be string",
        "list_type": "must be array",
        "model_type": "must be object",
        "model_attributes_type": "must be object",
        "literal_error": "must be equal to one of the allowed values",
    }
    return f"{path} {messages.get(kind, 'is invalid')}"
