#!/usr/bin/env python3
"""Writes the project's own report files beside this script (run once; the output is committed;
a rerun writes new MIME boundaries and zip times, so keep the committed copies the counts were read from).

Real-shaped reports in the styles big receivers send (Yahoo, Office 365, Google's zip, an
RFC 9990 namespaced report with its new elements), an mbox of report mails, and broken and
hostile files. The expected counts in ../expected.json were written by reading these files.
Standard library only.
"""
import gzip, io, os, zipfile, email.mime.multipart, email.mime.base, email.mime.text, email.encoders

here = os.path.dirname(os.path.abspath(__file__))

def w(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))

def gz(text):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
        g.write(text.encode("utf-8"))
    return buf.getvalue()

def rec(ip, count, disp, dkim, spf, hfrom, efrom, auth, reason=None, eto=None):
    r = "  <record>\n    <row>\n      <source_ip>%s</source_ip>\n      <count>%d</count>\n      <policy_evaluated>\n" % (ip, count)
    r += "        <disposition>%s</disposition>\n        <dkim>%s</dkim>\n        <spf>%s</spf>\n" % (disp, dkim, spf)
    if reason:
        r += "        <reason>\n          <type>%s</type>\n          <comment>%s</comment>\n        </reason>\n" % reason
    r += "      </policy_evaluated>\n    </row>\n    <identifiers>\n"
    if eto:
        r += "      <envelope_to>%s</envelope_to>\n" % eto
    if efrom is not None:
        r += "      <envelope_from>%s</envelope_from>\n" % efrom
    r += "      <header_from>%s</header_from>\n    </identifiers>\n    <auth_results>\n%s    </auth_results>\n  </record>\n" % (hfrom, auth)
    return r

def dkim(d, s, res):
    return "      <dkim>\n        <domain>%s</domain>\n        <selector>%s</selector>\n        <result>%s</result>\n      </dkim>\n" % (d, s, res)

def spf(d, res, scope="mfrom"):
    sc = "        <scope>%s</scope>\n" % scope if scope else ""
    return "      <spf>\n        <domain>%s</domain>\n%s        <result>%s</result>\n      </spf>\n" % (d, sc, res)

def head(org, email, rid, begin, end, domain, p="reject", sp="reject", root="<feedback>", extra=""):
    return ('<?xml version="1.0" encoding="UTF-8" ?>\n%s\n  <version>1.0</version>\n  <report_metadata>\n    <org_name>%s</org_name>\n'
            "    <email>%s</email>\n%s    <report_id>%s</report_id>\n    <date_range>\n      <begin>%d</begin>\n      <end>%d</end>\n    </date_range>\n"
            "  </report_metadata>\n  <policy_published>\n    <domain>%s</domain>\n    <adkim>r</adkim>\n    <aspf>r</aspf>\n    <p>%s</p>\n    <sp>%s</sp>\n    <pct>100</pct>\n    <fo>1</fo>\n  </policy_published>\n"
            % (root, org, email, extra, rid, begin, end, domain, p, sp))

# Yahoo: gzip, org_name "Yahoo", dmarchelp@yahooinc.com, report_id epoch.microseconds (3 records, 16 messages).
yahoo = head("Yahoo", "dmarchelp@yahooinc.com", "1767312000.612345", 1767225600, 1767311999, "contoso.com")
yahoo += rec("40.107.22.51", 12, "none", "pass", "pass", "contoso.com", "contoso.com",
             dkim("contoso.com", "selector1", "pass") + spf("contoso.com", "pass"))
yahoo += rec("209.85.220.41", 3, "none", "pass", "fail", "contoso.com", "bounce.fabrikam.com",
             dkim("contoso.com", "google", "pass") + dkim("fabrikam.com", "20230601", "pass") + spf("bounce.fabrikam.com", "pass"))
yahoo += rec("198.51.100.23", 1, "reject", "fail", "fail", "contoso.com", "hoster.example",
             dkim("hoster.example", "default", "fail") + spf("hoster.example", "softfail"))
yahoo += "</feedback>\n"
w("yahoo.com!contoso.com!1767225600!1767311999.xml.gz", gz(yahoo))

# Office 365 (Enterprise Outlook): a mail with an HTML note and an .xml.gz, xsd/xsi namespaces declared, envelope_to.
o365 = head("Enterprise Outlook", "dmarcreport@microsoft.com", "6b9c0f1e2a3d4c5b8e7f9a0b1c2d3e4f", 1767225600, 1767312000, "contoso.com",
            p="quarantine", sp="quarantine", root='<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')
