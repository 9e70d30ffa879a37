#!/usr/bin/env bash
# Render the README example draft to .docx, then to PDF (LibreOffice) and PNG pages (poppler), to
# look at the layout by eye. Usage: bench/render_docx.sh [OUT_DIR]   (default: a temp folder)
# Copies page 1 to docs/word-export-page1.png. Needs soffice/libreoffice and pdftoppm.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"
out="${1:-$(mktemp -d -t drafter-docx.XXXXXX)}"
mkdir -p "$out"
soffice="$(command -v soffice || command -v libreoffice || true)"
if [[ -z "$soffice" ]] || ! command -v pdftoppm >/dev/null; then
    echo "需要 LibreOffice（soffice）和 poppler-utils（pdftoppm）" >&2
    exit 1
fi

# The GB/T 9704 fonts (仿宋_GB2312, 方正小标宋简体 …) are rarely installed on Linux. Map them to the
# Noto CJK fonts so each role still looks different: serif for body/title, sans for 黑体.
fc="$out/fontconfig"
mkdir -p "$fc"
alias() {  # family, replacement, weight
    printf '<match target="pattern"><test name="family"><string>%s</string></test>' "$1"
    printf '<edit name="family" mode="assign" binding="strong"><string>%s</string></edit>' "$2"
    printf '<edit name="weight" mode="assign"><const>%s</const></edit></match>\n' "$3"
}
{
    echo '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
    echo '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
    alias 方正小标宋简体 "Noto Serif CJK SC" bold
    alias 仿宋_GB2312 "Noto Serif CJK SC" regular
    alias 楷体_GB2312 "Noto Serif CJK SC" regular
    alias 黑体 "Noto Sans CJK SC" regular
    alias 宋体 "Noto Serif CJK SC" regular
    echo '</fontconfig>'
} >"$fc/fonts.conf"
export FONTCONFIG_FILE="$fc/fonts.conf"

cd "$out"
"$python" -m drafter draft "$repo/fixtures/facts/篇一.yaml" -o "$out/example.md" --force >/dev/null 2>&1
"$python" - "$out/example.md" "$out/example.docx" <<'EOF'
import sys
from pathlib import Path
from drafter.word import export_docx

result = export_docx(Path(sys.argv[1]), Path(sys.argv[2]))
print(f"docx: {result.output}  段落 {result.paragraphs}  估计 {result.pages_estimate} 页")
EOF
# A private profile: never touch the user's LibreOffice settings, and work while it is open.
SECONDS=0
"$soffice" --headless "-env:UserInstallation=file://$out/lo-profile" \
    --convert-to pdf --outdir "$out" "$out/example.docx" >/dev/null 2>&1
pdftoppm -png -r 80 "$out/example.pdf" "$out/page"
pages=$(ls "$out"/page-*.png | wc -l)
echo "pdf + png: $pages 页，约 $SECONDS 秒；$out"
mkdir -p "$repo/docs"
cp "$(ls "$out"/page-*.png | head -1)" "$repo/docs/word-export-page1.png"
