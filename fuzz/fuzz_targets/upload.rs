#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portcullis::web::fuzzing::upload(data));