o365 += rec("40.107.22.51", 25, "none", "pass", "pass", "contoso.com", "contoso.com",
            dkim("contoso.com", "selector1", "pass") + spf("contoso.com", "pass"), eto="fabrikam.com")
o365 += rec("2a01:111:f403:2412::701", 7, "none", "pass", "pass", "contoso.com", "contoso.com",
            dkim("contoso.com", "selector2", "pass") + spf("contoso.com", "pass"), eto="fabrikam.com")
o365 += rec("203.0.113.45", 2, "quarantine", "fail", "fail", "contoso.com", "s12.cpanel-host.example.org",
            spf("s12.cpanel-host.example.org", "pass"), eto="fabrikam.com")
o365 += rec("52.100.10.20", 1, "none", "fail", "fail", "contoso.com", "contoso.com",
            dkim("contoso.com", "selector1", "fail") + spf("contoso.com", "fail"), reason=("trusted_forwarder", "Received via a trusted forwarder"), eto="fabrikam.com")
o365 += "</feedback>\n"
m = email.mime.multipart.MIMEMultipart("mixed")
m["From"] = '"DMARC Aggregate Report" <dmarcreport@microsoft.com>'
m["To"] = "dmarc@contoso.com"
m["Subject"] = "Report Domain: contoso.com Submitter: enterprise.protection.outlook.com Report-ID: <6b9c0f1e2a3d4c5b8e7f9a0b1c2d3e4f>"
m["Date"] = "Fri, 02 Jan 2026 09:14:02 +0000"
m["Message-ID"] = "<6b9c0f1e2a3d4c5b8e7f9a0b1c2d3e4f@contoso.com>"
m.attach(email.mime.text.MIMEText("<html><body><p>This is a DMARC aggregate report from Microsoft Corporation.</p></body></html>", "html"))
part = email.mime.base.MIMEBase("application", "gzip")
part.set_payload(gz(o365))
email.encoders.encode_base64(part)
part.add_header("Content-Disposition", "attachment", filename="enterprise.protection.outlook.com!contoso.com!1767225600!1767312000.xml.gz")
m.attach(part)
w("enterprise.protection.outlook.com!contoso.com!1767225600!1767312000.eml", m.as_bytes())

# RFC 9990: namespace, generator, np, testing, discovery_method, an extension, disposition pass, policy_test_mode.
r9990 = ('<?xml version="1.0" encoding="UTF-8"?>\n<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0" xmlns:ext="https://receiver.example/dmarc-ext">\n'
         "  <version>1.0</version>\n  <report_metadata>\n    <org_name>receiver.example</org_name>\n    <email>dmarc-reports@receiver.example</email>\n"
         '    <extra_contact_info lang="en">https://receiver.example/dmarc</extra_contact_info>\n    <report_id>1767225600-contoso.com@receiver.example</report_id>\n'
         "    <date_range>\n      <begin>1767225600</begin>\n      <end>1767311999</end>\n    </date_range>\n"
         '    <error lang="en">rua URI 2 is not a mailto: or https: URI</error>\n    <generator>Receiver DMARC 2.3.1</generator>\n  </report_metadata>\n'
         "  <policy_published>\n    <domain>contoso.com</domain>\n    <discovery_method>treewalk</discovery_method>\n    <p>reject</p>\n    <sp>quarantine</sp>\n"
         "    <np>reject</np>\n    <fo>1</fo>\n    <adkim>s</adkim>\n    <aspf>r</aspf>\n    <testing>y</testing>\n  </policy_published>\n"
         "  <extension>\n    <ext:receiver_region>eu-west</ext:receiver_region>\n  </extension>\n")
r9990 += rec("40.107.22.51", 10, "pass", "pass", "pass", "contoso.com", "contoso.com",
             dkim("contoso.com", "selector1", "pass") + spf("contoso.com", "pass")).replace("  </record>", "    <ext:arrival>inbox-unknown</ext:arrival>\n  </record>")
r9990 += rec("198.51.100.23", 4, "none", "fail", "fail", "contoso.com", "", spf("hoster.example", "fail"), reason=("policy_test_mode", "t=y"))
r9990 += "</feedback>\n"
w("rfc9990-receiver.example!contoso.com!1767225600!1767311999.xml", r9990)

