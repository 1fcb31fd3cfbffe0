# Get-MailIpReport and Test-MailAddress as admins use them: Exchange output and header reports piped
# in, a 10,000-row user list through Import-Csv | Test-MailAddress | Export-Csv with one bad row,
# and the objects in CSV and JSON, against the loopback DNS world.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld {
        param($z)
        $MX = [MailAuth.Testing.Dns.ZoneRecordType]::MX
        $A = [MailAuth.Testing.Dns.ZoneRecordType]::A
        # Twenty tenant domains on Exchange Online, one parked with a null MX (RFC 7505), one with
        # only an A record (implicit MX), one whose MX lookup fails.
        foreach ($n in 1..20) {
            $z.Add("tenant$n.example", $MX, "0 tenant$n-example.mail.protection.outlook.com") | Out-Null
            $z.Add("tenant$n-example.mail.protection.outlook.com", $A, "52.101.68.$n") | Out-Null
        }
        $z.Add('parked.example', $MX, '0 .') | Out-Null
        $z.Add('legacy.example', $A, '198.51.100.25') | Out-Null
        $z.AddFault('broken.example', [MailAuth.Testing.Dns.DnsFault]::ServFail, $MX) | Out-Null
        # A blocklist that never answers.
        $z.AddFault('12.219.234.185.bl.timeout.example', [MailAuth.Testing.Dns.DnsFault]::Timeout) | Out-Null
    }
    $script:D = @{ Server = $script:World.Address }
    $script:Sandbox = Join-Path ([IO.Path]::GetTempPath()) ("mailauth-intel-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $script:Sandbox | Out-Null
}

AfterAll {
    $script:World.Dispose()
    Remove-Item -Recurse -Force $script:Sandbox
}

