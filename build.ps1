<#
.SYNOPSIS
    Builds, tests and packages MailAuth.PowerShell.

.DESCRIPTION
    A short front over the dotnet CLI. Every task works from the repository root.
      Build    dotnet build; lays out the importable module in out/MailAuth.PowerShell.
      Test     dotnet test (xunit, including the engine-hosted tests), then Pester.
      Pester   only the Pester tests in tests/Pester (needs Pester 5).
      Package  a module folder ready for Publish-Module in out/package/MailAuth.PowerShell/<version>.
      Clean    removes out/ and every bin/ and obj/ folder.

.PARAMETER Task
    One or more of Build, Test, Pester, Package, Clean. Default: Build, Test.

.PARAMETER Configuration
    Debug or Release. Default: Release.

.EXAMPLE
    ./build.ps1
    Builds and runs all tests.

.EXAMPLE
    ./build.ps1 -Task Package
    Produces out/package/MailAuth.PowerShell/<version>, then: Publish-Module -Path <that folder>.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Package', 'Clean')]
    [string[]] $Task = @('Build', 'Test'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$moduleOut = Join-Path $PSScriptRoot 'out/MailAuth.PowerShell'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
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
            Invoke-Dotnet test MailAuth.PowerShell.sln -c $Configuration
            & $PSCommandPath -Task Pester -Configuration $Configuration
        }
        'Pester' {
            if (-not (Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0')) {
                Write-Warning 'Pester 5 is not installed: Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser'
                return
            }
            if (-not (Test-Path (Join-Path $moduleOut 'MailAuth.PowerShell.psd1'))) {
                Invoke-Dotnet build MailAuth.PowerShell.sln -c $Configuration
            }
            $config = New-PesterConfiguration
            $config.Run.Path = Join-Path $PSScriptRoot 'tests/Pester'
            $config.Run.Exit = $true
            $config.Output.Verbosity = 'Detailed'
            Invoke-Pester -Configuration $config
        }
        'Package' {
            Invoke-Dotnet build src/MailAuth.PowerShell -c Release
            $manifest = Import-PowerShellDataFile (Join-Path $moduleOut 'MailAuth.PowerShell.psd1')
            $target = Join-Path $PSScriptRoot "out/package/MailAuth.PowerShell/$($manifest.ModuleVersion)"
            Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $target
            New-Item -ItemType Directory -Force -Path $target | Out-Null
            Copy-Item -Recurse -Path (Join-Path $moduleOut '*') -Destination $target -Exclude '*.pdb'
            Write-Host "Module ready for Publish-Module: $target"
        }
    }
}
