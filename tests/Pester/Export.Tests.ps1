# Objects that export: every cmdlet's default output, with its nested detail filled in, writes
# values (never .NET type names) to CSV, names (never enum numbers) to JSON, converts with
# ConvertTo-Json -Depth 4 without truncation, and keeps its detail as objects in PowerShell.
# Expected values come from the zone below and the RFCs, not from running the module.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # A 1024-bit RSA key (the modulus in this SubjectPublicKeyInfo is 1024 bits).
    $key = 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB'
    $script:Server = Start-TestDnsServer {
        param($z)
        # A full posture: SPF with an include chain, DMARC with an external report destination,
        # four DKIM selectors, two MX hosts, MTA-STS, TLS-RPT and BIMI.
        $z.AddTxt('contoso.com', 'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 mx a:relay.contoso.com include:_spf.contoso.com include:spf.mailer.example ~all')
        $z.AddTxt('_spf.contoso.com', 'v=spf1 ip4:198.51.100.0/24 include:_netblocks.contoso.com -all')
        $z.AddTxt('_netblocks.contoso.com', 'v=spf1 ip4:203.0.113.0/24 ip4:198.18.0.0/15 -all')
        $z.AddTxt('spf.mailer.example', 'v=spf1 ip4:192.0.2.128/25 exists:%{i}._spf.mailer.example -all')
        $z.Add('relay.contoso.com', [MailAuth.Testing.Dns.ZoneRecordType]::A, '192.0.2.25')
        $z.AddTxt('_dmarc.contoso.com', 'v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:d@contoso.com,mailto:agg@reports.example; ruf=mailto:f@contoso.com; fo=1')
        $z.AddTxt('contoso.com._report._dmarc.reports.example', 'v=DMARC1')
        foreach ($s in 'selector1', 'selector2', 'google', 'k1') { $z.AddTxt("$s._domainkey.contoso.com", "v=DKIM1; k=rsa; p=$key") }
        $z.AddTxt('_mta-sts.contoso.com', 'v=STSv1; id=2026')
        $z.AddTxt('_smtp._tls.contoso.com', 'v=TLSRPTv1; rua=mailto:tls@contoso.com')
        $z.AddTxt('default._bimi.contoso.com', 'v=BIMI1; l=https://contoso.com/logo.svg')
        $z.Add('contoso.com', [MailAuth.Testing.Dns.ZoneRecordType]::MX, '10 mail.contoso.com')
        $z.Add('contoso.com', [MailAuth.Testing.Dns.ZoneRecordType]::MX, '20 mail2.contoso.com')
        $z.Add('mail.contoso.com', [MailAuth.Testing.Dns.ZoneRecordType]::A, '192.0.2.10')
        $z.Add('mail.contoso.com', [MailAuth.Testing.Dns.ZoneRecordType]::AAAA, '2001:db8::10')
        $z.Add('mail2.contoso.com', [MailAuth.Testing.Dns.ZoneRecordType]::A, '192.0.2.11')
        # Two SPF records (a PermError, RFC 7208 §4.5) and one record in two character-strings.
        $z.AddTxt('twospf.contoso.com', 'v=spf1 -all')
        $z.AddTxt('twospf.contoso.com', 'v=spf1 ~all')
        $z.AddTxt('split.contoso.com', 'v=spf1 ip4:192.0.2.0/24', ' -all')
        # An MTA-STS record whose policy host cannot resolve (.invalid, RFC 6761 §6.4): the fetch fails.
        $z.AddTxt('_mta-sts.sts.invalid', 'v=STSv1; id=7')
        # The phishing sample's domains, for -Verify.
        $z.AddTxt('s12.cpanel-host.example.org', 'v=spf1 ip4:203.0.113.0/24 -all')
        $z.AddTxt('_dmarc.example.com', 'v=DMARC1; p=reject')
    }
    $script:Dns = @{ Server = $script:Server.Address }
    $script:Samples = Join-Path $script:RepoRoot 'samples'
    $script:Phish = Join-Path $script:Samples 'phish-spf-pass-unaligned.txt'

    # Every cmdlet's default output with its nested detail filled in.
    $script:Cases = [ordered]@{
        'Resolve-MailAuthDnsName'         = { 'TXT', 'MX', 'A' | ForEach-Object { Resolve-MailAuthDnsName contoso.com -Type $_ @Dns } }
        'Get-SpfRecord'                   = { Get-SpfRecord contoso.com, twospf.contoso.com @Dns }
        'Test-Spf'                        = { Test-Spf -IPAddress 198.51.100.7 -Sender a@contoso.com -Helo mail.contoso.com @Dns }
        'Resolve-DmarcPolicy'             = { Resolve-DmarcPolicy contoso.com @Dns }
        'Resolve-DmarcPolicy -From'       = { Resolve-DmarcPolicy -From contoso.com -MailFrom bounce.other.example -SpfResult pass -DkimResult 'mailer.example:pass' @Dns }
        'Get-MailHeaderReport'            = { Get-ChildItem (Join-Path $Samples '*.txt') | Get-MailHeaderReport }
        'Get-MailHeaderReport -Verify'    = { Get-ChildItem (Join-Path $Samples '*.txt') | Get-MailHeaderReport -Verify @Dns }
        'Get-MailHeaderReport -Enrich'    = { Get-ChildItem (Join-Path $Samples '*.txt') | Get-MailHeaderReport -Enrich @Dns }
        'Get-MailDomainReport'            = { Get-MailDomainReport contoso.com @Dns -NoMtaStsFetch }
        'Get-DkimRecord'                  = { Get-DkimRecord contoso.com @Dns; Get-DkimRecord contoso.com -Selector selector1, nosuch @Dns }
        'Get-BimiRecord'                  = { Get-BimiRecord contoso.com @Dns }
        'Get-MtaStsPolicy -NoFetch'       = { Get-MtaStsPolicy contoso.com @Dns -NoFetch }
        'Get-MtaStsPolicy'                = { Get-MtaStsPolicy sts.invalid @Dns -FetchTimeoutSec 2 }
        'Get-TlsRptRecord'                = { Get-TlsRptRecord contoso.com @Dns }
        'Get-MxRecord'                    = { Get-MxRecord contoso.com @Dns }
        'Import-DmarcReport'              = { Get-ChildItem (Join-Path $RepoRoot 'tests/conformance/dmarc-reports/mailauth') -Filter *contoso* | Import-DmarcReport }
        'Import-DmarcReport -Database'    = { Import-DmarcReport -Path (Join-Path $RepoRoot 'tests/conformance/dmarc-reports/mailauth/*contoso*') -Database (Join-Path ([IO.Path]::GetTempPath()) ("mailauth-export-" + [guid]::NewGuid().ToString('N') + '.db')) }
        'Import-TlsRptReport'             = { Import-TlsRptReport -Path (Join-Path $RepoRoot 'tests/conformance/dmarc-reports/parsedmarc/smtp_tls'), (Join-Path $RepoRoot 'tests/conformance/dmarc-reports/mailauth/tlsrpt-microsoft.json.gz') }
        'Get-MailIpReport'                = { Get-MailIpReport 209.85.220.69, 185.234.219.12, 10.1.2.3 @Dns -Blocklist zen.spamhaus.org, bl.spamcop.net }
        'Test-MailAddress'                = { Test-MailAddress megan@contoso.com, 'a..b@contoso.com', 'user@[192.0.2.1]' @Dns }
        'Get-DmarcReportSummary'          = { Get-DmarcReportSummary -Path (Join-Path $RepoRoot 'tests/conformance/dmarc-reports/mailauth/*contoso*') }
    }

    # What a .NET type name looks like in a cell: Export-Csv writes ToString(), which for a type
    # without its own is the type's name.
    function Get-TypeNameCell([object[]] $Objects) {
        foreach ($row in $Objects | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv) {
            foreach ($cell in $row.PSObject.Properties) {
                $v = [string]$cell.Value
                if ($v -match '^(System|MailAuth|Microsoft|MimeKit|DnsClient)\.[\w.`\[\]+,]+$' -or $v.Contains('`1[') -or $v.Contains('+<') -or $v.Contains('Iterator')) {
                    "$($cell.Name) = $v"
                }
            }
        }
    }

    # A property that holds a name (a result, status, policy, ...) written as a number: an enum.
    $script:NameProperty = '"(\w*(Status|Result|Grade|Severity|Policy|PolicySource|Disposition|Identifier|Mode|Kind|Qualifier|Identity|Type|Resolution|Checks|Alignment|Psd))"\s*:\s*-?\d'
}

