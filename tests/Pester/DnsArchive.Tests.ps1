# DNS evidence and the DNS archive (issue 15, docs/dns-archive.md): every DNS-using cmdlet records
# the answers its results used with -DnsArchive and replays them with -Offline, sending nothing.
# The loopback server counts every query it receives, so "no packet" is measured, not assumed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    $key = New-DkimKeyRecord 1024
    $script:Domains = [System.Collections.Generic.List[string]]::new()
    $script:Server = Start-TestDnsServer {
        param($z)
        Add-MailWorld $z
        $A = [MailAuth.Testing.Dns.ZoneRecordType]::A
        $MX = [MailAuth.Testing.Dns.ZoneRecordType]::MX
        $CNAME = [MailAuth.Testing.Dns.ZoneRecordType]::CNAME
        # 300 domains shaped like a tenant list: Microsoft 365, Google Workspace, self-hosted,
        # a DMARC SERVFAIL, NXDOMAIN, SPF in two strings with a broken DMARC record.
        for ($i = 0; $i -lt 300; $i++) {
            $d = "org$i.example"
            $script:Domains.Add($d)
            switch ($i % 6) {
                0 {
                    $z.Add($d, $MX, "0 org$i-example.mail.protection.outlook.com")
                    $z.Add("org$i-example.mail.protection.outlook.com", $A, "52.101.$($i % 250).$(10 + $i % 200)")
                    $z.AddTxt($d, 'v=spf1 include:spf.protection.outlook.com -all')
                    $z.AddTxt("_dmarc.$d", "v=DMARC1; p=reject; rua=mailto:dmarc@$d")
                    $z.Add("selector1._domainkey.$d", $CNAME, "selector1-org$i-example._domainkey.org$i.onmicrosoft.com")
                    $z.AddTxt("selector1-org$i-example._domainkey.org$i.onmicrosoft.com", $key)
                }
                1 {
                    $z.Add($d, $MX, '1 aspmx.l.google.com')
                    $z.AddTxt($d, 'v=spf1 include:_spf.google.com ~all')
                    $z.AddTxt("_dmarc.$d", 'v=DMARC1; p=none')
                    $z.AddTxt("google._domainkey.$d", $key)
                }
                2 {
                    $z.Add($d, $MX, "10 mail.$d")
                    $z.Add("mail.$d", $A, "185.$(20 + $i % 200).$($i % 256).25")
                    $z.AddTxt($d, "v=spf1 a:mail.$d mx ?all")
                    $z.AddTxt("_mta-sts.$d", "v=STSv1; id=$i")
                    $z.AddTxt("_smtp._tls.$d", "v=TLSRPTv1; rua=mailto:tls@$d")
                }
                3 {
                    $z.AddTxt($d, 'v=spf1 ip4:198.51.100.0/24 -all')
                    $z.AddFault("_dmarc.$d", [MailAuth.Testing.Dns.DnsFault]::ServFail)
                }
                4 { }
                5 {
                    $z.AddTxt($d, 'v=spf1 ip4:203.0.113.0/24 ', '-all')
                    $z.AddTxt("_dmarc.$d", "v=DMARC1; p=bogus; rua=dmarc@$d")
                }
            }
        }
    }
    $script:Dns = @{ Server = $script:Server.Address }
    $script:Phish = Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt'

    # CSV text without the columns that hold times (the replay keeps the recorded answers' times,
    # but a report's own elapsed time is measured again).
    function ConvertTo-ComparableCsv {
        param([Parameter(ValueFromPipeline)] $InputObject)
        begin { $all = [System.Collections.Generic.List[object]]::new() }
        process { $all.Add($InputObject) }
        end {
            $columns = @($all[0].PSObject.Properties.Name | Where-Object { $_ -notmatch 'Elapsed|At$|^FromArchive$' })
            $all | Select-Object -Property $columns | ConvertTo-Csv -NoTypeInformation
        }
    }
}

AfterAll {
    $script:Server.Dispose()
}

