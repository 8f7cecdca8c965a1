#!/usr/bin/env bash
# Rebuilds assets/fonts/BonsignGothic-{Regular,Bold}.ttf from Debian's fonts-nanum.
#
# The result is a Modified Version under the SIL Open Font License 1.1: a subset
# (Hangul, Latin, punctuation and a few symbols, no hinting) of NanumGothic, renamed
# because the OFL reserves the name "Nanum", with four glyphs drawn here added
# (check marks U+2713/U+2714 and ballot crosses U+2717/U+2718, which the original lacks).
#
# Needs pyftsubset and the fontTools module (Debian: fonttools / python3-fonttools).
# Usage: assets/tools/subset-font.sh [SRC_DIR]   (default /usr/share/fonts/truetype/nanum)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)/fonts
src=${1:-/usr/share/fonts/truetype/nanum}
# Debian's fontTools lives in the system python; a pyenv/venv python3 may lack it.
py=${PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3
command -v pyftsubset >/dev/null || { echo "pyftsubset not found (apt-get install fonttools)" >&2; exit 1; }

unicodes=(
	U+0020-007E U+00A0-00FF            # Basic Latin, Latin-1
	U+1100-11FF U+3130-318F            # Hangul Jamo, compatibility Jamo
	U+AC00-D7A3                        # all 11,172 Hangul syllables
	U+2000-206F                        # general punctuation (incl. ※ U+203B)
	U+20A9 U+20AC U+2100-214F          # ₩ €, letterlike symbols (№ ™ ℃)
	U+2190-21FF                        # arrows
	U+2212 U+221E U+2260 U+2264 U+2265 # − ∞ ≠ ≤ ≥
	U+2460-24FF                        # enclosed alphanumerics (①)
	U+25A0-25FF                        # geometric shapes (○ ● □ ■ ▶)
	U+2605 U+2606 U+260E               # ★ ☆ ☎
	U+3000-303F                        # CJK symbols and punctuation
	U+3200-32FF                        # enclosed CJK letters (㈜)
	U+FF00-FFEF                        # halfwidth and fullwidth forms
)
ulist=$(IFS=,; echo "${unicodes[*]}")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for style in Regular Bold; do
	case $style in
	Regular) in=$src/NanumGothic.ttf ;;
	Bold) in=$src/NanumGothicBold.ttf ;;
	esac
	pyftsubset "$in" \
		--unicodes="$ulist" \
		--no-hinting \
		--notdef-outline --recommended-glyphs \
		--no-glyph-names \
		--name-IDs='*' --name-languages='*' --name-legacy \
		--drop-tables+=TSI0,TSI1,TSI2,TSI3,TSI5,DSIG \
		--output-file="$tmp/$style.ttf"
	"$py" - "$tmp/$style.ttf" "$out/BonsignGothic-$style.ttf" "$style" <<'PY'
import math, sys
from fontTools.ttLib import TTFont
from fontTools.pens.ttGlyphPen import TTGlyphPen

src, dst, style = sys.argv[1:4]
f = TTFont(src)
bold = style == "Bold"

