//! The whole pipeline (load, parse, analyse, ACM, compile, render diagnostics) on one input:
//! the first byte selects the configuration (`invariants::config_of_byte`), the rest is the
//! schema text; inputs of odd length render in colour. A panic or a broken invariant is a crash; libFuzzer's `-timeout` and
//! `-rss_limit_mb` turn a hang or a run that grows too large into one too (`fuzz/run`).
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&byte, text)) = data.split_first() else {
        return;
    };
    let config = invariants::config_of_byte(byte);
    let text = String::from_utf8_lossy(text);
    if let Err(broken) = invariants::check(&text, &config, data.len() % 2 == 1) {
        panic!("invariant broken: {broken}");
    }
});
