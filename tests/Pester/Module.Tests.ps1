# The module as a user installs and imports it: a manifest with the Gallery's fields, a package
# that PSResourceGet publishes and installs offline, and mailauth as a dotnet tool.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Server = Start-TestDnsServer { param($z) $z.AddTxt('example.com', 'v=spf1 -all'); $z.AddTxt('_dmarc.example.com', 'v=DMARC1; p=reject') }
    $script:Manifest = Import-PowerShellDataFile $script:ModuleManifest
}

AfterAll {
    $script:Server.Dispose()
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest' {
        Test-ModuleManifest -Path $script:ModuleManifest | Should -Not -BeNullOrEmpty
    }

    It 'exports the cmdlets it names, and only those' {
        $exported = (Get-Command -Module MailAuth.PowerShell).Name | Sort-Object
        $exported | Should -Be ($script:Manifest.CmdletsToExport | Sort-Object)
        $script:Manifest.FunctionsToExport | Should -BeNullOrEmpty
    }

    It 'runs in Windows PowerShell 5.1 and PowerShell 7' {
        $script:Manifest.PowerShellVersion | Should -Be '5.1'
        $script:Manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $script:Manifest.PrivateData.PSData.Tags | Should -Contain 'PSEdition_Core'
        $script:Manifest.PrivateData.PSData.Tags | Should -Contain 'PSEdition_Desktop'
    }

    It 'carries the Gallery fields' {
        $script:Manifest.Description.Length | Should -BeGreaterThan 100
        [uri]$script:Manifest.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        [uri]$script:Manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $script:Manifest.PrivateData.PSData.Tags.Count | Should -BeGreaterThan 5
    }

    It 'has the version of Directory.Build.props and its CHANGELOG.md section as release notes' {
        $props = [xml](Get-Content -Raw (Join-Path $script:RepoRoot 'Directory.Build.props'))
        $version = $props.Project.PropertyGroup | ForEach-Object { $_.ModuleVersion } | Where-Object { $_ } | Select-Object -First 1
        $script:Manifest.ModuleVersion | Should -Be $version
        $changelog = Get-Content -Raw (Join-Path $script:RepoRoot 'CHANGELOG.md')
        $section = [regex]::Match($changelog, "(?ms)^## \[$([regex]::Escape($version))\][^\n]*\n(.*?)(?=^## \[|\z)").Groups[1].Value.Trim()
        $section | Should -Not -BeNullOrEmpty
        ($script:Manifest.PrivateData.PSData.ReleaseNotes -replace "`r`n", "`n") | Should -Be ($section -replace "`r`n", "`n")
    }

    It 'renders DNS answers with the table view and as flat CSV' {
        $answer = Resolve-MailAuthDnsName -Name example.com -Type TXT -Server $script:Server.Address
        ($answer | Format-Table | Out-String) | Should -Match 'v=spf1 -all'
        ($answer | ConvertTo-Csv -NoTypeInformation)[1] | Should -Match '"example.com","TXT","Found"'
    }
}

Describe 'Installing the package' {
    BeforeAll {
        # ./build.ps1 Package, as a release would, into a folder of this test.
        $script:Out = Join-Path $TestDrive 'package'
        $null = Invoke-Pwsh -ArgumentList '-NoProfile', '-File', (Join-Path $script:RepoRoot 'build.ps1'), 'Package', '-OutputPath', $script:Out
        $script:ModuleFolder = Join-Path $script:Out "MailAuth.PowerShell/$($script:Manifest.ModuleVersion)"
        $script:ToolPackage = Get-ChildItem $script:Out -Filter 'MailAuth.Cli.*.nupkg' | Select-Object -First 1
        $script:UserHome = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory -Path $script:UserHome | Out-Null
    }

    It 'lays out the module without symbols, with its help' {
        Join-Path $script:ModuleFolder 'MailAuth.PowerShell.psd1' | Should -Exist
        Join-Path $script:ModuleFolder 'en-US/MailAuth.PowerShell.dll-Help.xml' | Should -Exist
        Join-Path $script:ModuleFolder 'en-US/about_MailAuth.help.txt' | Should -Exist
        Get-ChildItem $script:ModuleFolder -Recurse -Filter *.pdb | Should -BeNullOrEmpty
    }

    It 'publishes to a local repository with PSResourceGet and installs from it offline in a clean session' {
        $repo = Join-Path $TestDrive 'repo'
        New-Item -ItemType Directory -Path $repo | Out-Null
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name MailAuthLocal -Uri '$repo' -Trusted
Publish-PSResource -Path '$($script:ModuleFolder)' -Repository MailAuthLocal
Install-PSResource -Name MailAuth.PowerShell -Repository MailAuthLocal -Scope CurrentUser -TrustRepository
Import-Module MailAuth.PowerShell
`$m = Get-Module MailAuth.PowerShell
"`$(`$m.Version)|`$(`$m.ModuleBase)"
(Get-Help Test-Spf).Synopsis
(Resolve-DmarcPolicy example.com -Server '$($script:Server.Address)' -SkipReportAuthorization).Policy
"@
        # A clean user profile for that session only: PSResourceGet keeps its repositories and
        # installs modules under the user's data folder (XDG_DATA_HOME, else HOME/.local/share).
        # The folders must exist: .NET reports a missing one as "" and the store would land in the
        # working directory.
        $profileVariables = @{ HOME = $script:UserHome; XDG_DATA_HOME = (Join-Path $script:UserHome '.local/share'); XDG_CONFIG_HOME = (Join-Path $script:UserHome '.config'); XDG_CACHE_HOME = (Join-Path $script:UserHome '.cache') }
        $profileVariables.Values | ForEach-Object { New-Item -ItemType Directory -Force -Path $_ } | Out-Null
        $lines = Invoke-Pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -Environment $profileVariables
        $text = $lines -join "`n"
        $LASTEXITCODE | Should -Be 0 -Because $text
        Get-ChildItem $repo -Filter 'mailauth.powershell.*.nupkg' | Should -Not -BeNullOrEmpty
        $installed = $lines | Where-Object { "$_" -match '\|' } | Select-Object -First 1
        "$installed" | Should -Match "^$([regex]::Escape($script:Manifest.ModuleVersion))\|$([regex]::Escape($script:UserHome))"
        $text | Should -Match 'Evaluates SPF'
        $lines[-1] | Should -Be 'Reject'
    }

    It 'packs mailauth as a dotnet tool that installs from a local folder and runs' {
        $script:ToolPackage | Should -Not -BeNullOrEmpty
        $tools = Join-Path $TestDrive 'tools'
        & dotnet tool install MailAuth.Cli --tool-path $tools --add-source $script:Out --version $script:Manifest.ModuleVersion 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        $mailauth = Join-Path $tools 'mailauth'
        $mailauth | Should -Exist
        $json = & $mailauth dmarc example.com --server $script:Server.Address --json | ConvertFrom-Json
        $json.Domain | Should -Be 'example.com'
        $json.Policy | Should -Be 'Reject'
    }
}
