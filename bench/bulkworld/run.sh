#!/bin/bash
# Bulk-audit bench over bulkworld (../shared/bench/bulkworld: Knot behind dnsdist, 20 ms per UDP
# answer, 1 domain in 10 dropped, 1 in 10 SERVFAIL), in the real pwsh with the built module:
#   bench/bulkworld/run.sh [sizes|throttles|selector|timeout1|all]
# Needs: apt-get install knot dnsdist knot-dnsutils; dotnet build -c Release first.
# Each line: healthy domains/s (and the steady rate between the 10th and 90th percentile rows), CPU per domain and per wire query (dnsdist's count of what it
# received, retransmissions included), wire queries per domain, peak working set, load average.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORLD=${BULKWORLD:-$ROOT/../shared/bench/bulkworld}
PORT=${PORT:-25390}
N=${N_WORLD:-110000}
what=${1:-all}
if ! "$WORLD/stats.sh" "$PORT" queries >/dev/null 2>&1 || [ -z "$("$WORLD/stats.sh" "$PORT" queries)" ]; then
  "$WORLD/start.sh" "$PORT" 20 "$N" >/dev/null
fi
MODULE=${MODULE:-$ROOT/out/MailAuth.PowerShell/MailAuth.PowerShell.psd1}
measure() { dotnet pwsh -NoProfile -File "$HERE/Measure-Audit.ps1" -Server "127.0.0.1:$PORT" -StatsScript "$WORLD/stats.sh" -Module "$MODULE" "$@" | tail -1; }
# Every run is a new pwsh, so nothing is cached between runs and they may reuse the same domains.
if [ "$what" = sizes ] || [ "$what" = all ]; then
  for n in 1000 10000 100000; do measure -Domains $n -Warm; done
fi
if [ "$what" = selector ] || [ "$what" = all ]; then
  measure -Domains 10000 -Selector selector1 -Warm
fi
if [ "$what" = timeout1 ] || [ "$what" = all ]; then
  # -TimeoutSec 1: what a user may choose for a server known to answer in milliseconds (the default,
  # 3 s, allows for a cold recursive lookup); dead domains then cost 1 s instead of 3.
  for n in 1000 10000; do measure -Domains $n -Warm -TimeoutSec 1; done
fi
if [ "$what" = throttles ] || [ "$what" = all ]; then
  for t in 1 4 16 64 256 1024; do
    n=$(( t < 16 ? 100 : 1000 ))
    measure -Domains $n -ThrottleLimit $t
  done
fi
