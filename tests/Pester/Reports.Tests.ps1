# DMARC aggregate and TLS reports as the user sees them: CSV cells are values, JSON has names and
# no truncation, one bad file is one error while the rest import, duplicates are noted once, the
# views fit the console, and SQLite keeps what was imported.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Corpus = Join-Path $script:RepoRoot 'tests/conformance/dmarc-reports'
    $script:Own = Join-Path $script:Corpus 'mailauth'
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ("mailauth-reports-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $script:Work | Out-Null
    $script:O365 = Join-Path $script:Own 'enterprise.protection.outlook.com!contoso.com!1767225600!1767312000.eml'
    $script:Yahoo = Join-Path $script:Own 'yahoo.com!contoso.com!1767225600!1767311999.xml.gz'
    $script:Google = Join-Path $script:Own 'google.com!contoso.com!1767225600!1767311999.zip'
    $script:Rfc9990 = Join-Path $script:Own 'rfc9990-receiver.example!contoso.com!1767225600!1767311999.xml'
}

AfterAll {
    Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue
}

Describe 'Import-DmarcReport | Export-Csv' {
    BeforeAll {
        $csv = Join-Path $script:Work 'records.csv'
        Import-DmarcReport -LiteralPath $script:O365, $script:Yahoo | Export-Csv -Path $csv -NoTypeInformation
        $script:Rows = Import-Csv $csv
        $script:Header = (Get-Content $csv -TotalCount 1) -replace '"', ''
    }

    It 'has the flat columns in the order of the issue, then Detail' {
        $script:Header | Should -Be 'OrgName,ReportId,BeginDate,EndDate,PolicyDomain,PolicyP,SourceIP,Count,Disposition,HeaderFrom,EnvelopeFrom,DkimResult,DkimDomain,SpfResult,SpfDomain,DkimAligned,SpfAligned,DmarcResult,SourceFile,Detail'
    }

    It 'writes values in every cell, never a type name' {
        $script:Rows.Count | Should -Be 7
        foreach ($row in $script:Rows) {
            foreach ($p in $row.PSObject.Properties) { $p.Value | Should -Not -Match '^MailAuth\.|System\.Collections' }
        }
        $o365 = $script:Rows | Where-Object SourceIP -eq '2a01:111:f403:2412::701'
        $o365.OrgName | Should -Be 'Enterprise Outlook'
        $o365.Count | Should -Be '7'
        $o365.Disposition | Should -Be 'None'
        $o365.DkimAligned | Should -Be 'True'
        $o365.DmarcResult | Should -Be 'Pass'
        $o365.Detail | Should -Match 'dkim=pass d=contoso\.com s=selector2'
        $o365.Detail | Should -Match 'envelope_to=fabrikam\.com'
        ($script:Rows | Where-Object SourceIP -eq '52.100.10.20').Detail | Should -Match 'override=TrustedForwarder'
    }
}

Describe 'Import-DmarcReport | ConvertTo-Json -Depth 4' {
    It 'gives names for enums and nested detail, with no truncation warning' {
        $json = Import-DmarcReport -LiteralPath $script:Rfc9990 | ConvertTo-Json -Depth 4 -WarningVariable warned 3>$null
        $warned | Should -BeNullOrEmpty
        $records = $json | ConvertFrom-Json
        $records.Count | Should -Be 2
        $records[0].Disposition | Should -Be 'Pass'
        $records[0].Detail.Dkim[0].Selector | Should -Be 'selector1'
        $records[0].Detail.Spf[0].Scope | Should -Be 'mfrom'
        $records[0].Detail.Report.Schema | Should -Be 'Rfc9990'
        $records[0].Detail.Report.PolicyNp | Should -Be 'Reject'
        $records[0].Detail.Report.Generator | Should -Be 'Receiver DMARC 2.3.1'
        $records[1].Detail.PolicyOverrides[0].Type | Should -Be 'PolicyTestMode'
    }
}

