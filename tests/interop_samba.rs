//! Registry.pol interop: every generated `.pol` (in `pol/` and in the GPO backup) is
//! parsed by Samba's PReg codec (`samba.dcerpc.preg` with `ndr_unpack`, Debian's
//! `python3-samba`), an implementation independent of ours. The script checks the
//! `PReg` signature and version 1 and that `ndr_pack` gives back our bytes exactly
//! (`ndr_unpack` alone is lenient: validators.md section 4), then prints the records,
//! which must equal what the registry plan says, in order. A negative control shows
//! the script rejects a file whose size field is off.
//!
//! Samba's Linux Group Policy client extension for Chromium (`samba.gp.gp_chromium_ext`), run
//! without a domain controller, turns the NHS example's machine Registry.pol into exactly its
//! four Chrome policies (issue 16).
//!
//! Also here: the `.pol` and `.reg` of a spec describe the same operations; the GPO
//! backup's XML is well-formed for `xmllint` and a hostile display name comes back
//! as text; LGPO text lists the same records; output is byte-identical across runs.
//!
//! Needs Debian's `/usr/bin/python3` with `python3-samba` (and `xmllint` from
//! `libxml2-utils` for the XML test). Without them the tests print a loud SKIPPED
//! line and pass, unless `POLICYC_REQUIRE_INTEROP=1` (as in `.ci/run`).

use policyc::plan::{Action, Plan};
use policyc::pol;
use policyc::reg::text::{self, Block};
use policyc::reg::{Hive, RegData};
use serde_json::{json, Value};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

mod common;

const EXAMPLES: [&str; 2] = [
    "examples/nhs-credential-management.yaml",
    "examples/nhs-credential-management-int.yaml",
];

/// Reads every file named on the command line as Registry.pol; prints one JSON
/// array of records per file; exits 1 naming the first check that fails.
const SAMBA_CHECK: &str = r#"
import json, sys
from samba.dcerpc import preg
from samba.ndr import ndr_unpack, ndr_pack
out = {}
for path in sys.argv[1:]:
    raw = open(path, 'rb').read()
    p = ndr_unpack(preg.file, raw)
    if p.header.signature != 'PReg' or p.header.version != 1:
        sys.exit('%s: header %r version %r' % (path, p.header.signature, p.header.version))
    if ndr_pack(p) != raw:
        sys.exit('%s: ndr_pack does not give the same bytes back' % path)
    def data(e):
        d = e.data
        if isinstance(d, (bytes, bytearray)):
            return list(d)
        if isinstance(d, list):
            return [str(x) for x in d]
        return d
    out[path] = [{'key': e.keyname, 'value': e.valuename, 'type': e.type, 'data': data(e)}
                 for e in p.entries]
print(json.dumps(out))
"#;

/// A Python that can import Samba's PReg codec. Debian's module lives in
/// `/usr/bin/python3` only (a pyenv `python3` first on PATH cannot import it).
fn samba_python() -> Option<&'static str> {
    for py in ["/usr/bin/python3", "python3"] {
        let ok = Command::new(py)
            .args(["-c", "import samba.dcerpc.preg, samba.ndr"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(py);
        }
    }
    common::skip(
        "python3 with samba.dcerpc.preg not found; install python3-samba (Debian) for /usr/bin/python3",
    );
    None
}

fn files(plan: &Plan) -> Vec<(String, Vec<u8>)> {
    policyc::bundle_files(plan).expect("emit")
}

fn hive_of_pol(path: &str) -> Hive {
    if path.contains("/Machine/") {
        Hive::Hklm
    } else if path.contains("/User/") {
        Hive::Hkcu
    } else {
        panic!("{path}: not under Machine/ or User/")
    }
}

