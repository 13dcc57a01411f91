//! What anyone can reach without a key: the tar.gz reader and bag-info, read before the
//! signature is checked (only to choose which enrolled key to check it with).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sportello::bundle::bag;

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = bag::unpack(data) {
        let _ = bag::bag_info(&b);
        let _ = bag::source_instance(&b);
    }
});
