# The default views as a user sees them in an 80- and a 120-column console: every column of the
# table shown, no line wider than the console, the list views holding what matters.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld
    $script:Outputs = Get-CmdletOutputs -Server $script:World.Address
}

AfterAll {
    $script:World.Dispose()
}

Describe 'The default table view of <_>' -ForEach @(
    'Resolve-MailAuthDnsName', 'Get-SpfRecord', 'Test-Spf', 'Resolve-DmarcPolicy', 'Get-MailHeaderReport',
    'Get-MailDomainReport', 'Get-DkimRecord', 'Get-BimiRecord', 'Get-MtaStsPolicy', 'Get-TlsRptRecord', 'Get-MxRecord',
    'Import-DmarcReport', 'Import-TlsRptReport', 'Get-DmarcReportSummary', 'Get-MailIpReport', 'Test-MailAddress', 'Get-MailAuthFinding') {
    BeforeAll {
        $script:Objects = $script:Outputs[$_]
        $typeName = $script:Objects[0].PSObject.TypeNames[0]
        $table = (Get-FormatData -TypeName $typeName).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] } | Select-Object -First 1
        $script:Labels = $table.Control.Headers.Label
    }

    It 'is defined in the module''s format file' {
        $script:Labels.Count | Should -BeGreaterOrEqual 4
    }

    It 'shows every column in <Width> columns, no line wider' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = $script:Objects | Format-Table | Out-String -Width $Width -Stream | Where-Object { $_.Trim() }
        ($lines | Where-Object { $_.Length -gt $Width }) | Should -BeNullOrEmpty
        # The formatter drops columns that do not fit; a header row missing one means the view is too wide.
        $header = $lines[0]
        foreach ($label in $script:Labels) { $header | Should -Match ([regex]::Escape($label)) }
        # One row per object, under the header and its dashes.
        $lines.Count | Should -Be ($script:Objects.Count + 2)
    }
}

Describe 'What the default views say' {
    It 'shows an SPF record over the lookup limit as a PermError, not as healthy' {
        $row = Get-SpfRecord tailspintoys.com -Server $script:World.Address | Format-Table | Out-String -Width 80 -Stream | Where-Object { $_.Trim() } | Select-Object -Index 2
        $row | Should -Match 'tailspintoys\.com'
        $row | Should -Match 'PermError'
        $row | Should -Match '11/10'
        $healthy = Get-SpfRecord contoso.com -Server $script:World.Address | Format-Table | Out-String -Width 80 -Stream | Where-Object { $_.Trim() } | Select-Object -Index 2
        $healthy | Should -Not -Match 'PermError'
    }

    It 'shows the phish that passes SPF with its finding in the table' {
        $report = Get-MailHeaderReport -Path (Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt')
        ($report | Format-Table | Out-String -Width 120) | Should -Match 'HDR-SPF-UNALIGNED'
    }

    It 'lists a header report''s verdict lines within 80 columns' {
        $report = Get-MailHeaderReport -Path (Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt')
        $lines = $report | Format-List | Out-String -Width 80 -Stream
        ($lines | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty
        ($lines -join "`n") | Should -Match 'Recorded\s+: spf=pass dkim=none dmarc=fail'
        ($lines -join "`n") | Should -Match 'HDR-SPF-UNALIGNED'
    }

    It 'lists an SPF result with its meaning and the Received-SPF header' {
        $text = Test-Spf 198.51.100.23 ceo@contoso.com -Server $script:World.Address | Format-List | Out-String -Width 120
        $text | Should -Match 'Result\s+: Fail'
        $text | Should -Match 'ReceivedSpf\s+: Received-SPF: fail'
    }

    It 'lists a DMARC evaluation with the policy line and the disposition' {
        $text = Resolve-DmarcPolicy -From ceo@contoso.com -MailFrom bounce@hoster.example -SpfResult pass -Server $script:World.Address | Format-List | Out-String -Width 120
        $text | Should -Match 'Policy\s+: p=Reject'
        $text | Should -Match 'DmarcResult\s+: Fail'
        $text | Should -Match 'Disposition\s+: Reject'
    }
}
