using System;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailAuth.Core.Tests.Intelligence
{
    /// <summary>
    /// A real SMTP server on 127.0.0.1: Debian's python3-aiosmtpd (installed by .ci/run) with a
    /// handler that answers RCPT TO as a mailbox server does: 250 for megan@ and alex@, 450 for
    /// greylisted@, 550 5.1.1 for anyone else; it refuses DATA and logs it, which the probe must never send.
    /// With <c>startTls</c>, it offers STARTTLS (RFC 3207) with a throwaway self-signed certificate.
    /// </summary>
    internal sealed class AiosmtpdServer : IDisposable
    {
        private const string Script = @"
import socket, ssl, sys
from aiosmtpd.controller import Controller

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split('@')[0].lower()
        if local == 'greylisted':
            return '450 4.2.0 Greylisted, try again later'
        if local in ('megan', 'alex'):
            envelope.rcpt_tos.append(address)
            return '250 2.1.5 Recipient OK'
        return '550 5.1.1 User unknown'

    async def handle_DATA(self, server, session, envelope):
        sys.stderr.write('DATA received\n')
        sys.stderr.flush()
        return '554 5.5.1 no DATA expected'

params = {}
if len(sys.argv) > 2:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    params['tls_context'] = ctx
s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
c = Controller(Handler(), hostname='127.0.0.1', port=port, **params)
c.start()
print(port, flush=True)
sys.stdin.read()
c.stop()
";

        private readonly Process _process;
        private readonly string _folder;
        private readonly System.Text.StringBuilder _stderr = new System.Text.StringBuilder();

        public AiosmtpdServer(bool startTls = false)
        {
            _folder = Path.Combine(Path.GetTempPath(), "mailauth-smtp-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            string script = Path.Combine(_folder, "server.py");
            File.WriteAllText(script, Script);
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(script);
            if (startTls)
            {
                using RSA rsa = RSA.Create(2048);
                var request = new CertificateRequest("CN=mx.contoso.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
                string certPath = Path.Combine(_folder, "cert.pem");
                string keyPath = Path.Combine(_folder, "key.pem");
                File.WriteAllText(certPath, cert.ExportCertificatePem());
                File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
                start.ArgumentList.Add(certPath);
                start.ArgumentList.Add(keyPath);
            }

            _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
            _process.ErrorDataReceived += (_, e) => { lock (_stderr) { _stderr.AppendLine(e.Data); } };
            _process.BeginErrorReadLine();
            string? line = _process.StandardOutput.ReadLine();
            if (line is null || !int.TryParse(line.Trim(), out int port))
            {
                _process.WaitForExit(2000);
                throw new InvalidOperationException("aiosmtpd did not start (apt-get install python3-aiosmtpd): " + Stderr);
            }

            Port = port;
        }

        public int Port { get; }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(3000))
                {
                    _process.Kill();
                }
            }
            finally
            {
                _process.Dispose();
                try
                {
                    Directory.Delete(_folder, true);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
