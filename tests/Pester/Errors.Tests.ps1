# Bad input as a user meets it: a specific error id and category, the offending value as target,
# what to do, no runtime jargon; and every other input of the pipeline still yields its object.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld
    $script:D = @{ Server = $script:World.Address }
}

AfterAll {
    $script:World.Dispose()
}

Describe 'A value that is not a domain' {
    It '<Cmdlet> gives one InvalidArgument error per bad value, naming it, and reports the rest' -ForEach @(
        @{ Cmdlet = 'Get-SpfRecord' }, @{ Cmdlet = 'Get-MxRecord' }, @{ Cmdlet = 'Get-DkimRecord' }, @{ Cmdlet = 'Get-TlsRptRecord' },
        @{ Cmdlet = 'Get-BimiRecord' }, @{ Cmdlet = 'Get-MtaStsPolicy' }, @{ Cmdlet = 'Resolve-DmarcPolicy' }) {
        $inputs = 'contoso.com', 'a b.com', '-bad-.example', 'd0..example', 'fabrikam.com'
        $extra = if ($Cmdlet -eq 'Get-MtaStsPolicy') { @{ NoFetch = $true } } else { @{} }
        $results = @($inputs | & $Cmdlet @D @extra -ErrorVariable bad -ErrorAction SilentlyContinue)
        # Bulk cmdlets keep a row per refused input, Status InvalidInput (docs/domain-names.md).
        $refused = @($results | Where-Object Status -eq 'InvalidInput')
        $refused.Count | Should -Be $(if ($Cmdlet -in 'Get-SpfRecord', 'Resolve-DmarcPolicy') { 3 } else { 0 })
        @($results | Where-Object Status -ne 'InvalidInput').Domain | Should -Be @('contoso.com', 'fabrikam.com')
        $bad.Count | Should -Be 3
        $bad.TargetObject | Should -Be @('a b.com', '-bad-.example', 'd0..example')
        foreach ($e in $bad) {
            $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $e.FullyQualifiedErrorId | Should -Match '^InvalidDomain,'
            $e.ToString() | Should -Match ([regex]::Escape("'$($e.TargetObject)'"))
            $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }
    }

    It 'is read the same way by every cmdlet: an address or URL gives its domain' {
        foreach ($value in 'user@contoso.com', 'https://contoso.com/path', ' CONTOSO.COM. ') {
            (Get-SpfRecord $value @D).Domain | Should -Be 'contoso.com'
            (Get-DkimRecord $value -Selector selector1 @D).Domain | Should -Be 'contoso.com'
            (Get-MxRecord $value @D).Domain | Should -Be 'contoso.com'
            (Resolve-DmarcPolicy $value @D -SkipReportAuthorization).Domain | Should -Be 'contoso.com'
        }
    }

    It 'never sends a bad name to DNS' {
        $World.ResetCounters()
        Get-SpfRecord 'a b.com' @D -ErrorAction SilentlyContinue
        $World.QueryCount | Should -Be 0
    }

    It 'is an empty-domain error of its own' {
        Get-SpfRecord '' @D -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad[0].FullyQualifiedErrorId | Should -Match '^EmptyDomain,'
    }
}

