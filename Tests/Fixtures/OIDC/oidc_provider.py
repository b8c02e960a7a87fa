#!/usr/bin/env python3
"""A small OpenID Connect provider on loopback for the Cortex Hub OIDC tests
(CortexHubOIDCTests), signing ID tokens with PyJWT + cryptography.

    oidc_provider.py --client-id ID --client-secret SECRET

Listens on 127.0.0.1 with an ephemeral port, prints {"port": N} as one JSON
line on stdout, and serves until stdin closes (or it is killed). Its issuer
is http://127.0.0.1:N.

    GET  /.well-known/openid-configuration   discovery
    GET  /jwks                               an RSA (kid "rsa-1") and an EC
                                             P-256 (kid "ec-1") public key
    GET  /authorize?response_type=code&client_id=&redirect_uri=&state=&nonce=
                    &code_challenge=&code_challenge_method=S256
                                             302 to redirect_uri?code=..&state=..
                                             at once (no UI), remembering the
                                             nonce, the challenge and the user
    POST /token     client_secret_basic (or _post), grant_type=authorization_code,
                    code (single-use), redirect_uri, code_verifier (PKCE S256):
                    {"id_token": ..., "access_token": ..., "token_type": "Bearer"},
                    or 400 {"error": "invalid_grant"|...}
    POST /control   {"mode": M, "user": {"sub", "email", "email_verified",
                    "preferred_username", "name"}} for the next sign-ins;
                    {"rotate": true} replaces the RSA key by a new one under
                    a new kid ("rsa-2", "rsa-3", ...); {"auth_methods": [...]}
                    is what discovery lists and /token accepts
                    (client_secret_basic and client_secret_post by default)
    GET  /log       {"token_requests": N, "jwks_requests": N, "last_token_form": {...},
                     "last_token_auth": "client_secret_basic"|"client_secret_post"}

Modes (what /token issues): rs256, es256 (good tokens), bad-signature
(RS256 signed by another key under the current RSA kid), alg-none, hs256-public-key
(HS256 keyed with the RSA public key's PEM), wrong-aud, wrong-iss,
wrong-nonce, expired, future-iat, two-audiences (no azp), two-audiences-azp
(azp = the client: good), unknown-kid, refuse-code (400 invalid_grant),
server-error (500), hang (/token answers 500 only after 15 s).
"""
import base64
import hashlib
import hmac
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    def __init__(self, client_id, client_secret):
        self.client_id = client_id
        self.client_secret = client_secret
        self.issuer = None
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rsa_kid = "rsa-1"
        self.rotations = 1
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.lock = threading.Lock()
        self.mode = "rs256"
        self.user = {"sub": "subject-1", "email": "one@example.com", "email_verified": True,
                     "preferred_username": "oidcuser", "name": "OIDC User"}
        self.codes = {}
        self.token_requests = 0
        self.jwks_requests = 0
        self.last_token_form = {}
        self.last_token_auth = None
        self.auth_methods = ["client_secret_basic", "client_secret_post"]

    def jwks(self):
        rsa_jwk = json.loads(RSAAlgorithm.to_jwk(self.rsa.public_key()))
        rsa_jwk.update({"kid": self.rsa_kid, "use": "sig", "alg": "RS256"})
        ec_jwk = json.loads(ECAlgorithm.to_jwk(self.ec.public_key()))
        ec_jwk.update({"kid": "ec-1", "use": "sig", "alg": "ES256"})
        return {"keys": [rsa_jwk, ec_jwk]}

    def id_token(self, mode, grant):
        now = int(time.time())
        claims = dict(grant["user"])
        claims.update({"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                       "nonce": grant["nonce"]})
        if mode == "wrong-aud":
            claims["aud"] = "someone-else"
        elif mode == "wrong-iss":
            claims["iss"] = "http://evil.example"
        elif mode == "wrong-nonce":
            claims["nonce"] = "not-the-nonce"
        elif mode == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 600
        elif mode == "future-iat":
            claims["iat"], claims["exp"] = now + 600, now + 900
        elif mode in ("two-audiences", "two-audiences-azp"):
            claims["aud"] = [self.client_id, "another-client"]
            if mode == "two-audiences-azp":
                claims["azp"] = self.client_id
        if mode == "es256":
            return jwt.encode(claims, self.ec, algorithm="ES256", headers={"kid": "ec-1"})
        if mode == "bad-signature":
            return jwt.encode(claims, self.other_rsa, algorithm="RS256", headers={"kid": self.rsa_kid})
        if mode == "unknown-kid":
            return jwt.encode(claims, self.other_rsa, algorithm="RS256", headers={"kid": "rsa-rotated"})
        if mode == "alg-none":
            header = b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": self.rsa_kid}).encode())
            return header + "." + b64url(json.dumps(claims).encode()) + "."
        if mode == "hs256-public-key":
            # PyJWT refuses a PEM as an HMAC key (the very attack), so by hand.
            pem = self.rsa.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
            signing_input = (b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.rsa_kid}).encode()) + "."
                             + b64url(json.dumps(claims).encode()))
            return signing_input + "." + b64url(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())
        return jwt.encode(claims, self.rsa, algorithm="RS256", headers={"kid": self.rsa_kid})


