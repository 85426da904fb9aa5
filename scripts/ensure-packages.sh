#!/bin/sh
# Installs the Debian packages named as arguments when any is missing (as root, with apt-get);
# otherwise prints the one apt-get line to run and fails. Usage: ensure-packages.sh PKG...
set -u
missing=""
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "mica: missing Debian packages:$missing" >&2
    echo "mica: install them with:  sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "mica: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || { echo "mica: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || {
    echo "mica: apt-get install failed for:$missing" >&2
    exit 1
}
