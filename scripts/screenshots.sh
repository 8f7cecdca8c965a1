#!/usr/bin/env bash
# Takes screenshots of the desktop app in demo mode under a virtual X display.
#
# Builds bin/bonsign, starts it under Xvfb (1024x768) with LANG=ko_KR.UTF-8 and a
# throw-away data directory, waits, and saves docs/screenshots/*.png.
# Needs xvfb-run, xauth and ImageMagick's import (make deps / scripts/deps.sh screenshots).
# WAIT (seconds, default 6) is how long the app gets to draw its first window.
set -euo pipefail

cd "$(dirname "$0")/.."
out=docs/screenshots
wait_s=${WAIT:-6}
mkdir -p bin "$out"

go build -o bin/bonsign .

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

export LANG=ko_KR.UTF-8
xvfb-run -a -s "-screen 0 1024x768x24" bash -euo pipefail -c '
	data=$1 wait_s=$2 out=$3
	./bin/bonsign -demo -data "$data" &
	pid=$!
	sleep "$wait_s"
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "screenshots.sh: bin/bonsign exited early" >&2
		wait "$pid" || true
		exit 1
	fi
	import -window root "$out/main.png"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
' screenshots "$data" "$wait_s" "$out"

ls -l "$out"
