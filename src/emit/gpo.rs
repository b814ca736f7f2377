//! GPO backup emitter: a folder in the shape the Group Policy Management Console
//! writes with "Back Up" (and `Backup-GPO`), so `Import-GPO -BackupId ... -Path
//! <bundle>/gpo-backup -TargetName ... -CreateIfNeeded` or `LGPO.exe /g` can read it.
//!
//! ```text
//! gpo-backup/manifest.xml                               <Backups> listing the backup
//! gpo-backup/{BACKUP-ID}/Backup.xml                     GroupPolicyBackupScheme
//! gpo-backup/{BACKUP-ID}/bkupInfo.xml                   BackupInst
//! gpo-backup/{BACKUP-ID}/DomainSysvol/GPO/Machine/registry.pol
//! gpo-backup/{BACKUP-ID}/DomainSysvol/GPO/User/registry.pol
//! ```
//!
//! Shapes follow real GPMC backups: `Aabayoumy/BGInfo-GPO` (`manifest.xml`,
//! `{8402A0FB-...}/Backup.xml`, `bkupInfo.xml`) and a Windows LAPS backup whose
//! Registry extension lists `%GPO_MACH_FSPATH%\registry.pol` at
//! `DomainSysvol\GPO\Machine\registry.pol` (domain-facts.md 8.2). GPMC names the
//! folder after the backup id with braces. Every GPMC backup compared (50, from 7 public
//! repositories) has a `<SecurityDescriptor>` between `<Domain>` and `<DisplayName>` in
//! `GroupPolicyCoreSettings`, and none has a `gpt.ini` in `DomainSysvol/GPO` (GPMC keeps
//! the version and extension names in Backup.xml; the files under `DomainSysvol` are the
//! ones Backup.xml lists as `bkp:Location`). So the backup carries `<SecurityDescriptor/>`
//! there, empty, as the hand-built backups reported to import with `Import-GPO` do, and no
//! gpt.ini.
//!
//! Deliberate differences from a GPMC backup, because policyc has no domain:
//! an empty `SecurityDescriptor` and no `SecurityGroups` entries (Import-GPO imports
//! settings, not security), `policyc.invalid` (RFC 2606) as domain and domain controller,
//! the nil GUID as domain GUID, a fixed `BackupTime` (no timestamps: output is
//! byte-identical, so `Import-GPO` must be given `-BackupId`, not `-BackupGpoName`, which
//! picks the newest backup by time), and no `gpreport.xml`. The backup serves
//! `Import-GPO -BackupId`, GPMC's Import Settings and `LGPO.exe /g`; not Restore, which
//! needs the original domain and GPO. README "Limitations" lists these.
//!
//! All XML goes through quick-xml's writer, which escapes every text node and
//! attribute, so a spec string (the display name) cannot inject markup.

use super::{encoding, Artifact, EmitError, Emitter, FileKind};
use crate::plan::Plan;
use crate::pol::emit as pol_emit;
use crate::reg::Hive;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::Writer;
use uuid::Uuid;

pub struct GpoEmitter;

const EMITTER: &str = "gpo-backup";

/// The bundle folder that is `Import-GPO -Path`.
pub const ROOT: &str = "gpo-backup";

/// Registry client-side extension, MS-GPREG 1.9
/// (<https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-gpreg/f0dba6b8-704f-45d5-999f-1a0a694a6df9>).
pub const REGISTRY_CSE: &str = "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}";
/// The Administrative Templates tool extensions paired with it (MS-GPREG 1.9 lists
/// them as one of two implementation-dependent choices; real GPMC backups use these).
pub const REGISTRY_TOOL_MACHINE: &str = "{D02B1F72-3407-48AE-BA88-E8213C6761F1}";
pub const REGISTRY_TOOL_USER: &str = "{D02B1F73-3407-48AE-BA88-E8213C6761F1}";

/// Where the backup puts GPMC's placeholders for values a backup of a real domain
/// GPO would hold. `.invalid` is reserved by RFC 2606 and never resolves.
const PLACEHOLDER_DOMAIN: &str = "policyc.invalid";
/// Not a real time: policyc output carries no timestamps (byte-identical builds).
const FIXED_BACKUP_TIME: &str = "2000-01-01T00:00:00";

/// The namespace every policyc GPO id is derived in (uuid v5 of a fixed URL).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:policyc:gpo-backup")
}

fn braced(u: Uuid) -> String {
    format!("{{{}}}", u.hyphenated().to_string().to_uppercase())
}

/// The GPO's id: from the bundle name only, so every version of a bundle is the
/// same GPO.
pub fn gpo_id(plan: &Plan) -> String {
    braced(Uuid::new_v5(
        &namespace(),
        format!("gpo\0{}", plan.bundle.name).as_bytes(),
    ))
}

/// The backup's id (its folder name): from the bundle name and version, as each
/// GPMC backup of a changed GPO gets a new id.
pub fn backup_id(plan: &Plan) -> String {
    braced(Uuid::new_v5(
        &namespace(),
        format!("backup\0{}\0{}", plan.bundle.name, plan.bundle.version).as_bytes(),
    ))
}

