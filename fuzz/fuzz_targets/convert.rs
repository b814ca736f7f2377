//! `policyc convert` on arbitrary bytes read as a `.reg` file: every writer takes what
//! the reader gives without panicking, and the `.reg` writer's output, read and written
//! again, is the same text (a fixed point after one pass).
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyc::convert;

fuzz_target!(|data: &[u8]| {
    let Ok((ops, _)) = convert::from_reg("fuzz.reg", data) else { return };
    let _ = convert::to_pol("fuzz.pol", &ops);
    let _ = convert::to_lgpo("fuzz.txt", &ops);
    let _ = convert::to_json(&ops);
    let Ok((text, _)) = convert::to_reg("fuzz.reg", &ops) else { return };
    let bytes = policyc::emit::encoding::encode(&text, policyc::emit::encoding::Encoding::Utf16LeBomCrlf);
    let (again, skipped) = convert::from_reg("again.reg", &bytes).expect("the writer's output reads");
    assert!(skipped.is_empty(), "the writer's output has a line Windows skips: {skipped:?}");
    let (text2, _) = convert::to_reg("again.reg", &again).expect("writes again");
    assert_eq!(text2, text, "read → write is not a fixed point");
});
