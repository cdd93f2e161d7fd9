#!/usr/bin/env bash
# Install the Debian packages named as arguments when some are missing.
# As root (a fresh Debian machine, CI) it runs apt-get; otherwise it prints the command to run and
# carries on: the tests that need a missing program skip and say why.
set -u
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "note: not a Debian system; install the equivalent of: ${missing[*]}" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "note: missing system packages: ${missing[*]}" >&2
  echo "      run: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "error: apt-get could not install: ${missing[*]}" >&2; exit 1; }
