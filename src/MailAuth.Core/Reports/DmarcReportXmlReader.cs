using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Xml;
using MailAuth.Dmarc;
using MailAuth.Headers;

namespace MailAuth.Reports
{
    /// <summary>
    /// Streams one DMARC aggregate report with an <see cref="XmlReader"/>: RFC 7489 appendix C as
    /// receivers really send it (no namespace or dmarc.org's, elements in any order, values in any
    /// case) and RFC 9990 appendix A (namespace urn:ietf:params:xml:ns:dmarc-2.0, with generator,
    /// np, discovery_method, testing, the "pass" disposition and extension elements). Records are
    /// yielded as they are read, so memory does not grow with the report. DTDs are refused and no
    /// external entity is ever resolved (XXE); each text value is bounded. Problems throw
    /// <see cref="ReportFormatException"/> with the exact reason and where in the document.
    /// </summary>
    internal sealed class DmarcReportXmlReader
    {
        /// <summary>RFC 9990 §6.1 (IANA): the DMARC 2.0 XML namespace.</summary>
        internal const string Rfc9990Namespace = "urn:ietf:params:xml:ns:dmarc-2.0";

        private static readonly DateTime s_epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        static DmarcReportXmlReader()
        {
            // Declared encodings beyond UTF-8/16 and ISO-8859-1 (windows-1252, shift_jis, ...).
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        }

        private readonly XmlReader _r;
        private readonly IXmlLineInfo? _lines;
        private readonly ReportReadLimits _limits;
        private readonly CancellationToken _cancellationToken;
        private readonly DmarcAggregateReport _report;
        private readonly CountingDecoderFallback? _fallback;
        private readonly Dictionary<string, string> _orgDomains = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _strings = new Dictionary<string, string>(StringComparer.Ordinal);
        private char[] _text = new char[256];

        // Atomized element names: compared by reference (XmlReader returns the NameTable's instances).
        private readonly string _feedback, _version, _reportMetadata, _orgName, _email, _extraContactInfo, _reportId, _dateRange,
            _begin, _end, _error, _generator, _policyPublished, _domain, _p, _sp, _np, _adkim, _aspf, _pct, _fo, _testing,
            _discoveryMethod, _record, _row, _sourceIp, _count, _policyEvaluated, _disposition, _dkim, _spf, _reason, _type,
            _comment, _identifiers, _headerFrom, _envelopeFrom, _envelopeTo, _authResults, _selector, _result, _humanResult,
            _scope, _extension, _extensions;

        private string _namespace = string.Empty;
        private bool _sawMetadata;
        private bool _sawPolicy;
        private bool _sawBegin;
        private bool _sawEnd;
        private bool _sawP;
        private long _recordNumber;

        private DmarcReportXmlReader(XmlReader reader, DmarcAggregateReport report, ReportReadLimits limits, CountingDecoderFallback? fallback, CancellationToken cancellationToken)
        {
            _r = reader;
            _lines = reader as IXmlLineInfo;
            _report = report;
            _limits = limits;
            _fallback = fallback;
            _cancellationToken = cancellationToken;
            XmlNameTable n = reader.NameTable;
            _feedback = n.Add("feedback");
            _version = n.Add("version");
            _reportMetadata = n.Add("report_metadata");
            _orgName = n.Add("org_name");
            _email = n.Add("email");
            _extraContactInfo = n.Add("extra_contact_info");
            _reportId = n.Add("report_id");
            _dateRange = n.Add("date_range");
            _begin = n.Add("begin");
            _end = n.Add("end");
            _error = n.Add("error");
            _generator = n.Add("generator");
            _policyPublished = n.Add("policy_published");
            _domain = n.Add("domain");
            _p = n.Add("p");
            _sp = n.Add("sp");
            _np = n.Add("np");
            _adkim = n.Add("adkim");
            _aspf = n.Add("aspf");
            _pct = n.Add("pct");
            _fo = n.Add("fo");
            _testing = n.Add("testing");
            _discoveryMethod = n.Add("discovery_method");
            _record = n.Add("record");
            _row = n.Add("row");
            _sourceIp = n.Add("source_ip");
            _count = n.Add("count");
            _policyEvaluated = n.Add("policy_evaluated");
            _disposition = n.Add("disposition");
            _dkim = n.Add("dkim");
            _spf = n.Add("spf");
            _reason = n.Add("reason");
            _type = n.Add("type");
            _comment = n.Add("comment");
            _identifiers = n.Add("identifiers");
            _headerFrom = n.Add("header_from");
            _envelopeFrom = n.Add("envelope_from");
            _envelopeTo = n.Add("envelope_to");
            _authResults = n.Add("auth_results");
            _selector = n.Add("selector");
            _result = n.Add("result");
            _humanResult = n.Add("human_result");
            _scope = n.Add("scope");
            _extension = n.Add("extension");
            _extensions = n.Add("extensions");
        }

        public DmarcAggregateReport Report => _report;