/// What the plan says a hive's Registry.pol holds, as Samba prints records. Built
/// from the plan directly, not through policyc's PReg code.
fn expected_records(plan: &Plan, hive: Hive) -> Value {
    let recs: Vec<Value> = plan
        .ops
        .iter()
        .filter(|o| o.hive == hive)
        .map(|op| match &op.action {
            Action::ResetKey => {
                json!({"key": op.key, "value": "**delvals.", "type": 1, "data": " "})
            }
            Action::Delete { name } => {
                json!({"key": op.key, "value": format!("**del.{name}"), "type": 1, "data": " "})
            }
            Action::Set { name, data } => {
                let (ty, d) = match data {
                    RegData::Sz(s) => (1, json!(s)),
                    RegData::ExpandSz(s) => (2, json!(s)),
                    RegData::Binary(b) => (3, json!(b)),
                    RegData::Dword(n) => (4, json!(n)),
                    RegData::MultiSz(v) => (7, json!(v)),
                    RegData::Qword(n) => (11, json!(n)),
                    RegData::Raw { .. } => panic!("a plan holds no raw data: {data:?}"),
                };
                json!({"key": op.key, "value": name, "type": ty, "data": d})
            }
        })
        .collect();
    Value::Array(recs)
}

fn run_samba(py: &str, paths: &[&Path]) -> Result<Value, String> {
    run_samba_script(py, SAMBA_CHECK, paths)
}

fn run_samba_script(py: &str, script: &str, paths: &[&Path]) -> Result<Value, String> {
    let out = Command::new(py)
        .arg("-c")
        .arg(script)
        .args(paths)
        .output()
        .expect("run python");
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(serde_json::from_slice(&out.stdout).expect("samba check prints JSON"))
}

#[test]
fn samba_parses_every_pol_and_records_equal_the_plan() {
    let Some(py) = samba_python() else { return };
    for example in EXAMPLES {
        let plan = common::plan_of(example);
        let dir = tempfile::tempdir().unwrap();
        let mut pols = Vec::new();
        for (rel, bytes) in files(&plan) {
            if rel.to_ascii_lowercase().ends_with("registry.pol") {
                let p = dir.path().join(rel.replace(['{', '}'], ""));
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(&p, &bytes).unwrap();
                pols.push((rel, p));
            }
        }
        // pol/Machine, pol/User and the same two in the GPO backup.
        assert_eq!(pols.len(), 2 * plan.hives().len(), "{example}: {pols:?}");
        let paths: Vec<&Path> = pols.iter().map(|(_, p)| p.as_path()).collect();
        let parsed = run_samba(py, &paths).unwrap_or_else(|e| panic!("{example}: {e}"));
        for (rel, p) in &pols {
            let got = &parsed[p.to_str().unwrap()];
            let want = expected_records(&plan, hive_of_pol(rel));
            assert!(
                want.as_array().is_some_and(|a| !a.is_empty()),
                "{example} {rel}: the plan has nothing for this hive"
            );
            assert_eq!(
                got, &want,
                "{example} {rel}: Samba's records differ from the plan"
            );
        }
    }
}

#[test]
fn samba_check_rejects_a_wrong_size_field() {
    let Some(py) = samba_python() else { return };
    let plan = common::plan_of(EXAMPLES[0]);
    let good = pol::write(&[pol::Entry::set(
        &plan.ops[0].key,
        "1",
        &RegData::Sz("https://[*.]nhs.net".into()),
    )])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ok_path = dir.path().join("good.pol");
    fs::write(&ok_path, &good).unwrap();
    run_samba(py, &[&ok_path]).expect("the well-formed control file passes");
    // The size field sits before `;` data `]`: data is 20 UTF-16 units = 40 bytes.
    let mut bad = good.clone();
    let size_at = good.len() - 2 - 40 - 2 - 4;
    assert_eq!(bad[size_at], 40, "size field located");
    bad[size_at] = 42;
    let bad_path = dir.path().join("bad.pol");
    fs::write(&bad_path, &bad).unwrap();
    assert!(
        run_samba(py, &[&bad_path]).is_err(),
        "a wrong size field must fail the check"
    );
}

/// One registry operation, as both formats can say it.
#[derive(Debug, PartialEq, Eq)]
enum RegOp {
    Reset(Hive, String),
    Set(Hive, String, String, RegData),
}