# --- new names (OFL: a Modified Version must not use the Reserved Font Names) ---
family = "Bonsign Gothic"
ps = "BonsignGothic-" + style
full = family if style == "Regular" else family + " " + style
version = "Version 3.021; bonsign subset 1"
names = {
    0: "Copyright (c) 2010, NAVER Corporation (http://www.nhncorp.com). "
       "Modified (subset, renamed, glyphs added) for bonsign.",
    1: family,
    2: style,
    3: "3.021;BONSIGN;" + ps,
    4: full,
    5: version,
    6: ps,
    9: "Bruce Kwon; Nicolas Noh; Sung-woo Choi (Sandoll Communications Inc.)",
    10: "Renamed subset of a NAVER Corporation font, modified for the bonsign application.",
    13: "This Font Software is licensed under the SIL Open Font License, Version 1.1. "
        "This license is available with a FAQ at: https://openfontlicense.org",
    14: "https://openfontlicense.org",
}
name = f["name"]
name.names = []
for nid, s in names.items():
    name.setName(s, nid, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
    name.setName(s, nid, 1, 0, 0)      # Macintosh, Roman, English
f["OS/2"].achVendID = "NONE"

# --- add ✓ ✔ ✗ ✘, drawn as plain polygons in a 940-unit box like ○ ● ---
upm = f["head"].unitsPerEm
adv = 940 * upm // 1000
stem = (110 if bold else 76) * upm / 1000

def offset_line(p, q, d):
    dx, dy = q[0] - p[0], q[1] - p[1]
    l = math.hypot(dx, dy)
    nx, ny = -dy / l * d, dx / l * d
    return (p[0] + nx, p[1] + ny), (q[0] + nx, q[1] + ny)

def intersect(a, b):
    (x1, y1), (x2, y2) = a
    (x3, y3), (x4, y4) = b
    den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den
    return (x1 + t * (x2 - x1), y1 + t * (y2 - y1))

def area(pts):
    return sum(pts[i][0] * pts[i - 1][1] - pts[i - 1][0] * pts[i][1] for i in range(len(pts))) / 2

def clockwise(pts):
    # TrueType outer contours run clockwise (y up): negative shoelace area
    # with this formula means counter-clockwise, so flip it.
    return list(reversed(pts)) if area(pts) < 0 else pts

def check(w):
    s = upm / 1000
    p0, p1, p2 = (150 * s, 330 * s), (380 * s, 80 * s), (800 * s, 640 * s)
    h = w / 2
    l01, l12 = offset_line(p0, p1, h), offset_line(p1, p2, h)
    r01, r12 = offset_line(p0, p1, -h), offset_line(p1, p2, -h)
    pts = [l01[0], intersect(l01, l12), l12[1], r12[1], intersect(r01, r12), r01[0]]
    return [clockwise(pts)]

def cross(w):
    s = upm / 1000
    a, b = 190 * s, 750 * s
    ylo, yhi = 40 * s, 600 * s
    c = ((a + b) / 2, (ylo + yhi) / 2)
    h = w / 2
    A = ((a, ylo), (b, yhi))
    B = ((a, yhi), (b, ylo))
    Al, Ar = offset_line(*A, h), offset_line(*A, -h)
    Bl, Br = offset_line(*B, h), offset_line(*B, -h)
    pts = [Al[0], Al[1], Ar[0], Ar[1], Bl[0], Bl[1], Br[0], Br[1]]
    pts += [intersect(x, y) for x in (Al, Ar) for y in (Bl, Br)]
    # The union of the two bars is star-shaped around the centre.
    pts.sort(key=lambda p: -math.atan2(p[1] - c[1], p[0] - c[0]))
    return [clockwise(pts)]

def glyph(contours):
    pen = TTGlyphPen(None)
    for pts in contours:
        pen.moveTo(tuple(round(v) for v in pts[0]))
        for p in pts[1:]:
            pen.lineTo(tuple(round(v) for v in p))
        pen.closePath()
    return pen.glyph()

new = {
    0x2713: ("uni2713", check(stem)),
    0x2714: ("uni2714", check(stem * 1.6)),
    0x2717: ("uni2717", cross(stem)),
    0x2718: ("uni2718", cross(stem * 1.6)),
}
order = f.getGlyphOrder()
glyf, hmtx = f["glyf"], f["hmtx"]
for cp, (gname, contours) in new.items():
    if gname not in order:
        order.append(gname)
    g = glyph(contours)
    g.recalcBounds(glyf)
    glyf[gname] = g
    hmtx[gname] = (adv, g.xMin)
f.setGlyphOrder(order)
glyf.glyphOrder = order
for t in f["cmap"].tables:
    if t.isUnicode():
        for cp, (gname, _) in new.items():
            if cp <= 0xFFFF or t.format in (12, 13):
                t.cmap[cp] = gname
f["maxp"].numGlyphs = len(order)
f.save(dst)
PY
	printf '%s: %s bytes\n' "$out/BonsignGothic-$style.ttf" "$(stat -c %s "$out/BonsignGothic-$style.ttf")"
done
