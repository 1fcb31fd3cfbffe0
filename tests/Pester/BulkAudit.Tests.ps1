# Bulk audits in the real pwsh (issue 14): the DKIM selectors chosen from MX and SPF, the role and
# its advice, the grade in one line, the throttle as a ceiling up to 1,024, failover between
# servers, and 1,000 domains with dead and failing ones where no healthy domain reads LookupFailed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Key = New-DkimKeyRecord
    $script:World = Start-TestDnsServer {
        param($z)
        # Microsoft 365: MX and SPF show it; keys at selector1/selector2.
        $z.Add('m365.example', 'MX', '0 m365-example.mail.protection.outlook.com')
        $z.Add('m365-example.mail.protection.outlook.com', 'A', '52.101.68.1')
        $z.AddTxt('m365.example', 'v=spf1 include:spf.protection.outlook.com -all')
        $z.AddTxt('spf.protection.outlook.com', 'v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 -all')
        $z.AddTxt('_dmarc.m365.example', 'v=DMARC1; p=reject; rua=mailto:d@m365.example')
        $z.AddTxt('selector1._domainkey.m365.example', $script:Key)
        $z.AddTxt('selector2._domainkey.m365.example', $script:Key)
        # A Mandrill key: the sweep finds it; the chosen list does not (no MX or SPF shows Mandrill).
        $z.Add('shop.example', 'MX', '10 mx.shop.example')
        $z.Add('mx.shop.example', 'A', '198.51.100.25')
        $z.AddTxt('shop.example', 'v=spf1 mx -all')
        $z.AddTxt('_dmarc.shop.example', 'v=DMARC1; p=quarantine')
        $z.AddTxt('mandrill._domainkey.shop.example', $script:Key)
        $z.AddTxt('s2024._domainkey.shop.example', $script:Key)
        # Parked: an A record and nothing else.
        $z.Add('parked.example', 'A', '198.51.100.80')
        # 1,000 bulk domains: 9 in 10 healthy, 1 in 20 never answered, 1 in 20 SERVFAIL.
        foreach ($i in 0..999) {
            $d = "b$i.bulk.example"
            $z.Add($d, 'MX', "10 mx.$d")
            $z.Add("mx.$d", 'A', "192.0.2.$($i % 250 + 1)")
            $z.AddTxt($d, 'v=spf1 mx -all')
            $z.AddTxt("_dmarc.$d", 'v=DMARC1; p=reject')
            $z.AddTxt("selector1._domainkey.$d", $script:Key)
            # Every name a report asks exists: the test server answers NXDOMAIN after a scan of the zone.
            $z.AddTxt("default._bimi.$d", 'v=BIMI1; l=; a=;')
            $z.AddTxt("_mta-sts.$d", 'v=STSv1; id=1')
            $z.AddTxt("_smtp._tls.$d", "v=TLSRPTv1; rua=mailto:tls@$d")
            if ($i % 20 -eq 7) { $z.AddFault($d, 'Timeout') | Out-Null; $z.AddFault("_dmarc.$d", 'Timeout') | Out-Null }
            if ($i % 20 -eq 8) { $z.AddFault($d, 'ServFail') | Out-Null }
        }
    }
    $script:D = @{ Server = $script:World.Address; NoMtaStsFetch = $true }
}

AfterAll {
    $script:World.Dispose()
}

Describe 'DKIM selectors found, not swept' {
    It 'asks Microsoft 365''s selectors of a domain whose MX and SPF are Microsoft 365, in a dozen queries or fewer' {
        Clear-MailAuthDnsCache | Out-Null
        $script:World.ResetCounters()
        $r = Get-MailDomainReport m365.example @D
        $r.DkimSelectors | Should -Be 'selector1;selector2'
        $r.Dkim.SelectorChoice | Should -Match '^chosen: Microsoft 365 \(MX and SPF\)'
        # MX, its host's A and AAAA, SPF and its include, DMARC and the tree walk's parent,
        # BIMI, MTA-STS and TLS-RPT (10), and the six of the short list.
        $script:World.QueryCount | Should -BeLessOrEqual 16
        @($r.Dkim.SelectorsTried).Count | Should -Be 6
    }

    It 'sweeps the common list with -AllCommonSelectors, and asks the selectors of piped signatures first' {
        (Get-MailDomainReport shop.example @D).DkimSelectors | Should -BeNullOrEmpty
        (Get-MailDomainReport shop.example @D -AllCommonSelectors).DkimSelectors | Should -Be 'mandrill'

        # A header report's DKIM-Signature s=s2024 d=shop.example, as Get-MailHeaderReport gives it.
        $signed = [pscustomobject]@{ Domain = 'shop.example'; DkimSignatures = @([pscustomobject]@{ Domain = 'shop.example'; Selector = 's2024' }) }
        $r = $signed | Get-MailDomainReport @D
        $r.DkimSelectors | Should -Be 's2024'
        $r.Dkim.SelectorChoice | Should -Match 'seen in signed mail'
    }
}

