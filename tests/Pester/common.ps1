# Dot-sourced by every Pester test: imports the module folder that `dotnet build` lays out, and
# offers the loopback DNS server the xunit tests use (built by `dotnet build` too).
$script:RepoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
$script:ModuleManifest = Join-Path $script:RepoRoot 'out/MailAuth.PowerShell/MailAuth.PowerShell.psd1'
Import-Module $script:ModuleManifest -Force -ErrorAction Stop

function Start-TestDnsServer {
    param([Parameter(Mandatory)] [scriptblock] $Zone)
    $dll = Get-ChildItem -Path (Join-Path $script:RepoRoot 'tests/MailAuth.Testing.Dns/bin') -Recurse -Filter MailAuth.Testing.Dns.dll |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    Add-Type -Path $dll.FullName
    $dnsZone = [MailAuth.Testing.Dns.DnsZone]::new()
    & $Zone $dnsZone | Out-Null
    [MailAuth.Testing.Dns.LoopbackDnsServer]::Start($dnsZone)
}
