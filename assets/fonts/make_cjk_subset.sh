#!/usr/bin/env bash
# make_cjk_subset.sh — rebuild the bundled CJK chart-label font in one command.
#
#   bash assets/fonts/make_cjk_subset.sh
#
# Produces, next to this script:
#   NotoSansSC-GB2312.otf       a subset of Noto Sans CJK SC Regular (CFF outlines,
#                               so .otf) covering all of GB 2312 + ASCII, Latin-1,
#                               General Punctuation, currency signs, CJK punctuation
#                               and full-width forms; renamed "Salesctl CJK Subset".
#   NotoSansSC-LICENSE.txt      SIL OFL 1.1 text with a provenance header.
#
# Sources (nothing else is fetched):
#   - Debian package fonts-noto-cjk (apt-get download), face "Noto Sans CJK SC"
#     of /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc;
#   - fontTools from PyPI, installed into a throwaway venv.
# Needs: apt-get (Debian), dpkg-deb, python3 with venv. Runs as any user that can
# `apt-get download` (no root needed for download itself; an `apt-get update` may
# be needed first on a fresh machine).
#
# Output is reproducible for a given package version + fontTools version: the
# head.modified timestamp is kept from the source font, not set to "now".
#
# Overridable via environment:
#   NOTO_CJK_VERSION   Debian version of fonts-noto-cjk   (default below)
#   FONTTOOLS_VERSION  PyPI version of fonttools          (default below)
#   FONTVENV           venv to (re)use                    (default: a temp dir)
set -euo pipefail

NOTO_CJK_VERSION="${NOTO_CJK_VERSION:-1:20220127+repack1-1}"
FONTTOOLS_VERSION="${FONTTOOLS_VERSION:-4.68.0}"

OUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# 1. fontTools in a private venv (never touches the system Python).
VENV="${FONTVENV:-$WORK/venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q "fonttools==$FONTTOOLS_VERSION"

# 2. The Debian package, unpacked (not installed) into the temp dir.
#    apt-get download writes into the current directory; chmod so the _apt user
#    can write there too (otherwise apt warns and downloads unsandboxed).
chmod 777 "$WORK"
( cd "$WORK" && apt-get download -q "fonts-noto-cjk=$NOTO_CJK_VERSION" )
dpkg-deb -x "$WORK"/fonts-noto-cjk_*.deb "$WORK/pkg"
TTC="$WORK/pkg/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
COPYRIGHT="$WORK/pkg/usr/share/doc/fonts-noto-cjk/copyright"

# 3. Subset, rename, write license, verify (Python below).
"$VENV/bin/python" - "$TTC" "$COPYRIGHT" "$OUT_DIR" "$NOTO_CJK_VERSION" <<'PY'
import sys, os
from fontTools.ttLib import TTFont
from fontTools import subset
from fontTools.pens.boundsPen import BoundsPen
import fontTools

ttc, copyright_path, out_dir, pkg_version = sys.argv[1:5]
OUT_FONT = os.path.join(out_dir, "NotoSansSC-GB2312.otf")
OUT_LICENSE = os.path.join(out_dir, "NotoSansSC-LICENSE.txt")
FAMILY = "Salesctl CJK Subset"
PS_NAME = "SalesctlCJKSubset-Regular"

# --- Pick the SC face out of the collection (index is checked, not assumed). ---
face_index = None
for i in range(32):
    try:
        f = TTFont(ttc, fontNumber=i, lazy=True)
    except Exception:
        break
    if f["name"].getDebugName(1) == "Noto Sans CJK SC":
        face_index = i
        break
if face_index is None:
    sys.exit("no 'Noto Sans CJK SC' face in " + ttc)
print(f"source face: index {face_index} of {os.path.basename(ttc)}")

# --- Character set. ---
# All of GB 2312, straight from Python's codec: every 2-byte sequence with both
# bytes in 0xA1..0xFE that decodes (6,763 hanzi + 682 symbols/kana/etc).
gb2312 = set()
for hi in range(0xA1, 0xFF):
    for lo in range(0xA1, 0xFF):
        try:
            s = bytes([hi, lo]).decode("gb2312")
        except UnicodeDecodeError:
            continue
        gb2312.update(ord(c) for c in s)
