# Pester tests of the cmdlets in a real pwsh: views render, Export-Csv rows are flat, pipelines bind.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Server = Start-TestDnsServer {
        param($z)
        $z.AddTxt('contoso.com', 'v=spf1 ip4:192.0.2.0/24 -all')
        $z.AddTxt('_dmarc.contoso.com', 'v=DMARC1; p=reject; rua=mailto:d@contoso.com')
        $z.AddTxt('s12.cpanel-host.example.org', 'v=spf1 ip4:203.0.113.0/24 -all')
        $z.AddTxt('_dmarc.example.com', 'v=DMARC1; p=reject')
    }
    $script:Dns = @{ Server = $script:Server.Address }
    $script:Phish = Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt'
}

AfterAll {
    $script:Server.Dispose()
}

Describe 'Get-SpfRecord and Test-Spf' {
    It 'exports one flat CSV row per domain with numbers for counts' {
        $csv = 'contoso.com', 'nothing.example' | Get-SpfRecord @Dns | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $csv.Count | Should -Be 2
        $csv[0].Status | Should -Be 'Found'
        $csv[0].DnsLookupCount | Should -Be '0'
        $csv[1].Status | Should -Be 'NotFound'
    }

    It 'renders a table that fits 120 columns' {
        $lines = Get-SpfRecord contoso.com @Dns | Format-Table | Out-String -Width 400 -Stream
        ($lines | Where-Object { $_.Length -gt 120 }) | Should -BeNullOrEmpty
        ($lines -join "`n") | Should -Match 'contoso.com'
    }

    It 'pipes a header report into Test-Spf' {
        $result = Get-Content $script:Phish | Get-MailHeaderReport | Test-Spf @Dns
        $result.Result | Should -Be 'Pass'
        $result.IPAddress | Should -Be '203.0.113.45'
    }
}

Describe 'Resolve-DmarcPolicy' {
    It 'finds the seeds case: SPF pass, From not aligned, reject' {
        $policy = Get-Content $script:Phish | Get-MailHeaderReport | Resolve-DmarcPolicy @Dns -SkipReportAuthorization
        $policy.DmarcResult | Should -Be 'Fail'
        $policy.Disposition | Should -Be 'Reject'
    }

    It 'round-trips through ConvertTo-Json' {
        $json = Resolve-DmarcPolicy contoso.com @Dns -SkipReportAuthorization | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $json.Policy | Should -Be 'Reject'
    }
}

Describe 'Get-MailHeaderReport' {
    It 'reads Get-Content lines and shows the verdict list view' {
        $text = Get-Content $script:Phish | Get-MailHeaderReport | Format-List | Out-String
        $text | Should -Match 'HDR-SPF-UNALIGNED'
    }

    It 'reads every bundled sample through Get-ChildItem' {
        $reports = Get-ChildItem (Join-Path $script:RepoRoot 'samples/*.txt') | Get-MailHeaderReport
        $reports.Count | Should -Be (Get-ChildItem (Join-Path $script:RepoRoot 'samples/*.txt')).Count
    }
}

Describe 'Get-MailDomainReport' {
    It 'gives one flat CSV row per domain, in input order, bad input included' {
        $rows = 'contoso.com', 'not a domain!', 'nothing.example' |
            Get-MailDomainReport @Dns -NoMtaStsFetch -ErrorAction SilentlyContinue |
            ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $rows.Count | Should -Be 3
        $rows[0].Domain | Should -Be 'contoso.com'
        $rows[0].DmarcEffectivePolicy | Should -Be 'Reject'
        $rows[1].Status | Should -Be 'InvalidInput'
    }

    It 'fits the default table in 120 columns' {
        $lines = Get-MailDomainReport contoso.com @Dns -NoMtaStsFetch | Format-Table | Out-String -Width 400 -Stream
        ($lines | Where-Object { $_.Length -gt 120 }) | Should -BeNullOrEmpty
    }
}