#[test]
fn pol_and_reg_describe_the_same_operations() {
    for example in EXAMPLES {
        let plan = common::plan_of(example);
        let bundle = files(&plan);
        for hive in plan.hives() {
            let (reg_name, pol_name) = match hive {
                Hive::Hklm => ("machine.reg", "pol/Machine/Registry.pol"),
                Hive::Hkcu => ("user.reg", "pol/User/Registry.pol"),
            };
            let get = |n: &str| &bundle.iter().find(|(p, _)| p == n).unwrap().1;
            let reg = text::read(&text::decode(get(reg_name)).unwrap()).unwrap();
            let prefix = format!("{}\\", hive.long_name());
            let mut from_reg = Vec::new();
            for block in reg.blocks {
                match block {
                    Block::DeleteKey(p) => from_reg.push(RegOp::Reset(
                        hive,
                        p.strip_prefix(&prefix).unwrap().to_string(),
                    )),
                    Block::Key { path, values, .. } => {
                        let key = path.strip_prefix(&prefix).unwrap().to_string();
                        for v in values {
                            from_reg.push(RegOp::Set(
                                hive,
                                key.clone(),
                                v.name.expect("named value"),
                                v.data.expect("a set, not a delete"),
                            ));
                        }
                    }
                }
            }
            let from_pol: Vec<RegOp> = pol::read(get(pol_name))
                .unwrap()
                .into_iter()
                .map(|e| {
                    if e.value == pol::DELVALS {
                        RegOp::Reset(hive, e.key)
                    } else {
                        let data = e.reg_data().expect("typed data");
                        RegOp::Set(hive, e.key, e.value, data)
                    }
                })
                .collect();
            assert!(!from_pol.is_empty());
            assert_eq!(from_pol, from_reg, "{example} {hive}");
            // `[-KEY]` also deletes subkeys, `**delvals.` only values: equal only
            // while nothing is written below a reset key. Check that it holds.
            for op in &from_pol {
                if let RegOp::Reset(_, k) = op {
                    let below = format!("{}\\", k.to_lowercase());
                    assert!(
                        !from_pol.iter().any(|o| matches!(o, RegOp::Set(_, key, ..)
                            if key.to_lowercase().starts_with(&below))),
                        "{example}: a value is written below the reset key {k}"
                    );
                }
            }
        }
    }
}

/// The LGPO text, read with policyc's LGPO reader (`policyc::lgpo`, the one the property
/// tests use), lists exactly the .pol records, in order. Not an independent consumer:
/// LGPO.exe runs on Windows only.
#[test]
fn lgpo_text_lists_the_pol_records() {
    for example in EXAMPLES {
        let plan = common::plan_of(example);
        let bundle = files(&plan);
        for hive in plan.hives() {
            let get = |n: &str| &bundle.iter().find(|(p, _)| p == n).unwrap().1;
            let pol_name = format!(
                "pol/{}/Registry.pol",
                if hive == Hive::Hklm {
                    "Machine"
                } else {
                    "User"
                }
            );
            let bytes = get(policyc::lgpo::emit::file_name(hive));
            assert_eq!(&bytes[..2], [0xFF, 0xFE], "UTF-16LE BOM");
            let text = policyc::lgpo::decode(bytes).unwrap();
            assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
            let records = policyc::lgpo::read(&text).unwrap();
            assert!(records.iter().all(|r| r.hive == hive));
            let from_lgpo: Vec<pol::Entry> = records.iter().map(|r| r.to_entry()).collect();
            assert_eq!(from_lgpo, pol::read(get(&pol_name)).unwrap(), "{example}");
        }
    }
}

const HOSTILE: &str = r#"policyc: 1
bundle:
  name: hostile-name
  display_name: "A & B <x> \"q\" ]]> </DisplayName><Injected/>"
  version: 2.0.1
  publisher: "P <&>"