extra = set()
extra.update(range(0x20, 0x7F))        # ASCII (incl. digits, '$')
extra.update(range(0xA0, 0x100))       # Latin-1 Supplement (incl. ¥ £ ¢)
extra.update(range(0x2000, 0x2070))    # General Punctuation
extra.update(range(0x20A0, 0x20C1))    # Currency Symbols (incl. €)
extra.update(range(0x3000, 0x3040))    # CJK Symbols and Punctuation
extra.update(range(0xFF00, 0xFFF0))    # Half-/Full-width Forms (incl. ￥ ￡)
extra.update([0x2116, 0x2103, 0x2030, 0x00D7, 0x00F7, 0xFFFD])
wanted = gb2312 | extra

# --- Subset. ---
opts = subset.Options()
opts.font_number = face_index
opts.hinting = False                   # drop CFF stem hints / hintmasks
opts.desubroutinize = False            # keep (pruned) subrs: smaller
opts.layout_features = ["kern"]        # GPOS kern only; no GSUB (vert, locl, ...)
opts.drop_tables += ["BASE", "VORG", "vhea", "vmtx", "GSUB", "DSIG", "meta"]
opts.name_IDs = ["*"]                  # keep credits/license, renamed below
opts.name_languages = [0x0409]         # English (Windows) names only
opts.name_legacy = False               # no Mac-platform name records
opts.notdef_outline = True
opts.glyph_names = False
opts.recalc_timestamp = False          # reproducible: keep source head.modified

font = subset.load_font(ttc, opts, lazy=False)
src_cmap = font.getBestCmap()
missing_src = sorted(c for c in gb2312 if c not in src_cmap)
if missing_src:
    sys.exit("source face lacks GB2312 chars: " + " ".join(f"U+{c:04X}" for c in missing_src))
sub = subset.Subsetter(options=opts)
sub.populate(unicodes=sorted(c for c in wanted if c in src_cmap))
sub.subset(font)

# --- Rename (the OFL forbids a Modified Version using Reserved Font Names; the
#     upstream notice reserves 'Source', and 'Noto' is a Google trademark, so the
#     subset presents a neutral family name). Credits/license records are kept. ---
name = font["name"]
src_version = name.getDebugName(5) or ""
for rec in list(name.names):
    if rec.nameID in (16, 17, 18, 21, 22, 25):   # typographic/WWS/variation names
        name.removeNames(nameID=rec.nameID)
name.setName(FAMILY, 1, 3, 1, 0x409)
name.setName("Regular", 2, 3, 1, 0x409)
name.setName(f"{PS_NAME};salesctl subset of NotoSansCJKsc-Regular", 3, 3, 1, 0x409)
name.setName(f"{FAMILY} Regular", 4, 3, 1, 0x409)
name.setName(f"{src_version}; subset (GB 2312 + Latin) by salesctl make_cjk_subset.sh from Debian fonts-noto-cjk {pkg_version}", 5, 3, 1, 0x409)
name.setName(PS_NAME, 6, 3, 1, 0x409)
cff = font["CFF "].cff
old_ps = cff.fontNames[0]
cff.fontNames[0] = PS_NAME
top = cff[PS_NAME] if PS_NAME in cff else cff.topDictIndex[0]
for attr in ("FullName", "FamilyName"):
    if hasattr(top, attr):
        setattr(top, attr, FAMILY if attr == "FamilyName" else f"{FAMILY} Regular")
if hasattr(top, "CIDFontName"):
    top.CIDFontName = PS_NAME
for fd in getattr(top, "FDArray", []) or []:
    if hasattr(fd, "FontName"):
        fd.FontName = fd.FontName.replace(old_ps, PS_NAME)

font.save(OUT_FONT)
font.close()