AfterAll {
    $script:Server.Dispose()
}

Describe 'The checks themselves' {
    It 'see a type name in a cell and an enum number in JSON' {
        $bad = [pscustomobject]@{ List = [System.Collections.Generic.List[string]]::new(); Range = [System.Linq.Enumerable]::Range(0, 3); Result = [System.DayOfWeek]::Monday }
        (Get-TypeNameCell $bad).Count | Should -Be 2
        [regex]::Matches(($bad | ConvertTo-Json -Depth 1 -WarningAction SilentlyContinue), $NameProperty).Count | Should -Be 1
    }
}

Describe 'Export-Csv and ConvertTo-Json of <_>' -ForEach @(
    'Resolve-MailAuthDnsName', 'Get-SpfRecord', 'Test-Spf', 'Resolve-DmarcPolicy', 'Resolve-DmarcPolicy -From',
    'Get-MailHeaderReport', 'Get-MailHeaderReport -Verify', 'Get-MailHeaderReport -Enrich', 'Get-MailDomainReport',
    'Get-DkimRecord', 'Get-BimiRecord', 'Get-MtaStsPolicy -NoFetch', 'Get-MtaStsPolicy', 'Get-TlsRptRecord', 'Get-MxRecord',
    'Import-DmarcReport', 'Import-DmarcReport -Database', 'Import-TlsRptReport', 'Get-DmarcReportSummary', 'Get-MailIpReport', 'Test-MailAddress') {
    BeforeAll {
        $script:Output = @(& $script:Cases[$_])
    }

    It 'gives output' {
        $Output.Count | Should -BeGreaterThan 0
    }

    It 'writes values to every CSV cell, never a type name' {
        Get-TypeNameCell $Output | Should -BeNullOrEmpty
    }

    It 'converts with ConvertTo-Json -Depth 4 without truncation and with names, not numbers' {
        foreach ($o in $Output) {
            $json = $o | ConvertTo-Json -Depth 4 -WarningVariable truncated -WarningAction SilentlyContinue
            $truncated | Should -BeNullOrEmpty -Because "$o converts whole at -Depth 4"
            [regex]::Matches($json, $NameProperty) | ForEach-Object { $_.Value } | Should -BeNullOrEmpty
        }
    }
}

