# Sourced by the scripts: Python tools the tests run, from PyPI, in a venv
# under .build (nothing system-wide changes). Today: openapi-spec-validator,
# which the Cortex Hub tests run on the dialect's /openapi.json, and PyJWT +
# cryptography, with which Tests/Fixtures/OIDC/oidc_provider.py signs ID
# tokens for the Cortex Hub OIDC tests; scim2-tester (with its HTTP engine)
# and scim-sanity, which the SCIM tests run against the dialect; schemathesis,
# which checks each dialect against its own OpenAPI document; prometheus-client,
# whose parser reads the admin listener's /metrics; passlib (with argon2-cffi
# for its argon2) and firebase-scrypt, which make the password plugin's
# imported-format fixtures (AuthPasswordFormatsTests); selenium, which drives
# headless Chromium through the admin console (ConsoleBrowserTests).
# Usage: ensure_python_tools
PYTHON_TOOLS_VENV=.build/tools/python
PYTHON_TOOLS=(openapi-spec-validator pyjwt cryptography 'scim2-tester[httpx2]==0.5.2' 'scim-sanity==0.7.4' 'schemathesis==4.32.5' prometheus-client 'passlib==1.7.4' 'argon2-cffi==23.1.0' 'firebase-scrypt==0.1.0' 'selenium==4.50.0')

ensure_python_tools() {
    [ -x "$PYTHON_TOOLS_VENV/bin/openapi-spec-validator" ] \
        && [ -x "$PYTHON_TOOLS_VENV/bin/scim-sanity" ] \
        && [ -x "$PYTHON_TOOLS_VENV/bin/st" ] \
        && "$PYTHON_TOOLS_VENV/bin/python" -c "import jwt, cryptography, scim2_tester, httpx2, prometheus_client, passlib, argon2, firebase_scrypt, selenium" 2>/dev/null && return 0
    echo "installing Python test tools into $PYTHON_TOOLS_VENV: ${PYTHON_TOOLS[*]}"
    [ -x "$PYTHON_TOOLS_VENV/bin/pip" ] || python3 -m venv "$PYTHON_TOOLS_VENV"
    "$PYTHON_TOOLS_VENV/bin/pip" install -q "${PYTHON_TOOLS[@]}"
}
