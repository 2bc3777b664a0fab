#!/usr/bin/env bash
# Installs the Debian packages Veridoc needs, only those missing.
#   install-deps.sh run    what the server needs to run
#   install-deps.sh test   plus what the test suite needs (PostgreSQL server)
set -euo pipefail
what="${1:-run}"

run_pkgs=(ca-certificates)
test_pkgs=(postgresql postgresql-client python3)

pkgs=("${run_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "install-deps: please install: ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
