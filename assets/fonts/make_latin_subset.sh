#!/usr/bin/env bash
# make_latin_subset.sh — rebuild the bundled Latin chart-label font in one command.
#
#   bash assets/fonts/make_latin_subset.sh
#
# Produces, next to this script:
#   DejaVuSans-subset.ttf   DejaVu Sans (assets/fonts/DejaVuSans.ttf, 760 KB, kept in the
#                           repository as the source) cut to the scripts and symbols a sales
#                           chart shows, with the TrueType hinting programs dropped: 306 KB.
#
# What is kept: Latin (Basic, Latin-1, Extended-A/B/C/D, Additional, IPA, combining marks,
# ligatures), Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic (with presentation forms),
# punctuation, super/subscripts, currency signs, letterlike symbols, number forms, arrows,
# mathematical operators, enclosed numbers, box drawing, blocks and geometric shapes, and
# U+FFFD. Dropped: technical symbols, miscellaneous symbols, dingbats and the other scripts
# DejaVu Sans has (Lao, N'Ko, Tifinagh, Ogham, Runic, Canadian syllabics, Coptic, Braille and
# a few more). Text in those is drawn with a system font, or the chart is refused naming the
# characters, as for any script no bundled font has.
#
# Why drop the hinting: charts are rasterised by ab_glyph, which does not run TrueType
# instructions, so the outlines, advances and kerning it uses are unchanged (a test compares
# them with the source font glyph by glyph, and the charts are byte-identical to the ones drawn
# with the full font). The legacy 'kern' table is kept: ab_glyph reads kerning from it.
#
# Licence: the Bitstream Vera terms (DejaVuSans-LICENSE.txt) allow modified copies whose names
# do not contain "Bitstream" or "Vera"; the family name stays "DejaVu Sans".
#
# Needs python3 with venv; fontTools comes from PyPI into a throwaway venv.
# Overridable: FONTTOOLS_VERSION (default below), FONTVENV (a venv to reuse).
set -euo pipefail

FONTTOOLS_VERSION="${FONTTOOLS_VERSION:-4.68.0}"
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

VENV="${FONTVENV:-$WORK/venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q "fonttools==$FONTTOOLS_VERSION"

UNICODES="U+0000-036F,U+1E00-1EFF,U+2C60-2C7F,U+A720-A7FF,U+FB00-FB06"   # Latin, IPA, marks
UNICODES="$UNICODES,U+0370-03FF,U+1F00-1FFF"                             # Greek
UNICODES="$UNICODES,U+0400-052F,U+2DE0-2DFF,U+A640-A69F"                 # Cyrillic
UNICODES="$UNICODES,U+0530-058F,U+10A0-10FF,U+2D00-2D2F"                 # Armenian, Georgian
UNICODES="$UNICODES,U+0590-05FF,U+FB1D-FB4F"                             # Hebrew
UNICODES="$UNICODES,U+0600-06FF,U+0750-077F,U+FB50-FDFF,U+FE70-FEFF"     # Arabic
UNICODES="$UNICODES,U+2000-22FF,U+2460-25FF,U+FFFD"                      # punctuation .. shapes

"$VENV/bin/pyftsubset" "$DIR/DejaVuSans.ttf" \
    --unicodes="$UNICODES" \
    --no-hinting --legacy-kern --layout-features='*' \
    --notdef-outline --no-glyph-names --name-IDs='*' --name-languages='*' \
    --output-file="$DIR/DejaVuSans-subset.ttf"
ls -l "$DIR/DejaVuSans-subset.ttf"
