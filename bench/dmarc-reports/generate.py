#!/usr/bin/env python3
"""Writes a synthetic DMARC aggregate report, gzipped, for the import benchmark.

    generate.py RECORDS OUT.xml.gz [--seed N] [--rfc9990]

RFC 7489 appendix C layout (or RFC 9990's, namespaced, with --rfc9990), shaped like a big
receiver's daily report: one report_metadata and policy_published, then RECORDS <record>
elements with varied IPv4/IPv6 sources, counts, dispositions, one or two DKIM results with
selectors, an SPF result with scope, and an override reason on some. Deterministic for a seed.
Prints the record and message totals it wrote, which the benchmark checks the importers against.
Standard library only (the benchmark machine has no PyPI).
"""
import gzip, random, sys

def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    n, out = int(args[0]), args[1]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 9990
    ns = "--rfc9990" in args
    rnd = random.Random(seed)
    domains = ["contoso.com", "news.contoso.com", "billing.contoso.com"]
    senders = [("google.com", "20230601", "_spf.google.com"), ("contoso.onmicrosoft.com", "selector1", "spf.protection.outlook.com"),
               ("amazonses.com", "ug7nbtf4gccmlpwj322ax3p6ow6yfsug", "amazonses.com"), ("sendgrid.net", "s1", "sendgrid.net"),
               ("mcsv.net", "k2", "servers.mcsv.net"), ("contoso.com", "s2048", "contoso.com")]
    reasons = ["forwarded", "mailing_list", "local_policy", "trusted_forwarder", "sampled_out"]
    messages = 0
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=6) as f:
        w = f.write
        w('<?xml version="1.0" encoding="UTF-8" ?>\n')
        w('<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">\n' if ns else "<feedback>\n")
        w("  <version>1.0</version>\n")
        w("  <report_metadata>\n    <org_name>bench.example</org_name>\n    <email>noreply-dmarc@bench.example</email>\n")
        w("    <extra_contact_info>https://bench.example/dmarc</extra_contact_info>\n")
        w("    <report_id>bench-%d-%d</report_id>\n" % (n, seed))
        w("    <date_range>\n      <begin>1767225600</begin>\n      <end>1767311999</end>\n    </date_range>\n")
        if ns:
            w("    <generator>bench generate.py</generator>\n")
        w("  </report_metadata>\n  <policy_published>\n    <domain>contoso.com</domain>\n")
        w("    <adkim>r</adkim>\n    <aspf>r</aspf>\n    <p>quarantine</p>\n    <sp>quarantine</sp>\n")
        w("    <np>reject</np>\n    <discovery_method>treewalk</discovery_method>\n    <testing>n</testing>\n" if ns else "    <pct>100</pct>\n")
        w("  </policy_published>\n")
        for i in range(n):
            if rnd.random() < 0.15:
                ip = "2a01:111:f403:%x::%x" % (rnd.randrange(0x10000), rnd.randrange(1, 0x10000))
            else:
                ip = "%d.%d.%d.%d" % (rnd.choice([40, 52, 209, 198, 203, 54, 149]), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
            count = rnd.choice([1, 1, 1, 2, 3, 5, 12, 40, 250])
            messages += count
            dom, sel, env = senders[rnd.randrange(len(senders))]
            dkim_pass = rnd.random() < 0.8
            aligned_dkim = dkim_pass and dom.endswith("contoso.com")
            spf_pass = rnd.random() < 0.7
            aligned_spf = spf_pass and env.endswith("contoso.com")
            disp = "none" if (aligned_dkim or aligned_spf) else rnd.choice(["quarantine", "reject", "none"])
            w("  <record>\n    <row>\n      <source_ip>%s</source_ip>\n      <count>%d</count>\n" % (ip, count))
            w("      <policy_evaluated>\n        <disposition>%s</disposition>\n        <dkim>%s</dkim>\n        <spf>%s</spf>\n"
              % (disp, "pass" if aligned_dkim else "fail", "pass" if aligned_spf else "fail"))
            if disp == "none" and not (aligned_dkim or aligned_spf):
                w("        <reason>\n          <type>%s</type>\n          <comment>bench</comment>\n        </reason>\n" % rnd.choice(reasons))
            w("      </policy_evaluated>\n    </row>\n")
            w("    <identifiers>\n      <envelope_from>%s</envelope_from>\n      <header_from>%s</header_from>\n    </identifiers>\n"
              % (env, rnd.choice(domains)))
            w("    <auth_results>\n      <dkim>\n        <domain>%s</domain>\n        <selector>%s</selector>\n        <result>%s</result>\n      </dkim>\n"
              % (dom, sel, "pass" if dkim_pass else "fail"))
            if rnd.random() < 0.3:
                w("      <dkim>\n        <domain>%s</domain>\n        <selector>esp%d</selector>\n        <result>pass</result>\n      </dkim>\n" % (env, i % 7))
            w("      <spf>\n        <domain>%s</domain>\n        <scope>mfrom</scope>\n        <result>%s</result>\n      </spf>\n    </auth_results>\n  </record>\n"
              % (env, "pass" if spf_pass else rnd.choice(["fail", "softfail", "neutral"])))
        w("</feedback>\n")
    print("records=%d messages=%d file=%s" % (n, messages, out))

if __name__ == "__main__":
    main()
