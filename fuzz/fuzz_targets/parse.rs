//! Fuzzes the query parser: no input may panic it, and every query that parses must print to text
//! that parses again to the same tree and prints the same.

#![no_main]

use dogwatch_core::query::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match parse(input) {
        Ok(list) => {
            let printed = list.to_string();
            let again = match parse(&printed) {
                Ok(again) => again,
                Err(e) => panic!("{input:?} printed as {printed:?}, which does not parse: {e}"),
            };
            assert_eq!(again.to_string(), printed, "{input:?}");
            assert_eq!(
                again.sexp(),
                list.sexp(),
                "{input:?} printed as {printed:?}"
            );
        }
        Err(e) => {
            // Rendering the message walks the input by the error's span; it must not panic either.
            let _ = e.to_string();
        }
    }
});