        /// <summary>
        /// Opens the document for reading. XML declared (or sniffed) as UTF-8 is decoded with
        /// replacement of invalid byte sequences (counted in a note); other declared encodings are
        /// left to the XmlReader. The caller enumerates <see cref="ReadRecords"/> once.
        /// </summary>
        public static DmarcReportXmlReader Open(Stream stream, DmarcAggregateReport report, ReportReadLimits limits, CancellationToken cancellationToken)
        {
            var settings = new XmlReaderSettings
            {
                // RFC 9990 §8.1: XML bombs. No DTD, so no entity can be declared or expanded, and
                // no resolver, so nothing outside the document is ever fetched (XXE).
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                IgnoreWhitespace = true,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
                CheckCharacters = false,
                CloseInput = true,
                NameTable = new NameTable(),
            };

            var buffered = new BufferedStream(stream, 65536);
            byte[] head = new byte[256];
            int headLength = PeekInto(buffered, head);
            int first = 0;
            while (first < headLength && (head[first] == ' ' || head[first] == '\t' || head[first] == '\r' || head[first] == '\n' || head[first] == 0xEF || head[first] == 0xBB || head[first] == 0xBF))
            {
                first++;
            }

            if (first < headLength && head[first] == '{')
            {
                buffered.Dispose();
                throw new ReportFormatException(ReportErrorIds.NotDmarc,
                    "not a DMARC report: the document is JSON, not XML (a TLS-RPT report? Import-TlsRptReport reads those).");
            }

            CountingDecoderFallback? fallback = null;
            XmlReader reader;
            if (IsUtf8(head, headLength))
            {
                fallback = new CountingDecoderFallback();
                var encoding = (Encoding)new UTF8Encoding(false, false).Clone();
                encoding.DecoderFallback = fallback;

                // Blank lines or a BOM before "<?xml" (seen in the wild) would make the declaration
                // misplaced (XML 1.0 §2.8): the report starts at its first '<'.
                var text = new StreamReader(new PrefixStream(head, headLength, buffered, first), encoding, detectEncodingFromByteOrderMarks: false, 65536);
                reader = XmlReader.Create(text, settings);
            }
            else
            {
                reader = XmlReader.Create(new PrefixStream(head, headLength, buffered), settings);
            }

            return new DmarcReportXmlReader(reader, report, limits, fallback, cancellationToken);
        }

        /// <summary>The records, in document order; the report's metadata is complete when the enumeration ends.</summary>
        public IEnumerable<DmarcReportRecord> ReadRecords()
        {
            try
            {
                if (!MoveToFeedback())
                {
                    yield break;
                }

                int depth = _r.Depth;
                if (_r.IsEmptyElement)
                {
                    throw Missing("report_metadata", "<feedback> is empty");
                }

                while (true)
                {
                    if (!Read())
                    {
                        throw Truncated("the document ends before </feedback>");
                    }

                    if (_r.NodeType == XmlNodeType.EndElement && _r.Depth == depth)
                    {
                        break;
                    }

                    if (_r.NodeType != XmlNodeType.Element)
                    {
                        continue;
                    }

                    string name = _r.LocalName;
                    if (!IsCore())
                    {
                        _report.AddExtension(_r.Name);
                        SkipElement();
                    }
                    else if ((object)name == _record)
                    {
                        _cancellationToken.ThrowIfCancellationRequested();
                        yield return ReadRecord();
                    }
                    else if ((object)name == _reportMetadata)
                    {
                        ReadMetadata();
                    }
                    else if ((object)name == _policyPublished)
                    {
                        ReadPolicy();
                    }
                    else if ((object)name == _version)
                    {
                        _report.Version = NullIfEmpty(ReadText());
                    }
                    else if ((object)name == _extension || (object)name == _extensions)
                    {
                        ReadExtensions();
                    }
                    else
                    {
                        _report.AddNote($"unknown element <{_r.Name}> in <feedback> ignored");
                        SkipElement();
                    }
                }

                Finish();
            }
            finally
            {
                _r.Dispose();
            }
        }

        private void Finish()
        {
            if (!_sawMetadata)
            {
                throw Missing("report_metadata", "the report has no <report_metadata>");
            }

            if (!_sawPolicy)
            {
                throw Missing("policy_published", "the report has no <policy_published>");
            }

            if (_recordNumber == 0)
            {
                // RFC 9990 §3.1.1.2: there MUST be at least one record.
                throw Missing("record", "the report has no <record> (RFC 9990 §3.1.1.2 requires at least one)");
            }

            // What follows </feedback> is not part of the report: read on only to say what was ignored.
            try
            {
                while (_r.Read())
                {
                    if (_r.NodeType == XmlNodeType.Element || _r.NodeType == XmlNodeType.Text)
                    {
                        _report.AddNote("content after </feedback> ignored");
                        break;
                    }
                }
            }
            catch (XmlException ex)
            {
                _report.AddNote("content after </feedback> ignored (" + ex.Message + ")");
            }

            if (_fallback != null && _fallback.Count > 0)
            {
                _report.AddNote($"{_fallback.Count} invalid UTF-8 byte sequence{(_fallback.Count == 1 ? string.Empty : "s")} replaced with U+FFFD");
            }
        }

