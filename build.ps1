<#
.SYNOPSIS
    Builds, tests and packages MailAuth.PowerShell.

.DESCRIPTION
    A short front over the dotnet CLI. Every task works from the repository root, and needs only
    the .NET 10 SDK and the package registries: pwsh is the local tool pinned in
    .config/dotnet-tools.json (dotnet tool restore), Pester a PackageDownload restored with the
    solution.
      Build    dotnet build; lays out the importable module, with its MAML help, in out/MailAuth.PowerShell.
      Test     dotnet test (xunit, including the engine-hosted tests), then Pester in this pwsh.
      Pester   only the Pester tests in tests/Pester.
      Package  out/package/MailAuth.PowerShell/<version> (the module, ready for Publish-PSResource)
               and out/package/MailAuth.Cli.<version>.nupkg (the mailauth dotnet tool).
      Clean    removes out/ and every bin/ and obj/ folder.
    Test and Pester end with one line per run, "<run>: Failed: N, Passed: N, Skipped: N", and
    fail when any test failed.

.PARAMETER Task
    One or more of Build, Test, Pester, Package, Clean. Default: Build, Test.

.PARAMETER Configuration
    Debug or Release. Default: Release.

.PARAMETER OutputPath
    Where Package puts the module folder and the tool package. Default: out/package.

.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
    Builds and runs every test: xunit, then Pester in the pinned PowerShell 7.6.9.

.EXAMPLE
    dotnet pwsh ./build.ps1 Build, Package
    Builds, then produces out/package/MailAuth.PowerShell/<version> (then: Publish-PSResource -Path
    <that folder>) and the mailauth tool package.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Pester', 'Package', 'Clean')]
    [string[]] $Task = @('Build', 'Test'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$moduleOut = Join-Path $PSScriptRoot 'out/MailAuth.PowerShell'
$packageOut = if ($OutputPath) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath) } else { Join-Path $PSScriptRoot 'out/package' }

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-BuildProperty([string] $Name) {
    $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot 'Directory.Build.props'))
    $value = $props.Project.PropertyGroup | ForEach-Object { $_.$Name } | Where-Object { $_ } | Select-Object -First 1
    if (-not $value) { throw "Directory.Build.props has no <$Name>." }
    $value
}

# Pester comes from NuGet (a PackageDownload of tests/MailAuth.PowerShell.Tests), never from a
# module path, so every machine runs the pinned version.
function Import-PinnedPester {
    $version = Get-BuildProperty 'PesterVersion'
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $packages.Trim() "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) {
        Invoke-Dotnet restore tests/MailAuth.PowerShell.Tests
    }
    Import-Module $manifest -Force -ErrorAction Stop
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean' {
            Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $PSScriptRoot 'out')
            Get-ChildItem -Path src, tests, bench -Directory -Recurse -Include bin, obj |
                Remove-Item -Recurse -Force
        }
        'Build' {
            Invoke-Dotnet build MailAuth.PowerShell.sln -c $Configuration
        }
        'Test' {
            # xunit first; its failures are counted, and Pester still runs, so one run shows both.
            & dotnet test MailAuth.PowerShell.sln -c $Configuration
            $xunitFailed = $LASTEXITCODE -ne 0
            & $PSCommandPath -Task Pester -Configuration $Configuration
            $pesterFailed = $LASTEXITCODE -ne 0
            if ($xunitFailed -or $pesterFailed) { exit 1 }
        }
        'Pester' {
            if (-not (Test-Path (Join-Path $moduleOut 'MailAuth.PowerShell.psd1'))) {
                Invoke-Dotnet build MailAuth.PowerShell.sln -c $Configuration
            }
            Import-PinnedPester
            $config = New-PesterConfiguration
            $config.Run.Path = Join-Path $PSScriptRoot 'tests/Pester'
            $config.Run.PassThru = $true
            $config.Output.Verbosity = 'Detailed'
            $config.TestResult.Enabled = $true
            $config.TestResult.OutputPath = Join-Path $PSScriptRoot 'out/TestResults/pester.xml'
            $result = Invoke-Pester -Configuration $config
            $skipped = $result.SkippedCount + $result.NotRunCount
            # Tests that never ran (a broken BeforeAll, a failed container) count as failed.
            $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
            Write-Host ("Pester: Failed: {0}, Passed: {1}, Skipped: {2}" -f $failed, $result.PassedCount, $skipped)
            if ($failed -gt 0 -or $result.Result -ne 'Passed') { exit 1 }
        }
        'Package' {
            # Packs what Build laid out (run "Build, Package" after a change); never rebuilds under
            # a session that has the module loaded.
            if (-not (Test-Path (Join-Path $moduleOut 'MailAuth.PowerShell.psd1'))) {
                Invoke-Dotnet build MailAuth.PowerShell.sln -c Release
            }
            $manifest = Import-PowerShellDataFile (Join-Path $moduleOut 'MailAuth.PowerShell.psd1')
            $target = Join-Path $packageOut "MailAuth.PowerShell/$($manifest.ModuleVersion)"
            Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $target
            New-Item -ItemType Directory -Force -Path $target | Out-Null
            Copy-Item -Recurse -Path (Join-Path $moduleOut '*') -Destination $target -Exclude '*.pdb'
            Invoke-Dotnet pack src/MailAuth.Cli -c Release --no-build -o $packageOut
            Write-Host "Module ready for Publish-PSResource: $target"
            Write-Host "dotnet tool: dotnet tool install --global --add-source $packageOut MailAuth.Cli"
        }
    }
}
