#!/usr/bin/env bash
# Builds a release into dist/: the Linux binary, the .deb, the Windows .exe and the .msi.
# Needs (Debian): cargo-deb (installed here if missing), gcc-mingw-w64-x86-64, wixl, and the
# rustup target x86_64-pc-windows-gnu. `packaging/check.sh` then checks what was built.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
mkdir -p dist

echo "== Linux binary"
cargo build --release --locked
cp "$target_dir/release/sportello" "dist/sportello-$version-x86_64-linux"

echo "== .deb"
command -v cargo-deb >/dev/null || cargo install cargo-deb --locked
cargo deb --no-build --locked --output "dist/sportello_${version}_amd64.deb"

echo "== Windows .exe and .msi"
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu
packaging/windows/build.sh

echo "== Built"
ls -l dist
