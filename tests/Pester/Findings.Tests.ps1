# The catalog of findings as a user lists it (Get-MailAuthFinding), and the severity preference
# (-FindingSeverity, $MailAuthFindingSeverity) as the cmdlets apply it, in the real pwsh.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Phish = Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt'
    $script:Server = Start-TestDnsServer {
        param($z)
        $z.AddTxt('example.com', 'v=spf1 +all')
        $z.AddTxt('_dmarc.example.com', 'v=DMARC1; p=none')
        $z.Add('example.com', [MailAuth.Testing.Dns.ZoneRecordType]::MX, '10 mail.example.com')
        $z.Add('mail.example.com', [MailAuth.Testing.Dns.ZoneRecordType]::A, '192.0.2.10')
    }
    $script:D = @{ Server = $script:Server.Address }
}

AfterAll {
    $script:Server.Dispose()
    Remove-Variable -Name MailAuthFindingSeverity -Scope Global -ErrorAction SilentlyContinue
}

Describe 'Get-MailAuthFinding' {
    It 'lists the catalog with the six stable properties' {
        $all = Get-MailAuthFinding
        # docs/findings.md has a section per id (checked both ways by FindingDocsTests).
        $documented = Select-String -Path (Join-Path $script:RepoRoot 'docs/findings.md') -Pattern '^### [A-Z][A-Z0-9-]+$'
        $all.Count | Should -Be $documented.Count
        $all.Count | Should -BeGreaterThan 150
        ($all.Id | Sort-Object -Unique).Count | Should -Be $all.Count
        $names = $all[0].PSObject.Properties.Name
        foreach ($p in 'Id', 'Severity', 'Area', 'Title', 'Reference', 'HelpUri') { $names | Should -Contain $p }
        $reply = $all | Where-Object Id -eq 'HDR-REPLYTO-DIFFERS'
        $reply.Severity | Should -Be 'Warning'
        $reply.Area | Should -Be 'Headers'
        $reply.Reference | Should -Be 'RFC 5322 §3.6.2'
        $reply.HelpUri | Should -Match 'docs/findings\.md#hdr-replyto-differs$'
    }

    It 'takes wildcards and areas' {
        (Get-MailAuthFinding -Id 'dkim-key-*').Id | Should -Be @('DKIM-KEY-MISSING', 'DKIM-KEY-REVOKED', 'DKIM-KEY-TYPE-UNKNOWN', 'DKIM-KEY-MALFORMED', 'DKIM-KEY-PKCS1', 'DKIM-KEY-TOO-SMALL', 'DKIM-KEY-WEAK')
        $failed = Get-MailAuthFinding '*-LOOKUP-FAILED' -Area Spf, Mx
        $failed.Id | Should -Contain 'SPF-LOOKUP-FAILED'
        $failed.Id | Should -Contain 'MX-LOOKUP-FAILED'
        $failed.Id | Should -Not -Contain 'DMARC-LOOKUP-FAILED'
        (Get-MailAuthFinding -Area Mx).Area | Sort-Object -Unique | Should -Be 'Mx'
        Get-MailAuthFinding 'NOPE-*' -ErrorVariable err | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
    }

    It 'gives one FindingNotFound error for an id not in the catalog and lists the rest' {
        $found = Get-MailAuthFinding 'HDR-NOPE', 'SPF-PTR' -ErrorVariable err -ErrorAction SilentlyContinue
        $found.Id | Should -Be 'SPF-PTR'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'FindingNotFound,MailAuth.PowerShell.Commands.GetMailAuthFindingCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'HDR-NOPE'
    }

    It 'explains a report''s findings piped in, each definition once' {
        $report = Get-MailHeaderReport -Path $script:Phish
        $explained = $report.Findings | Get-MailAuthFinding
        $explained.Id | Should -Be @($report.Findings.Id | Select-Object -Unique)
    }

    It 'exports values, not type names, to CSV' {
        $row = Get-MailAuthFinding SPF-PTR | ConvertTo-Csv -NoTypeInformation | Select-Object -Skip 1
        $row | Should -Match '^"SPF-PTR","Warning","Spf","The ptr mechanism is used","RFC 7208 §5.5","https://'
        $row | Should -Not -Match 'System\.|MailAuth\.Findings'
    }
}

