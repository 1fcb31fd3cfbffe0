# A few samples of the real-world header corpus (tests/headers) through Get-MailHeaderReport in the
# real pwsh: the facts written for them hold, Export-Csv writes their values, and the default views
# fit 80 and 120 columns. tests/MailAuth.Core.Tests/Headers/CorpusTests.cs checks every sample.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Corpus = Join-Path $script:RepoRoot 'tests/headers'
    $script:Samples = @(
        'postfix-amavis/amavis-opendkim-opendmarc-policyd.eml'
        'gateway/mimecast-to-m365-without-enhanced-filtering.eml'
        'phishing-hoster/encoded-display-name-spoof.eml'
        'phishing-hoster/cpanel-to-m365-spf-pass-unaligned.eml'
        'forwarder-arc/workspace-forward-dmarc-fail-arc-pass.eml'
        'mailing-list/outlook-to-freebsd-mailman-to-postfix.eml'
        'bounce/dsn-to-gmail.eml'
    )
    function Get-Facts([string] $Sample) {
        Get-Content -Raw (Join-Path $script:Corpus ([IO.Path]::ChangeExtension($Sample, '.facts.json'))) | ConvertFrom-Json
    }
    $script:Reports = foreach ($s in $script:Samples) { Get-MailHeaderReport -Path (Join-Path $script:Corpus $s) }
}

Describe 'Corpus sample <_>' -ForEach @(
    'postfix-amavis/amavis-opendkim-opendmarc-policyd.eml'
    'gateway/mimecast-to-m365-without-enhanced-filtering.eml'
    'phishing-hoster/encoded-display-name-spoof.eml'
    'phishing-hoster/cpanel-to-m365-spf-pass-unaligned.eml'
    'forwarder-arc/workspace-forward-dmarc-fail-arc-pass.eml'
    'mailing-list/outlook-to-freebsd-mailman-to-postfix.eml'
    'bounce/dsn-to-gmail.eml') {
    BeforeAll {
        $script:Facts = Get-Facts $_
        $script:Report = Get-MailHeaderReport -Path (Join-Path $script:Corpus $_)
    }

    It 'reads the summary its facts give' {
        foreach ($p in $script:Facts.summary.PSObject.Properties) {
            $actual = $script:Report.($p.Name)
            if ($null -eq $p.Value) { $actual | Should -BeNullOrEmpty -Because $p.Name }
            else { "$actual" | Should -BeExactly "$($p.Value)" -Because $p.Name }
        }
        $script:Report.EdgeHop.Number | Should -Be $script:Facts.edgeHop
    }

    It 'raises exactly the findings its facts list' {
        $expected = @($script:Facts.findings) + @($script:Facts.allowedFindings) | ForEach-Object { ($_ -split ':')[0] }
        foreach ($f in $script:Facts.findings) {
            $id, $severity = $f -split ':'
            $script:Report.Findings | Where-Object { $_.Id -eq $id -and $_.Severity -eq $severity } | Should -Not -BeNullOrEmpty -Because $f
        }
        $script:Report.Findings | Where-Object { $_.Id -notin $expected } | ForEach-Object { "$($_.Id): $($_.Message)" } | Should -BeNullOrEmpty
    }
}

Describe 'Corpus reports out of the shell' {
    It 'export to CSV with their values in the cells' {
        $script:Reports | Export-Csv -Path (Join-Path $TestDrive 'corpus.csv') -NoTypeInformation
        $rows = Import-Csv (Join-Path $TestDrive 'corpus.csv')
        $rows.Count | Should -Be $script:Samples.Count
        $mimecast = $rows[1]
        $mimecast.ClientIP | Should -Be '198.51.100.80'
        $mimecast.DmarcAction | Should -Be 'oreject'
        $mimecast.CompAuthReason | Should -Be '000'
        $mimecast.Findings | Should -Match 'HDR-GATEWAY-SPF'
        $mimecast.Findings | Should -Not -Match 'MailAuth\.'
        $rows[0].DmarcPolicy | Should -Be 'quarantine'
        $rows[2].FromDomain | Should -Be 's7.shared-host.example'
        $rows[2].FromDisplayName | Should -Be 'Woodgrove Bank <security@woodgrovebank.example>'
        # A bounce's empty reverse-path is an empty cell, not a missing column.
        $rows[6].PSObject.Properties.Name | Should -Contain 'EnvelopeSender'
        $rows[6].EnvelopeSender | Should -Be ''
    }

    It 'convert to JSON at -Depth 4 without truncation' {
        $json = $script:Reports[1] | ConvertTo-Json -Depth 4 -WarningVariable truncated -WarningAction SilentlyContinue
        $truncated | Should -BeNullOrEmpty
        ($json | ConvertFrom-Json).Hops[1].InternalReason | Should -Match 'Mimecast'
    }

    It 'fit a <Width>-column table' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = $script:Reports | Format-Table | Out-String -Width $Width -Stream | Where-Object { $_.Trim() }
        ($lines | Where-Object { $_.Length -gt $Width }) | Should -BeNullOrEmpty
        $lines.Count | Should -Be ($script:Samples.Count + 2)
    }

    It 'fit a <Width>-column list, with the DMARC policy and action' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = $script:Reports | Format-List | Out-String -Width $Width -Stream
        ($lines | Where-Object { $_.Length -gt $Width }) | Should -BeNullOrEmpty
        $text = $lines -join "`n"
        $text | Should -Match 'Recorded\s+: spf=fail dkim=fail dmarc=fail action=oreject compauth=fail 000'
        $text | Should -Match 'Entered at\s+: relay\.mimecast\.com from 198\.51\.100\.80 HELO mail-out\.example\.com'
    }
}
