#!/usr/bin/python3
"""pyspf (Debian python3-spf, pydns backend, as ../../shared/bench/spf-peers drives it) over a batch
file of ip<TAB>mailfrom<TAB>helo lines, one row after the other.

argv: PORT BATCH_FILE.  Prints: rows N seconds S cpu C
"""
import sys
import time

import DNS
import spf

port, path = int(sys.argv[1]), sys.argv[2]
if not hasattr(DNS.Type, "SPF"):  # as spf.py does when it picks pydns itself
    DNS.Type.SPF = 99
    DNS.Type.typemap[99] = "SPF"
    DNS.Lib.RRunpacker.getSPFdata = DNS.Lib.RRunpacker.getTXTdata
DNS.defaults.update(server=["127.0.0.1"], port=port, timeout=5.0)
spf.DNS = DNS
spf.DNSLookup = spf.DNSLookup_pydns

rows = [line.rstrip("\n").split("\t") for line in open(path) if line.strip()]


def check(row):
    ip, mailfrom, helo = (row + ["", ""])[:3]
    q = spf.query(i=ip, s=mailfrom, h=helo, timeout=5.0)
    return q.check()[0]


for row in rows[:50]:  # warm-up
    check(row)
wall, cpu = time.perf_counter(), time.process_time()
for row in rows:
    check(row)
print("rows %d seconds %.4f cpu %.4f" % (len(rows), time.perf_counter() - wall, time.process_time() - cpu))
