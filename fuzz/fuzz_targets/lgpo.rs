//! The LGPO text reader on arbitrary bytes; every record it accepts must survive the
//! writer (`record_lines`) and read back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyc::lgpo;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = lgpo::decode(data) else { return };
    let Ok(records) = lgpo::read(&text) else { return };
    for r in &records {
        // The writer writes sets and key resets only.
        if !matches!(r.action, lgpo::Action::Set(_) | lgpo::Action::DeleteAllValues) {
            continue;
        }
        let Ok(lines) = lgpo::record_lines(r.hive, &r.to_entry()) else { continue };
        let again = lgpo::read(&(lines.join("\n") + "\n"))
            .expect("the writer's own record must parse");
        assert_eq!(again, vec![r.clone()], "write → read changed the record");
    }
});
