<#
.SYNOPSIS
    Times `Get-Content domains.txt | Get-MailDomainReport` in this pwsh against bulkworld
    (../shared/bench/bulkworld: Knot behind dnsdist, latency, drops, SERVFAIL).

.DESCRIPTION
    Writes one line per run: domains, throttle, wall seconds, healthy domains/s (and the steady rate,
    from the 10th to the 90th percentile row, without the ramp-up and the last timeout), this process's CPU
    per domain and per DNS query, DNS queries per domain (the rows' QueryCount), peak working set,
    the status of each case of the world, and the load average. Case N%10 = 0-6 are healthy, 7 is
    dropped, 8 answers SERVFAIL, 9 has MX and A only (bulkworld's README).

    A healthy domain that reads LookupFailed, or a dropped / SERVFAIL domain that does not, is
    counted in "wrong"; the run exits 1 if any is wrong.

.EXAMPLE
    pwsh -NoProfile -File bench/bulkworld/Measure-Audit.ps1 -Server 127.0.0.1:25390 -Domains 10000
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Server,
    [int] $Domains = 1000,
    [int] $First = 0,
    [int] $ThrottleLimit = 0,
    [string[]] $Selector,
    [switch] $AllCommonSelectors,
    # Seconds a query waits for its answer (the cmdlet's -TimeoutSec); 0: the cmdlet's default (3).
    [int] $TimeoutSec = 0,
    [string] $Module = (Join-Path $PSScriptRoot '../../out/MailAuth.PowerShell/MailAuth.PowerShell.psd1'),
    [string] $Csv,
    # dnsdist's counters (bulkworld's stats.sh): the queries the server received, retransmissions included.
    [string] $StatsScript = (Join-Path $PSScriptRoot '../../../shared/bench/bulkworld/stats.sh'),
    [switch] $Warm
)

$ErrorActionPreference = 'Stop'
Import-Module $Module

$list = Join-Path ([IO.Path]::GetTempPath()) "bulkworld-domains-$PID.txt"
[IO.File]::WriteAllLines($list, [string[]]($First..($First + $Domains - 1) | ForEach-Object { "d$_.audit.test" }))

$arguments = @{ Server = $Server; NoMtaStsFetch = $true }
if ($ThrottleLimit -gt 0) { $arguments.ThrottleLimit = $ThrottleLimit }
if ($Selector) { $arguments.Selector = $Selector }
if ($AllCommonSelectors) { $arguments.AllCommonSelectors = $true }
if ($TimeoutSec -gt 0) { $arguments.TimeoutSec = $TimeoutSec }

if ($Warm) {
    # JIT and the module's first use, on names outside the measured range.
    Get-Content $list -TotalCount 200 | ForEach-Object { $_ -replace '^d', 'w' } | Get-MailDomainReport @arguments -NoCache | Out-Null
}

$port = ($Server -split ':')[-1]
function Get-ServerQueries { if (Test-Path $StatsScript) { [long]((& bash $StatsScript $port queries) -split ' ')[1] } else { 0 } }
Clear-MailAuthDnsCache | Out-Null
$served0 = Get-ServerQueries
[GC]::Collect()
$process = [Diagnostics.Process]::GetCurrentProcess()
$process.Refresh()
$cpu0 = $process.TotalProcessorTime
$watch = [Diagnostics.Stopwatch]::StartNew()

$cases = @{}
$queries = 0L
$wrong = 0
$rows = 0
$sink = if ($Csv) { [IO.StreamWriter]::new($Csv) } else { $null }
# The steady rate: rows from the 10th to the 90th percentile of the input, which leaves out the
# ramp-up and the last dead domains' timeout (rows come in input order).
$tenth = [Math]::Max(1, [int]($Domains * 0.1))
$ninetieth = [Math]::Max($tenth + 1, [int]($Domains * 0.9))
$t10 = $null; $t90 = $null
Get-Content $list | Get-MailDomainReport @arguments | ForEach-Object {
    $rows++
    if ($rows -eq $tenth) { $t10 = $watch.Elapsed.TotalSeconds }
    elseif ($rows -eq $ninetieth) { $t90 = $watch.Elapsed.TotalSeconds }
    $queries += $_.QueryCount
    $case = [int]($_.Domain -replace '^d(\d+)\..*$', '$1') % 10
    $key = "$case/$($_.Status)"
    $cases[$key] = 1 + [int]$cases[$key]
    $failed = $_.Status -eq 'LookupFailed'
    if (($case -le 6 -or $case -eq 9) -eq $failed) { $wrong++ }
    if ($sink) { $sink.WriteLine("$($_.Domain),$($_.Status),$($_.Grade),$($_.DkimSelectors),$($_.QueryCount),""$($_.ErrorMessage)""") }
}
if ($sink) { $sink.Dispose() }

$watch.Stop()
$served = (Get-ServerQueries) - $served0
$process.Refresh()
$cpu = ($process.TotalProcessorTime - $cpu0).TotalSeconds
$healthy = [Math]::Ceiling($Domains * 0.7)
$load = (Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '
$caseText = ($cases.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" }) -join ' '
$steady = if ($null -ne $t10 -and $null -ne $t90 -and $t90 -gt $t10) { 0.7 * ($ninetieth - $tenth) / ($t90 - $t10) } else { 0 }
$line = 'domains={0} throttle={1} wall={2:0.00}s healthy/s={3:0} steady-healthy/s={14:0} all/s={4:0} cpu={5:0.00}s cpu/domain={6:0}us cpu/wire-query={7:0.0}us wire-queries/domain={8:0.0} answers/domain={9:0.0} peakWS={10:0}MB wrong={11} load={12} | {13}' -f `
    $rows, $(if ($ThrottleLimit) { $ThrottleLimit } else { 'default' }), $watch.Elapsed.TotalSeconds, ($healthy / $watch.Elapsed.TotalSeconds),
    ($rows / $watch.Elapsed.TotalSeconds), $cpu, (1e6 * $cpu / [Math]::Max(1, $rows)), (1e6 * $cpu / [Math]::Max(1, $served)),
    ($served / [Math]::Max(1, $rows)), ($queries / [Math]::Max(1, $rows)), ($process.PeakWorkingSet64 / 1MB), $wrong, $load, $caseText, $steady
Write-Output $line
Remove-Item $list
if ($wrong -gt 0) { exit 1 }
