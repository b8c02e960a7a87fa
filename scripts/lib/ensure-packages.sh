# Sourced by the scripts: installs the Debian packages that are missing.
# Usage: ensure_packages pkg...
ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing missing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What building Proteus needs beyond the Swift toolchain.
# libqrencode-dev and libpng-dev: a TOTP enrolment's QR code (SecondFactorEnrolment: LISTEN.moe, the console).
# zlib1g-dev: the AIOStreams dialect's import (the original deflates configs).
BUILD_PACKAGES=(libsqlite3-dev libpq-dev libssl-dev libargon2-dev libcrypt-dev libcurl4-openssl-dev libqrencode-dev libpng-dev libyaml-dev zlib1g-dev gcc)
# What the tests need beyond building: the outbound HTTP tests make a CA with
# the openssl CLI and serve HTTPS with python3 (Tests/Fixtures/OutboundHTTP);
# python3-venv holds the PyPI tools of scripts/lib/python-tools.sh; the
# LISTEN.moe MFA tests read the QR code with zbarimg (zbar-tools) and
# compute codes with oathtool, as a user's authenticator would.
# nginx-light and systemd: the packaging tests check packaging/ with `nginx -t`
# and `systemd-analyze verify`. chromium and chromium-driver: the console's
# browser test drives headless Chromium with selenium (ConsoleBrowserTests).
TEST_PACKAGES=(python3 python3-venv openssl zbar-tools oathtool nginx-light systemd chromium chromium-driver)
