//! Fuzzes the trace payload decoders: Datadog's `/v0.4/traces` and `/v0.5/traces` msgpack
//! (`dogwatch_core::apm`) and OTLP's `/v1/traces` as protobuf or JSON
//! (`dogwatch_server::apm::otlp`), as any client may send them. No body may panic them, and every
//! refusal says why. The first byte chooses the decoder.

#![no_main]

use dogwatch_core::apm::{decode_v04, decode_v05};
use dogwatch_server::apm::otlp::{Encoding, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let decoded = match mode % 4 {
        0 => decode_v04(body).map_err(|e| e.0),
        1 => decode_v05(body).map_err(|e| e.0),
        2 => decode(Encoding::Protobuf, body).map(|s| vec![s]),
        _ => decode(Encoding::Json, body).map(|s| vec![s]),
    };
    match decoded {
        Ok(traces) => {
            let spans: usize = traces.iter().map(Vec::len).sum();
            // Each span came from at least a byte of input.
            assert!(spans <= body.len());
        }
        Err(e) => assert!(!e.is_empty()),
    }
});
