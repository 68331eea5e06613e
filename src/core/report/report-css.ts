/** The report's one stylesheet: readable on screen, printable to PDF (no colour needed, sections kept whole where possible). */
export const REPORT_CSS = `
body{overflow-wrap:anywhere;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #333;padding-bottom:3px;margin-top:32px}
h3{font-size:15px;margin:0 0 6px}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:12.5px;overflow-wrap:anywhere;word-break:break-word}
table{border-collapse:collapse;width:100%;margin:8px 0;table-layout:fixed}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{background:#eee}
.verdict{border:2px solid #333;padding:10px 14px;margin:12px 0}
.verdict.bad{border-color:#b00020}.verdict strong{font-size:16px}
.finding{border:1px solid #999;border-left-width:8px;padding:8px 12px;margin:10px 0;page-break-inside:avoid;break-inside:avoid}
.sev{display:inline-block;font-weight:700;font-size:11px;letter-spacing:.05em;padding:1px 6px;border:1px solid #333;margin-right:6px}
.sev-critical{border-left-color:#8b0000}.sev-high{border-left-color:#d9480f}.sev-medium{border-left-color:#e8a400}.sev-low{border-left-color:#4a7ab5}.sev-info{border-left-color:#888}
.counts span{margin-right:14px}
ul.evidence{margin:4px 0 0;padding-left:18px}
.muted{color:#555}
nav ol{columns:2}
@media print{body{max-width:none;padding:0;font-size:11px}nav{display:none}h2{page-break-after:avoid;break-after:avoid}a{color:inherit;text-decoration:none}th{background:#ddd}}
`;