Describe 'The severity preference' {
    AfterEach {
        Remove-Variable -Name MailAuthFindingSeverity -Scope Global -ErrorAction SilentlyContinue
    }

    It 'changes the emitted finding''s severity, and the report''s top finding follows' {
        $plain = Get-MailHeaderReport -Path $script:Phish
        ($plain.Findings | Where-Object Id -eq 'HDR-SPF-UNALIGNED').Severity | Should -Be 'Error'
        $plain.TopFinding | Should -Match '^HDR-SPF-UNALIGNED'

        $r = Get-MailHeaderReport -Path $script:Phish -FindingSeverity @{ 'HDR-SPF-UNALIGNED' = 'Information'; 'HDR-REPLYTO-DIFFERS' = 'Error' }
        ($r.Findings | Where-Object Id -eq 'HDR-SPF-UNALIGNED').Severity | Should -Be 'Information'
        ($r.Findings | Where-Object Id -eq 'HDR-REPLYTO-DIFFERS').Severity | Should -Be 'Error'
        # Of the two errors now, the first found leads.
        $r.TopFinding | Should -Match '^HDR-REPLYTO-DIFFERS'
        # By severity, then as found.
        $r.Findings[-1].Id | Should -Be 'HDR-SPF-UNALIGNED'
    }

    It 'leaves a finding out with Off (or None), and the count follows' {
        $plain = Get-MailHeaderReport -Path $script:Phish
        $r = Get-MailHeaderReport -Path $script:Phish -FindingSeverity @{ 'HDR-REPLYTO-DIFFERS' = 'Off'; 'HDR-DKIM-NONE' = 'none' }
        $r.Findings.Id | Should -Not -Contain 'HDR-REPLYTO-DIFFERS'
        $r.Findings.Id | Should -Not -Contain 'HDR-DKIM-NONE'
        $r.FindingCount | Should -Be ($plain.FindingCount - 2)
    }

    It 'takes wildcards; an exact id wins over one' {
        $r = Get-MailHeaderReport -Path $script:Phish -FindingSeverity @{ 'HDR-D*' = 'Off'; 'HDR-DMARC-FAIL' = 'Warning' }
        $r.Findings.Id | Should -Not -Contain 'HDR-DKIM-NONE'
        $r.Findings.Id | Should -Not -Contain 'HDR-DISPLAYNAME-ADDRESS'
        ($r.Findings | Where-Object Id -eq 'HDR-DMARC-FAIL').Severity | Should -Be 'Warning'
    }

    It 'is read from $MailAuthFindingSeverity when the parameter is absent, and the parameter wins' {
        $global:MailAuthFindingSeverity = @{ 'SPF-ALL-PASS' = 'Off' }
        $spf = Get-SpfRecord example.com @D
        $spf.Findings.Id | Should -Not -Contain 'SPF-ALL-PASS'
        $spf.Errors.Id | Should -Not -Contain 'SPF-ALL-PASS'

        $given = Get-SpfRecord example.com @D -FindingSeverity @{ 'SPF-ALL-PASS' = 'Warning' }
        ($given.Findings | Where-Object Id -eq 'SPF-ALL-PASS').Severity | Should -Be 'Warning'
        $given.Warnings.Id | Should -Contain 'SPF-ALL-PASS'

        Remove-Variable -Name MailAuthFindingSeverity -Scope Global
        ((Get-SpfRecord example.com @D -NoCache).Errors).Id | Should -Contain 'SPF-ALL-PASS'
    }

    It 'holds for bulk cmdlets: DMARC, the domain report''s counts and status, the posture cmdlets' {
        (Resolve-DmarcPolicy example.com @D).MaxSeverity | Should -Be 'Warning'
        $dmarc = Resolve-DmarcPolicy example.com, example.com @D -FindingSeverity @{ 'DMARC-P-NONE' = 'Error' }
        $dmarc | ForEach-Object { $_.MaxSeverity | Should -Be 'Error' }

        $plain = Get-MailDomainReport example.com @D -NoMtaStsFetch
        $quiet = Get-MailDomainReport example.com @D -NoMtaStsFetch -FindingSeverity @{ 'DMARC-*' = 'Off'; 'SPF-*' = 'Information' }
        $quiet.Findings.Id | Where-Object { $_ -like 'DMARC-*' } | Should -BeNullOrEmpty
        $quiet.ErrorCount | Should -BeLessThan $plain.ErrorCount
        ($quiet.Findings | Where-Object Id -eq 'SPF-ALL-PASS').Severity | Should -Be 'Information'

        (Get-MxRecord example.com @D -FindingSeverity @{ 'MX-*' = 'Off' }).Findings | Should -BeNullOrEmpty
        (Get-TlsRptRecord example.com @D -FindingSeverity @{ 'TLSRPT-NOT-FOUND' = 'Warning' }).Findings[0].Severity | Should -Be 'Warning'
    }

    It 'stays with its own command in a pipeline of two' {
        # The header report turns DMARC findings off; Resolve-DmarcPolicy, fed by it, has its own (none).
        $policy = Get-MailHeaderReport -Path $script:Phish -FindingSeverity @{ 'DMARC-*' = 'Off' } | Resolve-DmarcPolicy @D
        $policy.Findings.Id | Should -Contain 'DMARC-P-NONE'
    }

    It 'refuses an unknown id with InvalidArgument, naming it and listing the valid ids' {
        { Get-MailHeaderReport -Path $script:Phish -FindingSeverity @{ 'HDR-REPLY-TO-DIFFERS' = 'Information' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidFindingSeverity,MailAuth.PowerShell.Commands.GetMailHeaderReportCommand'
        try { Get-MailHeaderReport -Path $script:Phish -FindingSeverity @{ 'HDR-REPLY-TO-DIFFERS' = 'Information' } -ErrorAction Stop } catch { $e = $_ }
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match "'HDR-REPLY-TO-DIFFERS' is not a finding id"
        $e.Exception.Message | Should -Match 'HDR-REPLYTO-DIFFERS'
    }

    It 'refuses an unknown severity, listing the valid ones, also from the variable' {
        $global:MailAuthFindingSeverity = @{ 'SPF-PTR' = 'Critical' }
        try { Get-SpfRecord example.com @D -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Be 'InvalidFindingSeverity,MailAuth.PowerShell.Commands.GetSpfRecordCommand'
        $e.Exception.Message | Should -Match '^\$MailAuthFindingSeverity: ''Critical'' is not a finding severity'
        $e.Exception.Message | Should -Match 'Information, Warning, Error, Off, None'

        $global:MailAuthFindingSeverity = 'SPF-PTR=Off'
        try { Get-SpfRecord example.com @D -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Match '^InvalidFindingSeverity'
        $e.Exception.Message | Should -Match 'must be a hashtable'
    }
}
