BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Server = Start-TestDnsServer { param($z) $z.AddTxt('example.com', 'v=spf1 -all') }
}

AfterAll {
    $script:Server.Dispose()
}

Describe 'MailAuth.PowerShell module' {
    It 'passes Test-ModuleManifest' {
        Test-ModuleManifest -Path $script:ModuleManifest | Should -Not -BeNullOrEmpty
    }

    It 'exports the cmdlets its manifest names' {
        $manifest = Import-PowerShellDataFile $script:ModuleManifest
        $exported = (Get-Command -Module MailAuth.PowerShell).Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'has a help page in docs/en-US for every cmdlet' {
        foreach ($name in (Get-Command -Module MailAuth.PowerShell).Name) {
            Join-Path $PSScriptRoot "../../docs/en-US/$name.md" | Should -Exist
        }
    }

    It 'renders DNS answers with the table view and flat CSV' {
        $answer = Resolve-MailAuthDnsName -Name example.com -Type TXT -Server $script:Server.Address
        ($answer | Format-Table | Out-String) | Should -Match 'v=spf1 -all'
        ($answer | ConvertTo-Csv -NoTypeInformation)[1] | Should -Match '"example.com","TXT","Found"'
    }
}
