# SPF in the real pwsh: the client-address boundary with addresses of real traffic, the lookup
# ledger, -Flatten, and mail-log re-checks through Import-Csv | Test-Spf.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld
    $script:D = @{ Server = $script:World.Address }
}

AfterAll {
    $script:World.Dispose()
}

Describe 'Test-Spf at the SMTP boundary' {
    It 'takes <Address>, an address Exchange Online or Google sends from, and decides <Result>' -ForEach @(
        @{ Address = '52.100.165.209'; Sender = 'bounce@contoso.com'; Result = 'Pass'; Shown = '52.100.165.209' }
        @{ Address = '40.92.18.45'; Sender = 'bounce@contoso.com'; Result = 'Pass'; Shown = '40.92.18.45' }
        @{ Address = '104.47.17.97'; Sender = 'bounce@contoso.com'; Result = 'Pass'; Shown = '104.47.17.97' }
        @{ Address = '[52.100.165.209]'; Sender = 'bounce@contoso.com'; Result = 'Pass'; Shown = '52.100.165.209' }
        @{ Address = '[IPv6:2a01:111:f400:7e1b::200]'; Sender = 'bounce@contoso.com'; Result = 'Pass'; Shown = '2a01:111:f400:7e1b::200' }
        @{ Address = 'IPv6:2A01:0111:F400:7E1B:0:0:0:200'; Sender = 'bounce@contoso.com'; Result = 'Pass'; Shown = '2a01:111:f400:7e1b::200' }
        @{ Address = '::ffff:40.107.22.41'; Sender = 'bounce@contoso.com'; Result = 'Pass'; Shown = '40.107.22.41' }
        @{ Address = '209.85.220.41'; Sender = 'invoices@fabrikam.com'; Result = 'Pass'; Shown = '209.85.220.41' }
        @{ Address = '2607:f8b0:4864:20::52d'; Sender = 'invoices@fabrikam.com'; Result = 'Pass'; Shown = '2607:f8b0:4864:20::52d' }
        @{ Address = '209.85.220.41'; Sender = 'bounce@contoso.com'; Result = 'Fail'; Shown = '209.85.220.41' }
        @{ Address = '198.51.100.23'; Sender = 'invoices@fabrikam.com'; Result = 'SoftFail'; Shown = '198.51.100.23' }
    ) {
        $r = Test-Spf -IPAddress $Address -Sender $Sender @D
        $r.Result | Should -Be $Result
        $r.IPAddress | Should -Be $Shown
        $r.ReceivedSpf | Should -Match "client-ip=""?$([regex]::Escape($Shown))"
    }

    It 'refuses <Address> naming the value and what it would be read as' -ForEach @(
        @{ Address = '127.1'; Why = 'inet_aton shorthand \(some software would read it as 127\.0\.0\.1\)' }
        @{ Address = '0x34.0x64.0xa5.0xd1'; Why = 'read it as 52\.100\.165\.209' }
        @{ Address = '052.100.165.209'; Why = 'leading zero.*decimal 52.*octal 42' }
        @{ Address = '52.100.165.209:25'; Why = 'is a port' }
        @{ Address = 'mail.contoso.com'; Why = 'host name' }
    ) {
        $r = Test-Spf -IPAddress $Address -Sender bounce@contoso.com @D -ErrorVariable bad -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $bad[0].FullyQualifiedErrorId | Should -Be 'InvalidIPAddress,MailAuth.PowerShell.Commands.TestSpfCommand'
        $bad[0].TargetObject | Should -Be $Address
        $bad[0].Exception.Message | Should -Match ("^'" + [regex]::Escape($Address) + "' is not a client IP address: ")
        $bad[0].Exception.Message | Should -Match $Why
        $bad[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'says an empty FromIP is empty, not malformed' {
        $r = New-ExoMessageTrace bounce@contoso.com '' | Test-Spf @D -ErrorVariable bad -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $bad[0].FullyQualifiedErrorId | Should -Be 'EmptyIPAddress,MailAuth.PowerShell.Commands.TestSpfCommand'
        $bad[0].Exception.Message | Should -Match 'without FromIP'
    }
}

Describe 'Mail-log re-checks: Import-Csv | Test-Spf' {
    BeforeAll {
        $script:Csv = Join-Path ([System.IO.Path]::GetTempPath()) ("conn-" + [guid]::NewGuid().ToString('N') + '.csv')
        @'
Time,ClientIP,Sender,Helo
2026-11-30T09:14:02Z,52.100.165.209,bounce@contoso.com,EUR05-AM6-obe.outbound.protection.outlook.com
2026-11-30T09:14:03Z,209.85.220.41,invoices@fabrikam.com,mail-sor-f41.google.com
2026-11-30T09:14:04Z,198.51.100.23,ceo@contoso.com,unknown.example
2026-11-30T09:14:05Z,127.1,bounce@contoso.com,relay.example
2026-11-30T09:14:06Z,2a01:111:f400:7e1b::200,,EUR05-AM6-obe.outbound.protection.outlook.com
2026-11-30T09:14:07Z,203.0.113.80,noreply@tailspintoys.com,mail.tailspintoys.com
'@ | Set-Content -Path $script:Csv -Encoding utf8
        $script:LogCsv = Join-Path ([System.IO.Path]::GetTempPath()) ("log-" + [guid]::NewGuid().ToString('N') + '.csv')
        @'
IP,MailFrom,Helo
40.107.22.41,alerts@contoso.com,mail.contoso.com
2607:f8b0:4864:20::52d,invoices@fabrikam.com,mail-qt1-x82d.google.com
'@ | Set-Content -Path $script:LogCsv -Encoding utf8
    }

    AfterAll {
        Remove-Item -LiteralPath $script:Csv, $script:LogCsv -ErrorAction SilentlyContinue
    }

    It 'gives one result per row, in order, each with a Received-SPF header' {
        $results = Import-Csv $script:Csv | Test-Spf @D -ErrorVariable bad -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 5
        $results.IPAddress | Should -Be @('52.100.165.209', '209.85.220.41', '198.51.100.23', '2a01:111:f400:7e1b::200', '203.0.113.80')
        # The null reverse-path row is checked as postmaster@HELO (RFC 7208 §2.4); that HELO name
        # publishes no SPF record here, so None.
        $results.Result | Should -Be @('Pass', 'Pass', 'Fail', 'None', 'Pass')
        $results[3].Sender | Should -Be 'postmaster@EUR05-AM6-obe.outbound.protection.outlook.com'
        foreach ($r in $results) { $r.ReceivedSpf | Should -Match '^Received-SPF: (pass|fail|none) \(' }
        $bad.Count | Should -Be 1
        $bad[0].TargetObject | Should -Be '127.1'
    }

    It 'binds IP and MailFrom columns too' {
        $results = Import-Csv $script:LogCsv | Test-Spf @D
        $results.Result | Should -Be @('Pass', 'Pass')
        $results.Domain | Should -Be @('contoso.com', 'fabrikam.com')
    }

    It 'exports the re-check back to CSV with the header in a cell' {
        $rows = Import-Csv $script:LogCsv | Test-Spf @D | Select-Object IPAddress, Result, ReceivedSpf | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $rows[0].Result | Should -Be 'Pass'
        $rows[0].ReceivedSpf | Should -Match 'client-ip=40\.107\.22\.41'
    }
}

Describe 'Get-SpfRecord: the lookup ledger' {
    It 'lists every term of tailspintoys.com''s tree with the running count and the eleventh lookup' {
        $report = Get-SpfRecord tailspintoys.com @D
        $report.DnsLookupCount | Should -Be 11
        $report.Verdict | Should -Be 'PermError'
        $crossing = $report.Ledger | Where-Object CrossesLookupLimit
        @($crossing).Count | Should -Be 1
        $crossing.Term | Should -Be 'mx'
        $crossing.RunningDnsLookups | Should -Be 11
        $crossing.IncludePath | Should -Be 'tailspintoys.com'
        ($report.Ledger | Where-Object Term -eq 'include:_netblocks3.google.com').IncludePath | Should -Be 'tailspintoys.com > include:_spf.google.com'
        ($report.Ledger | Where-Object DnsLookups).RunningDnsLookups | Should -Be (1..11)
    }

    It 'names each void lookup''s term and the name it asked for' {
        $world = Start-MailWorld {
            param($z)
            $z.AddTxt('voids.contoso.com', 'v=spf1 a:gone.contoso.com include:spf.protection.outlook.com mx:nomail.contoso.com -all')
            $z.Add('nomail.contoso.com', [MailAuth.Testing.Dns.ZoneRecordType]::A, '192.0.2.1')
        }
        try {
            $report = Get-SpfRecord voids.contoso.com -Server $world.Address
            $voids = $report.Ledger | Where-Object VoidLookups
            $voids.Term | Should -Be @('a:gone.contoso.com', 'mx:nomail.contoso.com')
            $voids.VoidName | Should -Be @('gone.contoso.com', 'nomail.contoso.com')
            $voids.VoidAnswer | Should -Be @('NXDOMAIN', 'no data')
            $report.VoidLookups[0] | Should -Be "'a:gone.contoso.com' in voids.contoso.com: gone.contoso.com NXDOMAIN"
        } finally {
            $world.Dispose()
        }
    }

    It 'shows a record that will PermError as such in the default table' {
        $lines = Get-SpfRecord tailspintoys.com, contoso.com @D | Format-Table | Out-String -Width 120 -Stream | Where-Object { $_.Trim() }
        $lines[2] | Should -Match 'tailspintoys\.com\s+Found\s+11/10\s+PermError'
        $lines[2] | Should -Match "'mx' \(tailspintoys\.com\) is DNS lookup 11"
        $lines[3] | Should -Match 'contoso\.com\s+Found\s+1/10\s+OK'
    }

    It 'renders the ledger as a table within 80 columns' {
        $lines = (Get-SpfRecord tailspintoys.com @D).Ledger | Format-Table | Out-String -Width 80 -Stream | Where-Object { $_.Trim() }
        ($lines | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty
        $lines[0] | Should -Match '#\s+DNS\s+Void\s+Term\s+Note'
        ($lines | Where-Object { $_ -match '^\s*\d+\s+11\s+mx\s+over the limit' }) | Should -Not -BeNullOrEmpty
    }

    It 'exports the ledger as flat CSV rows and JSON within -Depth 4' {
        $report = Get-SpfRecord tailspintoys.com @D
        $rows = $report.Ledger | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $rows[0].Term | Should -Be 'include:_spf.google.com'
        $rows[0].Queries | Should -Be 'TXT _spf.google.com'
        $json = $report | ConvertTo-Json -Depth 4 -WarningAction Stop | ConvertFrom-Json
        $json.Ledger[-1].Term | Should -Be '~all'
        $json.Verdict | Should -Be 'PermError'
    }
}

Describe 'Get-SpfRecord -Flatten' {
    It 'gives tailspintoys.com a candidate record within 10 lookups and 255-byte strings, with its TTLs and a warning' {
        $flat = Get-SpfRecord tailspintoys.com -Flatten @D -NoCache -WarningVariable warned -WarningAction SilentlyContinue
        $flat.PSObject.TypeNames[0] | Should -Be 'MailAuth.Spf.SpfFlattening'
        $flat.OriginalDnsLookupCount | Should -Be 11
        $flat.DnsLookupCount | Should -BeLessOrEqual 10
        $flat.WithinLimits | Should -BeTrue
        $flat.Record | Should -Match '^v=spf1 .*ip4:40\.92\.0\.0/15 .*ip4:209\.85\.128\.0/17 .* ~all$'
        $flat.Record | Should -Not -Match 'include:'
        foreach ($s in $flat.Strings) { [System.Text.Encoding]::UTF8.GetByteCount($s) | Should -BeLessOrEqual 255 }
        ($flat.Strings -join '') | Should -Be $flat.Record
        $flat.MinimumTtl | Should -Be 300
        $flat.Sources | Should -Contain 'TXT spf.protection.outlook.com: 300 s'
        $flat.RefreshBy | Should -BeOfType [DateTimeOffset]
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match 'tailspintoys\.com: A snapshot .* Refresh it before'
    }

    It 'is a record Test-Spf decides as the published one (contoso.com on Exchange Online)' {
        $flat = Get-SpfRecord contoso.com -Flatten @D -WarningAction SilentlyContinue
        # 52.100.0.0/15, 52.102.0.0/16 and 52.103.0.0/16 are one /14; the IPv6 ranges are not siblings.
        $flat.Record | Should -Be 'v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 ip6:2a01:111:f403:8000::/51 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 -all'
        foreach ($ip in '52.100.165.209', '52.103.1.1', '104.47.17.97', '2a01:111:f403:c201::1', '209.85.220.41', '198.51.100.23') {
            $published = Test-Spf $ip bounce@contoso.com @D
            $candidate = Test-Spf $ip bounce@contoso.com -Record $flat.Record @D
            $candidate.Result | Should -Be $published.Result -Because $ip
        }
    }

    It 'shows the candidate in a table within 80 columns and the strings in the list view' {
        $flat = Get-SpfRecord tailspintoys.com -Flatten @D -WarningAction SilentlyContinue
        $lines = $flat | Format-Table | Out-String -Width 80 -Stream | Where-Object { $_.Trim() }
        $lines[0] | Should -Match 'Domain\s+Lookups\s+Strings\s+MinTtl\s+Record'
        $lines[2] | Should -Match 'tailspintoys\.com\s+11->0'
        ($flat | Format-List | Out-String -Width 200) | Should -Match 'Strings\s+: "v=spf1 '
    }
}