Describe 'Collections in a CSV cell' {
    It 'joins the finding ids of a header report with "; "' {
        $row = Get-MailHeaderReport -Path $Phish | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        # docs/headers.md: trusted SPF pass for an unaligned envelope domain, Reply-To elsewhere.
        $row.Findings -split '; ' | Should -Contain 'HDR-SPF-UNALIGNED'
        $row.Findings -split '; ' | Should -Contain 'HDR-REPLYTO-DIFFERS'
        $row.ReceivedSpf | Should -Match '^pass client-ip=203\.0\.113\.45'
    }

    It 'joins the records of a domain with two SPF records' {
        $row = Get-SpfRecord twospf.contoso.com @Dns | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $row.Status | Should -Be 'Invalid'   # RFC 7208 §4.5: more than one record is a PermError
        ($row.Records -split '; ' | Sort-Object) | Should -Be @('v=spf1 -all', 'v=spf1 ~all')
    }

    It 'writes the terms and the flat include tree of an SPF record' {
        $row = Get-SpfRecord contoso.com @Dns | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $row.Terms | Should -Be 'ip4:192.0.2.0/24; ip6:2001:db8::/32; mx; a:relay.contoso.com; include:_spf.contoso.com; include:spf.mailer.example; ~all'
        ($row.IncludeTree -split '; ' | ForEach-Object { $_ -replace ' \d+/\d+$' }) |
            Should -Be @('contoso.com [Found]', 'include:_spf.contoso.com [Found]', 'include:_netblocks.contoso.com [Found]', 'include:spf.mailer.example [Found]')
    }

    It 'leaves an empty list empty' {
        $row = Get-MtaStsPolicy contoso.com @Dns -NoFetch | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $row.MxHosts | Should -BeExactly ''
    }
}