        /// <summary>Positions on the feedback element: the root, or (as some receivers wrap it) a child of the root.</summary>
        private bool MoveToFeedback()
        {
            string? root = null;
            while (Read())
            {
                if (_r.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if ((object)_r.LocalName == _feedback)
                {
                    _namespace = _r.NamespaceURI;
                    _report.Namespace = _namespace;
                    _report.SchemaCode = string.Equals(_namespace, Rfc9990Namespace, StringComparison.Ordinal) ? DmarcReportSchema.Rfc9990 : DmarcReportSchema.Rfc7489;
                    if (root != null)
                    {
                        _report.AddNote($"<feedback> found inside <{root}>, which was ignored");
                    }

                    return true;
                }

                if (root != null || _r.IsEmptyElement)
                {
                    root ??= _r.Name;
                    break;
                }

                // A wrapper such as an unclosed <xs:schema> (seen in the wild): look one level down.
                root = _r.Name;
            }

            throw new ReportFormatException(ReportErrorIds.NotDmarc,
                $"not a DMARC report: the root element is <{root ?? "none"}>, not <feedback> (RFC 7489 appendix C, RFC 9990 §3.1.1.1){At()}.");
        }

        private bool IsCore()
        {
            string ns = _r.NamespaceURI;
            return ns.Length == 0 || (object)ns == (object)_namespace || string.Equals(ns, _namespace, StringComparison.Ordinal)
                || string.Equals(ns, "http://dmarc.org/dmarc-xml/0.1", StringComparison.Ordinal);
        }

        private void ReadMetadata()
        {
            _sawMetadata = true;
            foreach (string name in Children("report_metadata"))
            {
                if ((object)name == _orgName)
                {
                    _report.OrgName = ReadText().Trim();
                }
                else if ((object)name == _email)
                {
                    _report.Email = NullIfEmpty(ReadText().Trim());
                }
                else if ((object)name == _extraContactInfo)
                {
                    _report.ExtraContactInfo = NullIfEmpty(ReadText().Trim());
                }
                else if ((object)name == _reportId)
                {
                    _report.ReportId = ReadText().Trim();
                }
                else if ((object)name == _dateRange)
                {
                    ReadDateRange();
                }
                else if ((object)name == _error)
                {
                    string error = ReadText().Trim();
                    if (error.Length > 0)
                    {
                        _report.AddError(error);
                    }
                }
                else if ((object)name == _generator)
                {
                    _report.Generator = NullIfEmpty(ReadText().Trim());
                }
                else
                {
                    SkipUnknown("report_metadata");
                }
            }

            if (_report.ReportId.Length == 0)
            {
                throw Missing("report_id", "report_metadata has no report_id (RFC 9990 §3.1.1.3), so duplicates cannot be told apart");
            }

            if (!_sawBegin || !_sawEnd)
            {
                throw Missing("date_range", "report_metadata has no date_range with begin and end (RFC 9990 §3.1.1.4)");
            }

            if (_report.BeginDate > _report.EndDate)
            {
                throw new ReportFormatException(ReportErrorIds.BeginAfterEnd,
                    string.Format(CultureInfo.InvariantCulture, "begin after end: date_range begins {0:yyyy-MM-dd HH:mm:ss} UTC, after its end {1:yyyy-MM-dd HH:mm:ss} UTC (RFC 9990 §3.1.1.4).",
                        _report.BeginDate, _report.EndDate));
            }
        }

        private void ReadDateRange()
        {
            foreach (string name in Children("date_range"))
            {
                if ((object)name == _begin)
                {
                    _report.BeginDate = ReadEpoch("begin");
                    _sawBegin = true;
                }
                else if ((object)name == _end)
                {
                    _report.EndDate = ReadEpoch("end");
                    _sawEnd = true;
                }
                else
                {
                    SkipUnknown("date_range");
                }
            }
        }

        private DateTime ReadEpoch(string element)
        {
            string at = At();
            string text = ReadText().Trim();

            // Seconds since the epoch (RFC 9990 §3.1.1.4); a few receivers write a fraction.
            int dot = text.IndexOf('.');
            string whole = dot >= 0 ? text.Substring(0, dot) : text;
            if (!long.TryParse(whole, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds)
                || seconds < -62135596800 || seconds > 253402300799)
            {
                throw new ReportFormatException(ReportErrorIds.InvalidValue,
                    $"invalid value: date_range/{element} is '{Cut(text)}', not seconds since 1970 (RFC 9990 §3.1.1.4){at}.");
            }

            return s_epoch.AddSeconds(seconds);
        }

        private void ReadPolicy()
        {
            _sawPolicy = true;
            foreach (string name in Children("policy_published"))
            {
                if ((object)name == _domain)
                {
                    _report.PolicyDomain = Lower(ReadText());
                }
                else if ((object)name == _p)
                {
                    string at = At();
                    _report.PolicyPCode = PolicyAction(ReadText(), "p", at) ?? DmarcPolicyAction.None;
                    _sawP = true;
                }
                else if ((object)name == _sp)
                {
                    _report.PolicySpCode = PolicyAction(ReadText(), "sp", At());
                }
                else if ((object)name == _np)
                {
                    _report.PolicyNpCode = PolicyAction(ReadText(), "np", At());
                }
                else if ((object)name == _adkim)
                {
                    _report.PolicyAdkimCode = Alignment(ReadText(), "adkim");
                }
                else if ((object)name == _aspf)
                {
                    _report.PolicyAspfCode = Alignment(ReadText(), "aspf");
                }
                else if ((object)name == _pct)
                {
                    string text = ReadText().Trim();
                    if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int pct))
                    {
                        _report.PolicyPct = pct;
                    }
                    else if (text.Length > 0)
                    {
                        _report.AddNote($"policy_published/pct '{Cut(text)}' is not a number; ignored");
                    }
                }
                else if ((object)name == _fo)
                {
                    _report.PolicyFo = NullIfEmpty(ReadText().Trim());
                }
                else if ((object)name == _testing)
                {
                    _report.PolicyTesting = NullIfEmpty(Lower(ReadText()));
                }
                else if ((object)name == _discoveryMethod)
                {
                    _report.DiscoveryMethod = NullIfEmpty(Lower(ReadText()));
                }
                else
                {
                    SkipUnknown("policy_published");
                }
            }

