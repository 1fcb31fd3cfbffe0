# Dot-sourced by every Pester test: imports the module folder that `dotnet build` lays out, and
# offers the loopback DNS and HTTPS servers the xunit tests use (MailAuth.Testing.Dns, built by
# `dotnet build` too).
$script:RepoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
$script:ModuleManifest = Join-Path $script:RepoRoot 'out/MailAuth.PowerShell/MailAuth.PowerShell.psd1'
Import-Module $script:ModuleManifest -Force -ErrorAction Stop

function Import-TestServers {
    $dll = Get-ChildItem -Path (Join-Path $script:RepoRoot 'tests/MailAuth.Testing.Dns/bin') -Recurse -Filter MailAuth.Testing.Dns.dll |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    Add-Type -Path $dll.FullName
}

function Start-TestDnsServer {
    param([Parameter(Mandatory)] [scriptblock] $Zone)
    Import-TestServers
    $dnsZone = [MailAuth.Testing.Dns.DnsZone]::new()
    & $Zone $dnsZone | Out-Null
    [MailAuth.Testing.Dns.LoopbackDnsServer]::Start($dnsZone)
}

# An HTTPS server on 127.0.0.1 (a free port) with a self-signed certificate for -CertificateName;
# .Serve(host, path, [MailAuth.Testing.Http.HttpAnswer]) sets what it answers, .Requests logs SNI and Host.
function Start-TestHttpsServer {
    param([Parameter(Mandatory)] [string[]] $CertificateName)
    Import-TestServers
    [MailAuth.Testing.Http.LoopbackHttpsServer]::new([string[]] $CertificateName)
}
