using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Core.Tests.Html
{
    /// <summary>
    /// Debian's chromium, headless, driven over the DevTools protocol (a websocket): pages are
    /// opened, evaluated, screenshotted, and every network request and console message is seen.
    /// A machine without chromium fails the tests that need it, with the command that installs it.
    /// </summary>
    internal sealed class HeadlessChromium : IDisposable
    {
        private readonly Process _process;
        private readonly string _profile;
        private readonly ClientWebSocket _socket = new ClientWebSocket();
        private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new ConcurrentDictionary<int, TaskCompletionSource<JsonObject>>();
        private readonly SemaphoreSlim _sendLock = new SemaphoreSlim(1, 1);
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _receiver;
        private int _nextId;

        private HeadlessChromium(Process process, string profile, Uri endpoint)
        {
            _process = process;
            _profile = profile;
            _socket.Options.KeepAliveInterval = TimeSpan.Zero;
            _socket.ConnectAsync(endpoint, CancellationToken.None).Wait(TimeSpan.FromSeconds(30));
            _receiver = Task.Run(ReceiveLoop);
        }

        public event Action<string?, string, JsonObject>? Event;

        /// <summary>The chromium executable: $MAILAUTH_CHROMIUM, else chromium (Debian), chromium-browser or google-chrome on PATH.</summary>
        public static string FindExecutable()
        {
            string? configured = Environment.GetEnvironmentVariable("MAILAUTH_CHROMIUM");
            if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
            {
                return configured;
            }

            foreach (string name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" })
            {
                foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
                {
                    string candidate = Path.Combine(dir, name);
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }

            throw new InvalidOperationException("The HTML report tests need headless chromium and found none on PATH. Install it (Debian: apt-get install -y chromium; .ci/run does this) or set MAILAUTH_CHROMIUM to its path.");
        }

        public static HeadlessChromium Start()
        {
            string exe = FindExecutable();
            string profile = Path.Combine(Path.GetTempPath(), "mailauth-chromium-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(profile);
            var start = new ProcessStartInfo(exe)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile,
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync", "--disable-component-update",
                "--disable-background-networking", "--disable-default-apps", "--metrics-recording-only",
                // Names resolve nowhere: a page that tried to load https://evil.example would fail, and the request still shows.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--font-render-hinting=none", "about:blank",
            })
            {
                start.ArgumentList.Add(argument);
            }

            Process process = Process.Start(start)!;
            process.StandardOutput.ReadToEndAsync();
            var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            var log = new StringBuilder();
            _ = Task.Run(async () =>
            {
                string? line;
                while ((line = await process.StandardError.ReadLineAsync().ConfigureAwait(false)) != null)
                {
                    lock (log)
                    {
                        log.AppendLine(line);
                    }

                    Match m = Regex.Match(line, @"DevTools listening on (ws://\S+)");
                    if (m.Success)
                    {
                        endpoint.TrySetResult(new Uri(m.Groups[1].Value));
                    }
                }

                endpoint.TrySetException(new InvalidOperationException("chromium ended before it listened: " + log));
            });
            if (!endpoint.Task.Wait(TimeSpan.FromSeconds(60)))
            {
                try
                {
                    process.Kill(true);
                }
                catch (InvalidOperationException)
                {
                }

                throw new InvalidOperationException("chromium did not start its DevTools endpoint within 60 s: " + log);
            }

            return new HeadlessChromium(process, profile, endpoint.Task.Result);
        }

        public async Task<ChromiumPage> OpenPageAsync()
        {
            JsonObject created = await SendAsync(null, "Target.createTarget", new JsonObject { ["url"] = "about:blank" });
            string targetId = created["targetId"]!.GetValue<string>();
            JsonObject attached = await SendAsync(null, "Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true });
            var page = new ChromiumPage(this, attached["sessionId"]!.GetValue<string>(), targetId);
            await page.InitializeAsync();
            return page;
        }

        public async Task<JsonObject> SendAsync(string? sessionId, string method, JsonObject? parameters = null, TimeSpan? timeout = null)
        {
            int id = Interlocked.Increment(ref _nextId);
            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
            if (sessionId != null)
            {
                message["sessionId"] = sessionId;
            }

            var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = reply;
            byte[] bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
            await _sendLock.WaitAsync();
            try
            {
                await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            finally
            {
                _sendLock.Release();
            }

            Task done = await Task.WhenAny(reply.Task, Task.Delay(timeout ?? TimeSpan.FromSeconds(120)));
            if (done != reply.Task)
            {
                _pending.TryRemove(id, out _);
                throw new TimeoutException($"chromium did not answer {method} in time");
            }

            JsonObject answer = await reply.Task;
            if (answer["error"] is JsonNode error)
            {
                throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            }

            return answer["result"] as JsonObject ?? new JsonObject();
        }

        private async Task ReceiveLoop()
        {
            var buffer = new byte[1 << 20];
            var message = new MemoryStream();
            try
            {
                while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
                {
                    WebSocketReceiveResult result = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    message.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage)
                    {
                        continue;
                    }

                    var node = JsonNode.Parse(message.ToArray()) as JsonObject;
                    message.SetLength(0);
                    if (node is null)
                    {
                        continue;
                    }

                    if (node["id"] is JsonNode idNode && _pending.TryRemove(idNode.GetValue<int>(), out TaskCompletionSource<JsonObject>? waiter))
                    {
                        waiter.TrySetResult(node);
                    }
                    else if (node["method"] is JsonNode method)
                    {
                        Event?.Invoke(node["sessionId"]?.GetValue<string>(), method.GetValue<string>(), node["params"] as JsonObject ?? new JsonObject());
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
            {
            }

            foreach (TaskCompletionSource<JsonObject> waiter in _pending.Values)
            {
                waiter.TrySetException(new InvalidOperationException("chromium closed the DevTools connection"));
            }
        }

        public void Dispose()
        {
            try
            {
                SendAsync(null, "Browser.close", null, TimeSpan.FromSeconds(5)).Wait(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is AggregateException || ex is InvalidOperationException || ex is TimeoutException || ex is WebSocketException)
            {
            }

            _stop.Cancel();
            if (!_process.WaitForExit(10_000))
            {
                try
                {
                    _process.Kill(true);
                }
                catch (InvalidOperationException)
                {
                }
            }

            _socket.Dispose();
            _process.Dispose();
            try
            {
                Directory.Delete(_profile, true);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>One tab: what it requested, what its console said, and evaluation in it.</summary>
    internal sealed class ChromiumPage
    {
        private readonly HeadlessChromium _browser;
        private readonly string _session;
        private readonly ConcurrentQueue<string> _requests = new ConcurrentQueue<string>();
        private readonly ConcurrentQueue<string> _console = new ConcurrentQueue<string>();
        private TaskCompletionSource<bool> _loaded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        public ChromiumPage(HeadlessChromium browser, string session, string targetId)
        {
            _browser = browser;
            _session = session;
            TargetId = targetId;
            browser.Event += OnEvent;
        }

        public string TargetId { get; }

        /// <summary>Every URL the page asked for (Network.requestWillBeSent), the document's own included.</summary>
        public IReadOnlyList<string> Requests => _requests.ToArray();

        /// <summary>Console messages, log entries (CSP violations land here) and uncaught exceptions.</summary>
        public IReadOnlyList<string> Console => _console.ToArray();

        public async Task InitializeAsync()
        {
            await SendAsync("Network.enable");
            await SendAsync("Page.enable");
            await SendAsync("Runtime.enable");
            await SendAsync("Log.enable");
        }

        public Task<JsonObject> SendAsync(string method, JsonObject? parameters = null, TimeSpan? timeout = null) =>
            _browser.SendAsync(_session, method, parameters, timeout);

        private void OnEvent(string? session, string method, JsonObject parameters)
        {
            if (session != _session)
            {
                return;
            }

            switch (method)
            {
                case "Network.requestWillBeSent":
                    _requests.Enqueue(parameters["request"]?["url"]?.GetValue<string>() ?? "?");
                    break;
                case "Page.loadEventFired":
                    _loaded.TrySetResult(true);
                    break;
                case "Log.entryAdded":
                    _console.Enqueue("log " + parameters["entry"]?["level"] + ": " + parameters["entry"]?["text"]);
                    break;
                case "Runtime.consoleAPICalled":
                    _console.Enqueue("console." + parameters["type"] + ": " + parameters["args"]?.ToJsonString());
                    break;
                case "Runtime.exceptionThrown":
                    _console.Enqueue("exception: " + parameters["exceptionDetails"]?.ToJsonString());
                    break;
            }
        }

        /// <summary>Loads a URL and waits for its load event; returns the wall-clock milliseconds it took.</summary>
        public async Task<double> NavigateAsync(string url, int width = 1280, int height = 900, bool mobile = false)
        {
            await SetViewportAsync(width, height, mobile);
            _loaded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var clock = Stopwatch.StartNew();
            await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
            Task done = await Task.WhenAny(_loaded.Task, Task.Delay(TimeSpan.FromSeconds(180)));
            Assert.True(done == _loaded.Task, "the page did not fire its load event within 180 s: " + url);
            return clock.Elapsed.TotalMilliseconds;
        }

        private int _width = 1280;
        private bool _mobile;

        public Task SetViewportAsync(int width, int height, bool mobile)
        {
            _width = width;
            _mobile = mobile;
            return SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = mobile });
        }

        public Task SetColorSchemeAsync(string scheme) =>
            SendAsync("Emulation.setEmulatedMedia", new JsonObject { ["features"] = new JsonArray(new JsonObject { ["name"] = "prefers-color-scheme", ["value"] = scheme }) });

        /// <summary>Runs an expression in the page and returns its value as JSON.</summary>
        public async Task<JsonNode?> EvaluateAsync(string expression)
        {
            JsonObject result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, TimeSpan.FromSeconds(120));
            if (result["exceptionDetails"] is JsonNode error)
            {
                throw new InvalidOperationException("evaluation failed: " + error.ToJsonString());
            }

            return result["result"]?["value"];
        }

        public async Task<string> EvaluateStringAsync(string expression) => (await EvaluateAsync(expression))?.GetValue<string>() ?? string.Empty;

        public async Task<double> EvaluateNumberAsync(string expression) => (await EvaluateAsync(expression))!.GetValue<double>();

        /// <summary>A PNG of the page from the top, at most <paramref name="maxHeight"/> CSS pixels tall.</summary>
        public async Task<byte[]> ScreenshotAsync(string path, int maxHeight = 4000)
        {
            double height = await EvaluateNumberAsync("Math.ceil(document.documentElement.scrollHeight)");
            double width = await EvaluateNumberAsync("Math.ceil(document.documentElement.clientWidth)");

            // The viewport as tall as the shot: rows kept off screen by content-visibility are drawn too.
            await SetViewportAsync(_width, (int)Math.Min(height, maxHeight), _mobile);
            await EvaluateAsync("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100))))");
            JsonObject shot = await SendAsync("Page.captureScreenshot", new JsonObject
            {
                ["format"] = "png",
                ["captureBeyondViewport"] = true,
                ["clip"] = new JsonObject { ["x"] = 0, ["y"] = 0, ["width"] = width, ["height"] = Math.Min(height, maxHeight), ["scale"] = 1 },
            });
            byte[] png = Convert.FromBase64String(shot["data"]!.GetValue<string>());
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, png);
            return png;
        }

        /// <summary>A PNG of one element (by CSS selector), at the current width.</summary>
        public async Task<byte[]> ScreenshotElementAsync(string selector, string path)
        {
            JsonNode box = (await EvaluateAsync("(() => { const r = document.querySelector(" + System.Text.Json.JsonSerializer.Serialize(selector) + ").getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()"))!;
            JsonObject shot = await SendAsync("Page.captureScreenshot", new JsonObject
            {
                ["format"] = "png",
                ["captureBeyondViewport"] = true,
                ["clip"] = new JsonObject { ["x"] = box[0]!.GetValue<double>() - 12, ["y"] = box[1]!.GetValue<double>() - 12, ["width"] = box[2]!.GetValue<double>() + 24, ["height"] = box[3]!.GetValue<double>() + 24, ["scale"] = 1 },
            });
            byte[] png = Convert.FromBase64String(shot["data"]!.GetValue<string>());
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, png);
            return png;
        }

        public async Task<byte[]> PrintToPdfAsync()
        {
            JsonObject pdf = await SendAsync("Page.printToPDF", new JsonObject { ["printBackground"] = true }, TimeSpan.FromSeconds(180));
            return Convert.FromBase64String(pdf["data"]!.GetValue<string>());
        }

        public Task CloseAsync() => _browser.SendAsync(null, "Target.closeTarget", new JsonObject { ["targetId"] = TargetId });
    }
}
