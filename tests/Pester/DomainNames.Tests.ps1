# One table of awkward inputs, fed to every domain-taking cmdlet (docs/domain-names.md): each takes
# the same inputs as the same name, or refuses them with the same InvalidArgument error naming the
# rule. Expected values come from the RFCs: RFC 1035 §2.3.1 and §2.3.4 (empty labels, 63/253
# octets), RFC 952 and RFC 1123 §2.1 (letters, digits, inner hyphens), RFC 5891 and UTS #46
# (A-labels), RFC 5321 §4.1.3 (addresses are literals, not domains), RFC 8552 §2 (underscore
# labels are DNS names, not host names).
BeforeDiscovery {
    $label64 = 'a' * 64
    $label63 = 'a' * 63
    # 3 × 63 + 62 + 3 dots = 254 octets.
    $name254 = ($label63, $label63, $label63, ('b' * 62)) -join '.'

    # Host: what a mail-domain cmdlet makes of it (a name, or the rule that refuses it).
    # Dns: the same for Get-SpfRecord and Resolve-MailAuthDnsName, which take DNS names.
    # Note: what the -Verbose line says reading changed.
    $script:Table = @(
        @{ Value = 'contoso.com';                  Host = 'contoso.com';           Dns = 'contoso.com' }
        @{ Value = 'CONTOSO.COM.';                 Host = 'contoso.com';           Dns = 'contoso.com' }
        @{ Value = ' contoso.com ';                Host = 'contoso.com';           Dns = 'contoso.com';           Note = 'removed the white space around it' }
        @{ Value = 'user@contoso.com';             Host = 'contoso.com';           Dns = 'contoso.com';           Note = 'taken as the domain of the address user@contoso.com' }
        @{ Value = 'https://www.contoso.com/path'; Host = 'www.contoso.com';       Dns = 'www.contoso.com';       Note = 'taken as the host of the URL https://www.contoso.com/path' }
        @{ Value = 'mailto:a@contoso.com';         Host = 'contoso.com';           Dns = 'contoso.com';           Note = 'taken as the domain of the address a@contoso.com' }
        @{ Value = 'a b.example';                  Host = '!InvalidCharacter';     Dns = '!InvalidCharacter' }
        @{ Value = '-bad-.example';                Host = '!Hyphen';               Dns = '!Hyphen' }
        @{ Value = 'bad-.example';                 Host = '!Hyphen';               Dns = '!Hyphen' }
        @{ Value = 'd0..example';                  Host = '!EmptyLabel';           Dns = '!EmptyLabel' }
        @{ Value = '';                             Host = '!Empty';                Dns = '!Empty' }
        @{ Value = "$label64.example";             Host = '!LabelTooLong';         Dns = '!LabelTooLong' }
        @{ Value = $name254;                       Host = '!NameTooLong';          Dns = '!NameTooLong' }
        @{ Value = 'bücher.example';               Host = 'xn--bcher-kva.example'; Dns = 'xn--bcher-kva.example'; Note = 'converted to the A-label form xn--bcher-kva.example' }
        @{ Value = 'xn--bcher-kva.example';        Host = 'xn--bcher-kva.example'; Dns = 'xn--bcher-kva.example' }
        @{ Value = '192.0.2.1';                    Host = '!IpAddress';            Dns = '!IpAddress' }
        @{ Value = '[2001:db8::1]';                Host = '!IpAddress';            Dns = '!IpAddress' }
        @{ Value = '_dmarc.contoso.com';           Host = '!Underscore';           Dns = '_dmarc.contoso.com' }
    )

    # Every cmdlet that takes a domain, how to call it, the property its object names the domain
    # by, and which rules it reads names by.
    $script:Cmdlets = @(
        @{ Cmdlet = 'Resolve-DmarcPolicy';     Extra = @{ SkipReportAuthorization = $true }; Property = 'Domain';    Kind = 'Host'; Bulk = $true }
        @{ Cmdlet = 'Get-SpfRecord';           Extra = @{};                                  Property = 'Domain';    Kind = 'Dns';  Bulk = $true }
        @{ Cmdlet = 'Get-DkimRecord';          Extra = @{ Selector = 'selector1' };          Property = 'Domain';    Kind = 'Host' }
        @{ Cmdlet = 'Get-MxRecord';            Extra = @{};                                  Property = 'Domain';    Kind = 'Host' }
        @{ Cmdlet = 'Get-TlsRptRecord';        Extra = @{};                                  Property = 'Domain';    Kind = 'Host' }
        @{ Cmdlet = 'Get-BimiRecord';          Extra = @{};                                  Property = 'Domain';    Kind = 'Host' }
        @{ Cmdlet = 'Get-MtaStsPolicy';        Extra = @{ NoFetch = $true };                 Property = 'Domain';    Kind = 'Host' }
        @{ Cmdlet = 'Get-MailDomainReport';    Extra = @{ Include = 'Mx'; NoMtaStsFetch = $true }; Property = 'Domain'; Kind = 'Host'; Bulk = $true }
        @{ Cmdlet = 'Resolve-MailAuthDnsName'; Extra = @{ Type = 'TXT' };                    Property = 'QueryName'; Kind = 'Dns' }
    )

    $script:Cases = foreach ($c in $script:Cmdlets) {
        foreach ($row in $script:Table) {
            $expected = if ($c.Kind -eq 'Dns') { $row.Dns } else { $row.Host }
            @{ Cmdlet = $c.Cmdlet; Extra = $c.Extra; Property = $c.Property; Bulk = [bool] $c.Bulk; Value = $row.Value; Expected = $expected; Note = $row.Note
               Shown = if ($row.Value.Length -gt 40) { $row.Value.Substring(0, 37) + '...' } else { $row.Value } }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld
    $script:D = @{ Server = $script:World.Address }
}

AfterAll {
    $script:World.Dispose()
}

Describe 'One reading of domain names' {
    It '<Cmdlet> reads "<Shown>" as <Expected>' -ForEach $script:Cases {
        $results = @(& $Cmdlet -Domain $Value @D @Extra -ErrorVariable bad -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        if ($Expected.StartsWith('!')) {
            $rule = $Expected.Substring(1)
            if ($Cmdlet -eq 'Get-MailDomainReport' -and $rule -eq 'Empty') {
                # The one exception: a domains file's blank line is skipped, no row and no error.
                $results.Count | Should -Be 0
                $bad.Count | Should -Be 0
                return
            }

            $bad.Count | Should -Be 1
            $e = $bad[0]
            $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $e.FullyQualifiedErrorId | Should -Match ('^{0},' -f $(if ($rule -eq 'Empty') { 'EmptyDomain' } else { 'InvalidDomain' }))
            $e.TargetObject | Should -Be $Value
            $e.Exception.Rule | Should -Be $rule
            $e.Exception.Message | Should -Match ([regex]::Escape("(rule $rule, "))
            # The message shows the value, cut to 80 characters; TargetObject holds all of it.
            $inMessage = if ($Value.Length -gt 80) { $Value.Substring(0, 77) + '...' } else { $Value }
            $e.Exception.Message | Should -Match ([regex]::Escape("'$inMessage'"))
            $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            if ($Bulk -and $rule -ne 'Empty') {
                # A bulk cmdlet keeps its row, saying the input was refused (and nothing was asked).
                $results.Count | Should -Be 1
                $results[0].Status | Should -Be 'InvalidInput'
                ('{0} {1}' -f $results[0].PSObject.Properties['ErrorMessage'].Value, $results[0].PSObject.Properties['Reason'].Value) |
                    Should -Match ([regex]::Escape("(rule $rule, "))
            }
            else {
                $results.Count | Should -Be 0
            }
        }
        else {
            $bad.Count | Should -Be 0 -Because ($bad | Out-String)
            $results.Count | Should -Be 1
            $results[0].$Property | Should -Be $Expected
            if ($Cmdlet -eq 'Get-MailDomainReport') {
                $results[0].InputNote | Should -Be $Note
            }
        }
    }

    It '<Cmdlet> says what reading changed in one -Verbose line' -ForEach ($script:Cases | Where-Object { $_.Note }) {
        $verbose = @(& $Cmdlet -Domain $Value @D @Extra -Verbose -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $verbose | Should -Contain "'$Value' read as ${Expected}: $Note."
    }

    It 'a refused input stops nothing: the other inputs still yield their objects, in order' -ForEach $script:Cmdlets {
        $inputs = 'contoso.com', 'd0..example', 'fabrikam.com', '192.0.2.1', 'user@tailspintoys.com'
        $results = @($inputs | & $Cmdlet @D @Extra -ErrorVariable bad -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $bad.TargetObject | Should -Be @('d0..example', '192.0.2.1')
        if ($Bulk) {
            # Rows in input order, the refused ones among them.
            @($results | ForEach-Object { $_.Status -eq 'InvalidInput' }) | Should -Be @($false, $true, $false, $true, $false)
        }

        $good = @($results | Where-Object { $_.PSObject.Properties['Status'] -eq $null -or $_.Status -ne 'InvalidInput' })
        $good.$Property | Should -Be @('contoso.com', 'fabrikam.com', 'tailspintoys.com')
    }
}

Describe 'The domain of an address' {
    It 'Test-MailAddress reads megan@<Value> by the same rules' -ForEach @(
        @{ Value = 'contoso.com'; Domain = 'contoso.com' }
        @{ Value = 'bücher.example'; Domain = 'xn--bcher-kva.example' }
        @{ Value = 'xn--bcher-kva.example'; Domain = 'xn--bcher-kva.example' }
        @{ Value = '-bad-.example'; Rule = 'Hyphen' }
        @{ Value = 'bad-.example'; Rule = 'Hyphen' }
        @{ Value = 'd0..example'; Rule = 'EmptyLabel' }
        @{ Value = ('a' * 64) + '.example'; Rule = 'LabelTooLong' }
        @{ Value = '_dmarc.contoso.com'; Rule = 'Underscore' }
    ) {
        $r = Test-MailAddress "megan@$Value" @D -NoPosture
        if ($Domain) {
            $r.SyntaxValid | Should -BeTrue
            $r.Domain | Should -Be $Domain
        }
        else {
            $r.SyntaxValid | Should -BeFalse
            $r.SyntaxError | Should -Match ([regex]::Escape("(rule $Rule, "))
        }
    }

    It 'Test-Spf checks the sender domain by the same rules and gives None for a malformed one (RFC 7208 §4.3)' -ForEach @(
        @{ Value = 'CONTOSO.COM.'; Domain = 'contoso.com' }
        @{ Value = 'bücher.example'; Domain = 'xn--bcher-kva.example' }
        @{ Value = 'd0..example'; Rule = 'EmptyLabel' }
        @{ Value = '-bad-.example'; Rule = 'Hyphen' }
        @{ Value = ('a' * 64) + '.example'; Rule = 'LabelTooLong' }
    ) {
        $r = Test-Spf -IPAddress 192.0.2.1 -Sender "megan@$Value" @D
        if ($Domain) {
            $r.Domain | Should -Be $Domain
        }
        else {
            $r.Result | Should -Be 'None'
            $r.Reason | Should -Match ([regex]::Escape("(rule $Rule, "))
        }
    }
}
