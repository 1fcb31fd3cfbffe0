# What an Exchange Online admin already has in the shell binds by property name: objects shaped as
# Microsoft documents Get-Mailbox, Get-Recipient, Get-AcceptedDomain, Get-MessageTraceV2 and
# Get-DkimSigningConfig output (see common.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld
    $script:D = @{ Server = $script:World.Address }
}

AfterAll {
    $script:World.Dispose()
}

Describe 'Get-Mailbox and Get-Recipient output' {
    It 'binds PrimarySmtpAddress, not the mailbox''s Name, to <Cmdlet>' -ForEach @(
        @{ Cmdlet = 'Get-SpfRecord' }, @{ Cmdlet = 'Get-MxRecord' }, @{ Cmdlet = 'Get-DkimRecord' }, @{ Cmdlet = 'Get-TlsRptRecord' },
        @{ Cmdlet = 'Get-BimiRecord' }, @{ Cmdlet = 'Resolve-DmarcPolicy' }) {
        $mailbox = New-ExoMailbox megan@contoso.com -Name 'Megan Bowen'
        $results = @($mailbox | & $Cmdlet @D -ErrorVariable bad -ErrorAction SilentlyContinue)
        $bad | Should -BeNullOrEmpty
        $results.Domain | Should -Be 'contoso.com'
    }

    It 'checks the domains of the smtp: proxy addresses too, ignoring SIP and X500' {
        $mailbox = New-ExoMailbox megan@contoso.com fabrikam@fabrikam.com
        $domains = ($mailbox | Get-SpfRecord @D).Domain
        $domains | Should -Be @('contoso.com', 'fabrikam.com')
    }

    It 'checks a domain shared by many mailboxes once per command' {
        $mailboxes = 1..25 | ForEach-Object { New-ExoMailbox "user$_@contoso.com" -Name "User $_" }
        $mailboxes += New-ExoMailbox alex@fabrikam.com -Name 'Alex Wilber'
        $policies = $mailboxes | Resolve-DmarcPolicy @D
        $policies.Domain | Should -Be @('contoso.com', 'fabrikam.com')
        $policies[0].Policy | Should -Be 'Reject'
        $policies[1].Policy | Should -Be 'Quarantine'
    }

    It 'gives one domain-report row per domain of the mailboxes' {
        $rows = (New-ExoMailbox a@contoso.com), (New-ExoMailbox b@contoso.com tailspin@tailspintoys.com) | Get-MailDomainReport @D -NoMtaStsFetch
        $rows.Domain | Should -Be @('contoso.com', 'tailspintoys.com')
        $rows[1].Grade | Should -Be 'F'
    }

    It 'takes a Get-Recipient distribution group the same way' {
        $group = [pscustomobject]@{ Name = 'Finance Team'; RecipientType = 'MailUniversalDistributionGroup'; PrimarySmtpAddress = 'finance@fabrikam.com'; EmailAddresses = @('SMTP:finance@fabrikam.com') }
        ($group | Get-MxRecord @D).Domain | Should -Be 'fabrikam.com'
    }
}

Describe 'Get-AcceptedDomain output' {
    It 'binds DomainName to Get-MailDomainReport, one row per accepted domain' {
        $rows = (New-ExoAcceptedDomain contoso.com), (New-ExoAcceptedDomain fabrikam.com), (New-ExoAcceptedDomain tailspintoys.com InternalRelay) |
            Get-MailDomainReport @D -NoMtaStsFetch
        $rows.Domain | Should -Be @('contoso.com', 'fabrikam.com', 'tailspintoys.com')
        $rows[0].DmarcEffectivePolicy | Should -Be 'Reject'
        $rows[1].SpfAll | Should -Be '~'
    }

    It 'binds DomainName rather than a Name that differs from it' {
        $domain = [pscustomobject]@{ Name = 'Contoso (primary)'; DomainName = 'contoso.com'; DomainType = 'Authoritative' }
        ($domain | Get-TlsRptRecord @D).Domain | Should -Be 'contoso.com'
    }
}

Describe 'Get-MessageTraceV2 output' {
    It 're-checks SPF with the trace''s SenderAddress and FromIP' {
        $rows = (New-ExoMessageTrace bounce@contoso.com 40.107.22.51), (New-ExoMessageTrace ceo@contoso.com 198.51.100.23),
            (New-ExoMessageTrace invoices@fabrikam.com 209.85.220.41) | Test-Spf @D
        $rows.IPAddress | Should -Be @('40.107.22.51', '198.51.100.23', '209.85.220.41')
        $rows.Sender | Should -Be @('bounce@contoso.com', 'ceo@contoso.com', 'invoices@fabrikam.com')
        # contoso.com: include:spf.protection.outlook.com -all; 40.107.0.0/16 is in it, 198.51.100.23 is not.
        # fabrikam.com: Google's _netblocks has 209.85.128.0/17.
        $rows.Result | Should -Be @('Pass', 'Fail', 'Pass')
    }

    It 'says which trace row has no client address, and checks the others' {
        $rows = (New-ExoMessageTrace bounce@contoso.com ''), (New-ExoMessageTrace bounce@contoso.com 40.107.22.51) |
            Test-Spf @D -ErrorVariable bad -ErrorAction SilentlyContinue
        @($rows).Count | Should -Be 1
        $bad.Count | Should -Be 1
        $bad[0].FullyQualifiedErrorId | Should -Match '^EmptyIPAddress'
        $bad[0].Exception.Message | Should -Match 'without FromIP'
    }
}

Describe 'Get-DkimSigningConfig output' {
    It 'checks selector1 and selector2 against the CNAMEs Exchange Online expects' {
        $report = New-ExoDkimSigningConfig contoso.com | Get-DkimRecord @D
        $report.Domain | Should -Be 'contoso.com'
        $report.SelectorsFound | Should -Be 'selector1;selector2'
        $report.Findings.Id | Should -Not -Contain 'DKIM-CNAME-MISMATCH'
        $report.Selectors.ExpectedCname | Should -Be @('selector1-contoso-com._domainkey.contoso.onmicrosoft.com', 'selector2-contoso-com._domainkey.contoso.onmicrosoft.com')
    }

    It 'reports each selector whose CNAME points elsewhere or is missing' {
        $moved = New-ExoDkimSigningConfig contoso.com -Tenant contosoltd.onmicrosoft.com
        $report = $moved | Get-DkimRecord @D
        @($report.Findings | Where-Object Id -eq 'DKIM-CNAME-MISMATCH').Count | Should -Be 2
        $missing = New-ExoDkimSigningConfig fabrikam.com -Tenant fabrikam.onmicrosoft.com | Get-DkimRecord @D
        $missing.Status | Should -Be 'NotFound'
        ($missing.Findings | Where-Object Id -eq 'DKIM-CNAME-MISMATCH').Message | Should -Match 'is not published'
    }
}
