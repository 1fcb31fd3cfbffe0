using System;
using System.Diagnostics;
using System.Management.Automation;

namespace MailAuth.PowerShell
{
    /// <summary>Write-Progress for long runs, at most twice a second, with the rate and the time left.</summary>
    internal sealed class BulkProgress
    {
        private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(500);
        private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
        private readonly int _activityId;
        private readonly string _activity;
        private readonly string _noun;
        private bool _shown;

        public BulkProgress(int activityId, string activity, string noun)
        {
            _activityId = activityId;
            _activity = activity;
            _noun = noun;
        }

        public void Report(Cmdlet cmdlet, long posted, long completed, int running, double ratePerSecond, TimeSpan? remaining)
        {
            if (_sinceLast.Elapsed < s_interval)
            {
                return;
            }

            _sinceLast.Restart();
            _shown = true;
            cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity,
                $"{completed} of {posted} {_noun}, {ratePerSecond:0.0}/s, {running} running")
            {
                PercentComplete = posted == 0 ? 0 : (int)Math.Min(100, completed * 100 / posted),
                SecondsRemaining = remaining is TimeSpan eta ? (int)Math.Ceiling(eta.TotalSeconds) : -1,
            });
        }

        public void Complete(Cmdlet cmdlet)
        {
            if (_shown)
            {
                cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }
}
