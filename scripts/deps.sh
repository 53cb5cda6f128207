#!/usr/bin/env bash
# Install the Debian packages Corral needs to build and test, if missing.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail

pkgs=(build-essential cmake ninja-build pkg-config
      libuv1-dev libsqlite3-dev libjansson-dev libsodium-dev libedit-dev
      libcmocka-dev libpq-dev zlib1g-dev jq sqlite3 clang libclang-rt-14-dev llvm
      procps passwd valgrind)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