Describe 'Role, advice and the grade in one line' {
    It 'calls a parked domain parked and says what to publish, in the CSV too' {
        $csv = Join-Path $TestDrive 'roles.csv'
        'parked.example', 'm365.example' | Get-MailDomainReport @D | Export-Csv $csv -NoTypeInformation
        $rows = Import-Csv $csv
        $rows[0].Role | Should -Be 'Parked'
        $rows[0].RoleAdvice | Should -Match 'v=spf1 -all'
        $rows[0].RoleAdvice | Should -Match 'RFC 7505'
        $rows[1].Role | Should -Be 'SendingAndReceiving'
        $rows[1].RoleAdvice | Should -BeNullOrEmpty
        $rows[0].GradeSummary | Should -Match '^F \(\d+/100\): '
        $rows[1].GradeSummary | Should -Match '^A \(\d+/100\)'
    }
}

Describe 'A resolver a bulk user can rely on' {
    It 'takes -ThrottleLimit up to 1024 and refuses 1025' {
        { Get-MailDomainReport m365.example @D -ThrottleLimit 1025 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailAuth.PowerShell.Commands.GetMailDomainReportCommand'
    }

    It 'fails over from a server that does not answer, without a LookupFailed row' {
        $dead = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        try {
            $servers = "127.0.0.1:$($dead.Client.LocalEndPoint.Port)", $script:World.Address
            $rows = 0..29 | ForEach-Object { "b$($_ * 20).bulk.example" } | Get-MailDomainReport -Server $servers -TimeoutSec 1 -NoMtaStsFetch -NoCache
            $rows.Count | Should -Be 30
            $rows | Where-Object Status -eq 'LookupFailed' | Should -BeNullOrEmpty
        }
        finally { $dead.Dispose() }
    }

    It 'audits 1,000 domains at -ThrottleLimit <Throttle>: healthy rows never LookupFailed, dead and failing ones always' -ForEach @(@{ Throttle = 1 }, @{ Throttle = 1024 }) {
        $names = if ($Throttle -eq 1) { 0..99 } else { 0..999 }
        Clear-MailAuthDnsCache | Out-Null
        $rows = $names | ForEach-Object { "b$_.bulk.example" } | Get-MailDomainReport @D -ThrottleLimit $Throttle -TimeoutSec 5 -Selector selector1 -MaxQueriesPerSecond 100000
        $rows.Count | Should -Be $names.Count
        ($rows.Domain -join ',') | Should -Be (($names | ForEach-Object { "b$_.bulk.example" }) -join ',')
        foreach ($row in $rows) {
            $i = [int]($row.Domain -replace '^b(\d+)\..*$', '$1')
            $failing = ($i % 20) -in 7, 8
            ($row.Status -eq 'LookupFailed') | Should -Be $failing -Because "$($row.Domain): $($row.ErrorMessage)"
        }
    }

    It 'reads its input no further ahead of its output than the read-ahead, so a long input is not buffered' {
        # -ThrottleLimit 4: the runner starts at most 256 domains beyond the next row (the window, at
        # least 256), and reads at most twice that beyond the last row written.
        $healthy = @(0..999 | Where-Object { ($_ % 20) -notin 7, 8 })[0..699]
        Clear-MailAuthDnsCache | Out-Null
        $script:read = 0
        $script:ahead = 0
        $rows = $healthy | ForEach-Object { $script:read++; "b$_.bulk.example" } |
            Get-MailDomainReport @D -ThrottleLimit 4 -Selector selector1 |
            ForEach-Object -Begin { $written = 0 } -Process {
                $written++
                $script:ahead = [Math]::Max($script:ahead, $script:read - $written)
                $_
            }
        $rows.Count | Should -Be 700
        ($rows.Domain -join ',') | Should -Be (($healthy | ForEach-Object { "b$_.bulk.example" }) -join ',')
        $script:ahead | Should -BeLessOrEqual 512
        $script:ahead | Should -BeGreaterThan 4 -Because 'the runner still reads ahead of its output'
    }
}