# --- License file: header + the OFL 1.1 text from the package's copyright file. ---
lines = open(copyright_path, encoding="utf-8").read().splitlines()
# The stand-alone "License: SIL-1.1" paragraph is the one followed by indented text.
start = next(i for i, ln in enumerate(lines)
             if ln == "License: SIL-1.1" and i + 1 < len(lines) and lines[i + 1].startswith(" "))
ofl = []
for ln in lines[start + 1:]:
    if ln.startswith("License:") or (ln and not ln.startswith(" ")):
        break
    ln = ln[1:] if ln.startswith(" ") else ln
    ofl.append("" if ln == "." else ln)
while ofl and not ofl[-1].strip():
    ofl.pop()
header = f"""\
NotoSansSC-GB2312.otf -- font family "{FAMILY}"

This font is a Modified Version (subset) of Noto Sans CJK SC Regular
({src_version}),
made by salesctl's script assets/fonts/make_cjk_subset.sh (fontTools
{fontTools.version}) from the Debian package fonts-noto-cjk, version
{pkg_version} (file NotoSansCJK-Regular.ttc, face index {face_index}).
It keeps the glyphs for GB 2312, ASCII, Latin-1, General Punctuation, currency
signs, CJK punctuation and full-width forms; hinting, vertical metrics and
layout tables other than kern were removed.

Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name
'Source'. Noto is a trademark of Google Inc.

Reserved Font Name: the upstream noto-cjk license notice reserves the name
'Source' (Source Han Sans lineage). The font's own name table and Debian's
copyright file declare no Reserved Font Name; "Noto" is not an OFL Reserved
Font Name but is a Google trademark. To comply with OFL condition 3 and to
avoid using the trademark, this subset is renamed:
  family "{FAMILY}", PostScript name "{PS_NAME}".
Only the file name mentions Noto, to say where the glyphs come from.

This Font Software is licensed under the SIL Open Font License, Version 1.1,
reproduced below (text as shipped in Debian's fonts-noto-cjk copyright file).

"""
with open(OUT_LICENSE, "w", encoding="utf-8") as fh:
    fh.write(header + "\n".join(ofl) + "\n")

# --- Verify the result. ---
f = TTFont(OUT_FONT)
assert f.sfntVersion == "OTTO", f.sfntVersion
cmap = f.getBestCmap()
fmts = sorted({t.format for t in f["cmap"].tables})
assert any(t.format in (4, 12) and t.platformID == 3 for t in f["cmap"].tables), fmts
gs = f.getGlyphSet()
def empty(gname):
    bp = BoundsPen(gs); gs[gname].draw(bp); return bp.bounds is None
missing = sorted(c for c in wanted if c in src_cmap and c not in cmap)
gb_missing = sorted(c for c in gb2312 if c not in cmap)
hanzi = [c for c in gb2312 if 0x4E00 <= c <= 0x9FFF]
hanzi_empty = [c for c in hanzi if empty(cmap[c])]
other_empty = sorted(c for c in cmap if c not in hanzi and empty(cmap[c]))
for word in ["王芳", "张伟", "销售", "漏斗", "赢单率", "¥€£$0123456789"]:
    assert all(ord(ch) in cmap and not empty(cmap[ord(ch)]) for ch in word), word
print(f"family: {f['name'].getDebugName(1)} / {f['name'].getDebugName(6)}")
print(f"tables: {' '.join(sorted(k for k in f.keys() if k != 'GlyphOrder'))}")
print(f"cmap formats: {fmts}")
print(f"glyphs: {len(f.getGlyphOrder())}, mapped code points: {len(cmap)}")
print(f"GB2312 chars: {len(gb2312)} (hanzi {len(hanzi)}), unmapped: {len(gb_missing)}")
print(f"mapped hanzi with empty outline: {len(hanzi_empty)}")
print("other empty glyphs (should be spaces/controls only): "
      + " ".join(f"U+{c:04X}" for c in other_empty))
assert not missing and not gb_missing and not hanzi_empty
print(f"wrote {OUT_FONT} ({os.path.getsize(OUT_FONT)} bytes)")
print(f"wrote {OUT_LICENSE}")
PY