Describe 'ConvertTo-Json names' {
    It 'writes the SPF result, identity and trace kinds as names' {
        $json = Test-Spf -IPAddress 198.51.100.7 -Sender a@contoso.com @Dns | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json.Result | Should -Be 'Pass'
        $json.Identity | Should -Be 'MailFrom'
        $json.Address | Should -Be '198.51.100.7'
        $json.Trace.Kind | Should -Contain 'Record'
        $json.Trace.Kind | Should -Contain 'Mechanism'
        $json.DnsEvidence[0].QueryType | Should -Be 'TXT'
        $json.DnsEvidence[0].Status | Should -Be 'Found'
    }

    It 'writes DMARC policies, grade and severities as names' {
        $json = Get-MailDomainReport contoso.com @Dns -NoMtaStsFetch | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json.Status | Should -BeIn 'Ok', 'Findings'
        $json.Grade | Should -Match '^[A-F]$'
        $json.Checks | Should -Be 'All'
        $json.Dmarc.Policy | Should -Be 'Reject'
        $json.Dmarc.SubdomainPolicy | Should -Be 'Quarantine'
        $json.Dmarc.ParsedRecord.DkimAlignment | Should -Be 'Strict'   # adkim=s
        $json.Dmarc.ParsedRecord.SpfAlignment | Should -Be 'Relaxed'   # aspf defaults to r (RFC 7489 §6.3)
        # docs/posture.md: an RSA key under 2048 bits is a warning.
        ($json.Findings | Where-Object Id -eq 'DKIM-KEY-WEAK' | Select-Object -First 1).Severity | Should -Be 'Warning'
        $json.Mx.Hosts[0].Resolution | Should -Be 'Resolves'
        $json.Spf.Terms[0].Kind | Should -Be 'Mechanism'
        $json.Spf.Terms[0].Qualifier | Should -Be 'Pass'
        $json.Spf.Terms[1].Network | Should -Be '2001:db8::'
    }

    It 'keeps a full-posture domain report under 32 KB at -Depth 4, its DNS evidence aside' {
        $report = Get-MailDomainReport contoso.com @Dns -NoMtaStsFetch
        $json = $report | ConvertTo-Json -Depth 4 -WarningVariable truncated
        $truncated | Should -BeNullOrEmpty
        $withoutEvidence = $report | Select-Object -Property * -ExcludeProperty DnsEvidence | ConvertTo-Json -Depth 4
        [Text.Encoding]::UTF8.GetByteCount($withoutEvidence) | Should -BeLessThan 32KB
        # The evidence is each answer once (docs/dns-archive.md), not a copy per sub-report.
        $compressed = $report | ConvertTo-Json -Depth 4 -Compress
        $rest = $report | Select-Object -Property * -ExcludeProperty DnsEvidence | ConvertTo-Json -Depth 4 -Compress
        $evidence = ConvertTo-Json -InputObject @($report.DnsEvidence) -Depth 3 -Compress
        [Text.Encoding]::UTF8.GetByteCount($compressed) | Should -BeLessThan ([Text.Encoding]::UTF8.GetByteCount($rest) + [Text.Encoding]::UTF8.GetByteCount($evidence) + 100)
    }
}

