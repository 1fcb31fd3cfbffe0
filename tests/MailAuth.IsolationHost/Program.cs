using System;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MailAuth.Testing.Dns;

namespace MailAuth.IsolationHost
{
    /// <summary>
    /// Runs one dependency-isolation scenario in a fresh process and prints "key=value" lines that
    /// the PowerShell tests assert on. Exit code 0 when the scenario ran to its end.
    /// Usage: MailAuth.IsolationHost &lt;scenario&gt; &lt;path to MailAuth.PowerShell.psd1&gt;
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length < 2 || args.Length > 3)
            {
                Console.Error.WriteLine("usage: MailAuth.IsolationHost <dnsclient-first|module-first|import-only> <manifest> [header sample]");
                return 2;
            }

            string scenario = args[0];
            string manifest = args[1];
            string sample = args.Length == 3 ? args[2] : string.Empty;
            var zone = new DnsZone()
                .AddTxt("example.com", "v=spf1 ip4:192.0.2.0/24 -all")
                .Add("example.com", ZoneRecordType.A, "192.0.2.10")
                .AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);

            try
            {
                switch (scenario)
                {
                    case "dnsclient-first":
                        UseDnsClientFromDefaultContext(server, "before");
                        RunModule(manifest, server, sample);
                        break;
                    case "module-first":
                        RunModule(manifest, server, sample);
                        UseDnsClientFromDefaultContext(server, "after");
                        break;
                    case "import-only":
                        RunScript("try { Import-Module $args[0] -ErrorAction Stop; 'imported' } catch { 'error=' + $_.FullyQualifiedErrorId + ' | ' + $_.Exception.Message }; 'modules=' + ((Get-Module).Name -join ',')", manifest);
                        break;
                    default:
                        Console.Error.WriteLine("unknown scenario " + scenario);
                        return 2;
                }
            }
            catch (Exception ex)
            {
                Console.WriteLine("exception=" + ex.GetType().FullName + ": " + ex.Message.Replace('\n', ' '));
                return 1;
            }

            return 0;
        }

        /// <summary>What DnsClient-PS does: DnsClient 1.6.1 in the default context, used for a query.</summary>
        private static void UseDnsClientFromDefaultContext(LoopbackDnsServer server, string when)
        {
            var client = new DnsClient.LookupClient(new DnsClient.LookupClientOptions(server.EndPoint) { UseCache = false, Timeout = TimeSpan.FromSeconds(2) });
            DnsClient.IDnsQueryResponse response = client.Query("example.com", DnsClient.QueryType.A);
            string address = response.Answers.ARecords().Single().Address.ToString();
            Console.WriteLine($"default-dnsclient-{when}={typeof(DnsClient.LookupClient).Assembly.GetName().Version} {address}");
        }

        private static void RunModule(string manifest, LoopbackDnsServer server, string sample)
        {
            RunScript(
                "Import-Module $args[0] -ErrorAction Stop\n" +
                "$r = Resolve-MailAuthDnsName example.com -Type TXT -Server $args[1]\n" +
                "'module-txt=' + $r.Records[0].Data\n" +
                "'module-status=' + $r.Status\n" +
                "'spf-record=' + (Get-SpfRecord example.com -Server $args[1]).Status\n" +
                "'spf-test=' + (Test-Spf 192.0.2.7 a@example.com -Server $args[1]).Result\n" +
                "'dmarc=' + (Resolve-DmarcPolicy example.com -Server $args[1] -SkipReportAuthorization).Policy\n" +
                "'header=' + (Get-MailHeaderReport -LiteralPath $args[2]).ClientIP\n" +
                "$loader = [System.Runtime.Loader.AssemblyLoadContext]\n" +
                "'context-core=' + $loader::GetLoadContext($r.GetType().Assembly).GetType().FullName\n" +
                "[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'DnsClient','MimeKit','MailAuth.Core','BouncyCastle.Cryptography' } | " +
                "  ForEach-Object { 'assembly=' + $_.GetName().Name + ' ' + $_.GetName().Version + ' ' + $loader::GetLoadContext($_).GetType().FullName + ' ' + ($loader::GetLoadContext($_) -eq $loader::Default) }",
                manifest, server.Address, sample);
        }

        private static void RunScript(string script, params object[] arguments)
        {
            using Runspace runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript(script);
            foreach (object argument in arguments)
            {
                ps.AddArgument(argument);
            }

            Collection<PSObject> output;
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                Console.WriteLine("error=" + ex.ErrorRecord.FullyQualifiedErrorId + " | " + ex.Message.Replace('\n', ' '));
                return;
            }

            foreach (PSObject item in output)
            {
                Console.WriteLine(item?.ToString());
            }

            foreach (ErrorRecord error in ps.Streams.Error)
            {
                Console.WriteLine("error=" + error.FullyQualifiedErrorId + " | " + error.ToString().Replace('\n', ' '));
            }
        }
    }
}