Describe 'Get-Content domains.txt | Get-MailDomainReport -DnsArchive, then -Offline' {
    BeforeAll {
        $script:Archive = Join-Path $TestDrive 'audit.jsonl'
        $list = Join-Path $TestDrive 'domains.txt'
        Set-Content -Path $list -Value $script:Domains
        Clear-MailAuthDnsCache | Out-Null
        Get-Content $list | Get-MailDomainReport @Dns -TimeoutSec 10 -NoMtaStsFetch -DnsArchive $script:Archive -ThrottleLimit 16 |
            Export-Csv (Join-Path $TestDrive 'live.csv') -NoTypeInformation
        $script:QueriesRecorded = $script:Server.QueryCount
        Get-Content $list | Get-MailDomainReport @Dns -NoMtaStsFetch -DnsArchive $script:Archive -Offline |
            Export-Csv (Join-Path $TestDrive 'replay.csv') -NoTypeInformation
        $script:Live = Import-Csv (Join-Path $TestDrive 'live.csv')
        $script:Replay = Import-Csv (Join-Path $TestDrive 'replay.csv')
    }

    It 'sends no DNS packet while replaying' {
        $script:Server.QueryCount | Should -Be $script:QueriesRecorded
    }

    It 'writes the same CSV, time columns aside' {
        $script:Replay.Count | Should -Be 300
        ($script:Replay | ConvertTo-ComparableCsv) | Should -Be ($script:Live | ConvertTo-ComparableCsv)
    }

    It 'replays the SERVFAIL as a failed lookup and the NXDOMAIN domain as not existing' {
        $script:Replay[3].Status | Should -Be 'LookupFailed'
        $script:Replay[3].ErrorMessage | Should -Match '_dmarc\.org3\.example'
        $script:Replay[4].Status | Should -Be $script:Live[4].Status
        $script:Replay[4].Status | Should -Not -Be 'LookupFailed'
    }

    It 'keeps whole lines from 16 concurrent workers, each answer once, in the documented format' {
        # Read with PowerShell's own JSON reader, not the module's: docs/dns-archive.md is the contract.
        $lines = Get-Content $script:Archive
        $objects = $lines | ConvertFrom-Json
        $objects.Count | Should -Be $lines.Count
        $objects | ForEach-Object { $_.v | Should -Be 1 }
        $keys = $objects | ForEach-Object { "$($_.type) $($_.name) $($_.server) $($_.status) $($_.records.data -join ',')" }
        ($keys | Sort-Object -Unique).Count | Should -Be $keys.Count
        $dmarc = $objects | Where-Object { $_.name -eq '_dmarc.org0.example' -and $_.type -eq 'TXT' }
        $dmarc.server | Should -Be $script:Server.Address
        $dmarc.rcode | Should -Be 'NoError'
        $dmarc.records[0].ttl | Should -Be 300
        $dmarc.records[0].strings | Should -Be @('v=DMARC1; p=reject; rua=mailto:dmarc@org0.example')
        [DateTimeOffset]::Parse($dmarc.askedAt) | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddHours(-1))
        ($objects | Where-Object { $_.name -eq '_dmarc.org3.example' }).rcode | Should -Be 'ServFail'
    }

    It 'puts the evidence in a CSV cell as a count and keeps the answers as objects' {
        $script:Live[0].DnsEvidence | Should -Match '^\d+ queries: \d+ found'
        $r = Get-MailDomainReport org0.example @Dns -NoMtaStsFetch -DnsArchive $script:Archive -Offline
        $r.DnsEvidence.QueryName | Should -Contain '_dmarc.org0.example'
        ($r.DnsEvidence | Where-Object QueryName -eq 'org0.example' | Where-Object QueryType -eq 'TXT').Records[0].Ttl | Should -Be 300
        $r.DnsEvidence | ForEach-Object { $_.FromArchive | Should -BeTrue }
    }
}

