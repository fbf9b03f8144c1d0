//! Fuzzes the trace payload decoders (`dogwatch_core::apm`): `/v0.4/traces` and `/v0.5/traces`
//! msgpack, as any client may send them to the trace agent's port. No body may panic them; what
//! v0.5 accepts names only strings of its table. The first byte chooses the version.

#![no_main]

use dogwatch_core::apm::{decode_v04, decode_v05};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let decoded = if mode & 1 == 0 {
        decode_v04(body)
    } else {
        decode_v05(body)
    };
    match decoded {
        Ok(traces) => {
            let spans: usize = traces.iter().map(Vec::len).sum();
            // Each span came from at least a byte of input.
            assert!(spans <= body.len());
        }
        Err(e) => {
            // Every refusal says why.
            assert!(!e.0.is_empty());
        }
    }
});
