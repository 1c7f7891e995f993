#!/usr/bin/env bash
# Builds the explorer into web/dist/: the wasm module of web/ (the core
# crate's shaders and Rust code for wasm32, wgpu's WebGPU backend), its
# JavaScript bindings, and the page of web/static/. Serve the folder with
# any static server, e.g. `python3 -m http.server -d web/dist 8000`.
#
# Installs what it lacks: rustup's wasm32-unknown-unknown target, and
# wasm-bindgen-cli from crates.io at the version of wasm-bindgen in
# Cargo.lock (the bindings must match the library exactly).
set -euo pipefail
cd "$(dirname "$0")/.."

target=wasm32-unknown-unknown
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ -z "$version" ]; then
  echo "web/build.sh: no wasm-bindgen in Cargo.lock; run \`cargo update -p mflda-web\`" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qF " $version"; then
  # Unoptimised: it processes one module, in about a second either way, and
  # builds minutes faster.
  cargo install --debug --force wasm-bindgen-cli --version "$version"
fi

cargo build -p mflda-web --release --target "$target"

# Into a fresh folder, then moved in place: a failed build leaves the last
# good dist/ as it was.
out=web/dist.partial
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" \
  "target/$target/release/mflda_web.wasm"
cp web/static/* "$out/"
rm -rf web/dist
mv "$out" web/dist
echo "web/dist: $(du -sh web/dist | cut -f1) (serve it, e.g. python3 -m http.server -d web/dist 8000)"