Describe 'A batch with bad, hostile and duplicate files' {
    BeforeAll {
        $script:Batch = Join-Path $script:Work 'batch'
        New-Item -ItemType Directory -Path $script:Batch | Out-Null
        Copy-Item -LiteralPath $script:Yahoo, $script:Google, (Join-Path $script:Own 'truncated.xml.gz'), (Join-Path $script:Own 'bomb.zip'), (Join-Path $script:Own 'xxe.xml') -Destination $script:Batch
        Copy-Item -LiteralPath $script:Yahoo -Destination (Join-Path $script:Batch 'yahoo-again.xml.gz')
        $script:Out = Get-ChildItem $script:Batch | Import-DmarcReport -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue
        $script:Errs = $errs
        $script:Warns = $warns
    }

    It 'writes the files in input order though they are read in parallel' {
        $files = @($script:Out | ForEach-Object SourceFile | Select-Object -Unique)
        $files | Should -Be @((Get-ChildItem $script:Batch | Where-Object { $_.FullName -in $files }).FullName)
        $many = 1..12 | ForEach-Object { $script:Google, $script:Yahoo } | Import-DmarcReport -ThrottleLimit 4 -WarningAction SilentlyContinue
        @($many).Count | Should -Be 6
    }

    It 'imports every good report once' {
        # google zip: 2 reports, 3 records; yahoo: 3 records; its copy is a duplicate.
        @($script:Out).Count | Should -Be 6
        ($script:Out | Measure-Object Count -Sum).Sum | Should -Be (51 + 16)
    }

    It 'writes one error per bad file, naming the file and the reason' {
        $script:Errs.Count | Should -Be 3
        $ids = $script:Errs | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] } | Sort-Object
        $ids | Should -Be @('InvalidDmarcReport.Dtd', 'InvalidDmarcReport.SizeLimit', 'InvalidDmarcReport.Truncated')
        foreach ($e in $script:Errs) {
            $e.FullyQualifiedErrorId | Should -BeLike 'InvalidDmarcReport*'
            $e.CategoryInfo.Category | Should -Be 'InvalidData'
            $e.TargetObject | Should -Match '(truncated|bomb|xxe)'
            $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }
        ($script:Errs | Where-Object { $_.TargetObject -like '*truncated*' }).ToString() | Should -Match 'truncated XML'
        ($script:Errs | Where-Object { $_.TargetObject -like '*bomb*' }).ToString() | Should -Match 'compressed size limit exceeded'
    }

    It 'notes the duplicate once' {
        $script:Warns.Count | Should -Be 1
        $script:Warns[0].Message | Should -Match 'duplicate report Yahoo 1767312000\.612345'
    }
}

Describe 'The report views' {
    It 'fits <Cmdlet> in 80 columns' -ForEach @(
        @{ Cmdlet = 'Import-DmarcReport' }, @{ Cmdlet = 'Import-TlsRptReport' }, @{ Cmdlet = 'Get-DmarcReportSummary' }) {
        $objects = switch ($Cmdlet) {
            'Import-DmarcReport' { Import-DmarcReport -LiteralPath $script:O365 }
            'Import-TlsRptReport' { Import-TlsRptReport -Path (Join-Path $script:Own 'tlsrpt-microsoft.json.gz') }
            'Get-DmarcReportSummary' { Import-DmarcReport -LiteralPath $script:O365, $script:Google | Get-DmarcReportSummary }
        }
        foreach ($width in 80, 120) {
            $lines = $objects | Format-Table | Out-String -Width $width -Stream | Where-Object { $_.Trim() }
            ($lines | Where-Object { $_.Length -gt $width }) | Should -BeNullOrEmpty
            $lines.Count | Should -Be (@($objects).Count + 2)
        }
    }
}

