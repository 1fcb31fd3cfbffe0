@{
    RootModule           = 'MailAuth.PowerShell.dll'
    # Loaded before the RootModule: sets up the private load context for bin/ (docs/module-layout.md).
    NestedModules        = @('MailAuth.PowerShell.Loader.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f5a8e-3c1b-4f3e-9a55-8a2b6c0e7d41'
    Author               = 'MailAuth.PowerShell contributors'
    CompanyName          = 'MailAuth.PowerShell'
    Copyright            = '(c) MailAuth.PowerShell contributors. MIT License.'
    # The build writes ModuleVersion from Directory.Build.props and ReleaseNotes from CHANGELOG.md.
    Description          = 'Email authentication for Exchange and Microsoft 365 admins and security analysts: SPF (RFC 7208) record checks and check_host() with traces, DMARC discovery and evaluation (RFC 7489, RFC 9989), DKIM, ARC, BIMI, MTA-STS, TLS-RPT and MX posture, forensic reports from pasted message headers with Microsoft 365 stamps decoded, and bulk audits of thousands of domains. Objects pipe into each other, into Export-Csv and ConvertTo-Json, and take Exchange Online cmdlet output.'
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
        'Import-DmarcReport'
        'Import-TlsRptReport'
        'Get-DmarcReportSummary'
        'Export-MailAuthReport'
        'Get-MailIpReport'
        'Test-MailAddress'
        'Get-MailAuthFinding'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('SPF', 'DMARC', 'DKIM', 'ARC', 'BIMI', 'MTA-STS', 'Email', 'EmailSecurity', 'Exchange', 'ExchangeOnline', 'M365', 'Office365', 'DNS', 'Headers', 'Phishing', 'DMARCReports', 'TLSRPT', 'Windows', 'Linux', 'MacOS', 'PSEdition_Desktop', 'PSEdition_Core')
            # Placeholders until the project has a public home; the Gallery requires both fields.
            ProjectUri   = 'https://example.invalid/MailAuth.PowerShell'
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = ''
        }
    }
}
