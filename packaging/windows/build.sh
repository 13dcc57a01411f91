#!/usr/bin/env bash
# Builds sportello.exe for Windows (cross-compiled with MinGW-w64) and the MSI (wixl).
# Needs: rustup target x86_64-pc-windows-gnu, Debian packages gcc-mingw-w64-x86-64 and wixl.
# Output: dist/sportello-VERSION-x86_64.exe and dist/sportello-VERSION-x64.msi
set -euo pipefail
cd "$(dirname "$0")/../.."
target_dir="${CARGO_TARGET_DIR:-target}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
mkdir -p dist
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --target x86_64-pc-windows-gnu
# wixl takes sources relative to the working directory: everything goes into $work.
cp "$target_dir/x86_64-pc-windows-gnu/release/sportello.exe" "$work/sportello.exe"
x86_64-w64-mingw32-strip "$work/sportello.exe"
cp "$work/sportello.exe" "dist/sportello-$version-x86_64.exe"

# The Start-menu link: an Internet shortcut to the service's default address.
printf '[InternetShortcut]\r\nURL=http://127.0.0.1:8080/\r\n' > "$work/Sportello.url"
# The operator guide, with Windows line endings so Notepad shows it well.
sed 's/$/\r/' packaging/README.md > "$work/Guida.txt"
cp packaging/windows/sportello.wxs "$work/"

out="$PWD/dist/sportello-$version-x64.msi"
(cd "$work" && wixl --arch x64 \
  -D Version="$version" \
  -D ExePath=sportello.exe \
  -D UrlPath=Sportello.url \
  -D GuidePath=Guida.txt \
  -o "$out" sportello.wxs)
echo "dist/sportello-$version-x86_64.exe"
echo "dist/sportello-$version-x64.msi"