Describe 'Import-TlsRptReport' {
    It 'reads the RFC 8460 example and Microsoft-style gzip, one row per failure' {
        $rows = Import-TlsRptReport -Path (Join-Path $script:Corpus 'parsedmarc/smtp_tls/rfc8460.json'), (Join-Path $script:Own 'tlsrpt-microsoft.json.gz')
        $rows.Count | Should -Be 6
        ($rows | Measure-Object FailedSessionCount -Sum).Sum | Should -Be (303 + 9)
        ($rows | ConvertTo-Csv | Select-Object -Skip 1) -join "`n" | Should -Not -Match 'MailAuth\.'
    }

    It 'writes one error for a truncated report and goes on' {
        $rows = Import-TlsRptReport -Path (Join-Path $script:Own 'tlsrpt-truncated.json'), (Join-Path $script:Corpus 'parsedmarc/smtp_tls/mail.ru.json') -ErrorVariable errs -ErrorAction SilentlyContinue
        $rows.Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidTlsRptReport.NotJson*'
    }
}

Describe 'Get-DmarcReportSummary' {
    It 'adds up messages, passes and dispositions per source' {
        $s = Import-DmarcReport -LiteralPath $script:O365, $script:Google | Get-DmarcReportSummary
        ($s | Select-Object -First 1).SourceIP | Should -Be '167.89.1.1'
        $top = $s | Where-Object SourceIP -eq '40.107.22.51'
        $top.Messages | Should -Be 34
        $top.DmarcPass | Should -Be 34
        ($s | Where-Object SourceIP -eq '167.89.1.1').Service | Should -Be 'SendGrid'
        ($s | Where-Object SourceIP -eq '203.0.113.45').DispositionQuarantine | Should -Be 2
    }

    It 'enriches with PTR, FCrDNS and ASN over the resolver (-Server)' {
        $world = Start-MailWorld {
            param($z)
            $z.Add('51.22.107.40.in-addr.arpa', [MailAuth.Testing.Dns.ZoneRecordType]::PTR, 'mail-db8eur05on2051.outbound.protection.outlook.com')
            $z.Add('mail-db8eur05on2051.outbound.protection.outlook.com', [MailAuth.Testing.Dns.ZoneRecordType]::A, '40.107.22.51')
            $z.AddTxt('51.22.107.40.origin.asn.cymru.com', '8075 | 40.104.0.0/14 | US | arin | 2015-02-23')
            $z.AddTxt('AS8075.asn.cymru.com', '8075 | US | arin | 1997-03-05 | MICROSOFT-CORP-MSN-AS-BLOCK - Microsoft Corporation, US')
        }
        try {
            $s = Import-DmarcReport -LiteralPath $script:Yahoo | Get-DmarcReportSummary -Enrich -Server $world.Address
            $ms = $s | Where-Object SourceIP -eq '40.107.22.51'
            $ms.PtrName | Should -Be 'mail-db8eur05on2051.outbound.protection.outlook.com'
            $ms.ForwardConfirmed | Should -BeTrue
            $ms.Asn | Should -Be 8075
            $ms.AsnName | Should -Match 'Microsoft'
            $ms.Service | Should -Be 'Microsoft 365'
            $ms.ServiceEvidence | Should -Match '^PTR '
            ($s | Where-Object SourceIP -eq '198.51.100.23').PtrName | Should -BeNullOrEmpty
            # No PTR, no AS answer, DKIM d=contoso.com: Google's SPF include authorizes 209.85.220.41.
            $g = $s | Where-Object SourceIP -eq '209.85.220.41'
            $g.Service | Should -Be 'Google'
            $g.ServiceEvidence | Should -Be 'SPF include:_spf.google.com'
        }
        finally { $world.Dispose() }
    }
}

Describe 'Import-DmarcReport -Database (SQLite)' {
    It 'stores each report once and summarises from the file' {
        $db = Join-Path $script:Work 'dmarc.db'
        $first = Import-DmarcReport -LiteralPath $script:Yahoo, $script:Google -Database $db
        @($first).Count | Should -Be 3
        $again = Import-DmarcReport -LiteralPath $script:Yahoo -Database $db -WarningVariable w -WarningAction SilentlyContinue
        $again | Should -BeNullOrEmpty
        $w.Count | Should -Be 1
        $s = Get-DmarcReportSummary -Database $db
        ($s | Measure-Object Messages -Sum).Sum | Should -Be (16 + 51)
    }
}
