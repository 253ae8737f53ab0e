"""Field types shared by every action input: one type per kind of value, not a check per field.

Each type refuses what the database could not store (PostgreSQL `text` cannot hold U+0000; an
`integer` column holds at most 2^31 - 1), so bad input is a 422 naming the field, never a 500.
The JSON schema of each type states exactly the rule the server applies, so `/openapi.json` and
the server agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

# White space, spelled out: `\s` means different characters to Python and to the JSON Schema
# (ECMAScript) regexes clients check the document with. Trimming removes exactly these.
_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_SPACE_CHARS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(code) for code in range(0x2000, 0x200B)
)
# Control characters (C0, DEL and C1): none in a single line, nor line or paragraph separators;
# in multi-line text only tab, line feed and carriage return. Both refuse U+0000, which
# PostgreSQL text cannot hold.
_LINE_CHAR = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]"
_TEXT_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_VISIBLE_CHAR = rf"[^{_SPACE}\x00-\x1f\x7f-\x9f]"


@dataclass(frozen=True)
class Text:
    """A string checked as sent, then trimmed of surrounding white space.

    `max_length` counts characters (code points) as sent. Unless `blank` is allowed, the text
    must contain a visible character. `pattern`, if given, replaces the character rule and the
    sent value must match it whole; `form` then names what it describes ("an email address").
    `lower` lowercases the trimmed value.
    """

    max_length: int
    multiline: bool = False
    blank: bool = False
    pattern: str | None = None
    form: str = "in the documented form"
    lower: bool = False

    @property
    def regex(self) -> str:
        if self.pattern is not None:
            return self.pattern
        char = _TEXT_CHAR if self.multiline else _LINE_CHAR
        if self.blank:
            return f"^{char}*$"
        return f"^{char}*{_VISIBLE_CHAR}{char}*$"

    @property
    def rule(self) -> str:
        if self.pattern is not None:
            return self.form
        allowed = (
            "no control characters except tab and line breaks"
            if self.multiline
            else ("a single line without control characters")
        )
        return allowed if self.blank else f"{allowed}, and not blank"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        compiled = re.compile(self.regex)

        def check(value: str) -> str:
            if len(value) > self.max_length:
                raise PydanticCustomError(
                    "string_too_long",
                    "String should have at most {max_length} characters",
                    {"max_length": self.max_length},
                )
            if not compiled.fullmatch(value):
                raise PydanticCustomError(
                    "text_invalid", "The text must be {rule}", {"rule": self.rule}
                )
            value = value.strip(_SPACE_CHARS)
            return value.lower() if self.lower else value

        return core_schema.no_info_after_validator_function(check, core_schema.str_schema())

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(maxLength=self.max_length, pattern=self.regex)
        if not self.blank and self.pattern is None:
            json_schema["minLength"] = 1
        return json_schema


Subject = Annotated[str, Text(200)]
Body = Annotated[str, Text(10_000, multiline=True)]
Name = Annotated[str, Text(200)]
TeamName = Annotated[str, Text(100)]
SearchText = Annotated[str, Text(200, blank=True)]
_EMAIL_PART = rf"[^@{_SPACE}\x00-\x1f\x7f-\x9f]+"
Email = Annotated[
    str,
    Text(
        320,
        lower=True,
        pattern=rf"^[{_SPACE}]*{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}[{_SPACE}]*$",
        form="an email address",
    ),
]
Domain = Annotated[
    str,
    Text(
        253,
        lower=True,
        pattern=rf"^[{_SPACE}]*([A-Za-z0-9-]+\.)+[A-Za-z]{{2,63}}[{_SPACE}]*$",
        form="a domain name such as example.com",
    ),
]
Slug = Annotated[
    str,
    Text(63, pattern=r"^[a-z0-9-]{2,63}$", form="2 to 63 lowercase letters, digits or hyphens"),
    Field(description="Lowercase letters, digits and hyphens; unique."),
]
# Page cursors are base64url text the listing returned; nothing else is a cursor.
Cursor = Annotated[
    str,
    Text(500, pattern=r"^[A-Za-z0-9+/_=-]+$", form="a cursor a listing returned"),
    Field(description="The next_cursor of the previous page; null or left out: the first page."),
]


def whole_number(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer, so the document cannot refuse it; neither do we.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# PostgreSQL `integer` columns hold at most 2^31 - 1.
MAX_INTEGER = 2_147_483_647
Version = Annotated[
    int,
    Field(ge=1, le=MAX_INTEGER, description="The version you last read."),
    BeforeValidator(whole_number),
]
PageSize = Annotated[
    int, Field(ge=1, le=100, description="Items per page."), BeforeValidator(whole_number)
]
