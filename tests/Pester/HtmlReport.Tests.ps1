# Export-MailAuthReport in the real pwsh: mixed pipelines, one error per bad input, provider paths,
# -Verify beside the recorded verdicts, and the page as headless chromium renders it (--dump-dom).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:World = Start-MailWorld {
        param($z)
        # A domain whose DNS answers hold markup: the page must show it as text.
        $z.AddTxt('markup.example', 'v=spf1 include:<script>document.title=''pwned''</script> -all')
        # The receiver recorded spf=pass; the record now says -all: the page must mark the disagreement.
        $z.AddTxt('differs.example', 'v=spf1 -all')
        $z.AddTxt('_dmarc.differs.example', 'v=DMARC1; p=reject')
        $z.AddTxt('_dmarc.markup.example', 'v=DMARC1; p=reject; rua=mailto:"><img src=x onerror=document.title=''pwned''>@markup.example')
    }
    $script:D = @{ Server = $script:World.Address }
    $script:Phish = Join-Path $script:RepoRoot 'samples/phish-spf-pass-unaligned.txt'
    $script:Hostile = Join-Path $script:RepoRoot 'tests/html/hostile-headers.eml'
    $script:Out = Join-Path ([System.IO.Path]::GetTempPath()) ('mailauth-html-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $script:Out | Out-Null

    # Debian's chromium; the tests fail (not skip) without it: .ci/run installs it.
    $script:Chromium = @($env:MAILAUTH_CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome') | Where-Object { $_ } |
        ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } | Select-Object -First 1
    function script:Get-RenderedDom([string] $File) {
        if (-not $script:Chromium) { throw 'headless chromium is needed: apt-get install -y chromium (.ci/run installs it), or set MAILAUTH_CHROMIUM' }
        $userData = Join-Path $script:Out ('profile-' + [guid]::NewGuid().ToString('N'))
        $uri = [System.Uri]::new($File, [System.UriKind]::Absolute).AbsoluteUri
        $dom = & $script:Chromium.Source --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "--user-data-dir=$userData" --no-first-run `
            '--host-resolver-rules=MAP * ~NOTFOUND' --virtual-time-budget=5000 --dump-dom $uri 2>$null
        ($dom -join "`n")
    }
}

AfterAll {
    $script:World.Dispose()
    Remove-Item -Recurse -Force $script:Out -ErrorAction SilentlyContinue
}

