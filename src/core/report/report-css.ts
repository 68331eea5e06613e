/**
 * The report's one stylesheet: readable on screen and printed to PDF. Columns are sized per table
 * class (so a hash, a time or a summary gets the room it needs); printed, table rows and findings are
 * not split across pages, table headings repeat on each page, and nothing is drawn in dark ink.
 */
export const REPORT_CSS = `
body{overflow-wrap:anywhere;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #333;padding-bottom:3px;margin-top:32px}
h3{font-size:15px;margin:0 0 6px}
code,.mono,.when{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:12.5px;overflow-wrap:anywhere;word-break:break-word}
.nw{white-space:nowrap}
table{border-collapse:collapse;width:100%;margin:8px 0;table-layout:fixed}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{background:#eee}
thead{display:table-header-group}
table.integrity th{width:10em}
table.timeline th:nth-child(1){width:13em}table.timeline th:nth-child(2){width:17%}table.timeline th:nth-child(4){width:9em}
table.custody th:nth-child(1){width:3.5em}table.custody th:nth-child(2){width:13em}table.custody th:nth-child(3){width:15%}table.custody th:nth-child(4){width:6em}table.custody th:nth-child(7){width:10em}
table.artifacts th:nth-child(1){width:3em}table.artifacts th:nth-child(2){width:36%}table.artifacts th:nth-child(3){width:5em}table.artifacts th:nth-child(5){width:5em}table.artifacts th:nth-child(6){width:13em}
table.plans th:nth-child(1),table.footprints th:nth-child(1){width:3.5em}table.plans th:nth-child(2),table.footprints th:nth-child(2){width:13em}table.plans th:nth-child(3){width:7em}table.plans th:nth-child(5){width:9em}
table.footprints th:nth-child(3){width:25%}
table.changes th:nth-child(2){width:24%}table.changes th:nth-child(4){width:18%}
table.counts{width:auto;min-width:40%}table.tool td:first-child{width:10em}
table.frameworks th:nth-child(1){width:10em}table.frameworks th:nth-child(2){width:6em}
.verdict{border:2px solid #333;padding:10px 14px;margin:12px 0}
.verdict.bad{border-color:#b00020}.verdict strong{font-size:16px}
.finding{border:1px solid #999;border-left-width:8px;padding:8px 12px;margin:10px 0;page-break-inside:avoid;break-inside:avoid}
.sev{display:inline-block;font-weight:700;font-size:11px;letter-spacing:.05em;padding:1px 6px;border:1px solid #333;margin-right:6px}
.sev-critical{border-left-color:#8b0000}.sev-high{border-left-color:#d9480f}.sev-medium{border-left-color:#e8a400}.sev-low{border-left-color:#4a7ab5}.sev-info{border-left-color:#888}
.counts span{margin-right:14px}
ul.evidence{margin:4px 0 0;padding-left:18px}
.muted{color:#555}
nav ol{columns:2}
@page{margin:14mm 12mm;@bottom-right{content:"page " counter(page) " of " counter(pages);font:9px sans-serif;color:#555}}
@media print{
body{max-width:none;padding:0;font-size:10.5px}nav{display:none}
code,.mono,.when{font-size:9.5px}
table.timeline th:nth-child(1),table.custody th:nth-child(2),table.plans th:nth-child(2),table.footprints th:nth-child(2),table.artifacts th:nth-child(6){width:8.5em}
h2{font-size:16px;margin-top:18px;page-break-after:avoid;break-after:avoid}h3{page-break-after:avoid;break-after:avoid}
tr,.verdict,li{page-break-inside:avoid;break-inside:avoid}
a{color:inherit;text-decoration:none}th{background:none;border-bottom:2px solid #555}
.finding{border-left-width:5px}
}
`;
