"""The local stack's signing keys, and access tokens shaped like Supabase Auth's."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

# The JWT secret Supabase's CLI uses for every local project: public, never for production.
LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"  # noqa: S105


def local_anon_key(secret: str = LOCAL_JWT_SECRET) -> str:
    """Return a local project's anon API key: a long-lived `anon` token signed with `secret`."""
    return jwt.encode(
        {"iss": "supabase-demo", "role": "anon", "exp": 1983812996}, secret, algorithm="HS256"
    )


class LocalKeys:
    """An ES256 key pair (generated once per stack) plus Supabase's local HS256 secret.

    Files: `signing-key.pem` (private, 0600), `jwks.json` (for PostgREST: the HS256 secret as an
    `oct` key and the public EC key) and `jwks.public.json` (the public EC key only, for the BFF).
    """

    def __init__(self, folder: Path, secret: str = LOCAL_JWT_SECRET) -> None:
        self.folder = folder
        self.secret = secret
        self.private_key_file = folder / "signing-key.pem"
        self.jwks_file = folder / "jwks.json"
        self.public_jwks_file = folder / "jwks.public.json"

    def ensure(self) -> None:
        """Create the key files unless they exist."""
        if not self.private_key_file.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            self.folder.mkdir(parents=True, exist_ok=True)
            self.private_key_file.touch(mode=0o600)
            self.private_key_file.write_bytes(pem)
            (self.folder / "signing-key.kid").write_text(secrets.token_hex(8))
        public = self._public_jwk()
        self.public_jwks_file.write_text(json.dumps({"keys": [public]}))
        secret_jwk = {
            "kty": "oct",
            "alg": "HS256",
            "k": base64.urlsafe_b64encode(self.secret.encode()).rstrip(b"=").decode(),
        }
        self.jwks_file.touch(mode=0o600)
        self.jwks_file.write_text(json.dumps({"keys": [secret_jwk, public]}))

    @property
    def kid(self) -> str:
        return (self.folder / "signing-key.kid").read_text().strip()

    def _private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.private_key_file.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    def _public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(self._private_key().public_key()))
        jwk.update({"kid": self.kid, "alg": "ES256", "use": "sig", "key_ops": ["verify"]})
        return jwk

    def access_token(
        self, user_id: str, email: str, *, algorithm: str = "ES256", ttl: int = 3600
    ) -> str:
        """Return an access token for the user, with the claims Supabase Auth puts in one."""
        now = int(time.time())
        claims = {
            "iss": "http://127.0.0.1:54321/auth/v1",
            "aud": "authenticated",
            "sub": user_id,
            "role": "authenticated",
            "email": email,
            "phone": "",
            "aal": "aal1",
            "amr": [{"method": "password", "timestamp": now}],
            "session_id": str(uuid.uuid4()),
            "is_anonymous": False,
            "app_metadata": {"provider": "email", "providers": ["email"]},
            "user_metadata": {},
            "iat": now,
            "exp": now + ttl,
        }
        if algorithm == "HS256":
            return jwt.encode(claims, self.secret, algorithm="HS256")
        if algorithm == "ES256":
            return jwt.encode(
                claims, self._private_key(), algorithm="ES256", headers={"kid": self.kid}
            )
        raise ValueError(f"unsupported algorithm {algorithm!r}; use ES256 or HS256")
