#!/usr/bin/env bash
# Redraws assets/icon.png (512x512): a rounded blue square with a white check mark
# above a handwritten-looking signature on a signature line.
# Needs ImageMagick 6; /usr/bin/convert is used by its full path on purpose
# (another "convert" may come first on PATH).
set -euo pipefail
out=$(cd "$(dirname "$0")/.." && pwd)/icon.png
convert=${CONVERT:-/usr/bin/convert}
"$convert" -size 512x512 gradient:'#3B82F6-#1D4ED8' \
	\( -size 512x512 xc:none -fill white -draw "roundrectangle 16,16 495,495 104,104" \) \
	-alpha off -compose CopyOpacity -composite -compose Over \
	-fill none -stroke white -strokewidth 46 \
	-draw "stroke-linecap round stroke-linejoin round polyline 140,222 222,304 378,130" \
	-strokewidth 14 \
	-draw "stroke-linecap round stroke-linejoin round path 'M 112,376 C 132,328 164,322 170,356 C 176,392 150,412 146,388 C 142,364 196,336 226,368 C 246,390 262,392 282,364 C 298,342 312,344 318,368 C 324,392 350,386 400,352'" \
	-stroke 'rgba(255,255,255,0.55)' -strokewidth 6 -draw "stroke-linecap round line 112,418 400,418" \
	-depth 8 -define png:color-type=6 -strip "$out"
echo "$out"
