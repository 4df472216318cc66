"""The report's colours and style sheets: shared by the browser HTML and the PDF layout."""

from __future__ import annotations

COLOURS = {
    "passed": "#2e7d32",
    "failed": "#c62828",
    "rolled back": "#b26a00",
    "pass": "#2e7d32",
    "fail": "#c62828",
    "warn": "#b26a00",
    "skipped": "#78909c",
}
# The subset QTextDocument understands (px sizes: the PDF lays out at 96 px per inch).
COMMON_CSS = """
body { font-family: 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif;
  font-size: 12px; color: #1f2933; }
h1 { font-size: 22px; color: #0b4a8b; margin: 0; }
h2 { font-size: 15px; color: #0b4a8b; margin-top: 20px; margin-bottom: 6px; }
h3 { font-size: 12px; color: #3d4b5c; margin-top: 10px; margin-bottom: 4px; }
p { margin-top: 0; margin-bottom: 6px; }
.sub, .k { color: #5f6b7a; }
.src { color: #7b8794; font-size: 10px; }
.mono, .hashv { font-family: 'DejaVu Sans Mono', Consolas, 'Courier New', monospace; }
.mono { font-size: 9.5px; }
.hashv { font-size: 15px; font-weight: bold; color: #0b4a8b; }
.bad { color: #c62828; } .good { color: #2e7d32; } .before { color: #7b8794; }
table { border-collapse: collapse; margin: 0; }
table.mast td { border-bottom: 3px solid #1e73be; padding-bottom: 8px; }
table.grid td, table.grid th { border-bottom: 1px solid #dde3ea; text-align: left; }
table.grid th { background-color: #eef2f7; color: #3d4b5c; font-size: 10px; font-weight: bold; }
td.stage { background-color: #f5f7fa; color: #0b4a8b; font-weight: bold; }
table.grid td.badge { color: #ffffff; font-weight: bold; font-size: 10px; text-align: center;
  border-bottom: 2px solid #ffffff; }
.big { font-size: 20px; font-weight: bold; color: #ffffff; }
.detail { font-size: 12px; color: #ffffff; }
.why { color: #ffffff; font-weight: bold; margin-top: 6px; margin-bottom: 0; }
.gap { font-size: 4px; margin: 0; }
"""
# What browsers add: a centred page, print colours and page breaks that keep rows whole.
BROWSER_CSS = """
body { max-width: 840px; margin: 24px auto; padding: 0 16px; line-height: 1.35; }
h1, h2, h3, p.sub { page-break-after: avoid; break-after: avoid; }
tr, table.hash { page-break-inside: avoid; }
svg { display: block; }
.footer { margin-top: 28px; color: #7b8794; font-size: 10px; border-top: 1px solid #dde3ea;
  padding-top: 6px; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; } }
"""
