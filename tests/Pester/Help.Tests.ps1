# The help a user gets from Get-Help, read from the MAML the build makes out of docs/en-US: every
# cmdlet documented, every parameter described, and every example run against the loopback world.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:CmdletCases = Get-Command -Module MailAuth.PowerShell | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } }
    $script:ExampleCases = foreach ($command in Get-Command -Module MailAuth.PowerShell | Sort-Object Name) {
        $n = 0
        foreach ($example in (Get-Help $command.Name).examples.example) {
            $n++
            @{ Name = $command.Name; Number = $n; Title = ($example.title -replace '-{2,}', '').Trim(); Code = $example.code }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $script:HelpFile = Join-Path $script:RepoRoot 'out/MailAuth.PowerShell/en-US/MailAuth.PowerShell.dll-Help.xml'
}

Describe 'The built help' {
    It 'ships as MAML in the module''s en-US folder' {
        $script:HelpFile | Should -Exist
        ([xml](Get-Content -Raw $script:HelpFile)).helpItems.command.Count | Should -Be (Get-Command -Module MailAuth.PowerShell).Count
    }

    It 'has an about_MailAuth topic on the three DNS states, the trusted authserv-id, alignment and where to start' {
        $about = Get-Help about_MailAuth | Out-String
        $about | Should -Match 'THE THREE DNS STATES'
        $about | Should -Match 'LookupFailed'
        $about | Should -Match 'authserv-id'
        $about | Should -Match 'ALIGNMENT'
        $about | Should -Match 'WHERE TO START'
    }
}

Describe 'Get-Help <Name>' -ForEach $script:CmdletCases {
    BeforeAll {
        $script:Help = Get-Help $Name -Full
        $script:Command = Get-Command $Name
        # DontShow parameters are for tests, not users: help leaves them out.
        $script:Hidden = @($script:Command.Parameters.Values | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow } }).Name
        $script:Real = $script:Command.Parameters.Keys | Where-Object { ($_ -notin $script:Common -or $_ -in 'WhatIf', 'Confirm') -and $_ -notin $script:Hidden }
    }

    It 'has a synopsis of its own (not the generated syntax line)' {
        $script:Help.Synopsis | Should -Not -BeNullOrEmpty
        $script:Help.Synopsis | Should -Not -Match ([regex]::Escape("$Name ["))
    }

    It 'has a description' {
        ($script:Help.description.Text -join ' ').Length | Should -BeGreaterThan 80
    }

    It 'describes every parameter the cmdlet has' {
        $described = @{}
        foreach ($p in $script:Help.parameters.parameter) { $described[$p.name] = ($p.description.Text -join ' ').Trim() }
        foreach ($name in $script:Real) {
            $described.ContainsKey($name) | Should -BeTrue -Because "-$name is a parameter of $Name"
            $described[$name].Length | Should -BeGreaterThan 10 -Because "-$name needs a description"
        }
    }

    It 'documents no parameter the cmdlet does not have' {
        $page = Get-Content -Raw (Join-Path $script:RepoRoot "docs/en-US/$Name.md")
        $documented = [regex]::Matches($page, '(?m)^### -(\S+)') | ForEach-Object { $_.Groups[1].Value }
        foreach ($name in $documented) {
            $script:Command.Parameters.ContainsKey($name) | Should -BeTrue -Because "docs/en-US/$Name.md documents -$name"
        }
        ($script:Help.parameters.parameter.name | Where-Object { $_ -notin $script:Command.Parameters.Keys }) | Should -BeNullOrEmpty
    }

    It 'states parameter metadata as the cmdlet declares it' {
        foreach ($p in $script:Help.parameters.parameter) {
            $meta = $script:Command.Parameters[$p.name]
            $p.type.name | Should -Be ($(if ($meta.ParameterType.IsArray) { $meta.ParameterType.GetElementType().Name + '[]' } else { $meta.ParameterType.Name }))
            $aliases = if ($meta.Aliases.Count) { $meta.Aliases -join ', ' } else { 'none' }
            $p.aliases | Should -Be $aliases
        }
    }

    It 'names its inputs and outputs' {
        $script:Help.inputTypes.inputType.type.name | Should -Not -BeNullOrEmpty
        $script:Help.returnValues.returnValue.type.name | Should -Not -BeNullOrEmpty
    }

    It 'has examples, each with code' {
        @($script:Help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $script:Help.examples.example) { $example.code | Should -Not -BeNullOrEmpty }
    }

    It 'shows the syntax Get-Command reports in its markdown page' {
        $page = Get-Content -Raw (Join-Path $script:RepoRoot "docs/en-US/$Name.md")
        $block = [regex]::Match($page, '(?s)## SYNTAX\s+```\s*(.*?)```').Groups[1].Value
        $normalize = { param($t) (($t -split "`r?`n") | ForEach-Object { $_.Trim() } | Where-Object { $_ }) -join "`n" }
        $syntax = Get-Command $Name -Syntax | Out-String
        foreach ($hidden in $script:Hidden) { $syntax = $syntax -replace " \[-$hidden(?: <[^>]+>)?\]", '' }
        (& $normalize $block) | Should -Be (& $normalize $syntax)
    }
}

