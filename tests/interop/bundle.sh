#!/usr/bin/env bash
# Interoperability: a desk bundle is checked by stock tools — age decrypts it, tar unpacks it,
# minisign verifies the signature on the tag manifest, and the Library of Congress bagit validator
# validates the bag.
# Usage: tests/interop/bundle.sh   (from the repository root, after `cargo test` built the binary)
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SPORTELLO_INTEROP_DIR="$work" cargo test --quiet --test integration write_a_bundle_for_the_stock_tools -- --ignored > /dev/null
mkdir -p "$work/out"
age -d -i "$work/district-age.key" "$work/bundle.age" | tar xz -C "$work/out"
echo "bundle interop: age + tar unpacked $(ls "$work/out/bag/data" | wc -l) payload files"
minisign -V -q -p "$work/desk.minisign.pub" -m "$work/out/bag/tagmanifest-sha256.txt"
echo "bundle interop: minisign verified the tag manifest signature"
python3 -m bagit --validate "$work/out/bag"
echo "bundle interop: bagit validated the bag"
