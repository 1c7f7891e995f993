#!/usr/bin/env bash
# Run HERE, on the development machine, before the one command on a GPU host
# (which may have no Rust toolchain and no Vulkan loader): builds the release
# binary into .bin/, fetches the Vulkan/GL loader packages into .gl/, and
# prints the command to run there. See benches/gpu/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(uname -m)" != x86_64 ]; then
  echo "warning: this machine is $(uname -m); the GPU machine is x86-64 and cannot run this build" >&2
fi

cargo build --release
mkdir -p .bin
cp target/release/mflda .bin/mflda

# Which build the numbers belong to: the GPU host gets no .git.
{
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    echo "worktree: modified (uncommitted changes are in this build)"
  else
    echo "worktree: clean"
  fi
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "rustc: $(rustc --version)"
  echo "glibc needed: $(objdump -T .bin/mflda 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 || true)"
} >.bin/BUILD.txt
cat .bin/BUILD.txt

# The Vulkan and GL loaders (the GPU machine has the NVIDIA driver but not
# these), as amd64 packages whatever this machine's architecture.
if ! ls .gl/*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
  apt-get "${o[@]}" update
  (cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
ls .gl/*.deb

cat <<'EOF'

Ready. On the GPU host, with .bin/ and .gl/ copied beside the working tree,
run ONE command (it finishes within 10 minutes), then turn its files into tables:

  bash benches/gpu/measure.sh

  (sizes default to 1024,2048,4096,8192: `bash benches/gpu/measure.sh 1024,4096`
   for others; REPS=20, PEER=1 by default)

then, here:

  python3 benches/gpu/tables.py FILES_AT      # the reply's files_at folder
EOF