Describe 'Export-MailAuthReport' {
    It 'writes one page from header and domain reports mixed, with one error for the input that is not a report' {
        $file = Join-Path $script:Out 'mixed.html'
        $items = @(Get-MailHeaderReport -Path $script:Phish; 'not a report'; Get-MailDomainReport contoso.com, markup.example @D -NoMtaStsFetch)
        $result = $items | Export-MailAuthReport -Path $file -PassThru -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'UnsupportedReportInput,MailAuth.PowerShell.Commands.ExportMailAuthReportCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidType'
        $problems[0].TargetObject | Should -Be 'not a report'
        $result | Should -BeOfType System.IO.FileInfo
        $result.FullName | Should -Be $file
        $html = Get-Content -Raw $file
        $html | Should -Match '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;'
        $html | Should -Match 'id="msg-1"'
        $html | Should -Match 'include:&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;'
        $html | Should -Not -Match '<img'
    }

    It 'renders in chromium with the facts as text, the markup from DNS inert and the table script run' {
        $file = Join-Path $script:Out 'mixed.html'
        $dom = Get-RenderedDom $file
        $dom | Should -Match '<html lang="en" class="js">'
        $dom | Should -Match '<title>MailAuth report: 1 message, 2 domains</title>'
        $dom | Should -Match '<output id="audit-count">2 domains</output>'
        $dom | Should -Match 's12\.cpanel-host\.example\.org'
        $dom | Should -Match 'data-verdict="Suspect"'
        $dom | Should -Match 'include:&lt;script&gt;'
        $dom | Should -Not -Match '<img'
    }

    It 'shows what DNS says now beside the recorded verdicts with -Verify' {
        $file = Join-Path $script:Out 'verified.html'
        Get-MailHeaderReport -Path $script:Phish -Verify @D | Export-MailAuthReport -Path $file
        $dom = Get-RenderedDom $file
        $dom | Should -Match '<th>Now \(DNS\)</th>'
        $dom | Should -Match 'data-method="spf"'
        $dom | Should -Match 'Now: recomputed'
    }

    It 'marks a verdict that DNS no longer agrees with' {
        $file = Join-Path $script:Out 'differs.html'
        $headers = @(
            'Received: from mail.differs.example (mail.differs.example [198.51.100.7]) by mx.example.com with ESMTPS id 1; Mon, 16 Nov 2026 09:14:00 +0000'
            'Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=bounce@differs.example; dmarc=pass header.from=differs.example'
            'From: Alice <alice@differs.example>'
            'Subject: recorded pass, fails now'
            'Date: Mon, 16 Nov 2026 09:13:58 +0000'
            'Message-ID: <1@differs.example>'
        )
        $report = $headers | Get-MailHeaderReport -TrustedAuthServId mx.example.com -Verify @D
        $report.Verification.SpfNow | Should -Be 'fail'
        $report | Export-MailAuthReport -Path $file
        $dom = Get-RenderedDom $file
        $dom | Should -Match '<tr class="differs" data-method="spf">'
        $dom | Should -Match '<span class="badge differs">DIFFERS</span>'
        $dom | Should -Match 'recorded pass, now fail'
    }

    It 'keeps the hostile sample''s payloads as text' {
        $file = Join-Path $script:Out 'hostile.html'
        Get-MailHeaderReport -Path $script:Hostile | Export-MailAuthReport -Path $file -Title 'Hostile'
        $dom = Get-RenderedDom $file
        $dom | Should -Match '<title>Hostile</title>'
        $dom | Should -Match '&lt;script&gt;window.__pwned=7;document.title=''pwned''&lt;/script&gt; Your account'
        $dom | Should -Match '&lt;javascript:window.__pwned=11&gt;'
        $dom | Should -Not -Match '<(img|iframe|svg onload)'
        $dom | Should -Not -Match '<script'
    }

    It 'resolves -Path through the PowerShell location and drives' {
        New-PSDrive -Name MailAuthHtml -PSProvider FileSystem -Root $script:Out | Out-Null
        try {
            Get-MailHeaderReport -Path $script:Phish | Export-MailAuthReport -Path 'MailAuthHtml:\drive.html'
            Join-Path $script:Out 'drive.html' | Should -Exist
            Push-Location $script:Out
            try {
                (Get-MailHeaderReport -Path $script:Phish | Export-MailAuthReport -Path relative.html -PassThru).FullName | Should -Be (Join-Path $script:Out 'relative.html')
            } finally { Pop-Location }
        } finally { Remove-PSDrive MailAuthHtml }
    }

    It 'stops before reading input when the path cannot be written' {
        { Get-MailHeaderReport -Path $script:Phish | Export-MailAuthReport -Path (Join-Path $script:Out 'no/such/folder/x.html') } |
            Should -Throw -ErrorId 'InvalidReportPath,MailAuth.PowerShell.Commands.ExportMailAuthReportCommand'
        { Get-MailHeaderReport -Path $script:Phish | Export-MailAuthReport -Path 'Variable:\page' } |
            Should -Throw -ErrorId 'InvalidReportPath,MailAuth.PowerShell.Commands.ExportMailAuthReportCommand'
    }

    It 'writes no file and says so when no report came in' {
        $file = Join-Path $script:Out 'empty.html'
        1, 2 | Export-MailAuthReport -Path $file -ErrorVariable problems -ErrorAction SilentlyContinue
        @($problems.FullyQualifiedErrorId) | Should -Be @(
            'UnsupportedReportInput,MailAuth.PowerShell.Commands.ExportMailAuthReportCommand',
            'UnsupportedReportInput,MailAuth.PowerShell.Commands.ExportMailAuthReportCommand',
            'NoReportToExport,MailAuth.PowerShell.Commands.ExportMailAuthReportCommand')
        $file | Should -Not -Exist
    }
}
