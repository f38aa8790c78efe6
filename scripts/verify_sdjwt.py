#!/usr/bin/env python3
"""Verify a Yuesou wallet presentation (SD-JWT + key binding, RFC 9901)
offline with an independent implementation: the PyPI `sd-jwt` package.

Usage:
    verify_sdjwt.py TOKEN_FILE --jwks JWKS_FILE --aud=AUD --nonce=NONCE [--now=UNIX]

Write `--nonce=NONCE`: a random base64url nonce may begin with `-`.

TOKEN_FILE may be `-` for standard input. On success prints the token's
plain claims and the disclosed fields as JSON and exits 0; on any failure
prints the reason to standard error and exits 1.

Checks done here in addition to the package's own (issuer signature with
the key named by `kid`, key binding signature with `cnf.jwk`, `aud`,
`nonce`, `sd_hash`): header `typ`, `exp` against --now (default: the
current time), and that every presented disclosure is covered by a signed
digest (the package silently ignores unreferenced disclosures).
"""

import argparse
import base64
import hashlib
import json
import sys
import time

import sd_jwt.verifier
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

# sd-jwt 0.10 pins the key binding JWT algorithm to ES256; None makes it use
# the header's `alg` (EdDSA here), which jwcrypto checks against the key.
sd_jwt.verifier.DEFAULT_SIGNING_ALG = None

# Claims the issuer signs in clear; everything else in the output was
# selectively disclosed.
PLAIN_CLAIMS = {"iss", "iat", "exp", "vct", "status", "licence_valid", "cnf"}


def b64url_json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def b64url_sha256(text):
    digest = hashlib.sha256(text.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("token", help="file holding the token, or - for stdin")
    parser.add_argument("--jwks", required=True, help="issuer JWKS file")
    parser.add_argument("--aud", required=True, help="expected KB-JWT aud")
    parser.add_argument("--nonce", required=True, help="expected KB-JWT nonce")
    parser.add_argument("--now", type=int, default=None, help="unix time for exp")
    args = parser.parse_args()

    raw = sys.stdin.read() if args.token == "-" else open(args.token, encoding="ascii").read()
    token = raw.strip()
    with open(args.jwks, encoding="utf-8") as f:
        jwks = json.load(f)
    keys = {k["kid"]: k for k in jwks.get("keys", []) if "kid" in k}

    issuer_jwt = token.split("~")[0]
    header = b64url_json(issuer_jwt.split(".")[0])
    if header.get("typ") != "dc+sd-jwt" or header.get("alg") != "EdDSA":
        raise ValueError(f"unexpected header {header}")

    def issuer_key(_iss, header_parameters):
        kid = header_parameters.get("kid")
        if kid not in keys:
            raise ValueError(f"unknown kid {kid!r}")
        return JWK.from_json(json.dumps(keys[kid]))

    verifier = SDJWTVerifier(token, issuer_key, expected_aud=args.aud, expected_nonce=args.nonce)
    payload = verifier.get_verified_payload()

    now = args.now if args.now is not None else int(time.time())
    if payload["exp"] <= now:
        raise ValueError("expired")

    signed_digests = set(b64url_json(issuer_jwt.split(".")[1]).get("_sd", []))
    for disclosure in token.split("~")[1:-1]:
        if b64url_sha256(disclosure) not in signed_digests:
            raise ValueError("a disclosure is not covered by a signed digest")

    out = {k: payload[k] for k in ("iss", "vct", "licence_valid", "exp")}
    out["status"] = payload.get("status")
    out["disclosed"] = {k: v for k, v in payload.items() if k not in PLAIN_CLAIMS}
    print(json.dumps(out, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report any failure as a verification failure
        print(f"verification failed: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
