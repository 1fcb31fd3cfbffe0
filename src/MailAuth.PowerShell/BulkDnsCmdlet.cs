using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.DomainReport;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// Base of DNS cmdlets that take many inputs: each input's work starts as it arrives, at most
    /// -ThrottleLimit at a time, and results and error records are written from the pipeline thread
    /// strictly in input order, while later inputs still run (STYLE.md: bulk).
    /// </summary>
    public abstract class BulkDnsCmdlet : DnsCmdlet
    {
        private BulkRunner<BulkWork, BulkOutcome>? _runner;
        private BulkProgress? _progress;

        /// <summary>Inputs worked on at once.</summary>
        [Parameter]
        [ValidateRange(1, 512)]
        public int ThrottleLimit { get; set; } = BulkRunner<BulkWork, BulkOutcome>.DefaultThrottleLimit;

        /// <summary>What Write-Progress calls the run.</summary>
        protected abstract string ProgressActivity { get; }

        /// <summary>Write-Progress activity id; distinct per cmdlet so chained cmdlets show separate bars.</summary>
        protected abstract int ProgressActivityId { get; }

        /// <summary>Start each input's work on the pipeline thread until its first await (see <see cref="BulkRunner{TIn, TOut}.StartInline"/>).</summary>
        protected virtual bool StartWorkInline => false;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _progress = new BulkProgress(ProgressActivityId, ProgressActivity, "done");
            using (FindingPolicy.Enter())
            {
                // The runner takes the severities along to every input's work.
                _runner = new BulkRunner<BulkWork, BulkOutcome>(RunAsync, ToOutcome, ThrottleLimit, 0, CancellationToken) { StartInline = StartWorkInline };
            }
        }

        /// <summary>Queues the work for one input; an <see cref="ArgumentException"/> from it becomes the error record described.</summary>
        protected void Enqueue(object? target, Func<CancellationToken, Task<object>> work, string errorId, string recommendedAction)
        {
            _runner!.Post(new BulkWork(target, work, errorId, recommendedAction));
            WriteReady();
        }

        /// <summary>Queues an error record in the input's place in the order.</summary>
        protected void EnqueueError(Exception exception, string errorId, ErrorCategory category, object? target, string recommendedAction)
        {
            ErrorRecord record = InputError(exception, errorId, category, target, recommendedAction);
            EnqueueError(record);
        }

        /// <summary>Queues an error record in the input's place in the order.</summary>
        protected void EnqueueError(ErrorRecord record)
        {
            _runner!.Post(new BulkWork(record.TargetObject, _ => Task.FromResult<object>(record), record.FullyQualifiedErrorId, string.Empty));
            WriteReady();
        }

        protected override void EndProcessing()
        {
            try
            {
                _runner!.CompleteAdding();
                while (!_runner.IsFinished)
                {
                    if (_runner.WaitNext(TimeSpan.FromMilliseconds(100), out BulkOutcome outcome))
                    {
                        Write(outcome);
                    }

                    WriteReady();
                }

                _progress!.Complete(this);
            }
            finally
            {
                // The DNS archive's last answers (DnsCmdlet).
                base.EndProcessing();
            }
        }

        private void WriteReady()
        {
            DrainPipelineActions();
            while (_runner!.TryTakeNext(out BulkOutcome outcome))
            {
                Write(outcome);
            }

            _progress!.Report(this, _runner.Posted, _runner.Completed, _runner.Running, _runner.RatePerSecond, _runner.EstimatedRemaining);
        }

        private void Write(BulkOutcome outcome)
        {
            DrainPipelineActions();
            if (outcome.Value is ErrorRecord error)
            {
                WriteError(error);
            }
            else
            {
                OnWriting(outcome.Value);
                WriteObject(outcome.Value);
            }
        }

        /// <summary>Called on the pipeline thread just before a result is written (for warnings about it).</summary>
        protected virtual void OnWriting(object result)
        {
        }

        private static async Task<BulkOutcome> RunAsync(BulkWork work, CancellationToken cancellationToken) =>
            new BulkOutcome(await work.Work(cancellationToken).ConfigureAwait(false));

        private BulkOutcome ToOutcome(BulkWork work, Exception exception)
        {
            if (exception is OperationCanceledException)
            {
                exception = new OperationCanceledException("Stopped before this input was finished.", exception);
                return new BulkOutcome(new ErrorRecord(exception, "Stopped", ErrorCategory.OperationStopped, work.Target));
            }

            ErrorCategory category = exception is ArgumentException ? ErrorCategory.InvalidArgument : ErrorCategory.NotSpecified;
            string errorId = exception is ArgumentException ? work.ErrorId : "UnexpectedError";
            return new BulkOutcome(InputError(exception, errorId, category, work.Target, work.RecommendedAction));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _runner?.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>One input's work and how to report it if it throws.</summary>
        protected sealed class BulkWork
        {
            public BulkWork(object? target, Func<CancellationToken, Task<object>> work, string errorId, string recommendedAction)
            {
                Target = target;
                Work = work;
                ErrorId = errorId;
                RecommendedAction = recommendedAction;
            }

            public object? Target { get; }

            public Func<CancellationToken, Task<object>> Work { get; }

            public string ErrorId { get; }

            public string RecommendedAction { get; }
        }

        /// <summary>An input's result: the object to write, or an ErrorRecord.</summary>
        protected sealed class BulkOutcome
        {
            public BulkOutcome(object value)
            {
                Value = value;
            }

            public object Value { get; }
        }
    }
}