            if (_report.PolicyDomain.Length == 0)
            {
                throw Missing("domain", "policy_published has no domain (RFC 9990 §3.1.1.5)");
            }

            if (!_sawP)
            {
                throw Missing("p", "policy_published has no p (RFC 9990 §3.1.1.5)");
            }
        }

        private DmarcPolicyAction? PolicyAction(string text, string element, string at)
        {
            string value = text.Trim();
            if (value.Length == 0)
            {
                // An empty sp or np is "not reported"; an empty p is read as none, and said.
                if (element == "p")
                {
                    _report.AddNote("policy_published/p is empty; read as none");
                }

                return null;
            }

            if (Is(value, "none"))
            {
                return DmarcPolicyAction.None;
            }

            if (Is(value, "quarantine"))
            {
                return DmarcPolicyAction.Quarantine;
            }

            if (Is(value, "reject"))
            {
                return DmarcPolicyAction.Reject;
            }

            throw new ReportFormatException(ReportErrorIds.InvalidValue,
                $"invalid value: policy_published/{element} is '{Cut(value)}', not none, quarantine or reject (RFC 9990 §3.1.1.5){at}.");
        }

        private DmarcAlignmentMode? Alignment(string text, string element)
        {
            string value = text.Trim();
            if (Is(value, "r") || Is(value, "relaxed"))
            {
                return DmarcAlignmentMode.Relaxed;
            }

            if (Is(value, "s") || Is(value, "strict"))
            {
                return DmarcAlignmentMode.Strict;
            }

            if (value.Length > 0)
            {
                _report.AddNote($"policy_published/{element} '{Cut(value)}' is neither r nor s; ignored");
            }

            return null;
        }

        private void ReadExtensions()
        {
            if (_r.IsEmptyElement)
            {
                return;
            }

            int depth = _r.Depth;
            while (Read())
            {
                if (_r.NodeType == XmlNodeType.EndElement && _r.Depth == depth)
                {
                    return;
                }

                if (_r.NodeType == XmlNodeType.Element && _r.Depth == depth + 1)
                {
                    // RFC 9990 §5: namespaced elements; the older draft's <extension name="...">.
                    string? named = _r.GetAttribute("name");
                    _report.AddExtension(string.IsNullOrEmpty(named) ? _r.Name : named!);
                    SkipElement();
                    if (_r.NodeType == XmlNodeType.EndElement && _r.Depth == depth)
                    {
                        return;
                    }
                }
            }

            throw Truncated("the document ends inside <extension>");
        }

