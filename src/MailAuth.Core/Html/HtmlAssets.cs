using System;
using System.Security.Cryptography;
using System.Text;

namespace MailAuth.Html
{
    /// <summary>
    /// The page's only style sheet and only script, written inline and pinned by their SHA-256 in
    /// the Content-Security-Policy (CSP Level 2 hash sources), so the browser applies exactly these
    /// bytes and nothing an input could add. No inline style="" attributes exist in the page: the
    /// policy has no 'unsafe-inline', so they would be ignored.
    /// </summary>
    internal static class HtmlAssets
    {
        // The HTML parser turns CRLF into LF before hashing; the constants are kept LF-only so the
        // hash is the same whatever line endings a checkout gives this file.
        public static readonly string Style = Lf(@"
:root{color-scheme:light dark;--bg:#f6f6f3;--fg:#1c1f24;--card:#fff;--muted:#5d6571;--line:#dcdfe4;--soft:#eef0f3;--accent:#2255c4;
--ok:#1a7f37;--okbg:#e6f4ea;--warn:#8a5a00;--warnbg:#fff4d6;--bad:#b42318;--badbg:#fde8e6;--info:#2f62a0;--infobg:#e7effa;
--ga:#1a7f37;--gb:#5b9a2f;--gc:#c99400;--gd:#d0661c;--gf:#b42318;--gn:#8b929c;
font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#14161a;--fg:#e5e7ea;--card:#1d2026;--muted:#9ba3ae;--line:#343943;--soft:#262a31;--accent:#7aa5ff;
--ok:#56c271;--okbg:#16301f;--warn:#e0ae45;--warnbg:#33290f;--bad:#ff7b72;--badbg:#3a1a18;--info:#79aef2;--infobg:#172538;
--ga:#56c271;--gb:#9ccc65;--gc:#e0ae45;--gd:#f0883e;--gf:#ff7b72;--gn:#7d8590}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg)}
header.top{background:var(--card);border-bottom:1px solid var(--line);padding:14px 24px}
header.top h1{margin:0;font-size:1.35rem}
header.top p{margin:2px 0 0;color:var(--muted);font-size:.85rem}
nav.toc{margin-top:6px;font-size:.85rem}nav.toc a{margin-right:14px}
main{max-width:1200px;margin:0 auto;padding:18px 20px 40px}
a{color:var(--accent)}
h2{font-size:1.2rem;margin:0 0 4px;overflow-wrap:anywhere}
h3{font-size:1rem;margin:18px 0 8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 18px}
.muted,.src{color:var(--muted);font-size:.85rem}
.verdict{border-radius:8px;padding:12px 14px;margin:10px 0 4px;font-size:1.05rem;border-left:6px solid}
.verdict strong{text-transform:uppercase;letter-spacing:.04em;margin-right:6px}
.verdict.bad{background:var(--badbg);border-color:var(--bad)}.verdict.bad strong{color:var(--bad)}
.verdict.warn{background:var(--warnbg);border-color:var(--warn)}.verdict.warn strong{color:var(--warn)}
.verdict.ok{background:var(--okbg);border-color:var(--ok)}.verdict.ok strong{color:var(--ok)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
th{font-weight:600;color:var(--muted);background:var(--soft)}
td{overflow-wrap:anywhere}
table.auth td:first-child,.r{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;font-size:.84rem;overflow-wrap:anywhere;white-space:pre-wrap}
.r{display:inline-block;padding:0 7px;border-radius:9px;font-weight:600;font-size:.82rem;background:var(--soft)}
.r.pass{color:var(--ok);background:var(--okbg)}.r.fail,.r.permerror,.r.softfail{color:var(--bad);background:var(--badbg)}
.r.none,.r.neutral,.r.temperror,.r.policy,.r.unknown{color:var(--warn);background:var(--warnbg)}
tr.differs td{background:var(--warnbg)}
.badge{display:inline-block;padding:0 6px;border-radius:4px;font-size:.75rem;font-weight:700;letter-spacing:.03em;border:1px solid currentColor}
.badge.differs,.sev-Error{color:var(--bad)}.sev-Warning{color:var(--warn)}.sev-Information{color:var(--info)}
.idgrid{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px}
.id{border:1px solid var(--line);border-radius:8px;padding:8px 10px;background:var(--soft)}
.id b{display:block;font-size:.75rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.id span{overflow-wrap:anywhere}
.id.other{border-color:var(--warn)}.id .note{display:block;color:var(--warn);font-size:.78rem}
ul.findings{list-style:none;padding:0;margin:0}
ul.findings li{padding:7px 0;border-bottom:1px solid var(--line)}
ul.findings li:last-child{border-bottom:0}
ul.findings .fid{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.82rem;margin:0 6px}
.ev{display:block;color:var(--muted);font-size:.82rem;overflow-wrap:anywhere}
svg{display:block;max-width:100%;height:auto}
svg text{fill:var(--fg);font:13px system-ui,sans-serif}
svg .t2{fill:var(--muted);font-size:12px}
svg .spine{stroke:var(--line);stroke-width:3}
svg .node{fill:var(--card);stroke:var(--accent);stroke-width:3}
svg .node.internal{stroke:var(--muted)}
svg .node.edge{fill:var(--accent)}
svg .edgetag{fill:var(--accent)}svg .edgetxt{fill:#fff;font-size:11px;font-weight:700}
svg .tls{fill:var(--ok)}svg .notls{fill:var(--warn)}svg .skew{fill:var(--bad);font-weight:700}
svg .bar{fill:var(--accent);opacity:.55}svg .bar.long{fill:var(--warn);opacity:.9}svg .bar.neg{fill:var(--bad);opacity:.9}
svg .track{fill:var(--soft)}
svg .g-A{fill:var(--ga)}svg .g-B{fill:var(--gb)}svg .g-C{fill:var(--gc)}svg .g-D{fill:var(--gd)}svg .g-F{fill:var(--gf)}svg .g-none{fill:var(--gn)}
.stats{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 14px}
.stat{background:var(--soft);border-radius:8px;padding:8px 14px;min-width:120px}
.stat b{display:block;font-size:1.4rem}.stat span{color:var(--muted);font-size:.8rem}
.summary{display:grid;grid-template-columns:minmax(0,1.2fr) minmax(0,1fr);gap:18px}
.controls{display:none;flex-wrap:wrap;gap:10px;align-items:center;margin:6px 0 10px}
.js .controls{display:flex}
.controls input,.controls select{font:inherit;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
.controls input{min-width:240px;flex:1}
th button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer}
[aria-sort=ascending] button::after{content:' \25B2'}[aria-sort=descending] button::after{content:' \25BC'}
#audit-table .ch button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:left}
.grade{display:inline-block;width:1.7em;text-align:center;border-radius:5px;font-weight:700;color:#fff;background:var(--gn)}
.grade.g-A{background:var(--ga)}.grade.g-B{background:var(--gb)}.grade.g-C{background:var(--gc)}.grade.g-D{background:var(--gd)}.grade.g-F{background:var(--gf)}
#audit-table{font-size:.9rem;border-top:1px solid var(--line)}
#audit-table .tr{display:grid;grid-template-columns:minmax(0,2.2fr) 3.6em 3.6em minmax(0,1.1fr) minmax(0,1fr) minmax(0,1.1fr) minmax(0,1fr) minmax(0,.9fr) minmax(0,.9fr);gap:0 8px;padding:6px 8px 2px}
#audit-table .th{background:var(--soft);color:var(--muted);padding:6px 8px;border-bottom:1px solid var(--line)}
#audit-table .tr span{overflow-wrap:anywhere}
.dr{content-visibility:auto;contain-intrinsic-size:auto 58px;border-bottom:1px solid var(--line)}
.dr>details{padding:0 8px 6px}.dr>details[open]{background:var(--soft)}
.dd li.sev-Error::marker{color:var(--bad)}.dd li.sev-Warning::marker{color:var(--warn)}
.dd li a{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;margin-right:4px}
details summary{cursor:pointer;color:var(--muted);font-size:.8rem}
details .dd{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:6px 18px;padding:6px 0}
details .dd h4{margin:4px 0;font-size:.82rem;color:var(--muted)}
details .dd ul{margin:0;padding-left:18px}
dl.gloss dt{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:700;margin-top:8px}
dl.gloss dd{margin:2px 0 0 0}
dl.gloss dt:target{background:var(--warnbg)}
.hidden-note{color:var(--muted);font-size:.85rem;margin:6px 0}
@media (max-width:720px){main{padding:10px}.card{padding:12px}.summary,details .dd{grid-template-columns:1fr}header.top{padding:10px 12px}
.controls input{min-width:0;flex:1 1 100%}
.tl svg{min-width:680px}
#audit-table .tr{grid-template-columns:minmax(0,1fr) 3.4em 3.4em minmax(0,1fr);font-size:.85rem}
#audit-table .tr>:nth-child(n+4){display:none}#audit-table .tr>:nth-child(6){display:block}}
@media print{:root{--bg:#fff;--card:#fff;--fg:#000;--soft:#f2f2f2;--line:#ccc}body{font-size:11pt}header.top{border:0}nav.toc,.controls{display:none!important}
.card{break-inside:avoid-page;border-color:#bbb}section.msg{break-before:page}section.msg:first-of-type{break-before:auto}
.dr{break-inside:avoid;content-visibility:visible}details .dd{display:grid}a{color:inherit;text-decoration:none}}
");

        /// <summary>The audit table's sort and filter: reads only the page's own DOM, writes only attributes and text.</summary>
        public static readonly string Script = Lf(@"
(function(){var t=document.getElementById('audit-rows');if(!t)return;
var q=document.getElementById('audit-q'),g=document.getElementById('audit-g'),s=document.getElementById('audit-s'),c=document.getElementById('audit-count');
var bs=Array.prototype.slice.call(t.children),n=bs.length,timer=0,i;
for(i=0;i<n;i++)bs[i]._k=bs[i].textContent.toLowerCase();
function apply(){var v=q.value.trim().toLowerCase(),gv=g.value,sv=s.value,shown=0,j,b,ok;
for(j=0;j<n;j++){b=bs[j];ok=(!gv||b.getAttribute('data-g')===gv)&&(!sv||b.getAttribute('data-s')===sv)&&(!v||b._k.indexOf(v)>=0);if(b.hidden===ok)b.hidden=!ok;if(ok)shown++;}
c.textContent=shown===n?n+' domains':shown+' of '+n+' domains';}
q.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(apply,150);});
q.addEventListener('change',apply);g.addEventListener('change',apply);s.addEventListener('change',apply);
var hs=document.querySelectorAll('#audit-table .ch');
Array.prototype.forEach.call(document.querySelectorAll('#audit-table button[data-col]'),function(btn){btn.addEventListener('click',function(){
var col=+btn.getAttribute('data-col'),num=btn.hasAttribute('data-num'),th=btn.parentNode,dir=th.getAttribute('aria-sort')==='ascending'?-1:1,j;
for(j=0;j<hs.length;j++)hs[j].removeAttribute('aria-sort');th.setAttribute('aria-sort',dir>0?'ascending':'descending');
var ks=bs.map(function(b,k){var cell=b.firstElementChild.children[col],v=cell.getAttribute('data-v');if(v===null)v=cell.textContent;return [num?(v===''?-1e15:+v):v.toLowerCase(),k,b];});
ks.sort(function(x,y){return x[0]<y[0]?-dir:x[0]>y[0]?dir:x[1]-y[1];});
bs=ks.map(function(x){return x[2];});var f=document.createDocumentFragment();for(j=0;j<n;j++)f.appendChild(bs[j]);t.appendChild(f);});});
document.documentElement.className='js';apply();})();
");

        public static readonly string StyleHash = Hash(Style);

        public static readonly string ScriptHash = Hash(Script);

        private static string Lf(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

        private static string Hash(string text)
        {
            using (SHA256 sha = SHA256.Create())
            {
                return "'sha256-" + Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text))) + "'";
            }
        }
    }
}
