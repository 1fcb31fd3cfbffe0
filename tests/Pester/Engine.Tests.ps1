# What the shell shows while cmdlets run: -Verbose lines for each DNS query, Write-Progress on long
# runs, and Ctrl+C (StopProcessing) in the middle of a bulk run.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld
    $script:D = @{ Server = $script:World.Address }

    # A second PowerShell in this process, so a test can read its streams and press Ctrl+C (Stop()).
    function New-Shell {
        $ps = [powershell]::Create()
        $null = $ps.AddScript('param($m) Import-Module $m -Force').AddArgument($script:ModuleManifest).Invoke()
        $ps.Commands.Clear()
        $ps
    }
}

AfterAll {
    $script:World.Dispose()
}

Describe '-Verbose' {
    It 'shows one line per DNS query <Cmdlet> sends' -ForEach @(
        @{ Cmdlet = 'Get-SpfRecord'; Arguments = @{ Domain = 'tailspintoys.com' } },
        @{ Cmdlet = 'Test-Spf'; Arguments = @{ IPAddress = '198.51.100.23'; Sender = 'ceo@fabrikam.com' } },
        @{ Cmdlet = 'Resolve-DmarcPolicy'; Arguments = @{ Domain = 'mail.contoso.com' } },
        @{ Cmdlet = 'Get-DkimRecord'; Arguments = @{ Domain = 'contoso.com' } },
        @{ Cmdlet = 'Get-MxRecord'; Arguments = @{ Domain = 'fabrikam.com' } },
        @{ Cmdlet = 'Get-MailDomainReport'; Arguments = @{ Domain = 'contoso.com'; NoMtaStsFetch = $true } }) {
        $World.ResetCounters()
        $verbose = & $Cmdlet @Arguments @D -NoCache -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $dnsLines = @($verbose | Where-Object { $_.Message -like 'DNS *' })
        $dnsLines.Count | Should -BeGreaterThan 0
        # Each line is one query the server received: name, type, server, rcode, time.
        $dnsLines.Count | Should -Be $World.QueryCount
        $dnsLines[0].Message | Should -Match "^DNS [A-Z]+ \S+ @$([regex]::Escape($World.Address)) \w+ \d+ms"
    }

    It 'writes nothing to the verbose stream without -Verbose' {
        $verbose = Get-SpfRecord contoso.com @D -NoCache 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose | Should -BeNullOrEmpty
    }
}

Describe 'Write-Progress' {
    BeforeAll {
        # Every answer takes 100 ms, so the audit lasts long enough (over a second) to show progress.
        $script:Slow = Start-TestDnsServer { param($z) Add-MailWorld $z; $z.DefaultLatency = [timespan]::FromMilliseconds(100) }
    }

    AfterAll {
        $script:Slow.Dispose()
    }

    It 'reports a long audit with its rate, then completes' {
        $ps = New-Shell
        try {
            $domains = 1..40 | ForEach-Object { "d$_.example" }
            $null = $ps.AddScript('param($d, $s) $d | Get-MailDomainReport -Server $s -NoMtaStsFetch -Include Spf, Dmarc -ThrottleLimit 8').AddArgument($domains).AddArgument($Slow.Address)
            $rows = $ps.Invoke()
            $rows.Count | Should -Be 40
            $progress = @($ps.Streams.Progress | Where-Object Activity -eq 'Auditing mail domains')
            $progress.Count | Should -BeGreaterThan 0
            $progress[-1].RecordType | Should -Be 'Completed'
            ($progress | Where-Object RecordType -eq 'Processing' | Select-Object -Last 1).StatusDescription | Should -Match '\d+ of \d+ domains, \d+\.\d/s'
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Ctrl+C in the middle of a bulk run' {
    BeforeAll {
        # Every answer takes 200 ms: 400 domains at 8 at a time would take over 20 s.
        $script:Slow = Start-TestDnsServer { param($z) Add-MailWorld $z; $z.DefaultLatency = [timespan]::FromMilliseconds(200) }
    }

    AfterAll {
        $script:Slow.Dispose()
    }

    It 'stops <Cmdlet> (<Count> inputs) promptly, keeps what was written, and leaves the session usable' -ForEach @(
        @{ Cmdlet = 'Get-MailDomainReport'; Extra = '-NoMtaStsFetch -ThrottleLimit 8'; Count = 400 },
        # 2,000 inputs: more than the read-ahead (512 at this throttle), so Ctrl+C finds the cmdlet
        # waiting for rows with the upstream command held back.
        @{ Cmdlet = 'Get-MailDomainReport'; Extra = '-NoMtaStsFetch -ThrottleLimit 8'; Count = 2000 },
        @{ Cmdlet = 'Get-SpfRecord'; Extra = '-ThrottleLimit 8 -NoCache'; Count = 400 },
        @{ Cmdlet = 'Resolve-DmarcPolicy'; Extra = '-ThrottleLimit 8 -NoCache -SkipReportAuthorization'; Count = 400 }) {
        $ps = New-Shell
        try {
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $ps.AddScript("param(`$s) 1..$Count | ForEach-Object { 'd' + `$_ + '.example' } | $Cmdlet -Server `$s $Extra").AddArgument($Slow.Address)
            $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while ($output.Count -lt 5 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $output.Count | Should -BeGreaterOrEqual 5
            $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopwatch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $output.Count | Should -BeLessThan $Count
            # The engine is not wedged: the next command runs.
            $ps.Commands.Clear()
            $next = $ps.AddScript('param($s) Get-SpfRecord contoso.com -Server $s').AddArgument($World.Address).Invoke()
            $next[0].Domain | Should -Be 'contoso.com'
        }
        finally { $ps.Dispose() }
    }
}