        private DmarcReportRecord ReadRecord()
        {
            _recordNumber++;
            string recordAt = At();
            string? sourceIp = null;
            long count = -1;
            DmarcReportDisposition? disposition = null;
            bool? dkimAligned = null;
            bool? spfAligned = null;
            string? headerFrom = null;
            string? envelopeFrom = null;
            string? envelopeTo = null;
            List<DmarcDkimAuthResult>? dkim = null;
            List<DmarcSpfAuthResult>? spf = null;
            List<DmarcPolicyOverrideReason>? reasons = null;
            List<string>? extensions = null;

            foreach (string name in Children("record"))
            {
                if (!IsCore())
                {
                    (extensions ??= new List<string>()).Add(_r.Name);
                    SkipElement();
                }
                else if ((object)name == _row)
                {
                    foreach (string rowName in Children("row"))
                    {
                        if ((object)rowName == _sourceIp)
                        {
                            sourceIp = ReadSourceIp();
                        }
                        else if ((object)rowName == _count)
                        {
                            count = ReadCount();
                        }
                        else if ((object)rowName == _policyEvaluated)
                        {
                            foreach (string pe in Children("policy_evaluated"))
                            {
                                if ((object)pe == _disposition)
                                {
                                    disposition = ReadDisposition();
                                }
                                else if ((object)pe == _dkim)
                                {
                                    dkimAligned = ReadPassFail("dkim");
                                }
                                else if ((object)pe == _spf)
                                {
                                    spfAligned = ReadPassFail("spf");
                                }
                                else if ((object)pe == _reason)
                                {
                                    DmarcPolicyOverrideReason? reason = ReadReason();
                                    if (reason != null)
                                    {
                                        (reasons ??= new List<DmarcPolicyOverrideReason>(1)).Add(reason);
                                    }
                                }
                                else
                                {
                                    SkipUnknown("policy_evaluated");
                                }
                            }
                        }
                        else
                        {
                            SkipUnknown("row");
                        }
                    }
                }
                else if ((object)name == _identifiers)
                {
                    foreach (string id in Children("identifiers"))
                    {
                        if ((object)id == _headerFrom)
                        {
                            headerFrom = Lower(ReadText());
                        }
                        else if ((object)id == _envelopeFrom)
                        {
                            envelopeFrom = Lower(ReadText());
                        }
                        else if ((object)id == _envelopeTo)
                        {
                            envelopeTo = NullIfEmpty(Lower(ReadText()));
                        }
                        else
                        {
                            SkipUnknown("identifiers");
                        }
                    }
                }
                else if ((object)name == _authResults)
                {
                    foreach (string auth in Children("auth_results"))
                    {
                        if ((object)auth == _dkim)
                        {
                            (dkim ??= new List<DmarcDkimAuthResult>(2)).Add(ReadDkim());
                        }
                        else if ((object)auth == _spf)
                        {
                            (spf ??= new List<DmarcSpfAuthResult>(1)).Add(ReadSpf());
                        }
                        else
                        {
                            SkipUnknown("auth_results");
                        }
                    }
                }
                else
                {
                    SkipUnknown("record");
                }
            }

            string where = string.Format(CultureInfo.InvariantCulture, "record {0}{1}", _recordNumber, recordAt);
            if (sourceIp is null)
            {
                throw Missing("source_ip", where + " has no row/source_ip (RFC 9990 §3.1.1.8)");
            }

            if (count < 0)
            {
                throw Missing("count", where + " has no row/count (RFC 9990 §3.1.1.8)");
            }

            if (disposition is null)
            {
                throw Missing("disposition", where + " has no policy_evaluated/disposition (RFC 9990 §3.1.1.9)");
            }

            if (dkimAligned is null || spfAligned is null)
            {
                throw Missing(dkimAligned is null ? "dkim" : "spf", where + " has no policy_evaluated/" + (dkimAligned is null ? "dkim" : "spf") + " (RFC 9990 §3.1.1.9)");
            }

            if (headerFrom is null)
            {
                _report.AddNote("a record without identifiers/header_from was read with an empty header_from");
                headerFrom = string.Empty;
            }

            IReadOnlyList<DmarcDkimAuthResult> dkimList = (IReadOnlyList<DmarcDkimAuthResult>?)dkim ?? Array.Empty<DmarcDkimAuthResult>();
            IReadOnlyList<DmarcSpfAuthResult> spfList = (IReadOnlyList<DmarcSpfAuthResult>?)spf ?? Array.Empty<DmarcSpfAuthResult>();
            var detail = new DmarcRecordDetail(envelopeTo, dkimList, spfList,
                (IReadOnlyList<DmarcPolicyOverrideReason>?)reasons ?? Array.Empty<DmarcPolicyOverrideReason>(),
                (IReadOnlyList<string>?)extensions ?? Array.Empty<string>(), _report,
                PrimaryDkim(dkimList, headerFrom), PrimarySpf(spfList));
            _report.RecordCount++;
            _report.MessageCount += count;
            return new DmarcReportRecord(_report, sourceIp, count, disposition.Value, headerFrom, envelopeFrom, dkimAligned.Value, spfAligned.Value, detail);
        }

        private string ReadSourceIp()
        {
            string at = At();
            string text = ReadText().Trim();
            if (text.Length == 0)
            {
                throw new ReportFormatException(ReportErrorIds.InvalidValue, $"invalid value: record {_recordNumber} has an empty row/source_ip{at}.");
            }

            if (_strings.TryGetValue(text, out string? known))
            {
                return known;
            }

            string value = text;
            if (IPAddress.TryParse(text, out IPAddress? ip) && (text.IndexOf(':') >= 0 || text.Split('.').Length == 4))
            {
                value = ip.ToString();
            }
            else
            {
                _report.AddNote($"row/source_ip '{Cut(text)}' is not an IP address; kept as written");
            }

            if (_strings.Count < 100000)
            {
                _strings[text] = value;
            }

            return value;
        }