products: [chrome]
settings:
  - id: cookies-allowed-for-urls
    value: [http://localhost]
"#;

fn xmllint(args: &[&str]) -> std::process::Output {
    Command::new("xmllint")
        .args(args)
        .output()
        .expect("xmllint")
}

#[test]
fn gpo_backup_xml_is_well_formed_and_escapes_spec_strings() {
    if !common::on_path("xmllint") {
        common::skip("xmllint not found; install libxml2-utils");
        return;
    }
    let plan = common::plan_from("hostile.yaml", HOSTILE.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let mut xmls = Vec::new();
    for (rel, bytes) in files(&plan) {
        if rel.starts_with("gpo-backup/") && rel.ends_with(".xml") {
            let p = dir.path().join(rel.replace(['{', '}'], ""));
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, &bytes).unwrap();
            xmls.push(p);
        }
    }
    assert_eq!(xmls.len(), 3, "manifest.xml, Backup.xml, bkupInfo.xml");
    for p in &xmls {
        let out = xmllint(&["--noout", p.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}: {}",
            p.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let name_el = if p.ends_with("Backup.xml") {
            "DisplayName"
        } else {
            "GPODisplayName"
        };
        let xpath = format!("string(//*[local-name()='{name_el}'])");
        let out = xmllint(&["--xpath", &xpath, p.to_str().unwrap()]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim_end(),
            "A & B <x> \"q\" ]]> </DisplayName><Injected/>",
            "{}",
            p.display()
        );
        let out = xmllint(&[
            "--xpath",
            "count(//*[local-name()='Injected'])",
            p.to_str().unwrap(),
        ]);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    }
    // The backup folder is named after the id bkupInfo.xml records.
    let backup = files(&plan)
        .into_iter()
        .find(|(p, _)| p.ends_with("/bkupInfo.xml"))
        .unwrap();
    let id = policyc::emit::gpo::backup_id(&plan);
    assert_eq!(backup.0, format!("gpo-backup/{id}/bkupInfo.xml"));
    assert!(String::from_utf8(backup.1)
        .unwrap()
        .contains(&format!("<ID>{id}</ID>")));
}

#[test]
fn extension_names_follow_the_plan() {
    let live = common::plan_of(EXAMPLES[0]);
    let xml = policyc::emit::gpo::backup_xml(&live).unwrap();
    // Site to Zone Assignment List is in the live example: the zonemapping CSE joins.
    assert!(xml.contains(
        "<MachineExtensionGuids>[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}][{4CFB60C1-FAA6-47F1-89AA-0B18730C9FD3}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]</MachineExtensionGuids>"
    ), "{xml}");
    assert!(xml.contains(
        "<UserExtensionGuids>[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F73-3407-48AE-BA88-E8213C6761F1}]</UserExtensionGuids>"
    ), "{xml}");
    assert!(xml.contains("<UserVersionNumber>65537</UserVersionNumber>"));
    // Without zone sites and without user settings: registry CSE only, user version 0.
    let plain = common::plan_from("hostile.yaml", HOSTILE.as_bytes());
    let xml = policyc::emit::gpo::backup_xml(&plain).unwrap();
    assert!(xml.contains(
        "<MachineExtensionGuids>[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]</MachineExtensionGuids>"
    ), "{xml}");
    assert!(xml.contains("<UserExtensionGuids/>"), "{xml}");
    assert!(
        xml.contains("<UserVersionNumber>0</UserVersionNumber>"),
        "{xml}"
    );
}

/// The backup has GPMC's shape where real backups agree: `<SecurityDescriptor/>` right
/// after `<Domain>` in `GroupPolicyCoreSettings` (every one of 50 GPMC backups compared has
/// it there), and `DomainSysvol` holds exactly the files Backup.xml lists as
/// `bkp:Location`, with no gpt.ini (none of them has one). Read with xmllint.
#[test]
fn gpo_backup_is_shaped_as_gpmc_writes_it() {
    if !common::on_path("xmllint") {
        common::skip("xmllint not found; install libxml2-utils");
        return;
    }
    for example in EXAMPLES {
        let plan = common::plan_of(example);
        let all = files(&plan);
        let id = policyc::emit::gpo::backup_id(&plan);
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("Backup.xml");
        let xml = &all
            .iter()
            .find(|(p, _)| *p == format!("gpo-backup/{id}/Backup.xml"))
            .unwrap()
            .1;
        fs::write(&backup, xml).unwrap();
        let q = |xpath: &str| {
            let out = xmllint(&["--xpath", xpath, backup.to_str().unwrap()]);
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let core = "//*[local-name()='GroupPolicyCoreSettings']";
        assert_eq!(
            q(&format!(
                "count({core}/*[local-name()='SecurityDescriptor'])"
            )),
            "1"
        );
        assert_eq!(
            q(&format!(
                "local-name({core}/*[local-name()='Domain']/following-sibling::*[1])"
            )),
            "SecurityDescriptor"
        );
        assert_eq!(
            q(&format!(
                "local-name({core}/*[local-name()='SecurityDescriptor']/following-sibling::*[1])"
            )),
            "DisplayName"
        );
        // Control: the same query on the XML without the element finds none.
        let stripped = String::from_utf8(xml.clone())
            .unwrap()
            .replace("<SecurityDescriptor/>", "");
        fs::write(dir.path().join("stripped.xml"), stripped).unwrap();
        let out = xmllint(&[
            "--xpath",
            &format!("count({core}/*[local-name()='SecurityDescriptor'])"),
            dir.path().join("stripped.xml").to_str().unwrap(),
        ]);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
        // Files under DomainSysvol = the Locations Backup.xml lists.
        let prefix = format!("gpo-backup/{id}/");
        let mut on_disk: Vec<String> = all
            .iter()
            .filter_map(|(p, _)| p.strip_prefix(&prefix))
            .filter(|p| p.starts_with("DomainSysvol/"))
            .map(|p| p.replace('/', "\\"))
            .collect();
        on_disk.sort();
        let out = xmllint(&[
            "--xpath",
            "//*[local-name()='FSObjectFile']/@*[local-name()='Location']",
            backup.to_str().unwrap(),
        ]);
        let mut listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(|a| {
                a.trim_start_matches("bkp:Location=\"")
                    .trim_end_matches('"')
                    .to_string()
            })
            .collect();
        listed.sort();
        assert_eq!(on_disk, listed, "{example}");
        assert!(
            !all.iter()
                .any(|(p, _)| p.to_ascii_lowercase().ends_with("gpt.ini")),
            "{example}: a gpt.ini in the backup"
        );
    }
}

#[test]
fn output_is_byte_identical_across_builds_and_ids_come_from_the_spec() {
    let ours =
        |p: &str| p.starts_with("pol/") || p.starts_with("gpo-backup/") || p.starts_with("lgpo/");
    let exe = env!("CARGO_BIN_EXE_policyc");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLES[0]);
    let root = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for i in 0..2 {
        let out = root.path().join(format!("b{i}"));
        let st = Command::new(exe)
            .arg("build")
            .arg(&example)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let mut got = Vec::new();
        for (rel, _) in files(&common::plan_of(EXAMPLES[0])) {
            if ours(&rel) {
                got.push((rel.clone(), fs::read(out.join(&rel)).unwrap()));
            }
        }
        runs.push(got);
    }
    assert!(
        runs[0].len() >= 8,
        "{:?}",
        runs[0].iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(runs[0], runs[1]);
    // Ids are uuid v5 of the spec: a new version is a new backup of the same GPO.
    let a = common::plan_of(EXAMPLES[0]);
    let mut b = a.clone();
    b.bundle.version = "1.0.1".into();
    assert_eq!(
        policyc::emit::gpo::gpo_id(&a),
        policyc::emit::gpo::gpo_id(&b)
    );
    assert_ne!(
        policyc::emit::gpo::backup_id(&a),
        policyc::emit::gpo::backup_id(&b)
    );
    let mut c = a.clone();
    c.bundle.name = "other".into();
    assert_ne!(
        policyc::emit::gpo::gpo_id(&a),
        policyc::emit::gpo::gpo_id(&c)
    );
}

/// Runs Samba's Linux Group Policy client extension for Chromium
/// (`samba.gp.gp_chromium_ext.gp_chromium_ext`, python3-samba) on one machine Registry.pol,
/// without a domain controller: the file is put where the client's GPO cache keeps it, the
/// extension's log database is a no-op, and its output goes to a private policy folder. Prints
/// `{"managed": {...} | null, "recommended": {...} | null}`: the Chromium policy JSON Samba
/// would install in /etc/chromium/policies.
const SAMBA_CHROMIUM: &str = r#"
import json, os, shutil, sys, tempfile
from samba.gp.gp_chromium_ext import gp_chromium_ext
pol = sys.argv[1]
work = tempfile.mkdtemp(prefix='policyc-gpchromium-')
try:
    guid = '{6AC1786C-016F-11D2-945F-00C04FB984F9}'
    cache = os.path.join(work, 'cache')
    # gp_pol_ext.parse reads <cache>/gpo_cache/<sysvol path after "sysvol", upper-cased>.
    gpo_dir = os.path.join(cache, 'gpo_cache', 'EXAMPLE.TEST', 'POLICIES', guid.upper(), 'MACHINE')
    os.makedirs(gpo_dir)
    shutil.copyfile(pol, os.path.join(gpo_dir, 'REGISTRY.POL'))
    class Lp:
        def cache_path(self, name):
            return os.path.join(cache, name)
    class Log:
        def set_guid(self, guid): pass
        def store(self, ext, attribute, value): pass
        def delete(self, ext, attribute): pass
        def commit(self): pass
    class Store:
        def get_gplog(self, user):
            return Log()
    class Gpo:
        name = guid
        file_sys_path = '\\\\example.test\\sysvol\\example.test\\Policies\\' + guid
    out = os.path.join(work, 'out')
    gp_chromium_ext(Lp(), None, 'root', Store()).process_group_policy([], [Gpo()], policy_dir=out)
    result = {}
    for level in ('managed', 'recommended'):
        path = os.path.join(out, level, 'policies.json')
        result[level] = json.load(open(path)) if os.path.exists(path) else None
    print(json.dumps(result))
finally:
    shutil.rmtree(work, ignore_errors=True)
"#;

fn samba_chromium_python() -> Option<&'static str> {
    let py = samba_python()?;
    let ok = Command::new(py)
        .args(["-c", "import samba.gp.gp_chromium_ext"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(py)
    } else {
        common::skip("samba.gp.gp_chromium_ext not importable; install python3-samba (Debian)");
        None
    }
}

fn samba_chromium(py: &str, pol: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Registry.pol");
    fs::write(&path, pol).unwrap();
    let out = Command::new(py)
        .arg("-c")
        .arg(SAMBA_CHROMIUM)
        .arg(&path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "gp_chromium_ext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("gp_chromium_ext output is JSON")
}

fn machine_pol(example: &str) -> Vec<u8> {
    let plan = common::plan_of(example);
    files(&plan)
        .into_iter()
        .find(|(p, _)| p == "pol/Machine/Registry.pol")
        .expect("a machine Registry.pol")
        .1
}

/// Issue 16: Samba's Chromium client turns the NHS example's machine Registry.pol into exactly
/// the four Chrome policies the spec means, with their values. Samba matches the key
/// `Software\Policies\Google\Chrome` case-sensitively, as Chrome's own ADMX spells it.
#[test]
fn samba_chromium_extension_yields_the_nhs_chrome_policies() {
    let Some(py) = samba_chromium_python() else {
        return;
    };
    let got = samba_chromium(py, &machine_pol(EXAMPLES[0]));
    let origins = json!([
        "https://manage-care-identities.care-identity-service2.nhs.uk",
        "https://api.service.nhs.uk"
    ]);
    let want = json!({
        "AuthServerAllowlist": "http://localhost",
        "CookiesAllowedForUrls": ["http://localhost"],
        "LocalNetworkAccessAllowedForUrls": origins,
        "LoopbackNetworkAllowedForUrls": origins,
    });
    assert_eq!(got["managed"], want, "Samba's managed Chromium policies");
    assert_eq!(got["recommended"], json!({}), "no recommended policies");
}

/// Controls for the harness: a hand-written Registry.pol under the key as Chrome's ADMX spells
/// it gives the policies (so the harness can pass), one without the Chrome key gives Samba
/// nothing to install (so the test above cannot pass on an unrelated file).
#[test]
fn samba_chromium_extension_controls() {
    let Some(py) = samba_chromium_python() else {
        return;
    };
    let chrome = r"Software\Policies\Google\Chrome";
    let entries = [
        pol::Entry::set(
            chrome,
            "AuthServerAllowlist",
            &RegData::Sz("http://localhost".into()),
        ),
        pol::Entry::set(
            &format!(r"{chrome}\CookiesAllowedForUrls"),
            "1",
            &RegData::Sz("http://localhost".into()),
        ),
    ];
    let got = samba_chromium(py, &pol::write(&entries).expect("encode"));
    assert_eq!(
        got["managed"],
        json!({"AuthServerAllowlist": "http://localhost", "CookiesAllowedForUrls": ["http://localhost"]}),
        "{got}"
    );
    let entries = [pol::Entry::set(
        r"Software\Policies\Microsoft\Edge",
        "AuthServerAllowlist",
        &RegData::Sz("http://localhost".into()),
    )];
    let bytes = pol::write(&entries).expect("encode");
    let got = samba_chromium(py, &bytes);
    assert_eq!(got["managed"], json!({}), "{got}");
}

/// Samba's codec reads every Registry.pol `policyc convert` writes: from each `.reg`
/// import case (`tests/common/reg_cases.rs`) and from both examples' `.reg` files; its
/// records are the ones policyc wrote, in order (key, value name, type).
#[test]
fn samba_reads_every_pol_convert_writes() {
    let Some(py) = samba_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut inputs: Vec<(String, Vec<u8>)> = common::reg_cases::CASES
        .iter()
        .map(|c| (c.source.to_string(), c.file()))
        .collect();
    for example in EXAMPLES {
        let plan = common::plan_of(example);
        for (rel, bytes) in files(&plan) {
            if rel.ends_with(".reg") {
                inputs.push((format!("{example}: {rel}"), bytes));
            }
        }
    }
    let mut written = Vec::new();
    for (i, (what, bytes)) in inputs.iter().enumerate() {
        let (ops, _) = policyc::convert::from_reg(what, bytes).unwrap();
        let (pols, _) = policyc::convert::to_pol(what, &ops).unwrap();
        for (hive, pol) in pols {
            let p = dir.path().join(format!("{i}.{}.pol", hive.short_name()));
            fs::write(&p, &pol).unwrap();
            written.push((what.clone(), p, pol));
        }
    }
    assert!(
        written.len() > common::reg_cases::CASES.len(),
        "{}",
        written.len()
    );
    let paths: Vec<&Path> = written.iter().map(|(_, p, _)| p.as_path()).collect();
    // Samba's `winreg_Data` union keeps no data for REG_NONE (type 0), so re-packing a
    // file with a REG_NONE record cannot give its bytes back; for those files the check
    // is that every record parses (compared below), not the re-pack.
    let script = SAMBA_CHECK.replace(
        "    if ndr_pack(p) != raw:",
        "    if ndr_pack(p) != raw and all(e.type != 0 for e in p.entries):",
    );
    assert_ne!(script, SAMBA_CHECK);
    let parsed = run_samba_script(py, &script, &paths).unwrap_or_else(|e| panic!("{e}"));
    for (what, p, pol) in &written {
        let ours: Vec<Value> = policyc::pol::read(pol)
            .unwrap()
            .into_iter()
            .map(|e| json!([e.key, e.value, e.reg_type]))
            .collect();
        let samba: Vec<Value> = parsed[p.to_str().unwrap()]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| json!([e["key"], e["value"], e["type"]]))
            .collect();
        assert_eq!(samba, ours, "{what}");
    }
}