Describe 'Import-Csv users.csv | Test-MailAddress | Export-Csv over 10,000 rows' {
    BeforeAll {
        $csv = Join-Path $Sandbox 'users.csv'
        $script:Out = Join-Path $Sandbox 'checked.csv'
        $lines = [System.Collections.Generic.List[string]]::new()
        $lines.Add('DisplayName,EmailAddress,Department')
        $script:InputAddresses = [System.Collections.Generic.List[string]]::new()
        foreach ($i in 1..10000) {
            $address = switch ($i % 500) {
                7 { "user$i@parked.example" }
                8 { "user$i@legacy.example" }
                9 { "user$i@broken.example" }
                10 { "user..$i@tenant1.example" }
                default { "user$i@tenant$($i % 20 + 1).example" }
            }
            if ($i -eq 4321) { $address = '' }
            $lines.Add("User $i,$address,Sales")
            if ($address) { $script:InputAddresses.Add($address) }
        }
        Set-Content -Path $csv -Value $lines
        $World.ResetCounters()
        $process = [System.Diagnostics.Process]::GetCurrentProcess()
        $cpu = $process.TotalProcessorTime
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        Import-Csv $csv | Test-MailAddress @D -ErrorVariable script:Bad -ErrorAction SilentlyContinue | Export-Csv $Out -NoTypeInformation
        $clock.Stop()
        $process.Refresh()
        $script:Seconds = $clock.Elapsed.TotalSeconds
        $script:CpuSeconds = ($process.TotalProcessorTime - $cpu).TotalSeconds
        $script:Queries = $World.QueryCount
        $script:Rows = Import-Csv $Out
        Write-Host ("Test-MailAddress over 10,000 rows: {0:N1} s wall, {1:N1} s CPU, {2} DNS queries" -f $Seconds, $CpuSeconds, $Queries)
    }

    It 'gives one error record for the one empty row, naming it and what to do' {
        $Bad.Count | Should -Be 1
        $Bad[0].FullyQualifiedErrorId | Should -Be 'EmptyAddress,MailAuth.PowerShell.Commands.TestMailAddressCommand'
        $Bad[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $Bad[0].TargetObject | Should -Be ''
        $Bad[0].ErrorDetails.RecommendedAction | Should -Match 'megan@contoso\.com'
    }

    It 'writes every other row, in input order' {
        $Rows.Count | Should -Be 9999
        # Compare-Object on 10,000 strings is slow; a join compares order and content at once.
        (($Rows | ForEach-Object Address) -join "`n") | Should -BeExactly ($InputAddresses -join "`n")
    }

    It 'reads routing right for every kind of domain' {
        $by = $Rows | Group-Object MxStatus -AsHashTable -AsString
        @($by['NullMx']).Count | Should -Be 20
        @($by['ImplicitMx']).Count | Should -Be 20
        @($by['LookupFailed']).Count | Should -Be 20
        ($Rows | Where-Object SyntaxValid -eq 'False').Count | Should -Be 20
        ($Rows | Where-Object { $_.Address -like '*@parked.example' }).Deliverable | Sort-Object -Unique | Should -Be 'No'
        ($Rows | Where-Object { $_.Address -like '*@broken.example' }).Deliverable | Sort-Object -Unique | Should -Be 'Unknown'
        ($Rows | Where-Object { $_.Address -like '*@tenant3.example' })[0].Exchanges | Should -Be '0 tenant3-example.mail.protection.outlook.com'
    }

    It 'writes values to the cells, not type names' {
        $row = $Rows | Where-Object Address -like 'user..*' | Select-Object -First 1
        $row.Findings | Should -Be 'ADDR-SYNTAX-INVALID'
        $row.SyntaxRule | Should -Be 'LocalPartDot'
        ($Rows | Where-Object Address -like '*@legacy.example')[0].Findings | Should -Match 'ADDR-IMPLICIT-MX'
        foreach ($cell in $Rows[0].PSObject.Properties) { [string]$cell.Value | Should -Not -Match '^(System|MailAuth)\.' }
    }

    It 'looks each domain up once, not once per row' {
        # 24 domains: MX + host A/AAAA + SPF + DMARC each, a few dozen queries, not tens of thousands.
        $Queries | Should -BeLessThan 600
    }
}

Describe 'Test-MailAddress from Exchange Online' {
    It 'binds Get-Mailbox output by PrimarySmtpAddress' {
        $r = New-ExoMailbox megan@contoso.com fabrikam@fabrikam.com | Test-MailAddress @D
        @($r).Count | Should -Be 1
        $r.Address | Should -Be 'megan@contoso.com'
        $r.MxStatus | Should -Be 'Found'
        $r.Posture | Should -Be 'SPF OK -all; DMARC p=reject'
    }

    It 'converts to JSON with names, not numbers' {
        $json = Test-MailAddress megan@contoso.com, info@parked.example @D | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json[0].Deliverable | Should -Be 'Yes'
        $json[1].MxStatus | Should -Be 'NullMx'
        $json[1].Findings[0].Severity | Should -Be 'Information'
    }
}

Describe 'Get-MailIpReport from message traces, header reports and DMARC summaries' {
    It 'binds Get-MessageTraceV2 rows by FromIP' {
        $r = New-ExoMessageTrace invoices@fabrikam.com 209.85.220.69 | Get-MailIpReport @D
        $r.IPAddress | Should -Be '209.85.220.69'
        $r.PtrName | Should -Be 'mail-sor-f69.google.com'
        $r.ForwardConfirmed | Should -BeTrue
        $r.AsName | Should -Be 'GOOGLE - Google LLC, US'
        $r.Status | Should -Be 'NotListed'
    }

    It 'binds a header report by ClientIP' {
        $report = Get-MailHeaderReport -Path (Join-Path $RepoRoot 'samples/phish-spf-pass-unaligned.txt')
        $r = $report | Get-MailIpReport @D
        $r.IPAddress | Should -Be $report.ClientIP
    }

    It 'binds DMARC summary rows by SourceIP' {
        $rows = @([pscustomobject]@{ SourceIP = '40.107.22.51'; Messages = 120 }, [pscustomobject]@{ SourceIP = '185.234.219.12'; Messages = 3 })
        $r = $rows | Get-MailIpReport @D
        $r.IPAddress | Should -Be '40.107.22.51', '185.234.219.12'
        $r[0].Service | Should -Be 'Microsoft 365'
        $r[1].Status | Should -Be 'Listed'
        $r[1].Listings.ToString() | Should -Be 'zen.spamhaus.org=127.0.0.2; zen.spamhaus.org=127.0.0.4; bl.spamcop.net=127.0.0.2'
    }

    It 'reports a message-trace row without FromIP as one error and goes on' {
        $rows = (New-ExoMessageTrace a@contoso.com $null), (New-ExoMessageTrace b@contoso.com 40.107.22.51), [pscustomobject]@{ FromIP = 'mail.contoso.com' }
        $r = $rows | Get-MailIpReport @D -ErrorVariable bad -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $bad.Count | Should -Be 2
        $bad[0].FullyQualifiedErrorId | Should -Match '^EmptyIPAddress,'
        $bad[1].FullyQualifiedErrorId | Should -Match '^InvalidIPAddress,'
        $bad[1].TargetObject | Should -Be 'mail.contoso.com'
    }

    It 'reads a timing-out blocklist as LookupFailed, and CSV cells as values' {
        $r = Get-MailIpReport 185.234.219.12 -Blocklist bl.timeout.example -Server $World.Address -TimeoutSec 1
        $r.Status | Should -Be 'LookupFailed'
        $r.ListedCount | Should -Be 0
        $r.LookupErrors | Should -Match 'bl\.timeout\.example'
        $csv = Get-MailIpReport 185.234.219.12 @D | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $csv.Listings | Should -Be 'zen.spamhaus.org=127.0.0.2; zen.spamhaus.org=127.0.0.4; bl.spamcop.net=127.0.0.2'
        $csv.Asn | Should -Be '204601'
    }

    It 'stops before the first address for a blocklist that is no domain name' {
        { Get-MailIpReport 209.85.220.69 -Blocklist 'not a zone' @D -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidBlocklist,MailAuth.PowerShell.Commands.GetMailIpReportCommand'
    }

    It 'costs little per address over many addresses' {
        $ips = 1..500 | ForEach-Object { "185.{0}.{1}.{2}" -f (($_ -shr 8) + 10), ($_ -band 255), (($_ * 7) % 250 + 1) }
        $World.ResetCounters()
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $r = $ips | Get-MailIpReport @D -NoCache
        $clock.Stop()
        $r.Count | Should -Be 500
        ($r.IPAddress -join ',') | Should -Be ($ips -join ',')
        # PTR, origin TXT and four blocklist A queries each (no AS name: nothing is announced).
        $World.QueryCount | Should -BeGreaterOrEqual (500 * 6)
        Write-Host ("Get-MailIpReport: 500 addresses in {0:N2} s, {1:N1} ms each (PTR, Cymru, 4 blocklists)" -f $clock.Elapsed.TotalSeconds, ($clock.Elapsed.TotalMilliseconds / 500))
    }
}

Describe 'Get-MailIpReport -AsnDatabase / -CountryDatabase (MaxMind.Db in the module''s private bin/)' {
    BeforeAll {
        # MaxMind's own writer (Debian's libmaxmind-db-writer-perl) in the vendors' layouts.
        & perl (Join-Path $RepoRoot 'tests/MailAuth.Core.Tests/Intelligence/make-test-mmdb.pl') $Sandbox
        $LASTEXITCODE | Should -Be 0
    }

    It 'reads owner and country from the files, and asks Team Cymru nothing' {
        $World.ResetCounters()
        $r = Get-MailIpReport 209.85.220.69 -AsnDatabase (Join-Path $Sandbox 'GeoLite2-ASN-Test.mmdb') -CountryDatabase (Join-Path $Sandbox 'GeoLite2-Country-Test.mmdb') -Blocklist @() @D -NoCache
        $r.Asn | Should -Be 15169
        $r.AsName | Should -Be 'GOOGLE'
        $r.Prefix | Should -Be '209.85.128.0/17'
        $r.Country | Should -Be 'US'
        $r.OwnerSource | Should -Be 'GeoLite2-ASN'
        $r.PtrName | Should -Be 'mail-sor-f69.google.com'
        @($World.Queries | Where-Object { $_.Name -like '*cymru*' }).Count | Should -Be 0
    }

    It 'stops before the first address for a file that is no MMDB' {
        $bad = Join-Path $Sandbox 'bad.mmdb'
        Set-Content $bad 'not a database'
        { Get-MailIpReport 209.85.220.69 -AsnDatabase $bad @D -ErrorAction Stop } | Should -Throw -ErrorId 'AsnDatabaseUnreadable,MailAuth.PowerShell.Commands.GetMailIpReportCommand'
    }
}

Describe 'Get-MailHeaderReport -Enrich' {
    BeforeAll {
        # The bundled phish with its edge client moved from documentation space to a listed VPS address.
        $script:Eml = Join-Path $Sandbox 'listed.eml'
        (Get-Content -Raw (Join-Path $RepoRoot 'samples/phish-spf-pass-unaligned.txt')) -replace '203\.0\.113\.45', '185.234.219.12' | Set-Content $Eml
        $World.Zone.Add('example.org.dbl.spamhaus.org', [MailAuth.Testing.Dns.ZoneRecordType]::A, '127.0.1.4') | Out-Null
    }

    It 'annotates the hops with owner and listings and lists the domains' {
        $r = Get-MailHeaderReport -Path $Eml -Enrich @D
        $hop = $r.Hops | Where-Object FromIp -eq '185.234.219.12'
        $hop.Owner | Should -Be 'AS204601 ZEN-ECN, NL'
        $hop.IpStatus | Should -Be 'Listed'
        $hop.Listings | Should -Be 'zen.spamhaus.org=127.0.0.2; zen.spamhaus.org=127.0.0.4; bl.spamcop.net=127.0.0.2'
        $r.DomainListings | Should -Contain 'example.org: dbl.spamhaus.org=127.0.1.4 (DBL: phish domain)'
        $r.Findings.Id | Should -Contain 'HDR-IP-LISTED'
        $r.Findings.Id | Should -Contain 'HDR-DOMAIN-LISTED'
        $csv = $r | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $csv.DomainListings | Should -Match 'dbl\.spamhaus\.org=127\.0\.1\.4'
    }

    It 'leaves reports as they were without -Enrich' {
        $r = Get-MailHeaderReport -Path $Eml
        ($r.Hops | Where-Object FromIp -eq '185.234.219.12').Owner | Should -BeNullOrEmpty
        $r.Findings.Id | Should -Not -Contain 'HDR-IP-LISTED'
    }
}

Describe 'Bulk order when answers come back out of order' {
    BeforeAll {
        # Later inputs answer sooner: domain n and address n wait (40 - 2n) ms at the server.
        $script:Slow = Start-TestDnsServer {
            param($z)
            $MX = [MailAuth.Testing.Dns.ZoneRecordType]::MX
            $A = [MailAuth.Testing.Dns.ZoneRecordType]::A
            foreach ($n in 0..19) {
                $z.Add("late$n.example", $MX, "10 mx.late$n.example") | Out-Null
                $z.Add("mx.late$n.example", $A, "52.101.69.$($n + 1)") | Out-Null
                $z.SetLatency("late$n.example", [timespan]::FromMilliseconds(40 - 2 * $n)) | Out-Null
                $z.SetLatency("$($n + 1).69.101.52.in-addr.arpa", [timespan]::FromMilliseconds(40 - 2 * $n)) | Out-Null
            }
        }
    }

    AfterAll {
        $script:Slow.Dispose()
    }

    It 'Test-MailAddress writes every address in input order' {
        $in = foreach ($round in 1..5) { foreach ($n in 0..19) { "u$round@late$n.example" } }
        $out = $in | Test-MailAddress -Server $Slow.Address -ThrottleLimit 16 -NoPosture
        @($out).Count | Should -Be 100
        # $out.Address would name .NET's Array.Address method, not the property of each item.
        (($out | ForEach-Object Address) -join ',') | Should -Be ($in -join ',')
        ($out.Deliverable | Sort-Object -Unique) | Should -Be 'Yes'
    }

    It 'Get-MailIpReport writes every address in input order' {
        $in = 0..19 | ForEach-Object { "52.101.69.$($_ + 1)" }
        $out = $in | Get-MailIpReport -Server $Slow.Address -ThrottleLimit 8 -Blocklist @()
        ($out.IPAddress -join ',') | Should -Be ($in -join ',')
    }
}
