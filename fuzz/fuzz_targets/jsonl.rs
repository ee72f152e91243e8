//! The `scan --jsonl` line reader: any bytes give a line, a blank, or an error naming the
//! line; never a panic, and an accepted id is a string or a number.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qinglang_governance::wire::parse_scan_line;

fuzz_target!(|raw: &[u8]| {
    match parse_scan_line(raw, "fuzz.jsonl", 1) {
        Ok(Some(line)) => {
            if let Some(id) = line.id {
                let first = id.get().chars().next().unwrap_or(' ');
                assert!(
                    first == '"' || first == '-' || first.is_ascii_digit(),
                    "{}",
                    id.get()
                );
            }
        }
        Ok(None) => assert!(raw.trim_ascii().is_empty() || raw.trim_ascii() == b"\xEF\xBB\xBF"),
        Err(e) => assert!(e.starts_with("fuzz.jsonl:1: "), "{e}"),
    }
});