# Google style zip with two report entries and a stray text file (every XML entry is read; the text is skipped).
g1 = head("google.com", "noreply-dmarc-support@google.com", "7305791835162540101", 1767225600, 1767311999, "contoso.com",
          extra="    <extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>\n")
g1 += rec("40.107.22.51", 9, "none", "pass", "pass", "contoso.com", "contoso.com", dkim("contoso.com", "selector1", "pass") + spf("contoso.com", "pass"))
g1 += rec("209.85.220.41", 2, "none", "fail", "pass", "contoso.com", "contoso.com", spf("contoso.com", "pass"))
g1 += "</feedback>\n"
g2 = head("google.com", "noreply-dmarc-support@google.com", "7305791835162540102", 1767225600, 1767311999, "news.contoso.com")
g2 += rec("167.89.1.1", 40, "quarantine", "fail", "fail", "news.contoso.com", "sendgrid.net", dkim("sendgrid.net", "smtpapi", "pass") + spf("sendgrid.net", "pass"))
g2 += "</feedback>\n"
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("google.com!contoso.com!1767225600!1767311999.xml", g1)
    z.writestr("google.com!news.contoso.com!1767225600!1767311999.xml.gz", gz(g2))
    z.writestr("README.txt", "Reports for contoso.com\n")
w("google.com!contoso.com!1767225600!1767311999.zip", buf.getvalue())

# An mbox of report mails: Google zip, Yahoo gz, a mail without a report, and Google's report sent again (a duplicate).
def mail(frm, subject, att_name, att_type, data):
    m = email.mime.multipart.MIMEMultipart("mixed")
    m["From"] = frm
    m["To"] = "dmarc@contoso.com"
    m["Subject"] = subject
    m["Date"] = "Fri, 02 Jan 2026 09:00:00 +0000"
    m.attach(email.mime.text.MIMEText("DMARC aggregate report.", "plain"))
    if att_name:
        p = email.mime.base.MIMEBase(*att_type.split("/"))
        p.set_payload(data)
        email.encoders.encode_base64(p)
        p.add_header("Content-Disposition", "attachment", filename=att_name)
        m.attach(p)
    return m.as_bytes()

zbuf = io.BytesIO()
g3 = head("google.com", "noreply-dmarc-support@google.com", "7305791835162540200", 1767312000, 1767398399, "contoso.com")
g3 += rec("40.107.22.51", 5, "none", "pass", "pass", "contoso.com", "contoso.com", dkim("contoso.com", "selector1", "pass") + spf("contoso.com", "pass"))
g3 += "</feedback>\n"
with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("google.com!contoso.com!1767312000!1767398399.xml", g3)
y2 = head("Yahoo", "dmarchelp@yahooinc.com", "1767398400.100200", 1767312000, 1767398399, "contoso.com")
y2 += rec("74.6.231.20", 1, "none", "pass", "pass", "contoso.com", "contoso.com", dkim("contoso.com", "selector1", "pass") + spf("contoso.com", "pass"))
y2 += rec("74.6.231.21", 2, "none", "pass", "fail", "contoso.com", "contoso.com", dkim("contoso.com", "selector2", "pass") + spf("contoso.com", "neutral"))
y2 += "</feedback>\n"
msgs = [
    mail("noreply-dmarc-support@google.com", "Report domain: contoso.com Submitter: google.com Report-ID: 7305791835162540200",
         "google.com!contoso.com!1767312000!1767398399.zip", "application/zip", zbuf.getvalue()),
    mail("dmarchelp@yahooinc.com", "Report Domain: contoso.com Submitter: yahoo.com Report-ID: <1767398400.100200>",
         "yahoo.com!contoso.com!1767312000!1767398399.xml.gz", "application/gzip", gz(y2)),
    mail("postmaster@contoso.com", "Out of office", None, None, None),
    mail("noreply-dmarc-support@google.com", "Report domain: contoso.com Submitter: google.com Report-ID: 7305791835162540200",
         "google.com!contoso.com!1767312000!1767398399.zip", "application/zip", zbuf.getvalue()),
]
mbox = b""
for raw in msgs:
    mbox += b"From MAILER-DAEMON Fri Jan  2 09:00:00 2026\n" + raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ") + b"\n\n"
w("reports.mbox", mbox)