Describe 'Export-Csv and Import-Csv round trip' {
    BeforeAll {
        $script:Csv = Join-Path $TestDrive 'out.csv'
    }

    It 'keeps the flat values of a domain report' {
        Get-MailDomainReport contoso.com @Dns -NoMtaStsFetch | Export-Csv -Path $Csv -NoTypeInformation
        $row = Import-Csv -Path $Csv
        $row.Domain | Should -Be 'contoso.com'
        $row.SpfStatus | Should -Be 'Found'
        $row.SpfAll | Should -Be '~'
        $row.DmarcPolicy | Should -Be 'Reject'
        $row.MxHosts | Should -Be '10 mail.contoso.com;20 mail2.contoso.com'   # by preference (RFC 5321 §5.1)
        $row.DkimSelectors | Should -Be 'selector1;selector2;google;k1'
        $row.TlsRptRua | Should -Be 'mailto:tls@contoso.com'
        $row.FindingText -split ';' | Should -Contain 'DKIM-KEY-WEAK'
        $row.Findings -split '; ' | Should -Contain 'DKIM-KEY-WEAK'
    }

    It 'keeps an SPF result and its client address' {
        Test-Spf -IPAddress 198.51.100.7 -Sender a@contoso.com @Dns | Export-Csv -Path $Csv -NoTypeInformation
        $row = Import-Csv -Path $Csv
        $row.Result | Should -Be 'Pass'   # include:_spf.contoso.com holds ip4:198.51.100.0/24
        $row.IPAddress | Should -Be '198.51.100.7'
        $row.Address | Should -Be '198.51.100.7'
        $row.Domain | Should -Be 'contoso.com'
        # mx, a and one include are evaluated before the match (RFC 7208 §4.6.4 counts them).
        $row.DnsLookupCount | Should -Be '3'
    }

    It 'keeps a header report' {
        Get-MailHeaderReport -Path $Phish | Export-Csv -Path $Csv -NoTypeInformation
        $row = Import-Csv -Path $Csv
        $row.ClientIP | Should -Be '203.0.113.45'
        $row.Spf | Should -Be 'pass'
        $row.Dmarc | Should -Be 'fail'
        $row.FromDomain | Should -Be 'example.com'
    }

    It 'keeps a DMARC policy with its report destinations' {
        Resolve-DmarcPolicy contoso.com @Dns | Export-Csv -Path $Csv -NoTypeInformation
        $row = Import-Csv -Path $Csv
        $row.Policy | Should -Be 'Reject'
        $row.EffectivePolicy | Should -Be 'Reject'
        $row.ReportUris | Should -Be 'mailto:d@contoso.com; mailto:agg@reports.example'
        $row.ReportAuthorizations | Should -Be 'reports.example: Found'
    }
}