PROVIDER = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, value, headers=()):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, val in headers:
            self.send_header(name, val)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        p = PROVIDER
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            base = p.issuer
            return self.send_json(200, {
                "issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
                "jwks_uri": base + "/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "token_endpoint_auth_methods_supported": p.auth_methods,
                "code_challenge_methods_supported": ["S256"]})
        if url.path == "/jwks":
            with p.lock:
                p.jwks_requests += 1
            return self.send_json(200, p.jwks())
        if url.path == "/authorize":
            needed = ["response_type", "client_id", "redirect_uri", "state", "nonce", "code_challenge",
                      "code_challenge_method", "scope"]
            if any(k not in query for k in needed) or query["response_type"] != "code" \
                    or query["client_id"] != p.client_id or query["code_challenge_method"] != "S256" \
                    or "openid" not in query["scope"].split(" "):
                return self.send_json(400, {"error": "invalid_request"})
            code = secrets.token_urlsafe(24)
            with p.lock:
                p.codes[code] = {"nonce": query["nonce"], "challenge": query["code_challenge"],
                                 "redirect_uri": query["redirect_uri"], "user": dict(p.user)}
            sep = "&" if "?" in query["redirect_uri"] else "?"
            return self.redirect(query["redirect_uri"] + sep + urllib.parse.urlencode(
                {"code": code, "state": query["state"]}))
        if url.path == "/log":
            with p.lock:
                return self.send_json(200, {"token_requests": p.token_requests, "jwks_requests": p.jwks_requests,
                                            "last_token_form": p.last_token_form,
                                            "last_token_auth": p.last_token_auth})
        self.send_json(404, {"error": "not_found"})

    def do_POST(self):
        p = PROVIDER
        url = urllib.parse.urlsplit(self.path)
        raw = self.body()
        if url.path == "/control":
            change = json.loads(raw or b"{}")
            with p.lock:
                if "mode" in change:
                    p.mode = change["mode"]
                if "user" in change:
                    p.user = change["user"]
                if "auth_methods" in change:
                    p.auth_methods = change["auth_methods"]
                if change.get("rotate"):
                    p.rotations += 1
                    p.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                    p.rsa_kid = "rsa-%d" % p.rotations
            return self.send_json(200, {"ok": True})
        if url.path != "/token":
            return self.send_json(404, {"error": "not_found"})
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        with p.lock:
            p.token_requests += 1
            p.last_token_form = {k: v for k, v in form.items() if k != "client_secret"}
            mode = p.mode
        if mode == "hang":
            time.sleep(15)
        if mode in ("server-error", "hang"):
            return self.send_json(500, {"error": "server_error"})
        client, secret = form.get("client_id"), form.get("client_secret")
        method = "client_secret_post"
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            if secret is not None:
                return self.send_json(400, {"error": "invalid_request"})  # two methods at once
            pair = base64.b64decode(auth[6:]).decode()
            client, _, secret = pair.partition(":")
            client, secret = urllib.parse.unquote_plus(client), urllib.parse.unquote_plus(secret)
            method = "client_secret_basic"
        with p.lock:
            p.last_token_auth = method
            allowed = method in p.auth_methods
        if not allowed or client != p.client_id or secret != p.client_secret:
            return self.send_json(401, {"error": "invalid_client"})
        with p.lock:
            grant = p.codes.pop(form.get("code", ""), None)
        if mode == "refuse-code" or grant is None or form.get("grant_type") != "authorization_code" \
                or form.get("redirect_uri") != grant["redirect_uri"]:
            return self.send_json(400, {"error": "invalid_grant"})
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return self.send_json(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
        self.send_json(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                             "id_token": p.id_token(mode, grant)}, headers=[("Cache-Control", "no-store")])


def main():
    global PROVIDER
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    PROVIDER = Provider(args["--client-id"], args["--client-secret"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    PROVIDER.issuer = "http://127.0.0.1:%d" % server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    sys.stdin.read()  # the test closes stdin (or kills us) to stop


if __name__ == "__main__":
    main()
