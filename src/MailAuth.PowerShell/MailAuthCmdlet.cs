using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

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

        protected override void StopProcessing()
        {
            _cancellation.Cancel();
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
            Task<T> task = Task.Run(() => work(CancellationToken));
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

        /// <summary>One bad input is one error record; the pipeline goes on with the next input.</summary>
        protected void WriteInputError(Exception exception, string errorId, ErrorCategory category, object? target, string recommendedAction)
        {
            var record = new ErrorRecord(exception, errorId, category, target)
            {
                ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommendedAction },
            };
            WriteError(record);
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
