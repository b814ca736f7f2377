//! `docs/README.md`: the bundle's docs in Markdown, for the admins who deploy it.
//! The text is the one `report.html` holds ([`super::report`]); every value goes through
//! [`Out`]'s escaping.

use super::out::{Cell, Format, Out};
use super::Doc;

/// README.md of a bundle.
pub fn render(doc: &Doc) -> String {
    // Room for the whole file, so it is never copied while it grows (pages the file does
    // not reach are never touched): the fixed text, the tables built earlier, and about
    // 3 KB of routes and sources per setting (the NHS example: 48 KB).
    let tables: usize = doc.settings.iter().map(|s| s.writes_md.0.len()).sum();
    let capacity = 16 * 1024 + doc.changes_md.0.len() + tables + 4 * 1024 * doc.settings.len();
    let mut out = Out::new(Format::Markdown, capacity);
    let b = &doc.bundle;
    out.fixed("# ").text(&b.display_name).fixed("\n\n");
    doc.bundle_line(&mut out);
    out.fixed("\n");
    if let Some(d) = b.description.as_deref().filter(|d| !d.is_empty()) {
        out.fixed("\n").text(d).fixed("\n");
    }
    out.fixed(r#"
This folder holds one registry plan delivered several ways. Use one route per machine (or GPO for domain machines and Intune for cloud-managed ones); they all write the same values. `report.html` holds the same content for a browser.

## Summary of changes

"#);
    if doc.has_baseline {
        out.fixed("| change | key | value | type | data | setting | ")
            .text(doc.baseline_label)
            .fixed(" |\n|---|---|---|---|---|---|---|\n");
    } else {
        out.fixed(
            r#"| change | key | value | type | data | setting |
|---|---|---|---|---|---|
"#,
        );
    }
    out.escaped(&doc.changes_md).fixed("\n");
    out.fixed(
        r#"
## Impact and risk
"#,
    );
    for r in &doc.risks {
        out.fixed("- ").text(r).fixed("\n");
    }
    out.fixed(
        r#"
## How to deploy

"#,
    );
    out.fixed(r#"- **.reg files** ("#);
    if doc.has_machine {
        out.fixed("`machine.reg`");
    }
    if doc.has_machine && doc.has_user {
        out.fixed(", ");
    }
    if doc.has_user {
        out.fixed("`user.reg`");
    }
    out.fixed(r#"): `reg import machine.reg` as an administrator; `reg import user.reg` as each user. A `.reg` imported by SYSTEM writes SYSTEM's own user hive, not the users'.
"#);
    out.fixed(r#"- **Group Policy**: `Import-GPO -BackupId <the folder name under gpo-backup> -Path .\gpo-backup -TargetName <GPO name> -CreateIfNeeded` (always `-BackupId`: every bundle has the same fixed backup time), GPMC's Import Settings, or `LGPO.exe /g .\gpo-backup` for local policy. Not Restore: the backup was not taken from a GPO in your domain. `pol/` holds the Registry.pol files and `lgpo/` their LGPO text. Copy `admx/` into the Central Store (`PolicyDefinitions`) so GPMC can show the settings."#);
    if !doc.vendor_templates.is_empty() {
        out.fixed(
            r#" The Central Store also needs the vendors' own templates (with their ADML files)"#,
        );
        for (i, f) in doc.vendor_templates.iter().enumerate() {
            out.fixed(if i == 0 { ": " } else { ", " }).code(f);
        }
        out.fixed(r#"; the GPO's values for those show in GPMC under the vendor's policies, and `admx/` does not define them again."#);
    }
    out.fixed("\n");
    out.fixed(r#"- **Intune**: import `intune/settings-catalog/*.json` as Settings Catalog policies (`POST /beta/deviceManagement/configurationPolicies`) and `intune/*.json` as custom profiles (`POST /deviceManagement/deviceConfigurations`); each value is in one of them (its route is listed below). Settings with no MDM route (listed below) need `powershell/detect.ps1` and `remediate.ps1` as a Remediation.
- **Scripts**: `powershell/apply.ps1` applies everything (`-WhatIf` to preview); `detect.ps1`/`remediate.ps1` are an Intune Remediations pair; `diagnose.ps1` is the service desk's check of the NHS guide's troubleshooting steps.

## Lists replaced wholesale

"#);
    if doc.replaced_lists.is_empty() {
        out.fixed("None: the bundle adds values and replaces no list.\n");
    } else {
        out.fixed(r#"Each of these list keys is deleted and rewritten with the spec's entries only, by every route (`[-KEY]` in the `.reg` files, `**delvals.` in Registry.pol, a non-additive ADMX list, the scripts). Entries other GPOs, scripts or users put there are lost: check a machine with `policyc check SPEC --against EXPORT` first.

"#);
        for k in &doc.replaced_lists {
            out.fixed("- ").code(k).fixed("\n");
        }
    }
    out.fixed(r#"
## Rollback

- **.reg files**: `reg import undo\machine-undo.reg` as an administrator, `reg import undo\user-undo.reg` as each user. They delete every value the matching `.reg` file writes and every list key it owns.
- **Group Policy**: unlink or delete the GPO. Windows removes the policy values under `Software\Policies`, but not preference values the GPO wrote elsewhere (for example `ZoneMap\Domains`, `Wow6432Node\NHS\SmartcardConnect`, Oberthur's value): they stay ("tattoo"). Run `powershell/remove.ps1` as SYSTEM (or the undo `.reg` files) to remove them.
- **Intune**: unassign the profiles in `intune/`; run `powershell/remove.ps1` as a platform script (SYSTEM) to remove values the profile or the Remediation left behind.
- **Scripts**: `powershell/remove.ps1 -WhatIf` lists what it would delete; then run it as SYSTEM: it removes every value and list key the bundle writes from HKLM, every loaded user hive, every other profile and the Default profile.
"#);
    for k in &doc.rollback_keeps {
        out.fixed(r#"- **Kept**: "#).code(k).fixed(r#" stays after either rollback: a switch other Group Policy objects rely on too (for ListBox_Support_ZoneMapKey, the Site to Zone Assignment List, whose entries are additive across GPOs).
"#);
    }
    out.fixed(r#"
## Test plan

1. On one test machine per build, export the keys the bundle writes and run `policyc check SPEC --against EXPORT`: note every list entry that would be lost.
2. Deploy to a pilot group; on a pilot machine run `powershell/diagnose.ps1` and `policyc verify SPEC --against EXPORT`: no drift, no findings.
3. `chrome://policy` and `edge://policy` show every policy above with source Platform and no error; a browser older than a policy (LoopbackNetworkAllowedForUrls before 146) lists it as unknown, which is expected.
4. Sign in to the NHS applications with a smartcard: no NTLM prompt, no Local Network Access prompt.
5. Check single sign-on to other intranet applications that use integrated Windows authentication.
6. Run the rollback on one pilot machine (`powershell/remove.ps1 -WhatIf`, then for real) and check the values are gone.

## Sign-off

| role | name | decision | signature | date |
|---|---|---|---|---|
| Change owner | | | | |
| Technical reviewer | | | | |
| Information security | | | | |
| Clinical safety officer | | | | |
| Change advisory board | | | | |

## File hashes

sha256 of every bundle file except `docs/` and `manifest.json`:

| file | sha256 |
|---|---|
"#);
    for h in &doc.hashes {
        out.row(&[Cell::Code(&h.path), Cell::Hash(&h.sha256)])
            .fixed("\n");
    }
    out.fixed(
        r#"
## Settings
"#,
    );
    for s in &doc.settings {
        out.fixed("\n### ").text(&s.title).fixed("\n\n");
        s.where_line(&mut out);
        out.fixed(".\n\n");
        out.text(&s.description).fixed("\n\n");
        out.fixed("| key | value | type | data |\n|---|---|---|---|\n")
            .escaped(&s.writes_md)
            .fixed("\n\n");
        out.fixed("| product | vendor setting | .reg | Group Policy | Intune | script |\n|---|---|---|---|---|---|\n");
        for r in &s.routes {
            r.row(&mut out);
            out.fixed("\n");
        }
        out.fixed("\nSources:\n");
        for src in &s.sources {
            out.fixed("- ").link(&src.url);
            if !src.note.is_empty() {
                out.fixed(": ").text(&src.note);
            }
            out.fixed("\n");
        }
        if !s.unconfirmed.is_empty() {
            out.fixed("\nNot confirmed:\n");
            for u in &s.unconfirmed {
                out.fixed("- ").text(u).fixed("\n");
            }
        }
    }
    out.finish()
}