Describe 'Every DNS-using cmdlet records into one archive and replays from it' {
    BeforeAll {
        $script:Shared = Join-Path $TestDrive 'shared.jsonl'
        # -NoCache: each result's answers come from the wire, as the replay's do (a cached answer
        # says "(cached)" in the Response cells and took no time).
        $script:Runs = [ordered]@{
            'Test-Spf'                = { param($a) Test-Spf -IPAddress 40.107.22.41 -Sender 'bounce@contoso.com' -Helo 'mail.contoso.com' @a }
            'Get-SpfRecord'           = { param($a) 'contoso.com', 'org1.example', 'org5.example' | Get-SpfRecord @a }
            'Resolve-DmarcPolicy'     = { param($a) 'contoso.com', 'org3.example', 'org5.example' | Resolve-DmarcPolicy @a }
            'Get-MxRecord'            = { param($a) 'contoso.com', 'org2.example', 'org4.example' | Get-MxRecord @a }
            'Get-DkimRecord'          = { param($a) 'contoso.com', 'org0.example' | Get-DkimRecord -Selector selector1, google @a }
            'Get-BimiRecord'          = { param($a) 'contoso.com' | Get-BimiRecord @a }
            'Get-TlsRptRecord'        = { param($a) 'org2.example', 'org4.example' | Get-TlsRptRecord @a }
            'Get-MtaStsPolicy'        = { param($a) 'org2.example' | Get-MtaStsPolicy -NoFetch @a }
            'Resolve-MailAuthDnsName' = { param($a) Resolve-MailAuthDnsName -Name 'org0.example' -Type MX @a }
            'Get-MailIpReport'        = { param($a) '209.85.220.69', '185.234.219.12', '2a01:111:f403:c000::1' | Get-MailIpReport @a }
            'Test-MailAddress'        = { param($a) 'megan@contoso.com', 'ceo@tailspintoys.com', 'someone@org2.example' | Test-MailAddress @a }
        }
        $script:LiveRows = @{}
        foreach ($name in $script:Runs.Keys) {
            $script:LiveRows[$name] = & $script:Runs[$name] @{ Server = $script:Server.Address; NoCache = $true; DnsArchive = $script:Shared } | ConvertTo-ComparableCsv
        }
        $script:Before = $script:Server.QueryCount
    }

    It '<_> replays offline to the same rows and sends nothing' -ForEach @(
        'Test-Spf', 'Get-SpfRecord', 'Resolve-DmarcPolicy', 'Get-MxRecord', 'Get-DkimRecord', 'Get-BimiRecord',
        'Get-TlsRptRecord', 'Get-MtaStsPolicy', 'Resolve-MailAuthDnsName', 'Get-MailIpReport', 'Test-MailAddress') {
        $replayed = & $script:Runs[$_] @{ DnsArchive = $script:Shared; Offline = $true } | ConvertTo-ComparableCsv
        $replayed | Should -Be $script:LiveRows[$_]
        $script:Server.QueryCount | Should -Be $script:Before
    }

    It 'gives an IP report and an address test their evidence' {
        $ip = Get-MailIpReport 185.234.219.12 -DnsArchive $script:Shared -Offline
        $ip.ListedCount | Should -BeGreaterThan 0
        $ip.DnsEvidence.QueryName | Should -Contain '12.219.234.185.zen.spamhaus.org'
        $ip.DnsEvidence.QueryName | Should -Contain '12.219.234.185.origin.asn.cymru.com'
        $address = Test-MailAddress megan@contoso.com -DnsArchive $script:Shared -Offline
        $address.DnsEvidence | Where-Object { $_.QueryName -eq 'contoso.com' -and $_.QueryType -eq 'MX' } | Should -Not -BeNullOrEmpty
    }

    It 'refuses Test-MailAddress -Smtp -Offline: a DNS archive holds no SMTP replies' {
        $e = { Test-MailAddress megan@contoso.com -Smtp -DnsArchive $script:Shared -Offline } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'SmtpOffline,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'gives Test-Spf its evidence: each TXT answer of the include chain' {
        $r = Test-Spf -IPAddress 40.107.22.41 -Sender 'bounce@contoso.com' -DnsArchive $script:Shared -Offline
        $r.Result | Should -Be 'Pass'
        $r.DnsEvidence.QueryName | Should -Be @('contoso.com', 'spf.protection.outlook.com')
    }

    It 'shows each replayed answer with -Verbose, marked as from the archive' {
        $lines = Get-MxRecord contoso.com -DnsArchive $script:Shared -Offline -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $lines.Message | Should -Contain ($lines.Message | Where-Object { $_ -match '^DNS MX contoso\.com @.* \[from the DNS archive\]$' } | Select-Object -First 1)
        @($lines.Message | Where-Object { $_ -match '^DNS ' }).Count | Should -BeGreaterThan 1
    }
}

