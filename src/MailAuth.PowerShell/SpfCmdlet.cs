using System.Management.Automation;
using MailAuth.Spf;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// Base of the SPF cmdlets: the RFC 7208 §4.6.4 limits, configurable but RFC values by default,
    /// and one evaluator over the session's resolver. Each DNS query is shown with -Verbose.
    /// </summary>
    public abstract class SpfCmdlet : BulkDnsCmdlet
    {
        /// <summary>DNS-querying terms allowed (include, a, mx, ptr, exists, redirect). RFC 7208: 10.</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int MaxDnsLookups { get; set; } = 10;

        /// <summary>Lookups that may return no answer or NXDOMAIN. RFC 7208: 2.</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public int MaxVoidLookups { get; set; } = 2;

        protected SpfEvaluator Evaluator { get; private set; } = null!;

        /// <summary>An SPF check's work before its first DNS answer is short: start it on the pipeline thread.</summary>
        protected override bool StartWorkInline => true;

        protected SpfEvaluationOptions SpfOptions { get; private set; } = null!;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            SpfOptions = new SpfEvaluationOptions
            {
                MaxDnsLookups = MaxDnsLookups,
                MaxVoidLookups = MaxVoidLookups,
                QueryObserver = VerboseEnabled ? response => PostVerbose(response.ToVerboseLine()) : (System.Action<MailAuth.Dns.DnsResponse>?)null,
            };
            ConfigureOptions(SpfOptions);
            Evaluator = new SpfEvaluator(Resolver, SpfOptions);
        }

        /// <summary>Lets a cmdlet add its own settings before the evaluator is made.</summary>
        protected virtual void ConfigureOptions(SpfEvaluationOptions options)
        {
        }
    }
}
