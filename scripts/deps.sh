#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages bonsign needs, only those that are missing.
#
# Usage: scripts/deps.sh [PROFILE]
#   run          build the Fyne desktop app (cgo: C compiler, OpenGL and X11 headers)
#   test         run + openssl, SoftHSM2 and OpenSC (PKCS#11 tests), chromium,
#                Xvfb and xauth (UI and browser tests), PostgreSQL (scripts/pg.sh)
#   screenshots  run + Xvfb, xauth and ImageMagick (scripts/screenshots.sh)
#
# Runs apt-get non-interactively as root, through sudo when not root. Set SKIP_DEPS=1
# to skip it (e.g. on a machine managed otherwise). Without dpkg/apt-get it only warns.
set -euo pipefail

profile=${1:-run}
if [ -n "${SKIP_DEPS:-}" ]; then
	exit 0
fi

build=(make gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev)
case $profile in
run) want=("${build[@]}") ;;
test) want=("${build[@]}" openssl softhsm2 opensc chromium xvfb xauth poppler-utils postgresql) ;;
screenshots) want=("${build[@]}" xvfb xauth imagemagick) ;;
*)
	echo "deps.sh: unknown profile '$profile' (want run, test or screenshots)" >&2
	exit 2
	;;
esac

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "deps.sh: no dpkg/apt-get here; make sure these are installed: ${want[*]}" >&2
	exit 0
fi

missing=()
for p in "${want[@]}"; do
	if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" != "ii " ]; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo=(sudo)
	else
		echo "deps.sh: missing packages: ${missing[*]}; run as root or install sudo" >&2
		exit 1
	fi
fi

echo "deps.sh: installing ${missing[*]}" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
