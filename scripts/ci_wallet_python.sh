#!/usr/bin/env bash
# Installs the independent SD-JWT verifier used by
# crates/wallet/tests/wallet/independent_verifier.rs (scripts/verify_sdjwt.py).
# Called from .ci/run before the tests; safe to run repeatedly.
set -euo pipefail
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore sd-jwt==0.10.4
python3 -c 'import sd_jwt, jwcrypto; print("sd-jwt", "installed")'
