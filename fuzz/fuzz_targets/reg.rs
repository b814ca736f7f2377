//! The `.reg` reader (decode + parse as Windows imports, `text::read_bytes`) on
//! arbitrary bytes; what it reads must survive the writer and read back to the same file, except that the writer
//! turns control characters in comments into spaces on purpose (a comment must
//! not end its line early), so the comparison does the same to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyc::reg::text;

fuzz_target!(|data: &[u8]| {
    // As Windows imports it: skipped lines are warnings, never a panic.
    let Ok(parsed) = text::read_bytes(data) else { return };
    let mut file = parsed.file;
    if let Ok(written) = text::write(&file) {
        let again = text::read(&written).expect("the writer's own output must parse");
        let clean = |c: &mut String| *c = c.chars().map(|x| if x.is_control() { ' ' } else { x }).collect();
        file.comments.iter_mut().for_each(clean);
        for b in &mut file.blocks {
            if let text::Block::Key { comments, .. } = b {
                comments.iter_mut().for_each(clean);
            }
        }
        assert_eq!(again, file, "write → read changed the file");
    }
});