# Broken and hostile files: one error each.
full = gz(yahoo)
w("truncated.xml.gz", full[: len(full) * 2 // 3])                      # a gzip stream cut short
w("truncated.xml", yahoo[: len(yahoo) // 2])                           # XML cut inside a record
w("not-dmarc.xml", '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>News</title></channel></rss>\n')
w("begin-after-end.xml", yahoo.replace("<begin>1767225600</begin>", "<begin>1767400000</begin>").replace("1767312000.612345", "1767312000.999999"))
w("bad-count.xml", yahoo.replace("<count>12</count>", "<count>twelve</count>").replace("1767312000.612345", "1767312000.888888"))
w("missing-report-id.xml", yahoo.replace("    <report_id>1767312000.612345</report_id>\n", ""))
w("xxe.xml", '<?xml version="1.0"?>\n<!DOCTYPE feedback [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<feedback><report_metadata><org_name>&xxe;</org_name></report_metadata></feedback>\n')
laughs = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
for i in range(1, 10):
    laughs += ' <!ENTITY lol%d "%s">\n' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10)
laughs += ']>\n<feedback><report_metadata><org_name>&lol9;</org_name></report_metadata></feedback>\n'
w("billion-laughs.xml", laughs)
w("empty.zip", b"PK\x05\x06" + b"\x00" * 18)
w("not-a-report.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
# Bombs: valid XML openings followed by 320 MB of white space (inflates over 1,000:1).
head_xml = '<?xml version="1.0"?>\n<feedback>\n<report_metadata>\n'
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as g:
    g.write(head_xml.encode())
    chunk = b" " * (1 << 20)
    for _ in range(320):
        g.write(chunk)
w("bomb.xml.gz", buf.getvalue())
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("bomb.xml", "w") as e:
        e.write(head_xml.encode())
        for _ in range(320):
            e.write(chunk)
w("bomb.zip", buf.getvalue())
print("written")

# TLS-RPT (RFC 8460 §4.4), as Microsoft sends it: gzip, two policies, mx-host as a list.
tls = ('{"organization-name":"Microsoft Corporation","date-range":{"start-datetime":"2026-01-01T00:00:00Z","end-datetime":"2026-01-01T23:59:59Z"},'
       '"contact-info":"tlsrpt-noreply@microsoft.com","report-id":"134120000000000000+contoso.com","policies":['
       '{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: contoso-com.mail.protection.outlook.com","max_age: 604800"],'
       '"policy-domain":"contoso.com","mx-host":["contoso-com.mail.protection.outlook.com"]},'
       '"summary":{"total-successful-session-count":1209,"total-failure-session-count":9},'
       '"failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"40.107.22.51","receiving-mx-hostname":"contoso-com.mail.protection.outlook.com","receiving-ip":"52.101.68.10","failed-session-count":6},'
       '{"result-type":"sts-policy-fetch-error","sending-mta-ip":"40.107.22.52","receiving-mx-hostname":"contoso-com.mail.protection.outlook.com","failed-session-count":3,"failure-reason-code":"HTTP 404"}]},'
       '{"policy":{"policy-type":"tlsa","policy-string":["3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],"policy-domain":"fabrikam.com"},'
       '"summary":{"total-successful-session-count":88,"total-failure-session-count":0}}]}')
w("tlsrpt-microsoft.json.gz", gz(tls))
w("tlsrpt-truncated.json", tls[: len(tls) // 2])

# Quirks of real receivers that still import: blank lines and a BOM before the declaration, an
# RFC 8601 word in policy_evaluated, a windows-1252 report with a non-ASCII org_name.
quirk = head("Quirky Receiver", "dmarc@quirky.example", "quirk-1", 1767225600, 1767311999, "contoso.com")
quirk += rec("192.0.2.10", 4, "none", "none", "pass", "contoso.com", "contoso.com", spf("contoso.com", "pass"))
quirk += "</feedback>\n"
w("leading-blank-lines.xml", b"\r\n\r\n\xef\xbb\xbf" + quirk.encode("utf-8"))
cp = head("Réception SA", "dmarc@reception.example", "cp1252-1", 1767225600, 1767311999, "contoso.com").replace('encoding="UTF-8"', 'encoding="windows-1252"')
cp += rec("192.0.2.11", 2, "none", "pass", "fail", "contoso.com", "contoso.com", dkim("contoso.com", "s1", "pass"))
cp += "</feedback>\n"
w("windows-1252.xml", cp.encode("cp1252"))