Describe 'Error preferences' {
    It 'stops at the first bad input with -ErrorAction Stop' {
        { 'contoso.com', 'a b.com', 'fabrikam.com' | Get-SpfRecord @D -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDomain,MailAuth.PowerShell.Commands.GetSpfRecordCommand'
    }

    It 'writes nothing to the error stream with SilentlyContinue, but still collects with -ErrorVariable' {
        $output = 'a b.com', 'contoso.com' | Get-MxRecord @D -ErrorAction SilentlyContinue -ErrorVariable collected 2>&1
        @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -Be 0
        @($output).Count | Should -Be 1
        $collected.Count | Should -Be 1
    }

    It 'keeps the good objects of a 10,000-input pipeline with one bad value' {
        $inputs = 1..10000 | ForEach-Object { if ($_ -eq 5000) { 'not a domain' } else { 'contoso.com' } }
        $results = $inputs | Resolve-DmarcPolicy @D -SkipReportAuthorization -ErrorVariable bad -ErrorAction SilentlyContinue
        # 9,999 policies and, in its place, the refused input's InvalidInput row.
        @($results).Count | Should -Be 10000
        @($results | Where-Object Status -ne 'InvalidInput').Count | Should -Be 9999
        @($results)[4999].Status | Should -Be 'InvalidInput'
        $bad.Count | Should -Be 1
        $bad[0].TargetObject | Should -Be 'not a domain'
    }
}

Describe 'Values a parameter does not take' {
    It 'refuses -SpfResult passed at binding, listing the valid values' {
        $err = { Resolve-DmarcPolicy contoso.com -SpfResult passed @D } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^ParameterArgumentValidationError'
        $err.ToString() | Should -Match 'pass, fail, softfail, neutral, none, temperror, permerror'
    }

    It 'takes -SpfResult in any case, as Test-Spf and header reports write it' {
        (Resolve-DmarcPolicy -From ceo@contoso.com -MailFrom bounce@contoso.com -SpfResult Pass @D).DmarcResult | Should -Be 'Pass'
    }

    It 'completes -SpfResult with tab' {
        $line = 'Resolve-DmarcPolicy contoso.com -SpfResult soft'
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Be @('softfail')
        $line = 'Resolve-DmarcPolicy contoso.com -SpfResult '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.Count | Should -Be 8
    }

    It 'names a bad selector, not the domain, in an InvalidSelector error from <Cmdlet>' -ForEach @(
        @{ Cmdlet = 'Get-DkimRecord' }, @{ Cmdlet = 'Get-BimiRecord' }, @{ Cmdlet = 'Get-MailDomainReport' }) {
        $err = { & $Cmdlet contoso.com -Selector 'bad selector!' @D -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^InvalidSelector,'
        $err.TargetObject | Should -Be 'bad selector!'
        $err.ToString() | Should -Match 'bad selector!'
        $err.ToString() | Should -Not -Match 'contoso'
    }

    It 'stops before any input with a -Server that is not an address' {
        { Get-SpfRecord contoso.com -Server 'dns.example' } | Should -Throw -ErrorId 'InvalidServer,MailAuth.PowerShell.Commands.GetSpfRecordCommand'
    }

    It 'refuses inet_aton shorthands as client addresses' -ForEach @(@{ Value = '1.2' }, @{ Value = '0x7f.1' }, @{ Value = '127.1' }) {
        $err = { Test-Spf $Value bounce@contoso.com @D -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^InvalidIPAddress,'
        $err.TargetObject | Should -Be $Value
    }
}

Describe 'Messages' {
    It 'carry no runtime parameter names such as "(Parameter ''sender'')"' {
        $errors = @()
        $errors += { Test-Spf 192.0.2.1 @D -ErrorAction Stop } | Should -Throw -PassThru
        Get-SpfRecord 'a b.com', '' @D -ErrorAction SilentlyContinue -ErrorVariable +errors
        Get-DkimRecord contoso.com -DkimSignature ([pscustomobject]@{ Domain = 'bad domain'; Selector = 's1' }) @D -ErrorAction SilentlyContinue -ErrorVariable +errors
        Resolve-DmarcPolicy contoso.com -DkimResult nocolon @D -ErrorAction SilentlyContinue -ErrorVariable +errors
        Get-MailHeaderReport -Path (Join-Path $TestDrive 'missing.eml') -ErrorAction SilentlyContinue -ErrorVariable +errors
        $errors.Count | Should -BeGreaterOrEqual 6
        foreach ($e in $errors) {
            $e.ToString() | Should -Not -Match '\(Parameter '''
            $e.ToString() | Should -Not -Match 'Parameter name:'
            $e.Exception.Message | Should -Not -Match '\(Parameter '''
        }
    }
}