/// The `[{CSE}{tool}]...` list for one hive: the registry pair when the hive has
/// values, plus any extra client-side extension a plan op names (the IE
/// Zonemapping CSE for the Site to Zone Assignment List: LGPO.pdf says `/e zone` is
/// "needed for Site-To-Zone Assignment List policy"). Groups are sorted by CSE GUID,
/// as in every GPMC backup seen; whether Windows requires the order is unconfirmed.
pub fn extension_names(plan: &Plan, hive: Hive) -> Result<String, EmitError> {
    let ops: Vec<_> = plan.ops.iter().filter(|o| o.hive == hive).collect();
    if ops.is_empty() {
        return Ok(String::new());
    }
    let tool = match hive {
        Hive::Hklm => REGISTRY_TOOL_MACHINE,
        Hive::Hkcu => REGISTRY_TOOL_USER,
    };
    let mut cses = vec![REGISTRY_CSE.to_string()];
    for op in ops {
        if let Some(ext) = &op.provenance.client_extension {
            let u = Uuid::parse_str(ext).map_err(|e| EmitError {
                emitter: EMITTER,
                message: format!(
                    "client extension `{ext}` of {} is not a GUID: {e}",
                    op.provenance.setting
                ),
            })?;
            cses.push(braced(u));
        }
    }
    cses.sort();
    cses.dedup();
    // The zonemapping CSE has no tool extension of its own in the ADMX; it is paired
    // with the same Administrative Templates tool extension (unconfirmed).
    Ok(cses.iter().map(|c| format!("[{c}{tool}]")).collect())
}

/// Version per side: 1 when the side has settings, else 0 (a new GPO at its first
/// edit). Import-GPO gives the imported GPO versions of its own; these are what a backup
/// of a new GPO records.
fn side_version(plan: &Plan, hive: Hive) -> u32 {
    u32::from(plan.ops.iter().any(|o| o.hive == hive))
}

struct Xml {
    w: Writer<Vec<u8>>,
}

fn xml_err(e: impl std::fmt::Display) -> EmitError {
    EmitError {
        emitter: EMITTER,
        message: format!("XML: {e}"),
    }
}

impl Xml {
    fn new() -> Result<Xml, EmitError> {
        Ok(Xml {
            w: super::xml_writer().map_err(xml_err)?,
        })
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), EmitError> {
        let start = BytesStart::new(name).with_attributes(attrs.iter().copied());
        self.w.write_event(Event::Start(start)).map_err(xml_err)
    }

    fn close(&mut self, name: &str) -> Result<(), EmitError> {
        self.w
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(xml_err)
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), EmitError> {
        let start = BytesStart::new(name).with_attributes(attrs.iter().copied());
        self.w.write_event(Event::Empty(start)).map_err(xml_err)
    }

    /// `<name>text</name>`, escaped; empty text gives `<name/>` as GPMC writes.
    fn leaf(&mut self, name: &str, text: &str) -> Result<(), EmitError> {
        // XML 1.0 cannot carry most control characters even as references.
        if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            return Err(EmitError {
                emitter: EMITTER,
                message: format!("<{name}> text holds the control character {c:?}"),
            });
        }
        if text.is_empty() {
            return self.empty(name, &[]);
        }
        self.open(name, &[])?;
        self.w
            .write_event(Event::Text(crate::emit::xml_content(text)))
            .map_err(xml_err)?;
        self.close(name)
    }

    fn finish(self) -> String {
        super::xml_text(self.w)
    }
}

const BKP_NS: &str = "http://www.microsoft.com/GroupPolicy/GPOOperations";
const MANIFEST_NS: &str = "http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest";

/// `BackupInst` children, shared by bkupInfo.xml and manifest.xml.
fn backup_inst(x: &mut Xml, plan: &Plan, xmlns: Option<&str>) -> Result<(), EmitError> {
    match xmlns {
        Some(ns) => x.open("BackupInst", &[("xmlns", ns)])?,
        None => x.open("BackupInst", &[])?,
    }
    x.leaf("GPOGuid", &gpo_id(plan))?;
    x.leaf("GPODomain", PLACEHOLDER_DOMAIN)?;
    x.leaf("GPODomainGuid", &braced(Uuid::nil()))?;
    x.leaf("GPODomainController", PLACEHOLDER_DOMAIN)?;
    x.leaf("BackupTime", FIXED_BACKUP_TIME)?;
    x.leaf("ID", &backup_id(plan))?;
    x.leaf("Comment", &comment(plan))?;
    x.leaf("GPODisplayName", &plan.bundle.display_name)?;
    x.close("BackupInst")
}

fn comment(plan: &Plan) -> String {
    let b = &plan.bundle;
    format!(
        "{} {} from {}, generated by policyc {}",
        b.name,
        b.version,
        b.publisher,
        env!("CARGO_PKG_VERSION")
    )
}

