# Get-MtaStsPolicy in the real pwsh: the policy host mta-sts.<domain> is resolved through -Server
# (RFC 8461 §3.3 over the module's resolver, never the operating system's), and the policy is fetched
# from a loopback HTTPS server reached with the hidden test parameters -PolicyPort and
# -PolicyCertificateThumbprint (docs/en-US/Get-MtaStsPolicy.md).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:PolicyHost = 'mta-sts.contoso.example'
    $script:Server = Start-TestDnsServer {
        param($z)
        $z.AddTxt('_mta-sts.contoso.example', 'v=STSv1; id=20240101T000000')
        $z.Add('contoso.example', 'MX', '10 mx1.contoso.example')
        $z.Add('mta-sts.contoso.example', 'A', '127.0.0.1')
        $z.AddTxt('_mta-sts.nohost.example', 'v=STSv1; id=1')
    }
    $script:Https = Start-TestHttpsServer -CertificateName $script:PolicyHost
    $answer = [MailAuth.Testing.Http.HttpAnswer]::new()
    $answer.Body = "version: STSv1`r`nmode: enforce`r`nmx: mx1.contoso.example`r`nmax_age: 604800`r`n"
    $answer.Framing = 'Chunked'
    $script:Https.Serve($script:PolicyHost, '/.well-known/mta-sts.txt', $answer)
    $script:Fetch = @{
        Server                      = $script:Server.Address
        NoCache                     = $true
        PolicyPort                  = $script:Https.Port
        PolicyCertificateThumbprint = $script:Https.Thumbprint
    }
}

AfterAll {
    $script:Https.Dispose()
    $script:Server.Dispose()
}

Describe 'Get-MtaStsPolicy fetch' {
    It 'resolves mta-sts.contoso.example through -Server and fetches the policy' {
        $report = Get-MtaStsPolicy contoso.example @Fetch
        $report.FetchStatus | Should -Be 'Fetched'
        $report.FetchError | Should -BeNullOrEmpty
        $report.Mode | Should -Be 'Enforce'
        $report.MaxAge | Should -Be 604800
        $report.MxMatch | Should -BeTrue
        $Server.Queries.Where({ $_.Name -eq $PolicyHost -and $_.Type -eq 'A' }).Count | Should -BeGreaterThan 0
        $request = $Https.Requests | Select-Object -Last 1
        $request.ServerName | Should -Be $PolicyHost
        $request.Host | Should -Be "$($PolicyHost):$($Https.Port)"
    }

    It 'shows the A query for mta-sts.contoso.example, sent to -Server, with -Verbose' {
        $verbose = Get-MtaStsPolicy contoso.example @Fetch -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        @($verbose | Where-Object { $_.StartsWith("DNS A $PolicyHost @$($Server.Address) ") }).Count | Should -Be 1
        @($verbose | Where-Object { $_.StartsWith("DNS AAAA $PolicyHost @$($Server.Address) ") }).Count | Should -Be 1
    }

    It 'reads a closed port at the loopback answer as a fetch failure naming that address' {
        $closed = [MailAuth.Testing.Http.LoopbackHttpsServer]::GetClosedPort()
        $report = Get-MtaStsPolicy contoso.example -Server $Server.Address -NoCache -PolicyPort $closed
        $report.FetchStatus | Should -Be 'Failed'
        $report.FetchError | Should -BeLike "Could not connect to $PolicyHost*127.0.0.1:$closed*"
        $report.FindingText | Should -Match 'MTASTS-POLICY-FETCH-FAILED'
    }

    It 'refuses the self-signed certificate without the test thumbprint' {
        $report = Get-MtaStsPolicy contoso.example -Server $Server.Address -NoCache -PolicyPort $Https.Port
        $report.FetchStatus | Should -Be 'Failed'
        $report.FetchError | Should -BeLike "The certificate of $PolicyHost *"
    }

    It 'says a policy host without an address has none, never that there is no policy' {
        $report = Get-MtaStsPolicy nohost.example -Server $Server.Address -NoCache
        $report.Status | Should -Be 'Found'
        $report.FetchStatus | Should -Be 'Failed'
        $report.FetchError | Should -Be 'mta-sts.nohost.example has no address (NXDOMAIN).'
    }

    It 'keeps the test parameters out of tab completion and documents them' {
        $completions = (TabExpansion2 'Get-MtaStsPolicy -' 18).CompletionMatches.CompletionText
        $completions | Should -Contain '-NoFetch'
        $completions | Should -Not -Contain '-PolicyPort'
        $completions | Should -Not -Contain '-PolicyCertificateThumbprint'
        $doc = Get-Content -Raw (Join-Path $RepoRoot 'docs/en-US/Get-MtaStsPolicy.md')
        $doc | Should -Match '(?m)^### -PolicyPort'
        $doc | Should -Match '(?m)^### -PolicyCertificateThumbprint'
    }
}
