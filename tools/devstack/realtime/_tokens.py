"""Access tokens checked the way Realtime checks them (`RealtimeWeb.JwtVerification`,
`RealtimeWeb.ChannelsAuthorization`), with the stack's keys and Realtime's refusal texts.

HS256 tokens are verified with the `oct` key of the stack's JWKS (the project's JWT secret),
ES256 tokens with the EC key named by their `kid`. Realtime then requires `role` and `exp` and
refuses an expired token. One rule is the stand-in's own, asked of it by the project: a token
must be meant for signed-in users (`aud` = `authenticated`) or be the anon key (`role` = `anon`);
Realtime checks `aud` only when its deployment configures `JWT_CLAIM_VALIDATORS`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

_HS = ("HS256", "HS384", "HS512")
_ES = ("ES256", "ES384", "ES512")
_RS = ("RS256", "RS384", "RS512")
_KEY_TYPES = {**dict.fromkeys(_ES, "EC"), **dict.fromkeys(_RS, "RSA")}
_ONLY_SIGNATURE = {
    "verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
    "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False,
}  # fmt: skip


class TokenRefused(Exception):
    """The token does not open a channel; `code: message` is what Realtime answers a join with."""

    def __init__(self, code: str, message: str, *, at_connect: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.at_connect = at_connect or message
        """What Realtime's WebSocket handshake answers (HTTP 401) when the API key is refused."""

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Claims:
    """A verified token's claims."""

    values: dict[str, Any]

    @property
    def role(self) -> str:
        return str(self.values["role"])

    @property
    def expires_at(self) -> int:
        return int(self.values["exp"])


_MALFORMED = TokenRefused("MalformedJWT", "The token provided is not a valid JWT")
_BAD_SIGNATURE = TokenRefused("JwtSignatureError", "Failed to validate JWT signature")
_MISSING_CLAIMS = TokenRefused("InvalidJWTToken", "Fields `role` and `exp` are required in JWT")
_WRONG_AUDIENCE = TokenRefused(
    "InvalidJWTToken", 'Field `aud` must be "authenticated" (or the token must be the anon key)'
)


def _signer_error(kid: str | None) -> TokenRefused:
    which = "" if kid is None else f" for key ID (kid) {json.dumps(kid)}"
    return TokenRefused(
        "JwtSignerError",
        f"Failed to generate JWT signer{which}, check your JWT secret or JWKS configuration",
    )


class TokenVerifier:
    """Verifies tokens against the stack's `jwks.json` (re-read when a `kid` is not in it)."""

    def __init__(self, keys_dir: Path) -> None:
        self._jwks_file = keys_dir / "jwks.json"
        self._keys = self._read_keys()

    def _read_keys(self) -> list[dict[str, Any]]:
        keys: list[dict[str, Any]] = json.loads(self._jwks_file.read_text())["keys"]
        return keys

    def verify(self, token: str) -> Claims:
        """Return the token's claims, or raise `TokenRefused` with Realtime's reason."""
        try:
            header = jwt.get_unverified_header(token)
            values = jwt.decode(token, options={"verify_signature": False})
        except jwt.DecodeError:
            raise _MALFORMED from None
        key = self._signing_key(header)
        try:
            jwt.decode(token, key, algorithms=[header["alg"]], options=_ONLY_SIGNATURE)  # type: ignore[arg-type]
        except jwt.InvalidSignatureError:
            raise _BAD_SIGNATURE from None
        except (jwt.InvalidKeyError, jwt.PyJWKError, jwt.InvalidAlgorithmError):
            raise _signer_error(header.get("kid")) from None
        except jwt.DecodeError:
            raise _MALFORMED from None
        return _checked(values)

    def _signing_key(self, header: dict[str, Any]) -> jwt.PyJWK:
        alg, kid = header.get("alg"), header.get("kid")
        if alg in _HS:
            secrets = [k for k in self._keys if k.get("kty") == "oct"]
            named = [k for k in secrets if kid is not None and k.get("kid") == kid]
            chosen = named or [k for k in secrets if "kid" not in k]
            if not chosen:
                raise _signer_error(None)
            return jwt.PyJWK({**chosen[0], "alg": alg})
        if alg in _KEY_TYPES and isinstance(kid, str):
            for refresh in (False, True):
                if refresh:
                    self._keys = self._read_keys()
                for key in self._keys:
                    if key.get("kty") == _KEY_TYPES[alg] and key.get("kid") == kid:
                        return jwt.PyJWK({**key, "alg": alg})
            raise _signer_error(kid)
        raise _signer_error(None)


def _checked(values: dict[str, Any]) -> Claims:
    exp = values.get("exp")
    now = int(time.time())
    if isinstance(exp, int | float) and exp <= now:
        raise TokenRefused(
            "InvalidJWTToken",
            f"Token has expired {now - round(exp)} seconds ago",
            at_connect="Token has expired",
        )
    if "role" not in values or not isinstance(exp, int | float):
        raise _MISSING_CLAIMS
    audience = values.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if "authenticated" not in audiences and values["role"] != "anon":
        raise _WRONG_AUDIENCE
    return Claims({**values, "exp": round(exp)})