Describe 'Get-MailHeaderReport -Verify -DnsArchive' {
    It 'keeps what DNS says now beside what the receiver said, and replays it' {
        $archive = Join-Path $TestDrive 'case-4711.jsonl'
        $live = Get-MailHeaderReport -Path $script:Phish -Verify @Dns -NoCache -DnsArchive $archive
        $before = $script:Server.QueryCount
        $replay = Get-MailHeaderReport -Path $script:Phish -Verify -DnsArchive $archive -Offline

        $script:Server.QueryCount | Should -Be $before
        $live.DnsEvidence.QueryName | Should -Contain 's12.cpanel-host.example.org'
        $live.DnsEvidence.QueryName | Should -Contain '_dmarc.example.com'
        foreach ($p in 'SpfNow', 'DkimNow', 'ArcNow', 'DmarcNow', 'DispositionNow', 'Disagreements') {
            $replay.Verification.$p | Should -Be $live.Verification.$p -Because $p
        }
        $live.Verification.SpfNow | Should -Be 'pass'   # common.ps1: 203.0.113.45 in s12.cpanel-host's ip4:203.0.113.0/24
        $replay.DnsEvidence.Count | Should -Be $live.DnsEvidence.Count
        (Get-MailHeaderReport -Path $script:Phish).DnsEvidence.Count | Should -Be 0
    }
}

Describe 'What -Offline and -DnsArchive refuse' {
    It 'refuses -Offline without -DnsArchive, saying how to record one' {
        $e = { Get-MxRecord contoso.com -Offline } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'DnsArchiveRequired,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.ErrorDetails.RecommendedAction | Should -Match 'without -Offline'
    }

    It 'names the archive that does not exist' {
        $missing = Join-Path $TestDrive 'nope.jsonl'
        $e = { Get-MxRecord contoso.com -DnsArchive $missing -Offline } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'DnsArchiveNotFound,*'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -Match ([regex]::Escape($missing))
    }

    It 'refuses an archive in a folder that does not exist' {
        $e = { Get-MxRecord contoso.com @Dns -DnsArchive (Join-Path $TestDrive 'no/such/folder/a.jsonl') } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'DnsArchiveNotWritable,*'
        $e.CategoryInfo.Category | Should -Be 'WriteError'
    }

    It 'reads a question the archive lacks as a failed lookup, never as "not found"' {
        $archive = Join-Path $TestDrive 'small.jsonl'
        Get-MxRecord contoso.com @Dns -DnsArchive $archive | Out-Null
        $r = Get-MxRecord fabrikam.com -DnsArchive $archive -Offline
        $r.Status | Should -Be 'LookupFailed'
        $r.ErrorMessage | Should -Match 'not in the DNS archive'
        (Get-SpfRecord fabrikam.com -DnsArchive $archive -Offline).Status | Should -Not -Be 'NotFound'
    }

    It 'loses only the line a killed run left half-written, with one warning naming it' {
        $archive = Join-Path $TestDrive 'cut.jsonl'
        'contoso.com', 'fabrikam.com' | Get-MxRecord @Dns -NoCache -DnsArchive $archive | Out-Null
        $text = [System.IO.File]::ReadAllText($archive)
        [System.IO.File]::WriteAllText($archive, $text + $text.Substring(0, 40))
        $r = Get-MxRecord contoso.com -DnsArchive $archive -Offline -WarningVariable warned 3>$null
        $r.Status | Should -Be 'Found'
        $warned.Count | Should -Be 1
        $warned[0].Message | Should -Match 'line \d+: incomplete, skipped'
    }

    It 'replays in the CLI: mailauth audit --dns-archive, then --offline' {
        $archive = Join-Path $TestDrive 'cli.jsonl'
        $list = Join-Path $TestDrive 'cli-domains.txt'
        Set-Content -Path $list -Value 'org0.example', 'org3.example', 'org5.example'
        $cli = Get-ChildItem (Join-Path $script:RepoRoot 'src/MailAuth.Cli/bin') -Recurse -Filter mailauth.dll | Sort-Object LastWriteTime -Descending | Select-Object -First 1
        $live = & dotnet $cli.FullName audit $list --server $script:Server.Address --no-mta-sts-fetch --dns-archive $archive --json 2>$null | ConvertFrom-Json
        $before = $script:Server.QueryCount
        $replay = & dotnet $cli.FullName audit $list --no-mta-sts-fetch --dns-archive $archive --offline --json 2>$null | ConvertFrom-Json
        $script:Server.QueryCount | Should -Be $before
        $live.Count | Should -Be 3
        $replay.Grade | Should -Be $live.Grade
        $replay.Status | Should -Be $live.Status
        $replay[0].DnsEvidence.Count | Should -Be $live[0].DnsEvidence.Count
        & dotnet $cli.FullName mx contoso.com --offline 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 2
    }
}

