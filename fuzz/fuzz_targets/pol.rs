//! The Registry.pol (PReg) reader on arbitrary bytes; what parses must survive
//! the writer and read back to the same entries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyc::pol;

fuzz_target!(|data: &[u8]| {
    let Ok(entries) = pol::read(data) else { return };
    for e in &entries {
        let _ = e.reg_data();
    }
    if let Ok(bytes) = pol::write(&entries) {
        let again = pol::read(&bytes).expect("the writer's own output must parse");
        assert_eq!(again, entries, "write → read changed the entries");
    }
});
