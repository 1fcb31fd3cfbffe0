# The pipelines admins and analysts type, in the real pwsh: objects flow from cmdlet to cmdlet by
# property name, and out through Export-Csv and back through Import-Csv.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld
    $script:D = @{ Server = $script:World.Address }
    $script:Phish = Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt'
}

AfterAll {
    $script:World.Dispose()
}

Describe 'Get-SpfRecord | Test-Spf' {
    It 'evaluates each domain''s policy for the address given' {
        $results = 'contoso.com', 'fabrikam.com' | Get-SpfRecord @D | Test-Spf -IPAddress 40.107.22.51 @D
        $results.Domain | Should -Be @('contoso.com', 'fabrikam.com')
        # 40.107.0.0/16 is Exchange Online's; fabrikam.com ends in Google's ~all.
        $results.Result | Should -Be @('Pass', 'SoftFail')
    }
}

Describe 'Get-MailHeaderReport | Test-Spf' {
    It 'checks the envelope sender''s address (Return-Path / smtp.mailfrom), the edge IP and HELO' {
        $result = Get-Content $script:Phish | Get-MailHeaderReport | Test-Spf @D
        $result.IPAddress | Should -Be '203.0.113.45'
        $result.Sender | Should -Be 'webmaster@s12.cpanel-host.example.org'
        $result.Helo | Should -Be 's12.cpanel-host.example.org'
        $result.Identity | Should -Be 'MailFrom'
        $result.Result | Should -Be 'Pass'
    }
}

Describe 'Get-MailHeaderReport | Resolve-DmarcPolicy' {
    It 'finds the classic phish: SPF pass for the hosting domain, From not aligned, reject' {
        $policy = Get-Content $script:Phish | Get-MailHeaderReport | Resolve-DmarcPolicy @D -SkipReportAuthorization
        $policy.Domain | Should -Be 'example.com'
        $policy.DmarcResult | Should -Be 'Fail'
        $policy.Disposition | Should -Be 'Reject'
    }
}

Describe 'Test-Spf | Resolve-DmarcPolicy' {
    It 'takes the SPF result and the sender into the DMARC evaluation' {
        $policy = Test-Spf 40.107.22.51 bounce@contoso.com @D | Resolve-DmarcPolicy -From ceo@contoso.com @D -SkipReportAuthorization
        $policy.DmarcResult | Should -Be 'Pass'
        $policy.AlignedIdentifier | Should -Be 'Spf'
    }
}

Describe 'Get-MailHeaderReport | Get-DkimRecord' {
    It 'looks up the keys that signed the message (d= with its s=)' {
        $report = Get-MailHeaderReport -Path (Join-Path $script:RepoRoot 'samples/m365-clean-inbound.txt')
        $signed = @($report.DkimSignatures)
        $signed.Count | Should -BeGreaterThan 0
        $keys = $report | Get-DkimRecord @D
        @($keys).Count | Should -Be (@($signed.Domain | Sort-Object -Unique).Count)
        foreach ($k in $keys) { $k.Selectors.Selector | Should -BeIn $signed.Selector }
    }
}

Describe 'Get-Content domains.txt | Get-MailDomainReport | Export-Csv' {
    BeforeAll {
        $script:List = Join-Path $TestDrive 'domains.txt'
        Set-Content $script:List '# our brands', 'contoso.com', '', 'Fabrikam.COM', 'not a domain', 'tailspintoys.com', 'contoso.com'
        $script:Csv = Join-Path $TestDrive 'audit.csv'
        Get-Content $script:List | Get-MailDomainReport @D -NoMtaStsFetch -ErrorAction SilentlyContinue -ErrorVariable script:Bad | Export-Csv $script:Csv -NoTypeInformation
        $script:Rows = Import-Csv $script:Csv
    }

    It 'writes one row per domain line, in input order, comments and blank lines skipped' {
        $script:Rows.Input | Should -Be @('contoso.com', 'Fabrikam.COM', 'not a domain', 'tailspintoys.com', 'contoso.com')
        $script:Rows.Domain | Should -Be @('contoso.com', 'fabrikam.com', '', 'tailspintoys.com', 'contoso.com')
    }

    It 'keeps the bad line as an InvalidInput row and one error record' {
        $script:Rows[2].Status | Should -Be 'InvalidInput'
        $script:Bad.Count | Should -Be 1
        $script:Bad[0].TargetObject | Should -Be 'not a domain'
    }

    It 'notes the duplicate' {
        $script:Rows[4].InputNote | Should -Match 'duplicate of input 1'
    }

    It 'round-trips the values an admin sorts and filters on' {
        $script:Rows[0].Grade | Should -Be 'A'
        $script:Rows[0].DmarcEffectivePolicy | Should -Be 'Reject'
        $script:Rows[0].SpfLookups | Should -Be '1'
        $script:Rows[3].Grade | Should -Be 'F'
        $script:Rows[3].SpfLookups | Should -Be '11'
        $script:Rows[3].DmarcEffectivePolicy | Should -Be 'None'
        $script:Rows[1].MxHosts | Should -Match 'smtp\.google\.com'
    }
}

Describe 'Get-ChildItem | Get-MailHeaderReport' {
    It 'reads every bundled sample, one report each' {
        $files = Get-ChildItem (Join-Path $script:RepoRoot 'samples/*.txt')
        $reports = $files | Get-MailHeaderReport
        @($reports).Count | Should -Be $files.Count
        $reports.Source | Should -Be $files.FullName
    }
}
