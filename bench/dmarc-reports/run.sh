#!/usr/bin/env bash
# The import benchmark of bench/README.md, all in one run on one file: generates a
# 1,000,000-record gzipped report (generate.py), imports it with the core (MailAuth.Bench
# reports), with the cmdlet in the pinned pwsh (Import-DmarcReport | Measure-Object), then with
# parsedmarc 10.4.3 (../shared/bench/parsedmarc, set up offline by its setup.sh). Each line gives
# rows, seconds, rows/s, CPU seconds (user + system, from /usr/bin/time) and peak memory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
records=${1:-1000000}; file=${2:-/tmp/mailauth-bench-$records.xml.gz}
[ -f "$file" ] || python3 "$here/generate.py" "$records" "$file"
cd "$repo"
dotnet build bench/MailAuth.Bench -c Release -v q >/dev/null
dotnet build MailAuth.PowerShell.sln -c Release -v q >/dev/null
t() { /usr/bin/time -f "  cpu_s=%U+%S wall_s=%e peak_rss_mb=%M(KB)" "$@"; }
echo "== core (MailAuth.Core DmarcReportImporter)"
t dotnet bench/MailAuth.Bench/bin/Release/net10.0/MailAuth.Bench.dll reports "$file"
echo "== cmdlet (Import-DmarcReport in pwsh 7.6.9)"
t dotnet pwsh -NoProfile -c "Import-Module ./out/MailAuth.PowerShell/MailAuth.PowerShell.psd1; \$s=[Diagnostics.Stopwatch]::StartNew(); \$m = Import-DmarcReport -LiteralPath '$file' | Measure-Object -Property Count -Sum; \$p=[Diagnostics.Process]::GetCurrentProcess(); 'MAILAUTH cmdlet: rows={0} messages={1} seconds={2:0.00} rows_per_s={3:0} cpu_s={4:0.00} peak_ws_mb={5:0}' -f \$m.Count, \$m.Sum, \$s.Elapsed.TotalSeconds, (\$m.Count / \$s.Elapsed.TotalSeconds), \$p.TotalProcessorTime.TotalSeconds, (\$p.PeakWorkingSet64 / 1MB)"
if [ -x /tmp/pdvenv/bin/python ] || bash "$repo/../shared/bench/parsedmarc/setup.sh" >/dev/null 2>&1; then
  echo "== parsedmarc"
  t /tmp/pdvenv/bin/python "$repo/../shared/bench/parsedmarc/run_parsedmarc.py" big "$file"
fi
