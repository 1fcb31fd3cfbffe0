using System;
using System.Threading;

namespace MailAuth.Core.Tests
{
    /// <summary>Settings of the test process itself, made once, by the first test class that asks.</summary>
    internal static class TestProcess
    {
        /// <summary>
        /// xunit runs test classes in parallel, and some block pool threads while they wait. With the
        /// default minimum of one pool thread per core (two here), timer callbacks, the DNS client's
        /// retransmission tick among them, then waited up to 800 ms for a thread, and timing tests
        /// failed alone or in a loaded CI run. The product's behaviour under a starved pool is not what
        /// those tests measure. Classes whose tests time the DNS client call this in their constructor.
        /// </summary>
        static TestProcess()
        {
            ThreadPool.GetMinThreads(out int workers, out int completionPorts);
            ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(completionPorts, 32));
        }

        internal static void Prepare()
        {
            // The static constructor has run.
        }
    }
}
