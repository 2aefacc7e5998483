"""A real, minimal OpenID Connect provider on loopback for the FranceConnect tests.

It serves discovery, JWKS, authorize (auto-consent for the identity set on it), token (authorization code
with PKCE S256 checked, client secret checked) and userinfo, and signs ID tokens with a real RSA key (RS256).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.jwk import RSAKey


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class OidcProvider:
    def __init__(self, *, client_id: str = "opencpf-test", client_secret: str = "s3cret-for-tests") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"}, private=True)
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"}, private=True)
        self.sign_with_rogue_key = False
        self.identity: dict[str, Any] = {}
        self.acr = "eidas2"
        self.sub = "fc-sub-0001"
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.server: WSGIServer | None = None

    # --- lifecycle ---
    def start(self) -> OidcProvider:
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_QuietHandler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    # --- WSGI ---
    def app(self, environ: dict, start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        self.requests.append(path)
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        body: dict[str, str] = {}
        if environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
        handler = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
            "/userinfo": self.userinfo,
        }.get(path)
        if handler is None:
            return self._json(start_response, {"error": "not_found"}, "404 Not Found")
        return handler(environ, start_response, query, body)

    def _json(self, start_response: Any, data: Any, status: str = "200 OK") -> list[bytes]:
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(data).encode()]

    def discovery(self, environ: dict, start_response: Any, query: dict, body: dict) -> list[bytes]:
        return self._json(
            start_response,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "acr_values_supported": ["eidas1", "eidas2", "eidas3"],
            },
        )

    def jwks(self, environ: dict, start_response: Any, query: dict, body: dict) -> list[bytes]:
        return self._json(start_response, {"keys": [self.key.as_dict(private=False)]})

    def authorize(self, environ: dict, start_response: Any, query: dict, body: dict) -> list[bytes]:
        if (
            query.get("client_id") != self.client_id
            or query.get("response_type") != "code"
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
            or not query.get("state")
            or not query.get("nonce")
            or "openid" not in query.get("scope", "").split()
        ):
            return self._json(start_response, {"error": "invalid_request", "query": query}, "400 Bad Request")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "challenge": query["code_challenge"],
            "nonce": query["nonce"],
            "acr_values": query.get("acr_values", ""),
        }
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        start_response("302 Found", [("Location", location)])
        return [b""]

    def token(self, environ: dict, start_response: Any, query: dict, body: dict) -> list[bytes]:
        client_id, client_secret = body.get("client_id"), body.get("client_secret")
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        grant = self.codes.pop(body.get("code", ""), None)
        verifier = body.get("code_verifier", "")
        expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            client_id != self.client_id
            or client_secret != self.client_secret
            or grant is None
            or body.get("grant_type") != "authorization_code"
            or body.get("redirect_uri") != grant["redirect_uri"]
            or expected != grant["challenge"]
        ):
            return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
        access = secrets.token_urlsafe(24)
        self.tokens[access] = {"sub": self.sub, **self.identity}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.sub,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 60,
            "nonce": grant["nonce"],
            "acr": self.acr,
        }
        key = self.rogue_key if self.sign_with_rogue_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return self._json(
            start_response, {"access_token": access, "token_type": "Bearer", "expires_in": 60, "id_token": id_token}
        )

    def userinfo(self, environ: dict, start_response: Any, query: dict, body: dict) -> list[bytes]:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        data = self.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        if data is None:
            return self._json(start_response, {"error": "invalid_token"}, "401 Unauthorized")
        return self._json(start_response, data)


def follow_to_callback(authorize_url: str) -> str:
    """Play the user's browser at the provider: GET authorize, return the callback path and query."""
    import requests

    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    location = urlparse(response.headers["Location"])
    return f"{location.path}?{location.query}"
