//! The ADMX/ADML reader (decode + parse) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyc::admx::reader;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = reader::decode(data) else { return };
    let _ = reader::read_admx(&text);
    let _ = reader::read_adml(&text);
});
