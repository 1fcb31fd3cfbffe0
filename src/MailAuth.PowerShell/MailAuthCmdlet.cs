using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Findings;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// Base of the module's cmdlets that run async core work. The work runs on the thread pool;
    /// everything it wants written (verbose lines, progress) is queued and written here, on the
    /// pipeline thread, which is the only thread PowerShell lets write. Ctrl+C cancels the token.
    /// </summary>
    public abstract class MailAuthCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private readonly BlockingCollection<Action> _pipelineActions = new BlockingCollection<Action>();

        protected CancellationToken CancellationToken => _cancellation.Token;

        /// <summary>The session variable read when -FindingSeverity is not given (docs/findings.md).</summary>
        public const string FindingSeverityVariable = "MailAuthFindingSeverity";

        private FindingSeverityPolicy? _findingPolicy;

        /// <summary>
        /// The severities this command gives findings: -FindingSeverity, else $MailAuthFindingSeverity,
        /// else the catalog's. Read on the pipeline thread (the first time, in BeginProcessing); core
        /// work runs inside <see cref="FindingSeverityPolicy.Enter"/> of it.
        /// </summary>
        protected FindingSeverityPolicy FindingPolicy => _findingPolicy ??= ReadFindingPolicy();

        /// <summary>Reads the severity preference first, so a wrong one stops the command before any input.</summary>
        protected override void BeginProcessing()
        {
            _ = FindingPolicy;
        }

        protected override void StopProcessing()
        {
            _cancellation.Cancel();
        }

        private bool? _verbose;

        /// <summary>
        /// True when verbose lines are shown (-Verbose, or $VerbosePreference other than SilentlyContinue):
        /// without it nobody reads them, so a cmdlet need not format a line per DNS query.
        /// </summary>
        protected bool VerboseEnabled => _verbose ??= ComputeVerbose();

        private bool ComputeVerbose()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out object? bound))
            {
                return bound is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            object? preference = SessionState.PSVariable.GetValue("VerbosePreference");
            if (preference is PSObject wrapped)
            {
                preference = wrapped.BaseObject;
            }

            return preference is ActionPreference action
                ? action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore
                : preference != null && !string.Equals(preference.ToString(), nameof(ActionPreference.SilentlyContinue), StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Queues a verbose line from any thread; it is written while the cmdlet waits.</summary>
        protected void PostVerbose(string message)
        {
            PostToPipeline(() => WriteVerbose(message));
        }

        protected void PostToPipeline(Action action)
        {
            if (!_pipelineActions.IsAddingCompleted)
            {
                _pipelineActions.Add(action);
            }
        }

        /// <summary>
        /// Runs async work and blocks the pipeline thread until it ends, writing queued messages
        /// meanwhile. Throws <see cref="PipelineStoppedException"/> when the user pressed Ctrl+C.
        /// </summary>
        protected T RunAndWait<T>(Func<CancellationToken, Task<T>> work)
        {
            FindingSeverityPolicy policy = FindingPolicy;
            Task<T> task = Task.Run(() =>
            {
                using (policy.Enter())
                {
                    return work(CancellationToken);
                }
            });
            WaitPumping(task);
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Blocks until the task ends, writing queued pipeline actions meanwhile.</summary>
        protected void WaitPumping(Task task)
        {
            while (!task.IsCompleted)
            {
                if (_pipelineActions.TryTake(out Action? action, 50))
                {
                    action();
                }
            }

            DrainPipelineActions();
        }

        protected void DrainPipelineActions()
        {
            while (_pipelineActions.TryTake(out Action? action))
            {
                action();
            }
        }

        private FindingSeverityPolicy ReadFindingPolicy()
        {
            if (this is not IFindingSeverityParameter cmdlet)
            {
                return FindingSeverityPolicy.Default;
            }

            object? value = cmdlet.FindingSeverity ?? SessionState.PSVariable.GetValue(FindingSeverityVariable);
            string source = cmdlet.FindingSeverity != null ? "-FindingSeverity" : "$" + FindingSeverityVariable;
            if (value is PSObject wrapped)
            {
                value = wrapped.BaseObject;
            }

            const string Action = "Give a hashtable of finding ids (as Get-MailAuthFinding lists them; wildcards * and ? allowed) and severities Information, Warning, Error or Off, such as @{ 'HDR-REPLYTO-DIFFERS' = 'Information' }.";
            if (value is null)
            {
                return FindingSeverityPolicy.Default;
            }

            if (value is not IDictionary map)
            {
                ThrowTerminatingError(InputError(new ArgumentException($"{source} must be a hashtable of finding id = severity, not {value.GetType().Name} '{value}'."),
                    "InvalidFindingSeverity", ErrorCategory.InvalidArgument, value, Action));
                return FindingSeverityPolicy.Default;
            }

            var entries = new List<KeyValuePair<string, string>>();
            foreach (DictionaryEntry entry in map)
            {
                entries.Add(new KeyValuePair<string, string>(Text(entry.Key), Text(entry.Value)));
            }

            try
            {
                return FindingSeverityPolicy.Create(entries);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(InputError(new ArgumentException(source + ": " + UserMessage(ex), ex), "InvalidFindingSeverity", ErrorCategory.InvalidArgument, value, Action));
                return FindingSeverityPolicy.Default;
            }
        }

        private static string Text(object? value) => (value is PSObject wrapped ? wrapped.BaseObject : value)?.ToString() ?? string.Empty;

        /// <summary>One bad input is one error record; the pipeline goes on with the next input.</summary>
        protected void WriteInputError(Exception exception, string errorId, ErrorCategory category, object? target, string recommendedAction)
        {
            WriteError(InputError(exception, errorId, category, target, recommendedAction));
        }

        /// <summary>An error record whose message is the core's sentence, with what to do.</summary>
        internal static ErrorRecord InputError(Exception exception, string errorId, ErrorCategory category, object? target, string recommendedAction)
        {
            string message = UserMessage(exception);
            if (exception is ArgumentException && message != exception.Message)
            {
                // $Error[0].Exception.Message reads the same sentence; the core's exception stays inside.
                exception = new ArgumentException(message, exception);
            }

            return new ErrorRecord(exception, errorId, category, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction },
            };
        }

        /// <summary>
        /// -Selector values in query form; a value that is not a selector stops the command before
        /// any input (no input could succeed with it), naming the selector.
        /// </summary>
        protected string[]? NormalizeSelectors(string[]? selectors)
        {
            if (selectors is null)
            {
                return null;
            }

            var normalized = new string[selectors.Length];
            for (int i = 0; i < selectors.Length; i++)
            {
                try
                {
                    normalized[i] = MailAuth.Posture.DkimSelectors.Normalize(selectors[i]);
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(InputError(ex, "InvalidSelector", ErrorCategory.InvalidArgument, selectors[i],
                        "Give selectors as DNS labels, such as selector1 or s1.2024 (the s= of a DKIM-Signature)."));
                }
            }

            return normalized;
        }

        /// <summary>
        /// The message without the runtime's parameter-name suffix (" (Parameter 'x')" on .NET,
        /// "Parameter name: x" on .NET Framework): users never typed a core method's parameter.
        /// </summary>
        internal static string UserMessage(Exception exception)
        {
            string message = exception.Message;
            if (exception is ArgumentException argument && !string.IsNullOrEmpty(argument.ParamName))
            {
                string suffix = new ArgumentException(string.Empty, argument.ParamName).Message;
                if (suffix.Length > 0 && message.EndsWith(suffix, StringComparison.Ordinal))
                {
                    message = message.Substring(0, message.Length - suffix.Length).TrimEnd();
                }
            }

            return message;
        }

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
            if (disposing)
            {
                _cancellation.Dispose();
                _pipelineActions.Dispose();
            }
        }
    }
}
