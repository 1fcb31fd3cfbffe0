# Dot-sourced by every Pester test: imports the module folder that `dotnet build` lays out, and
# offers the loopback DNS and HTTPS servers the xunit tests use (MailAuth.Testing.Dns, built by
# `dotnet build` too), with a world of mail domains shaped like real ones.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ModuleManifest = Join-Path $script:RepoRoot 'out/MailAuth.PowerShell/MailAuth.PowerShell.psd1'
Import-Module $script:ModuleManifest -Force -ErrorAction Stop

# Another pwsh like this one, for tests that need a clean session: the host's own pwsh, run by
# dotnet when it is the global tool (pwsh.dll), else the executable. -Environment sets variables
# for that process only. Returns its output lines; $LASTEXITCODE is its exit code.
function Invoke-Pwsh {
    param([Parameter(Mandatory)] [string[]] $ArgumentList, [hashtable] $Environment = @{})
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $start = if (Test-Path $dll) { [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath) } else { [System.Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh')) }
    if (Test-Path $dll) { $start.ArgumentList.Add($dll) }
    foreach ($a in $ArgumentList) { $start.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $start.Environment[$k] = [string]$Environment[$k] }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdout = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    $global:LASTEXITCODE = $process.ExitCode
    ($stdout + $stderr.Result) -split "`r?`n" | Where-Object { $_ -ne '' }
}

function Import-TestDnsServer {
    if (-not ('MailAuth.Testing.Dns.LoopbackDnsServer' -as [type])) {
        $dll = Get-ChildItem -Path (Join-Path $script:RepoRoot 'tests/MailAuth.Testing.Dns/bin') -Recurse -Filter MailAuth.Testing.Dns.dll |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1
        Add-Type -Path $dll.FullName
    }
}

function Start-TestDnsServer {
    param([Parameter(Mandatory)] [scriptblock] $Zone)
    Import-TestDnsServer
    $dnsZone = [MailAuth.Testing.Dns.DnsZone]::new()
    & $Zone $dnsZone | Out-Null
    [MailAuth.Testing.Dns.LoopbackDnsServer]::Start($dnsZone)
}

# An HTTPS server on 127.0.0.1 (a free port) with a self-signed certificate for -CertificateName;
# .Serve(host, path, [MailAuth.Testing.Http.HttpAnswer]) sets what it answers, .Requests logs SNI and Host.
function Start-TestHttpsServer {
    param([Parameter(Mandatory)] [string[]] $CertificateName)
    Import-TestDnsServer
    [MailAuth.Testing.Http.LoopbackHttpsServer]::new([string[]] $CertificateName)
}

# A DKIM TXT value with a fresh RSA key of the given size (RFC 6376 §3.6.1: p= is the base64 of the
# SubjectPublicKeyInfo).
function New-DkimKeyRecord([int] $Bits = 2048) {
    $rsa = [System.Security.Cryptography.RSA]::Create($Bits)
    try { "v=DKIM1; k=rsa; p=" + [Convert]::ToBase64String($rsa.ExportSubjectPublicKeyInfo()) }
    finally { $rsa.Dispose() }
}

# The mail domains the tests and the help examples talk about, published the way their providers
# publish them (Microsoft 365, Google Workspace), plus domains with the mistakes admins make.
function Add-MailWorld {
    param([Parameter(Mandatory)] $z)
    $A = [MailAuth.Testing.Dns.ZoneRecordType]::A
    $AAAA = [MailAuth.Testing.Dns.ZoneRecordType]::AAAA
    $MX = [MailAuth.Testing.Dns.ZoneRecordType]::MX
    $CNAME = [MailAuth.Testing.Dns.ZoneRecordType]::CNAME

    # Microsoft 365: EOP's published SPF ranges (spf.protection.outlook.com), MX at
    # mail.protection.outlook.com, DKIM selector1/selector2 as CNAMEs to the tenant.
    $z.AddTxt('spf.protection.outlook.com', 'v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 ip6:2a01:111:f403:8000::/51 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 -all')
    $z.AddTxt('contoso.com', 'v=spf1 include:spf.protection.outlook.com -all')
    $z.AddTxt('contoso.com', 'MS=ms48211394')
    $z.Add('contoso.com', $MX, '0 contoso-com.mail.protection.outlook.com')
    $z.Add('contoso-com.mail.protection.outlook.com', $A, '52.101.68.10')
    $z.Add('contoso-com.mail.protection.outlook.com', $A, '52.101.68.11')
    $z.AddTxt('_dmarc.contoso.com', 'v=DMARC1; p=reject; pct=100; rua=mailto:dmarc@contoso.com; ruf=mailto:dmarc@contoso.com; fo=1')
    $z.Add('selector1._domainkey.contoso.com', $CNAME, 'selector1-contoso-com._domainkey.contoso.onmicrosoft.com')
    $z.Add('selector2._domainkey.contoso.com', $CNAME, 'selector2-contoso-com._domainkey.contoso.onmicrosoft.com')
    $z.AddTxt('selector1-contoso-com._domainkey.contoso.onmicrosoft.com', (New-DkimKeyRecord 2048))
    $z.AddTxt('selector2-contoso-com._domainkey.contoso.onmicrosoft.com', (New-DkimKeyRecord 2048))
    $z.AddTxt('_mta-sts.contoso.com', 'v=STSv1; id=20260101T000000;')
    $z.AddTxt('_smtp._tls.contoso.com', 'v=TLSRPTv1; rua=mailto:tlsrpt@contoso.com')
    $z.AddTxt('default._bimi.contoso.com', 'v=BIMI1; l=https://contoso.com/bimi/logo.svg; a=')

    # Google Workspace: _spf.google.com and its netblocks as Google publishes them.
    $z.AddTxt('_spf.google.com', 'v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all')
    $z.AddTxt('_netblocks.google.com', 'v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:66.249.80.0/20 ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 ip4:209.85.128.0/17 ip4:216.58.192.0/19 ip4:216.239.32.0/19 ~all')
    $z.AddTxt('_netblocks2.google.com', 'v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all')
    $z.AddTxt('_netblocks3.google.com', 'v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ip4:172.217.128.0/19 ip4:172.217.160.0/20 ip4:172.217.192.0/19 ip4:172.253.56.0/21 ip4:172.253.112.0/20 ip4:108.177.96.0/19 ip4:35.191.0.0/16 ip4:130.211.0.0/22 ~all')
    $z.AddTxt('fabrikam.com', 'v=spf1 include:_spf.google.com ~all')
    $z.Add('fabrikam.com', $MX, '1 smtp.google.com')
    $z.Add('smtp.google.com', $A, '142.250.27.26')
    $z.Add('smtp.google.com', $AAAA, '2a00:1450:4025:c03::1a')
    $z.AddTxt('_dmarc.fabrikam.com', 'v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@fabrikam.com')
    $z.AddTxt('google._domainkey.fabrikam.com', (New-DkimKeyRecord 2048))

    # Mistakes: eleven DNS-querying terms (RFC 7208 §4.6.4 allows ten), p=none, a 1024-bit key.
    $z.AddTxt('tailspintoys.com', 'v=spf1 include:_spf.google.com include:spf.protection.outlook.com include:servers.mcsv.net include:sendgrid.net include:mail.zendesk.com include:_spf.salesforce.com a mx ~all')
    foreach ($n in 'servers.mcsv.net', 'sendgrid.net', 'mail.zendesk.com', '_spf.salesforce.com') {
        $z.AddTxt($n, 'v=spf1 ip4:198.51.100.0/24 -all')
    }
    $z.Add('tailspintoys.com', $A, '203.0.113.80')
    $z.Add('tailspintoys.com', $MX, '10 mail.tailspintoys.com')
    $z.Add('mail.tailspintoys.com', $A, '203.0.113.81')
    $z.AddTxt('_dmarc.tailspintoys.com', 'v=DMARC1; p=none; rua=mailto:dmarc@tailspintoys.com')
    $z.AddTxt('s1._domainkey.tailspintoys.com', (New-DkimKeyRecord 1024))

    # The bundled phishing sample's hosting domain and the domains its From and Reply-To claim.
    $z.AddTxt('s12.cpanel-host.example.org', 'v=spf1 ip4:203.0.113.0/24 +a +mx ~all')
    $z.Add('s12.cpanel-host.example.org', $A, '203.0.113.45')
    $z.AddTxt('_dmarc.example.com', 'v=DMARC1; p=reject')
    $z.AddTxt('example.com', 'v=spf1 -all')

    # Who the senders are (Get-MailIpReport): PTR zones, Team Cymru's IP-to-ASN TXT answers in its
    # documented format ("ASN | prefix | CC | registry | allocated", then "ASN | CC | registry |
    # allocated | name"), and blocklist answers with Spamhaus ZEN return codes.
    $PTR = [MailAuth.Testing.Dns.ZoneRecordType]::PTR
    $z.Add('69.220.85.209.in-addr.arpa', $PTR, 'mail-sor-f69.google.com')
    $z.Add('mail-sor-f69.google.com', $A, '209.85.220.69')
    $z.AddTxt('69.220.85.209.origin.asn.cymru.com', '15169 | 209.85.128.0/17 | US | arin | 2005-09-12')
    $z.AddTxt('AS15169.asn.cymru.com', '15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US')
    $z.Add('51.22.107.40.in-addr.arpa', $PTR, 'mail-db8eur05on2051.outbound.protection.outlook.com')
    $z.Add('mail-db8eur05on2051.outbound.protection.outlook.com', $A, '40.107.22.51')
    $z.AddTxt('51.22.107.40.origin.asn.cymru.com', '8075 | 40.104.0.0/14 | US | arin | 2015-02-23')
    $z.AddTxt('AS8075.asn.cymru.com', '8075 | US | arin | 1997-03-05 | MICROSOFT-CORP-MSN-AS-BLOCK - Microsoft Corporation, US')
    # A spam source on a VPS range: no PTR, SBL and XBL on ZEN, listed by SpamCop.
    $z.AddTxt('12.219.234.185.origin.asn.cymru.com', '204601 | 185.234.216.0/22 | NL | ripencc | 2018-04-09')
    $z.AddTxt('AS204601.asn.cymru.com', '204601 | NL | ripencc | 2017-02-20 | ZEN-ECN, NL')
    $z.Add('12.219.234.185.zen.spamhaus.org', $A, '127.0.0.2')
    $z.Add('12.219.234.185.zen.spamhaus.org', $A, '127.0.0.4')
    $z.AddTxt('12.219.234.185.zen.spamhaus.org', 'https://check.spamhaus.org/query/ip/185.234.219.12')
    $z.Add('12.219.234.185.bl.spamcop.net', $A, '127.0.0.2')
}

function Start-MailWorld {
    param([scriptblock] $More)
    # $More is seen through the call stack: a closure would lose this file's functions.
    Start-TestDnsServer {
        param($z)
        Add-MailWorld $z
        if ($More) { & $More $z }
    }
}

# Exchange Online cmdlet output, shaped as Microsoft documents it (the REST-based module returns
# strings for addresses). Only the properties the binding uses, plus the ones that must not bind.
function New-ExoMailbox([string] $Primary, [string[]] $Secondary = @(), [string] $Name = 'Megan Bowen') {
    [pscustomobject]@{
        PSTypeName         = 'Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox'
        Name               = $Name
        DisplayName        = $Name
        Alias              = ($Primary -split '@')[0]
        PrimarySmtpAddress = $Primary
        UserPrincipalName  = $Primary
        RecipientTypeDetails = 'UserMailbox'
        EmailAddresses     = @("SMTP:$Primary") + ($Secondary | ForEach-Object { "smtp:$_" }) + @("SIP:$Primary", 'X500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=0b1c2d3e')
    }
}

function New-ExoAcceptedDomain([string] $Domain, [string] $Type = 'Authoritative') {
    [pscustomobject]@{ Name = $Domain; DomainName = $Domain; DomainType = $Type; Default = $false; IsValid = $true }
}

function New-ExoMessageTrace([string] $Sender, [string] $FromIP, [string] $Recipient = 'megan@contoso.com') {
    [pscustomobject]@{
        Received = [datetime]'2026-11-30T09:14:02Z'; SenderAddress = $Sender; RecipientAddress = $Recipient
        Subject = 'Invoice 4471'; Status = 'Delivered'; ToIP = $null; FromIP = $FromIP; Size = 48211
        MessageId = '<4471@example.net>'; MessageTraceId = [guid]'7e3ab2c1-0f4d-4f1b-9d8e-2c6a1b0d9e44'
    }
}

function New-ExoDkimSigningConfig([string] $Domain, [string] $Tenant = 'contoso.onmicrosoft.com') {
    $label = $Domain -replace '\.', '-'
    [pscustomobject]@{
        Domain = $Domain; Name = $Domain; Enabled = $true; Status = 'Valid'
        Selector1CNAME = "selector1-$label._domainkey.$Tenant"; Selector2CNAME = "selector2-$label._domainkey.$Tenant"
        Selector1KeySize = 2048; Selector2KeySize = 2048; KeyCreationTime = [datetime]'2026-01-12'
    }
}

# Every line a table or list view renders, at a given width, with room to overflow so a line
# longer than the width can be seen.
function Get-ViewLines {
    param([Parameter(Mandatory, ValueFromPipeline)] $InputObject, [ValidateSet('Table', 'List')] [string] $View = 'Table', [int] $Width = 120)
    begin { $all = [System.Collections.Generic.List[object]]::new() }
    process { $all.Add($InputObject) }
    end {
        $formatted = if ($View -eq 'Table') { $all | Format-Table } else { $all | Format-List }
        # Out-String -Width is the console width the formatter lays out for; no wrapping past it.
        $formatted | Out-String -Width $Width -Stream
    }
}

# One output of every cmdlet against the world, with its nested detail filled in: the objects the
# view, export and JSON tests look at.
function Get-CmdletOutputs {
    param([Parameter(Mandatory)] [string] $Server)
    $D = @{ Server = $Server }
    $phish = Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt'
    $reports = Join-Path $script:RepoRoot 'tests/conformance/dmarc-reports'
    [ordered]@{
        'Resolve-MailAuthDnsName' = @(Resolve-MailAuthDnsName contoso.com @D; Resolve-MailAuthDnsName contoso.com -Type MX @D)
        'Get-SpfRecord'           = @(Get-SpfRecord contoso.com, fabrikam.com, tailspintoys.com, nothing.example @D)
        'Test-Spf'                = @(Test-Spf 40.107.22.51 bounce@contoso.com @D; Test-Spf '2a01:111:f403:c000::1' bounce@contoso.com @D; Test-Spf 198.51.100.23 ceo@contoso.com @D)
        'Resolve-DmarcPolicy'     = @(Resolve-DmarcPolicy contoso.com, tailspintoys.com @D; Resolve-DmarcPolicy -From ceo@contoso.com -MailFrom bounce@hoster.example -SpfResult pass @D)
        'Get-MailHeaderReport'    = @(Get-ChildItem (Join-Path $script:RepoRoot 'samples/*.txt') | Get-MailHeaderReport; Get-MailHeaderReport -Path $phish -Verify @D)
        'Get-MailDomainReport'    = @(Get-MailDomainReport contoso.com, fabrikam.com, tailspintoys.com @D -NoMtaStsFetch)
        'Get-DkimRecord'          = @(Get-DkimRecord contoso.com, tailspintoys.com @D)
        'Get-BimiRecord'          = @(Get-BimiRecord contoso.com, fabrikam.com @D)
        'Get-MtaStsPolicy'        = @(Get-MtaStsPolicy contoso.com @D -NoFetch; Get-MtaStsPolicy contoso.com @D -FetchTimeoutSec 2)
        'Get-TlsRptRecord'        = @(Get-TlsRptRecord contoso.com, fabrikam.com @D)
        'Get-MxRecord'            = @(Get-MxRecord contoso.com, fabrikam.com @D)
        'Import-DmarcReport'      = @(Import-DmarcReport -Path (Join-Path $reports 'mailauth/enterprise.protection.outlook.com!contoso.com!1767225600!1767312000.eml'), (Join-Path $reports 'mailauth/rfc9990-receiver.example!contoso.com!1767225600!1767311999.xml'))
        'Import-TlsRptReport'     = @(Import-TlsRptReport -Path (Join-Path $reports 'parsedmarc/smtp_tls'), (Join-Path $reports 'mailauth/tlsrpt-microsoft.json.gz'))
        'Get-MailIpReport'        = @(Get-MailIpReport 209.85.220.69, 40.107.22.51, 185.234.219.12, '2a01:111:f403:c000::1', 10.1.2.3 @D)
        'Test-MailAddress'        = @(Test-MailAddress megan@contoso.com, 'alex..wilber@contoso.com', ceo@tailspintoys.com, 'user@[192.0.2.1]', nobody@nothing.example @D)
        'Get-MailAuthFinding'     = @(Get-MailAuthFinding -Area Headers, Mx)
        'Get-DmarcReportSummary'  = @(Import-DmarcReport -Path (Join-Path $reports 'mailauth') -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Get-DmarcReportSummary)
    }
}