Describe 'Help example <Number> of <Name>: <Title>' -ForEach $script:ExampleCases {
    BeforeAll {
        $script:World = Start-MailWorld
        $script:Sandbox = Join-Path ([System.IO.Path]::GetTempPath()) ("mailauth-examples-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $script:Sandbox | Out-Null
        # The files the examples name, made from the bundled samples.
        Copy-Item (Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt') (Join-Path $script:Sandbox 'hdr.txt')
        Copy-Item (Join-Path $script:RepoRoot 'samples/spoof-dmarc-reject.txt') (Join-Path $script:Sandbox 'suspicious.eml')
        Set-Content (Join-Path $script:Sandbox 'domains.txt') 'contoso.com', 'fabrikam.com', 'tailspintoys.com'
        # A mail log as Import-Csv reads it (Test-Spf's example): client address, MAIL FROM, HELO.
        Set-Content (Join-Path $script:Sandbox 'conn.csv') 'ClientIP,Sender,Helo', '52.100.165.209,bounce@contoso.com,EUR05-AM6-obe.outbound.protection.outlook.com', '209.85.220.41,invoices@fabrikam.com,mail-sor-f41.google.com', '198.51.100.23,ceo@contoso.com,unknown.example'
        # A user list as an HR export gives it (Test-MailAddress's example).
        Set-Content (Join-Path $script:Sandbox 'users.csv') 'DisplayName,EmailAddress', 'Megan Bowen,megan@contoso.com', 'Alex Wilber,alex@fabrikam.com'
        # Aggregate and TLS reports as big receivers send them (tests/conformance/dmarc-reports).
        $reports = New-Item -ItemType Directory -Path (Join-Path $script:Sandbox 'reports')
        $corpus = Join-Path $script:RepoRoot 'tests/conformance/dmarc-reports/mailauth'
        Copy-Item -LiteralPath (Join-Path $corpus 'yahoo.com!contoso.com!1767225600!1767311999.xml.gz'), (Join-Path $corpus 'google.com!contoso.com!1767225600!1767311999.zip'),
            (Join-Path $corpus 'enterprise.protection.outlook.com!contoso.com!1767225600!1767312000.eml') -Destination $reports
        $tls = New-Item -ItemType Directory -Path (Join-Path $script:Sandbox 'tlsrpt')
        Copy-Item -Path (Join-Path $script:RepoRoot 'tests/conformance/dmarc-reports/parsedmarc/smtp_tls/*.json') -Destination $tls
        $script:Seeded = (Get-ChildItem $script:Sandbox -File).Name
        # Exchange Online cmdlets as a tenant would answer them (see common.ps1 for the shapes).
        function global:Get-Mailbox { param($Identity, $ResultSize) New-ExoMailbox megan@contoso.com fabrikam@fabrikam.com; New-ExoMailbox alex@contoso.com -Name 'Alex Wilber' }
        function global:Get-AcceptedDomain { New-ExoAcceptedDomain contoso.com; New-ExoAcceptedDomain fabrikam.com }
        function global:Get-MessageTraceV2 { param($StartDate, $EndDate) New-ExoMessageTrace bounce@contoso.com 40.107.22.51; New-ExoMessageTrace invoices@fabrikam.com 209.85.220.41; New-ExoMessageTrace ceo@contoso.com 198.51.100.23 }
        function global:Get-DkimSigningConfig { New-ExoDkimSigningConfig contoso.com }
        Push-Location $script:Sandbox
        $PSDefaultParameterValues['*:Server'] = $script:World.Address
        $PSDefaultParameterValues['*:TimeoutSec'] = 3
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:Server')
        $PSDefaultParameterValues.Remove('*:TimeoutSec')
        Pop-Location
        Remove-Item function:global:Get-Mailbox, function:global:Get-AcceptedDomain, function:global:Get-MessageTraceV2, function:global:Get-DkimSigningConfig
        Remove-Item -Recurse -Force $script:Sandbox
        $script:World.Dispose()
    }

    It 'runs without errors and produces something' {
        $output = & ([scriptblock]::Create($Code)) 2>&1
        $failures = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        ($failures | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) | Should -BeNullOrEmpty
        # Something to see: output, or a file it wrote (a -WhatIf example only says what it would do).
        if ($Code -notmatch '-WhatIf') {
            $written = Get-ChildItem $script:Sandbox -File | Where-Object Name -notin $script:Seeded
            (@($output).Count + @($written).Count) | Should -BeGreaterThan 0
        }
    }
}