pub fn bkup_info_xml(plan: &Plan) -> Result<String, EmitError> {
    let mut x = Xml::new()?;
    backup_inst(&mut x, plan, Some(MANIFEST_NS))?;
    Ok(x.finish())
}

pub fn manifest_xml(plan: &Plan) -> Result<String, EmitError> {
    let mut x = Xml::new()?;
    x.open(
        "Backups",
        &[
            ("xmlns", MANIFEST_NS),
            ("xmlns:mfst", MANIFEST_NS),
            ("mfst:version", "1.0"),
        ],
    )?;
    backup_inst(&mut x, plan, None)?;
    x.close("Backups")?;
    Ok(x.finish())
}

pub fn backup_xml(plan: &Plan) -> Result<String, EmitError> {
    let machine = extension_names(plan, Hive::Hklm)?;
    let user = extension_names(plan, Hive::Hkcu)?;
    // GPMC writes (sysvol version << 16 | directory version), equal halves
    // (e.g. 393222 = 6|6 in the LAPS backup, 1310740 = 20|20 in BGInfo-GPO).
    let number = |hive| (side_version(plan, hive) * 0x1_0001).to_string();
    let gpo = gpo_id(plan);
    let mut x = Xml::new()?;
    x.open(
        "GroupPolicyBackupScheme",
        &[
            ("bkp:version", "2.0"),
            ("bkp:type", "GroupPolicyBackupTemplate"),
            ("xmlns:bkp", BKP_NS),
            ("xmlns", BKP_NS),
        ],
    )?;
    x.open("GroupPolicyObject", &[])?;
    x.empty("SecurityGroups", &[])?;
    x.empty("FilePaths", &[])?;
    x.open("GroupPolicyCoreSettings", &[])?;
    x.leaf("ID", &gpo)?;
    x.leaf("Domain", PLACEHOLDER_DOMAIN)?;
    // Where every GPMC backup has it; empty, since the backup carries no security.
    x.empty("SecurityDescriptor", &[])?;
    x.leaf("DisplayName", &plan.bundle.display_name)?;
    x.leaf("Options", "0")?;
    x.leaf("UserVersionNumber", &number(Hive::Hkcu))?;
    x.leaf("MachineVersionNumber", &number(Hive::Hklm))?;
    x.leaf("MachineExtensionGuids", &machine)?;
    x.leaf("UserExtensionGuids", &user)?;
    x.empty("WMIFilter", &[])?;
    x.close("GroupPolicyCoreSettings")?;
    x.open(
        "GroupPolicyExtension",
        &[("bkp:ID", REGISTRY_CSE), ("bkp:DescName", "Registry")],
    )?;
    for hive in plan.hives() {
        let (var, folder) = match hive {
            Hive::Hklm => ("%GPO_MACH_FSPATH%", "Machine"),
            Hive::Hkcu => ("%GPO_USER_FSPATH%", "User"),
        };
        let source = format!(
            "\\\\{PLACEHOLDER_DOMAIN}\\sysvol\\{PLACEHOLDER_DOMAIN}\\Policies\\{gpo}\\{folder}\\registry.pol"
        );
        x.empty(
            "FSObjectFile",
            &[
                ("bkp:Path", &format!("{var}\\registry.pol")),
                ("bkp:SourceExpandedPath", &source),
                (
                    "bkp:Location",
                    &format!("DomainSysvol\\GPO\\{folder}\\registry.pol"),
                ),
            ],
        )?;
    }
    x.empty("FSObjectFile", &[("bkp:Path", "%GPO_FSPATH%\\Adm\\*.*")])?;
    x.close("GroupPolicyExtension")?;
    x.close("GroupPolicyObject")?;
    x.close("GroupPolicyBackupScheme")?;
    Ok(x.finish())
}

impl Emitter for GpoEmitter {
    fn name(&self) -> &'static str {
        EMITTER
    }

    fn emit(&self, plan: &super::Input) -> Result<Vec<Artifact>, EmitError> {
        let dir = format!("{ROOT}/{}", backup_id(plan));
        let enc = encoding::for_kind(FileKind::GpoBackup);
        let text = |path: String, body: String| Artifact {
            path,
            kind: FileKind::GpoBackup,
            bytes: encoding::encode(&body, enc),
        };
        let mut out = vec![
            text(format!("{ROOT}/manifest.xml"), manifest_xml(plan)?),
            text(format!("{dir}/Backup.xml"), backup_xml(plan)?),
            text(format!("{dir}/bkupInfo.xml"), bkup_info_xml(plan)?),
        ];
        for hive in plan.hives() {
            // Binary PReg, the same bytes as pol/<scope>/Registry.pol.
            out.push(Artifact {
                path: format!(
                    "{dir}/DomainSysvol/GPO/{}/registry.pol",
                    pol_emit::scope_folder(hive)
                ),
                kind: FileKind::GpoBackup,
                bytes: pol_emit::file_bytes(plan, hive, EMITTER)?,
            });
        }
        Ok(out)
    }
}