Describe 'Nested detail stays objects' {
    It 'lists the SPF include tree flat, with depth and parent' {
        $spf = Get-SpfRecord contoso.com @Dns
        $spf.Terms.Count | Should -Be 7
        $spf.Terms[4].Name | Should -Be 'include'
        $spf.Terms[4].DomainSpec | Should -Be '_spf.contoso.com'
        $spf.IncludeTree.Domain | Should -Be @('contoso.com', '_spf.contoso.com', '_netblocks.contoso.com', 'spf.mailer.example')
        $spf.IncludeTree.Depth | Should -Be @(0, 1, 2, 1)
        $spf.IncludeTree[2].Parent | Should -Be '_spf.contoso.com'
        $spf.IncludeTree[-1].Via | Should -Be 'include:spf.mailer.example'
        # RFC 7208 §4.6.4: mx, a, include, include; include; exists.
        $spf.DnsLookupCount | Should -Be 6
        $spf.DnsEvidence[0].Records[0].Type | Should -Be 'TXT'
    }

    It 'keeps findings and DNS answers as objects' {
        $r = Get-MailHeaderReport -Path $Phish
        # docs/headers.md: HDR-SPF-UNALIGNED is an error without an aligned DKIM pass.
        ($r.Findings | Where-Object Id -eq 'HDR-SPF-UNALIGNED').Severity | Should -Be 'Error'
        ($r.Findings | Where-Object Id -eq 'HDR-REPLYTO-DIFFERS').Severity | Should -Be 'Warning'
        $r.AuthenticationResults[0].Results[0].Method | Should -Be 'spf'
        $r.AuthenticationResults[0].Results[0].GetProperty('smtp.mailfrom') | Should -Be 's12.cpanel-host.example.org'
        $r.ReceivedSpf[0].Pairs['client-ip'] | Should -Be '203.0.113.45'

        $txt = Resolve-MailAuthDnsName split.contoso.com -Type TXT @Dns
        $txt.Records[0].Data | Should -Be 'v=spf1 ip4:192.0.2.0/24 -all'   # RFC 7208 §3.3: joined, no separator
        $txt.Records[0].TextStrings | Should -Be '"v=spf1 ip4:192.0.2.0/24" " -all"'   # RFC 1035 §5.1
        $mx = Resolve-MailAuthDnsName contoso.com -Type MX @Dns
        $mx.Records[0].Preference | Should -Be 10
        $mx.Records.Target | Should -Contain 'mail2.contoso.com'
    }

    It 'keeps the DMARC evaluation and its identifiers' {
        $p = Resolve-DmarcPolicy -From contoso.com -MailFrom bounce.other.example -SpfResult pass -DkimResult 'mailer.example:pass' @Dns
        # Neither other.example nor mailer.example aligns with contoso.com (RFC 7489 §3.1): fail, p=reject.
        $p.DmarcResult | Should -Be 'Fail'
        $p.Disposition | Should -Be 'Reject'
        $p.AlignedIdentifier | Should -Be 'None'
        $p.Identifiers.Mechanism | Should -Be @('spf', 'dkim')
        $p.Identifiers.Aligned | Should -Be @($false, $false)
        $p.Evaluation.FromDomain | Should -Be 'contoso.com'
        $p.ReportAuthorizations[0].Host | Should -Be 'reports.example'
        $p.ReportAuthorizations[0].IsAuthorized | Should -BeTrue   # RFC 7489 §7.1 record found
    }

    It 'keeps -Verify results as objects' {
        $r = Get-MailHeaderReport -Path $Phish -Verify @Dns
        $r.Verification.SpfNow | Should -Be 'pass'   # 203.0.113.45 is in 203.0.113.0/24
        $r.Verification.Spf.Result | Should -Be 'Pass'
        $r.Verification.Spf.Trace[0].Kind | Should -Be 'Record'
        $r.Verification.Spf.Trace[0].Dns | Should -Match '^TXT s12\.cpanel-host\.example\.org @'
        $r.Verification.Dmarc.DmarcResult | Should -Be 'Fail'
        $r.Verification.Dmarc.Identifiers[0].Aligned | Should -BeFalse
        $r.Verification.Dmarc.Record | Should -Be 'v=DMARC1; p=reject'
    }

    It 'keeps posture rows and their DNS answers as objects' {
        $dkim = Get-DkimRecord contoso.com @Dns
        $dkim.Selectors.Selector | Should -Be @('selector1', 'selector2', 'google', 'k1')
        $dkim.Selectors[0].KeyBits | Should -Be 1024
        $dkim.Selectors[0].KeyType | Should -Be 'Rsa'
        $dkim.SelectorsTried | Should -Contain 'default'
        $dkim.DnsEvidence.Count | Should -Be $dkim.SelectorsTried.Count
        ($dkim.Findings | Where-Object Id -eq 'DKIM-KEY-WEAK')[0].Severity | Should -Be 'Warning'
        (Get-DkimRecord contoso.com -Selector selector1, nosuch @Dns).Selectors.Status | Should -Be @('Found', 'NotFound')

        $mx = Get-MxRecord contoso.com @Dns
        $mx.Hosts[0].Host | Should -Be 'mail.contoso.com'
        $mx.Hosts[0].Addresses | Should -Contain '2001:db8::10'
        $mx.DnsEvidence[0].Records[0].Type | Should -Be 'MX'

        (Get-BimiRecord contoso.com @Dns).Record.Tags.Name | Should -Be @('v', 'l')
        (Get-TlsRptRecord contoso.com @Dns).Record.ReportUris[0] | Should -Be 'mailto:tls@contoso.com'
        $sts = Get-MtaStsPolicy contoso.com @Dns -NoFetch
        $sts.FetchStatus | Should -Be 'NotFetched'
        $sts.Findings[0].Severity | Should -Be 'Information'   # docs/posture.md: MTASTS-NOT-FETCHED
        $sts.Response.Records[0].Data | Should -Be 'v=STSv1; id=2026'
        (Get-MtaStsPolicy sts.invalid @Dns -FetchTimeoutSec 2).FetchStatus | Should -Not -Be 'NotFetched'
    }

    It 'keeps the DNS evidence of a domain report once, at the top' {
        $plain = Get-MailDomainReport contoso.com @Dns -NoMtaStsFetch
        $plain.QueryCount | Should -BeGreaterThan 0
        $plain.Spf.DnsEvidence.Count | Should -Be 0
        $plain.Spf.IncludeTree.Count | Should -Be 4
        $plain.Dkim.Selectors[0].Selector | Should -Be 'selector1'

        $plain.DnsEvidence.Count | Should -Be $plain.QueryCount
        $plain.DnsEvidence.QueryName | Should -Contain '_dmarc.contoso.com'
    }
}
