//! Policy files (TOML, scenes included): accepted or refused with a message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qinglang_governance::policy::LoadedPolicy;

fuzz_target!(|text: &str| {
    if let Err(e) = LoadedPolicy::parse("fuzz.toml", text) {
        assert!(e.to_string().starts_with("fuzz.toml"));
    }
});