        private long ReadCount()
        {
            string at = At();
            string text = ReadText().Trim();
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long count))
            {
                throw new ReportFormatException(ReportErrorIds.InvalidValue,
                    $"invalid value: record {_recordNumber} has row/count '{Cut(text)}', not a whole number (RFC 9990 §3.1.1.8){at}.");
            }

            return count;
        }

        private DmarcReportDisposition ReadDisposition()
        {
            string at = At();
            string value = ReadText().Trim();
            if (Is(value, "none"))
            {
                return DmarcReportDisposition.None;
            }

            if (Is(value, "quarantine"))
            {
                return DmarcReportDisposition.Quarantine;
            }

            if (Is(value, "reject"))
            {
                return DmarcReportDisposition.Reject;
            }

            if (Is(value, "pass"))
            {
                return DmarcReportDisposition.Pass;
            }

            throw new ReportFormatException(ReportErrorIds.InvalidValue,
                $"invalid value: record {_recordNumber} has disposition '{Cut(value)}', not none, pass, quarantine or reject (RFC 9990 §3.1.1.9){at}.");
        }

        private bool ReadPassFail(string element)
        {
            string at = At();
            string value = ReadText().Trim();
            if (Is(value, "pass"))
            {
                return true;
            }

            if (Is(value, "fail"))
            {
                return false;
            }

            // Some receivers write an RFC 8601 word here (none, neutral, softfail, ...): not an
            // aligned pass, so read as fail, and said. Anything else is not a result at all.
            switch (Lower(value))
            {
                case "none":
                case "neutral":
                case "softfail":
                case "hardfail":
                case "policy":
                case "temperror":
                case "permerror":
                    _report.AddNote($"policy_evaluated/{element} '{Cut(value)}' is not pass or fail (RFC 9990 §3.1.1.9); read as fail");
                    return false;
            }

            throw new ReportFormatException(ReportErrorIds.InvalidValue,
                $"invalid value: record {_recordNumber} has policy_evaluated/{element} '{Cut(value)}', not pass or fail (RFC 9990 §3.1.1.9){at}.");
        }

        private DmarcPolicyOverrideReason? ReadReason()
        {
            string? type = null;
            string? comment = null;
            foreach (string name in Children("reason"))
            {
                if ((object)name == _type)
                {
                    type = ReadText().Trim();
                }
                else if ((object)name == _comment)
                {
                    comment = NullIfEmpty(ReadText().Trim());
                }
                else
                {
                    SkipUnknown("reason");
                }
            }

            if (string.IsNullOrEmpty(type) && comment is null)
            {
                // An empty <reason> (seen in the wild) says nothing.
                return null;
            }

            type ??= string.Empty;
            DmarcPolicyOverrideType code = Lower(type) switch
            {
                "forwarded" => DmarcPolicyOverrideType.Forwarded,
                "sampled_out" => DmarcPolicyOverrideType.SampledOut,
                "trusted_forwarder" => DmarcPolicyOverrideType.TrustedForwarder,
                "mailing_list" => DmarcPolicyOverrideType.MailingList,
                "local_policy" => DmarcPolicyOverrideType.LocalPolicy,
                "policy_test_mode" => DmarcPolicyOverrideType.PolicyTestMode,
                "other" => DmarcPolicyOverrideType.Other,
                _ => DmarcPolicyOverrideType.Unrecognized,
            };
            return new DmarcPolicyOverrideReason(code, Intern(type), comment);
        }

        private DmarcDkimAuthResult ReadDkim()
        {
            string domain = string.Empty;
            string? selector = null;
            string result = string.Empty;
            string? human = null;
            foreach (string name in Children("dkim"))
            {
                if ((object)name == _domain)
                {
                    domain = Lower(ReadText());
                }
                else if ((object)name == _selector)
                {
                    selector = NullIfEmpty(Intern(ReadText().Trim()));
                }
                else if ((object)name == _result)
                {
                    result = ReadText().Trim();
                }
                else if ((object)name == _humanResult)
                {
                    human = NullIfEmpty(ReadText().Trim());
                }
                else
                {
                    SkipUnknown("auth_results/dkim");
                }
            }

            DmarcDkimAuthResultCode code = Lower(result) switch
            {
                "none" => DmarcDkimAuthResultCode.None,
                "pass" => DmarcDkimAuthResultCode.Pass,
                "fail" => DmarcDkimAuthResultCode.Fail,
                "policy" => DmarcDkimAuthResultCode.Policy,
                "neutral" => DmarcDkimAuthResultCode.Neutral,
                "temperror" => DmarcDkimAuthResultCode.TempError,
                "permerror" => DmarcDkimAuthResultCode.PermError,
                _ => DmarcDkimAuthResultCode.Unrecognized,
            };
            if (code == DmarcDkimAuthResultCode.Unrecognized)
            {
                _report.AddNote($"DKIM result '{Cut(result)}' is not an RFC 8601 §2.7.1 result; kept as written");
            }

            return new DmarcDkimAuthResult(domain, selector, code, Intern(result), human);
        }

        private DmarcSpfAuthResult ReadSpf()
        {
            string domain = string.Empty;
            string? scope = null;
            string result = string.Empty;
            string? human = null;
            foreach (string name in Children("spf"))
            {
                if ((object)name == _domain)
                {
                    domain = Lower(ReadText());
                }
                else if ((object)name == _scope)
                {
                    scope = NullIfEmpty(Lower(ReadText()));
                }
                else if ((object)name == _result)
                {
                    result = ReadText().Trim();
                }
                else if ((object)name == _humanResult)
                {
                    human = NullIfEmpty(ReadText().Trim());
                }
                else
                {
                    SkipUnknown("auth_results/spf");
                }
            }

            DmarcSpfAuthResultCode code = Lower(result) switch
            {
                "none" => DmarcSpfAuthResultCode.None,
                "pass" => DmarcSpfAuthResultCode.Pass,
                "fail" => DmarcSpfAuthResultCode.Fail,
                "softfail" => DmarcSpfAuthResultCode.SoftFail,
                "policy" => DmarcSpfAuthResultCode.Policy,
                "neutral" => DmarcSpfAuthResultCode.Neutral,
                "temperror" => DmarcSpfAuthResultCode.TempError,
                "permerror" => DmarcSpfAuthResultCode.PermError,
                // RFC 4408 §2.5.6's word, still written by some receivers.
                "hardfail" => DmarcSpfAuthResultCode.Fail,
                _ => DmarcSpfAuthResultCode.Unrecognized,
            };
            if (code == DmarcSpfAuthResultCode.Unrecognized)
            {
                _report.AddNote($"SPF result '{Cut(result)}' is not an RFC 8601 §2.7.2 result; kept as written");
            }

            return new DmarcSpfAuthResult(domain, scope, code, Intern(result), human);
        }

        /// <summary>RFC 9990 §3.1.3's preference: a pass in strict alignment, then relaxed, then any pass, then the first.</summary>
        private DmarcDkimAuthResult? PrimaryDkim(IReadOnlyList<DmarcDkimAuthResult> results, string headerFrom)
        {
            if (results.Count == 0)
            {
                return null;
            }

            DmarcDkimAuthResult? relaxed = null;
            DmarcDkimAuthResult? anyPass = null;
            foreach (DmarcDkimAuthResult d in results)
            {
                if (d.ResultCode != DmarcDkimAuthResultCode.Pass)
                {
                    continue;
                }

                if (string.Equals(d.Domain, headerFrom, StringComparison.Ordinal))
                {
                    return d;
                }

                if (relaxed is null && headerFrom.Length > 0 && d.Domain.Length > 0
                    && string.Equals(OrgDomain(d.Domain), OrgDomain(headerFrom), StringComparison.Ordinal))
                {
                    relaxed = d;
                }

                anyPass ??= d;
            }

            return relaxed ?? anyPass ?? results[0];
        }

        private static DmarcSpfAuthResult? PrimarySpf(IReadOnlyList<DmarcSpfAuthResult> results)
        {
            if (results.Count == 0)
            {
                return null;
            }

            foreach (DmarcSpfAuthResult s in results)
            {
                // DMARC uses the MAIL FROM identity only (RFC 9990 §3.1.1.13).
                if (s.Scope is null || s.Scope == "mfrom")
                {
                    return s;
                }
            }

            return results[0];
        }

        private string OrgDomain(string domain)
        {
            if (!_orgDomains.TryGetValue(domain, out string? org))
            {
                org = MailAuth.Names.OrganizationalDomainService.Embedded.FromPublicSuffixList(domain);
                if (_orgDomains.Count < 10000)
                {
                    _orgDomains[domain] = org;
                }
            }

            return org;
        }

        /// <summary>The element children of the current element, by local name; leaves the reader on its end tag.</summary>
        private IEnumerable<string> Children(string element)
        {
            if (_r.IsEmptyElement)
            {
                yield break;
            }

            int depth = _r.Depth;
            while (true)
            {
                if (!Read())
                {
                    throw Truncated("the document ends inside <" + element + ">");
                }

                XmlNodeType type = _r.NodeType;
                if (type == XmlNodeType.EndElement && _r.Depth == depth)
                {
                    yield break;
                }

                if (type == XmlNodeType.Element)
                {
                    yield return _r.LocalName;

                    // The consumer read the element (text, children or Skip); the reader is on its
                    // last node, the element itself if it was empty.
                }
            }
        }

        private void SkipUnknown(string parent)
        {
            if (_r.NamespaceURI.Length > 0 && !IsCore())
            {
                SkipElement();
                return;
            }

            _report.AddNote($"unknown element <{_r.Name}> in <{parent}> ignored");
            SkipElement();
        }

        /// <summary>Moves past the current element's subtree, leaving the reader on its last node.</summary>
        private void SkipElement()
        {
            if (_r.IsEmptyElement)
            {
                return;
            }

            int depth = _r.Depth;
            while (Read())
            {
                if (_r.NodeType == XmlNodeType.EndElement && _r.Depth == depth)
                {
                    return;
                }
            }

            throw Truncated("the document ends inside <" + _r.Name + ">");
        }

        /// <summary>The text of the current element (bounded), leaving the reader on its end tag.</summary>
        private string ReadText()
        {
            if (_r.IsEmptyElement)
            {
                return string.Empty;
            }

            int depth = _r.Depth;
            string name = _r.Name;
            int length = 0;
            while (true)
            {
                if (!Read())
                {
                    throw Truncated("the document ends inside <" + name + ">");
                }

                switch (_r.NodeType)
                {
                    case XmlNodeType.EndElement when _r.Depth == depth:
                        return length == 0 ? string.Empty : new string(_text, 0, length);
                    case XmlNodeType.Text:
                    case XmlNodeType.CDATA:
                    case XmlNodeType.SignificantWhitespace:
                    case XmlNodeType.Whitespace:
                        if (_r.CanReadValueChunk)
                        {
                            // In chunks: a value of any size never sits whole in the reader's buffer.
                            int n;
                            do
                            {
                                if (_text.Length - length < 128)
                                {
                                    Grow(length + 128, name);
                                }

                                n = ReadChunk(length);
                                length += n;
                            }
                            while (n > 0);
                        }
                        else
                        {
                            Append(_r.Value, name, ref length);
                        }

                        break;
                    case XmlNodeType.Element:
                        // Markup where text belongs (<email><x/></email>): not text; skipped.
                        _report.AddNote($"element <{_r.Name}> inside <{name}> ignored");
                        SkipElement();
                        break;
                }
            }
        }

        private int ReadChunk(int offset)
        {
            try
            {
                return _r.ReadValueChunk(_text, offset, _text.Length - offset);
            }
            catch (XmlException ex)
            {
                throw Translate(ex);
            }
        }

        private void Append(string value, string name, ref int length)
        {
            Grow(length + value.Length, name);
            value.CopyTo(0, _text, length, value.Length);
            length += value.Length;
        }

        private void Grow(int needed, string name)
        {
            CheckLength(needed, name);
            if (needed > _text.Length)
            {
                Array.Resize(ref _text, Math.Min(Math.Max(needed, _text.Length * 2), _limits.MaxValueLength + 128));
            }
        }

        private void CheckLength(int length, string name)
        {
            if (length > _limits.MaxValueLength)
            {
                throw new ReportFormatException(ReportErrorIds.SizeLimit,
                    $"compressed size limit exceeded: the text of <{name}> is longer than {_limits.MaxValueLength} characters{At()}.");
            }
        }

        private bool Read()
        {
            try
            {
                return _r.Read();
            }
            catch (XmlException ex)
            {
                throw Translate(ex);
            }
        }

        private ReportFormatException Translate(XmlException ex)
        {
            string message = ex.Message;
            if (message.IndexOf("DTD", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("DOCTYPE", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new ReportFormatException(ReportErrorIds.Dtd,
                    "not a DMARC report: the XML has a DOCTYPE; DTDs and entities are never processed (XXE and entity-expansion protection, RFC 9990 §8.1)" + LineOf(ex) + ".", ex);
            }

            if (message.IndexOf("end of file", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return new ReportFormatException(ReportErrorIds.Truncated, "truncated XML: the document ends before the report does (" + message + ").", ex);
            }

            return new ReportFormatException(ReportErrorIds.NotXml, "not well-formed XML: " + message, ex);
        }

        private static string LineOf(XmlException ex) =>
            ex.LineNumber > 0 ? string.Format(CultureInfo.InvariantCulture, " (line {0}, position {1})", ex.LineNumber, ex.LinePosition) : string.Empty;

        private ReportFormatException Truncated(string what) =>
            new ReportFormatException(ReportErrorIds.Truncated, "truncated XML: " + what + At() + ".");

        private ReportFormatException Missing(string element, string what) =>
            new ReportFormatException(ReportErrorIds.MissingElement, "not a complete DMARC report: " + what + ".");

        private string At() =>
            _lines != null && _lines.HasLineInfo() && _lines.LineNumber > 0
                ? string.Format(CultureInfo.InvariantCulture, " (line {0})", _lines.LineNumber)
                : string.Empty;

        private static bool Is(string value, string word) => string.Equals(value, word, StringComparison.OrdinalIgnoreCase);

        private string Lower(string text)
        {
            string value = text.Trim();
            for (int i = 0; i < value.Length; i++)
            {
                if (value[i] >= 'A' && value[i] <= 'Z')
                {
                    value = value.ToLowerInvariant();
                    break;
                }
            }

            return Intern(value);
        }

        /// <summary>Domains and result words repeat across a report: one string each.</summary>
        private string Intern(string value)
        {
            if (value.Length == 0 || value.Length > 255)
            {
                return value;
            }

            if (_strings.TryGetValue(value, out string? known))
            {
                return known;
            }

            if (_strings.Count < 100000)
            {
                _strings[value] = value;
            }

            return value;
        }

        private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

        private static string Cut(string value) => value.Length <= 60 ? value : value.Substring(0, 60) + "…";

        private static int PeekInto(BufferedStream stream, byte[] head)
        {
            int total = 0;
            while (total < head.Length)
            {
                int n = stream.Read(head, total, head.Length - total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }

        /// <summary>UTF-8, or no declaration and no other BOM (XML 1.0 §4.3.3: then UTF-8).</summary>
        private static bool IsUtf8(byte[] head, int length)
        {
            if (length >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
            {
                return false;
            }

            int start = length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
            string text = Encoding.ASCII.GetString(head, start, length - start).TrimStart();
            if (!text.StartsWith("<?xml", StringComparison.Ordinal))
            {
                return true;
            }

            int end = text.IndexOf("?>", StringComparison.Ordinal);
            string declaration = end > 0 ? text.Substring(0, end) : text;
            int at = declaration.IndexOf("encoding", StringComparison.Ordinal);
            if (at < 0)
            {
                return true;
            }

            string rest = declaration.Substring(at + 8).TrimStart(' ', '=', '"', '\'');
            return rest.StartsWith("utf-8", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("utf8", StringComparison.OrdinalIgnoreCase)
                || rest.StartsWith("us-ascii", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Counts the byte sequences that are not UTF-8, each read as U+FFFD.</summary>
        private sealed class CountingDecoderFallback : DecoderFallback
        {
            public int Count;

            public override int MaxCharCount => 1;

            public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

            private sealed class Buffer : DecoderFallbackBuffer
            {
                private readonly CountingDecoderFallback _owner;
                private bool _pending;

                public Buffer(CountingDecoderFallback owner)
                {
                    _owner = owner;
                }

                public override int Remaining => _pending ? 1 : 0;

                public override bool Fallback(byte[] bytesUnknown, int index)
                {
                    Interlocked.Increment(ref _owner.Count);
                    _pending = true;
                    return true;
                }

                public override char GetNextChar()
                {
                    if (!_pending)
                    {
                        return '\0';
                    }

                    _pending = false;
                    return '\uFFFD';
                }

                public override bool MovePrevious() => false;

                public override void Reset() => _pending = false;
            }
        }
    }

    /// <summary>Bytes already read from a stream, then the rest of it.</summary>
    internal sealed class PrefixStream : Stream
    {
        private readonly byte[] _prefix;
        private readonly int _prefixLength;
        private readonly Stream _inner;
        private int _position;

        public PrefixStream(byte[] prefix, int prefixLength, Stream inner, int skip = 0)
        {
            _prefix = prefix;
            _prefixLength = prefixLength;
            _inner = inner;
            _position = skip;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position < _prefixLength)
            {
                int n = Math.Min(count, _prefixLength - _position);
                Buffer.BlockCopy(_prefix, _position, buffer, offset, n);
                _position += n;
                return n;
            }

            return _inner.Read(buffer, offset, count);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