Describe 'Raw records always' {
    BeforeAll {
        $script:Bad = Start-TestDnsServer {
            param($z)
            $z.AddTxt('bad.example', 'v=spf1 ip4:300.1.1.1 foo:bar -all')
            $z.AddTxt('_dmarc.bad.example', 'v=DMARC1; p=bogus; pct=abc')
            $z.AddTxt('sel._domainkey.bad.example', 'v=DKIM1; k=rsa; p=!!!notbase64')
            $z.AddTxt('default._bimi.bad.example', 'v=BIMI1; l=http://insecure/logo.png; zz')
            $z.AddTxt('_mta-sts.bad.example', 'v=STSv1; id=bad id!')
            $z.AddTxt('_smtp._tls.bad.example', 'v=TLSRPTv1; rua=ftp://x')
            $z.Add('bad.example', [MailAuth.Testing.Dns.ZoneRecordType]::MX, '10 192.0.2.1')
        }
        $script:BadDns = @{ Server = $script:Bad.Address }
    }
    AfterAll { $script:Bad.Dispose() }

    It 'returns the record text of an invalid record beside its errors' {
        $spf = Get-SpfRecord bad.example @BadDns
        $spf.Record | Should -Be 'v=spf1 ip4:300.1.1.1 foo:bar -all'
        $spf.Status | Should -Be 'Invalid'
        $dmarc = Resolve-DmarcPolicy bad.example @BadDns
        $dmarc.Record | Should -Be 'v=DMARC1; p=bogus; pct=abc'
        $dmarc.Findings.Count | Should -BeGreaterThan 0
        (Get-DkimRecord bad.example -Selector sel @BadDns).Selectors[0].RecordText | Should -Be 'v=DKIM1; k=rsa; p=!!!notbase64'
        (Get-BimiRecord bad.example @BadDns).RecordText | Should -Be 'v=BIMI1; l=http://insecure/logo.png; zz'
        (Get-MtaStsPolicy bad.example -NoFetch @BadDns).RecordText | Should -Be 'v=STSv1; id=bad id!'
        (Get-TlsRptRecord bad.example @BadDns).RecordText | Should -Be 'v=TLSRPTv1; rua=ftp://x'
        $mx = Get-MxRecord bad.example @BadDns
        $mx.DnsEvidence[0].Records[0].Data | Should -Be '10 192.0.2.1'   # an IP literal exchange, RFC 7505 §3 / RFC 5321 §5.1
        $mx.Findings.Id | Should -Not -BeNullOrEmpty
    }
}
