//! `docs/report.html`: the bundle's docs as one self-contained HTML page for the change
//! board (no script, no external resource). The text is the one `README.md` holds
//! ([`super::readme`]); every value goes through [`Out`]'s escaping.

use super::out::{Cell, Format, Out};
use super::Doc;

/// report.html of a bundle.
pub fn render(doc: &Doc) -> String {
    // Room for the whole file, as in `readme::render` (the NHS example: 80 KB).
    let tables: usize = doc.settings.iter().map(|s| s.writes_html.0.len()).sum();
    let capacity = 20 * 1024 + doc.changes_html.0.len() + tables + 6 * 1024 * doc.settings.len();
    let mut out = Out::new(Format::Html, capacity);
    let b = &doc.bundle;
    out.fixed(
        r#"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
"#,
    );
    out.fixed("<title>")
        .text(&b.display_name)
        .fixed(" - policyc report</title>\n");
    out.fixed(r#"<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d1d1d; line-height: 1.45; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 2px solid #005eb8; padding-bottom: .2rem; margin-top: 2.5rem; }
section.setting { border: 1px solid #d8dde0; border-radius: 6px; padding: .5rem 1rem 1rem; margin: 1.2rem 0; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid #d8dde0; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f4f5; } code { font-family: ui-monospace, monospace; font-size: .85rem; }
/* Long keys and URLs wrap only at the <wbr> after their separators; a word never breaks. */
td, code, li, p { word-break: normal; overflow-wrap: normal; hyphens: none; }
.nowrap, .hash, .nw { white-space: nowrap; } .hash { font-size: .7rem; }
.signoff td { height: 2.2rem; } table.summary { font-size: .75rem; } table.summary code { font-size: .7rem; }
@page { size: A4; margin: 12mm; }
@media print { body { margin: 0; max-width: none; font-size: 9pt; } section.setting, tr { break-inside: avoid; } h2 { break-after: avoid; } }
.meta { color: #4c6272; } .unconfirmed { background: #fff9c4; padding: .3rem .6rem; }
</style>
</head>
<body>
"#);
    out.fixed("<h1>").text(&b.display_name).fixed("</h1>\n");
    out.fixed("<p class=\"meta\">");
    doc.bundle_line(&mut out);
    out.fixed("</p>\n");
    if let Some(d) = b.description.as_deref().filter(|d| !d.is_empty()) {
        out.fixed("<p>").text(d).fixed("</p>\n");
    }
    out.fixed(
        r#"<h2>Summary of changes</h2>
<p>Every registry change the bundle makes, by every route, in order.</p>
<table class="summary">
"#,
    );
    out.fixed(r#"<thead><tr><th>change</th><th>key</th><th>value</th><th>type</th><th>data</th><th>setting</th>"#);
    if doc.has_baseline {
        out.fixed("<th>").text(doc.baseline_label).fixed("</th>");
    }
    out.fixed(
        r#"</tr></thead>
"#,
    );
    out.fixed(
        r#"<tbody>
"#,
    );
    out.escaped(&doc.changes_html).fixed("\n");
    out.fixed(
        r#"</tbody>
</table>
<h2>Impact and risk</h2>
<ul>
"#,
    );
    for r in &doc.risks {
        out.fixed("<li>").text(r).fixed("</li>\n");
    }
    out.fixed(r#"</ul>
<h2>How to deploy</h2>
<ul>
<li><strong>.reg files</strong>: <code>reg import machine.reg</code> as an administrator; <code>reg import user.reg</code> as each user (SYSTEM would write its own hive).</li>
"#);
    out.fixed(r#"<li><strong>Group Policy</strong>: <code>Import-GPO -BackupId</code> from <code>gpo-backup</code>, GPMC Import Settings, or <code>LGPO.exe /g</code> (not Restore); Registry.pol in <code>pol/</code>, LGPO text in <code>lgpo/</code>; copy <code>admx/</code> to the Central Store"#);
    if !doc.vendor_templates.is_empty() {
        out.fixed(r#", which also needs the vendors' own templates"#);
        for (i, f) in doc.vendor_templates.iter().enumerate() {
            out.fixed(if i == 0 { ": " } else { ", " }).code(f);
        }
        out.fixed(r#" (their values show in GPMC under the vendor's policies)"#);
    }
    out.fixed(
        r#".</li>
"#,
    );
    out.fixed(r#"<li><strong>Intune</strong>: import <code>intune/settings-catalog/*.json</code> as Settings Catalog policies and <code>intune/*.json</code> as custom profiles with Microsoft Graph (each value is in one of them); settings with no MDM route need <code>detect.ps1</code>/<code>remediate.ps1</code> as a Remediation.</li>
<li><strong>Scripts</strong>: <code>powershell/apply.ps1</code> (<code>-WhatIf</code> to preview), <code>detect.ps1</code>/<code>remediate.ps1</code>, <code>diagnose.ps1</code>.</li>
</ul>
<h2>Lists replaced wholesale</h2>
"#);
    if doc.replaced_lists.is_empty() {
        out.fixed(
            r#"<p>None: the bundle adds values and replaces no list.</p>
"#,
        );
    } else {
        out.fixed(r#"<p>Each of these list keys is deleted and rewritten with the spec's entries only, by every route. Entries other GPOs, scripts or users put there are lost: check a machine with <code>policyc check SPEC --against EXPORT</code> first.</p>
<ul>
"#);
        for k in &doc.replaced_lists {
            out.fixed("<li>").code(k).fixed("</li>\n");
        }
        out.fixed(
            r#"</ul>
"#,
        );
    }
    out.fixed(r#"<h2>Rollback</h2>
<ul>
<li><strong>.reg files</strong>: <code>reg import undo\machine-undo.reg</code> as an administrator, <code>reg import undo\user-undo.reg</code> as each user: they delete every value the matching <code>.reg</code> writes and every list key it owns.</li>
<li><strong>Group Policy</strong>: unlink or delete the GPO. Policy values under <code>Software\Policies</code> are removed by Windows; preference values elsewhere stay ("tattoo"): remove them with <code>powershell/remove.ps1</code> as SYSTEM or the undo files.</li>
<li><strong>Intune</strong>: unassign the profiles; run <code>powershell/remove.ps1</code> as a platform script (SYSTEM) for what they or the Remediation left behind.</li>
<li><strong>Scripts</strong>: <code>powershell/remove.ps1 -WhatIf</code> lists what it would delete; run as SYSTEM it removes every value and owned list key from HKLM, every user hive, every other profile and the Default profile.</li>
"#);
    for k in &doc.rollback_keeps {
        out.fixed(r#"<li><strong>Kept</strong>: "#).code(k).fixed(r#" stays after either rollback: a switch other Group Policy objects rely on too (for ListBox_Support_ZoneMapKey, the Site to Zone Assignment List, whose entries are additive across GPOs).</li>
"#);
    }
    out.fixed(r#"</ul>
<h2>Test plan</h2>
<ol>
<li>On one test machine per build, export the keys the bundle writes (<code>reg export</code>) and run <code>policyc check SPEC --against</code> on them: note every list entry that would be lost.</li>
<li>Deploy to a pilot group by the chosen route; on a pilot machine run <code>powershell/diagnose.ps1</code> and <code>policyc verify SPEC --against</code> its exports: expect no drift and no findings.</li>
<li>Open <code>chrome://policy</code> and <code>edge://policy</code>: every policy in the summary shows with source Platform and no error; a browser older than a policy (LoopbackNetworkAllowedForUrls before 146) lists it as unknown, which is expected.</li>
<li>Sign in to the NHS applications with a smartcard: no NTLM prompt, no Local Network Access prompt, Credential Management reachable.</li>
<li>Check single sign-on to other intranet applications that use integrated Windows authentication.</li>
<li>Run the rollback on one pilot machine (<code>powershell/remove.ps1 -WhatIf</code>, then for real) and check the values are gone.</li>
</ol>
<h2>Sign-off</h2>
<table class="signoff">
<thead><tr><th>role</th><th>name</th><th>decision</th><th>signature</th><th>date</th></tr></thead>
<tbody>
<tr><td>Change owner</td><td></td><td></td><td></td><td></td></tr>
<tr><td>Technical reviewer</td><td></td><td></td><td></td><td></td></tr>
<tr><td>Information security</td><td></td><td></td><td></td><td></td></tr>
<tr><td>Clinical safety officer</td><td></td><td></td><td></td><td></td></tr>
<tr><td>Change advisory board</td><td></td><td></td><td></td><td></td></tr>
</tbody>
</table>
<h2>File hashes</h2>
<p>sha256 of every file in the bundle except <code>docs/</code> and <code>manifest.json</code> (whose own list includes these docs).</p>
<table>
<thead><tr><th>file</th><th>sha256</th></tr></thead>
<tbody>
"#);
    for h in &doc.hashes {
        out.row(&[Cell::Code(&h.path), Cell::Hash(&h.sha256)])
            .fixed("\n");
    }
    out.fixed(
        r#"</tbody>
</table>
<h2>Settings</h2>
"#,
    );
    for s in &doc.settings {
        out.fixed("<section class=\"setting\" id=\"")
            .text(&s.spec_path)
            .fixed("\">\n<h3>")
            .text(&s.title)
            .fixed("</h3>\n<p class=\"meta\">");
        s.where_line(&mut out);
        out.fixed("</p>\n<p>").text(&s.description).fixed("</p>\n");
        out.fixed(
            r#"<table>
<thead><tr><th>key</th><th>value</th><th>type</th><th>data</th></tr></thead>
<tbody>
"#,
        );
        out.escaped(&s.writes_html).fixed("\n");
        out.fixed(r#"</tbody>
</table>
<table>
<thead><tr><th>product</th><th>vendor setting</th><th>.reg</th><th>Group Policy</th><th>Intune</th><th>script</th></tr></thead>
<tbody>
"#);
        for r in &s.routes {
            r.row(&mut out);
            out.fixed("\n");
        }
        out.fixed(
            r#"</tbody>
</table>
<p>Sources:</p>
<ul>
"#,
        );
        for src in &s.sources {
            out.fixed("<li>").link(&src.url);
            if !src.note.is_empty() {
                out.fixed(": ").text(&src.note);
            }
            out.fixed("</li>\n");
        }
        out.fixed(
            r#"</ul>
"#,
        );
        if !s.unconfirmed.is_empty() {
            out.fixed(
                r#"<div class="unconfirmed"><p>Not confirmed:</p><ul>
"#,
            );
            for u in &s.unconfirmed {
                out.fixed("<li>").text(u).fixed("</li>\n");
            }
            out.fixed(
                r#"</ul></div>
"#,
            );
        }
        out.fixed(
            r#"</section>
"#,
        );
    }
    out.fixed(
        r#"</body>
</html>
"#,
    );
    out.finish()
}
