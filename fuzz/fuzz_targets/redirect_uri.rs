#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portcullis::web::fuzzing::redirect_uri(data));
