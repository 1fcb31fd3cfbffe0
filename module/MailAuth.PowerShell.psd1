@{
    RootModule           = 'MailAuth.PowerShell.dll'
    # Loaded before the RootModule: sets up the private load context for bin/ (docs/module-layout.md).
    NestedModules        = @('MailAuth.PowerShell.Loader.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f5a8e-3c1b-4f3e-9a55-8a2b6c0e7d41'
    Author               = 'MailAuth.PowerShell contributors'
    CompanyName          = 'MailAuth.PowerShell'
    Copyright            = '(c) MailAuth.PowerShell contributors. MIT License.'
    Description          = 'Email authentication toolkit: SPF (RFC 7208), DMARC, DKIM/ARC, header forensics and bulk domain audits.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MailAuth.PowerShell.format.ps1xml')
    TypesToProcess       = @('MailAuth.PowerShell.types.ps1xml')
    CmdletsToExport      = @(
        'Resolve-MailAuthDnsName'
        'Clear-MailAuthDnsCache'
        'Resolve-DmarcPolicy'
        'Get-SpfRecord'
        'Test-Spf'
        'Get-MailHeaderReport'
        'Get-MailDomainReport'
        'Get-DkimRecord'
        'Get-BimiRecord'
        'Get-MtaStsPolicy'
        'Get-TlsRptRecord'
        'Get-MxRecord'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('SPF', 'DMARC', 'DKIM', 'ARC', 'Email', 'Exchange', 'M365', 'DNS', 'PSEdition_Desktop', 'PSEdition_Core')
            ProjectUri   = 'https://example.invalid/MailAuth.PowerShell'
            LicenseUri   = 'https://opensource.org/licenses/MIT'
        }
    }
}
