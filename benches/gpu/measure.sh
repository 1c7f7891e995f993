#!/usr/bin/env bash
# Every measurement docs/PERFORMANCE.md asks for, in one command: run on the
# GPU host (after benches/gpu/prepare.sh on a development machine), or here
# for a test.
#
#   bash benches/gpu/measure.sh [SIZES]          SIZES default 1024,2048,4096,8192
#
# Environment (all optional):
#   OUT             output folder (default out/gpu)
#   MFLDA           the binary (default .bin/mflda, else target/release/mflda)
#   REPS            timed repetitions of `mflda bench all` (default 20)
#   PEER            0 skips the JAX peer (default 1)
#   PEER_SIZES      sizes the JAX step is timed at (default SIZES)
#   PEER_CHECK_MAX  largest size checked against an mflda export (default 4096)
#   PEER_REPS, PEER_STEPS   jax_step.py --bench --reps / --steps (default 20, 10)
#   PARTICLE_COUNTS `mflda bench particles --counts` (default 10000,100000,1000000,10000000)
#   W2_SIZES        `mflda bench w2 --sizes` (default 256,512,1024,2048,4096)
#   BUDGET          seconds for the whole script (default 480): each step is
#                   cut at what is left, and steps with under 15 s left are
#                   skipped, so one slow step cannot cost the rest
#
# Writes at most 8 plain files into OUT (a small, flat folder to copy back whole):
#   measure.log  timestamps and the status of every step
#   steps.tsv    step, status (ok, failed rc=N, timed out, skipped), seconds, note
#   env.txt      settings, build, loader setup, nvidia-smi, mflda info, JAX
#   bench-all.txt, all.json    `mflda bench all` (its table, its report), with
#                   `mflda bench w2` (its table; its report as all.json's "w2")
#   particles.json  `mflda bench particles` (its table goes into bench-all.txt)
#   peer.txt, jax-step.json    the JAX peer: checks against mflda, timings
# A failed step is recorded and the later steps still run; the exit status is
# 1 when any step failed or timed out.
set -euo pipefail

T0=$SECONDS
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

SIZES=${1:-1024,2048,4096,8192}
if ! [[ $SIZES =~ ^[0-9]+(,[0-9]+)*$ ]]; then
  echo "usage: measure.sh [SIZES], SIZES comma-separated grid sides such as 1024,2048" >&2
  exit 2
fi
REPS=${REPS:-20}
PEER=${PEER:-1}
PEER_SIZES=${PEER_SIZES:-$SIZES}
PEER_CHECK_MAX=${PEER_CHECK_MAX:-4096}
PEER_REPS=${PEER_REPS:-20}
PEER_STEPS=${PEER_STEPS:-10}
BUDGET=${BUDGET:-480}
MIN_STEP=15

if [ -n "${OUT:-}" ]; then OUT=$(abspath "$OUT"); else OUT=$ROOT/out/gpu; fi
if [ -n "${MFLDA:-}" ]; then
  MFLDA=$(abspath "$MFLDA")
elif [ -f "$ROOT/.bin/mflda" ]; then
  MFLDA=$ROOT/.bin/mflda
  [ -x "$MFLDA" ] || chmod +x "$MFLDA" # in case the copy lost the mode
else
  MFLDA=$ROOT/target/release/mflda
fi
cd "$ROOT"
mkdir -p "$OUT"
rm -f "$OUT"/{measure.log,steps.tsv,env.txt,bench-all.txt,all.json,peer.txt,jax-step.json}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mflda-measure.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
FAILED=0

stamp() {
  printf '[%s +%ds] %s\n' "$(date -u +%H:%M:%S)" $((SECONDS - T0)) "$*" | tee -a "$OUT/measure.log"
}

# record NAME STATUS SECONDS [NOTE]
record() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$OUT/steps.tsv"
  stamp "$1: $2${4:+ ($4)}"
}

# run_step NAME CAP LOG CMD...: runs CMD (a command, or a function of this
# script, which is not timed out) with its output shown and appended to
# OUT/LOG, for at most CAP seconds and never past BUDGET. Returns CMD's status.
run_step() {
  local name=$1 cap=$2 log=$3
  shift 3
  local left=$((BUDGET - (SECONDS - T0)))
  if ((left < MIN_STEP)); then
    record "$name" skipped 0 "${left}s of the budget left"
    FAILED=1
    return 1
  fi
  local limit=$((cap < left ? cap : left)) rc=0 start=$SECONDS
  stamp "$name (limit ${limit}s): $*"
  printf '\n### %s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$*" >>"$OUT/$log"
  if declare -F "$1" >/dev/null; then
    "$@" 2>&1 | tee -a "$OUT/$log" || rc=$?
  else
    timeout -k 10 "$limit" "$@" 2>&1 | tee -a "$OUT/$log" || rc=$?
  fi
  local took=$((SECONDS - start))
  case $rc in
    0) record "$name" ok "$took" ;;
    124 | 137) record "$name" "timed out" "$took" "limit ${limit}s" ;;
    *) record "$name" "failed rc=$rc" "$took" ;;
  esac
  if ((rc != 0)); then FAILED=1; fi
  return "$rc"
}

sizes_of() { tr ',' ' ' <<<"$1"; }

stamp "measure.sh $SIZES: OUT=$OUT MFLDA=$MFLDA REPS=$REPS PEER=$PEER BUDGET=${BUDGET}s"

# --- settings and build, first in env.txt (tables.py reads the key: value lines)
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -n) $(uname -m)"
  echo "sizes: $SIZES"
  echo "reps: $REPS"
  echo "peer: $PEER (sizes $PEER_SIZES, checked up to $PEER_CHECK_MAX, --reps $PEER_REPS --steps $PEER_STEPS)"
  echo "binary: $MFLDA"
  if [ -f "$(dirname "$MFLDA")/BUILD.txt" ]; then cat "$(dirname "$MFLDA")/BUILD.txt"; fi
  echo
} >>"$OUT/env.txt"

# --- the Vulkan/GL loaders (carried in .gl/ by prepare.sh) and the NVIDIA ICD
loaders() {
  if ldconfig -p 2>/dev/null | grep libvulkan >/dev/null; then
    echo "libvulkan already installed"
  elif compgen -G ".gl/*.deb" >/dev/null; then
    local f
    for f in .gl/*.deb; do
      echo "unpacking $f"
      dpkg -x "$f" / || return 1
    done
    ldconfig || return 1
    ldconfig -p | grep -E 'libvulkan|libEGL' || true
  else
    echo "no libvulkan and no .gl/*.deb: run benches/gpu/prepare.sh on the dev machine and carry .gl"
    return 1
  fi
}
run_step loaders 120 env.txt loaders || true
NV=/usr/local/nvidia/share
if [ -f "$NV/vulkan/icd.d/nvidia_icd.json" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  export VK_DRIVER_FILES=$NV/vulkan/icd.d/nvidia_icd.json
  stamp "VK_DRIVER_FILES=$VK_DRIVER_FILES"
fi
if [ -f "$NV/glvnd/egl_vendor.d/10_nvidia.json" ] && [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=$NV/glvnd/egl_vendor.d/10_nvidia.json
fi

# --- the device
if command -v nvidia-smi >/dev/null; then
  run_step nvidia-smi 60 env.txt nvidia-smi || true
  run_step nvidia-smi-query 60 env.txt nvidia-smi \
    --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.memory,power.limit \
    --format=csv || true
else
  record nvidia-smi skipped 0 "no nvidia-smi"
fi
if [ ! -x "$MFLDA" ]; then
  record mflda-info "failed rc=127" 0 "no binary at $MFLDA: run benches/gpu/prepare.sh and carry .bin"
  FAILED=1
else
  run_step mflda-info 60 env.txt "$MFLDA" info || true
fi

# --- mflda bench all: FFT, step and equilibrium, size by size
if ! run_step bench-all 360 bench-all.txt \
  "$MFLDA" bench all --sizes "$SIZES" --reps "$REPS" --json "$OUT/all.json" ||
  [ ! -s "$OUT/all.json" ]; then
  # A crash (at the largest size, say) loses the whole report: measure the
  # sizes one by one and merge what comes out, so the smaller ones survive.
  rm -f "$OUT/all.json"
  for n in $(sizes_of "$SIZES"); do
    run_step "bench-all-$n" 240 bench-all.txt \
      "$MFLDA" bench all --sizes "$n" --reps "$REPS" --json "$WORK/all-$n.json" || true
  done
  if compgen -G "$WORK/all-*.json" >/dev/null; then
    python3 - "$OUT/all.json" "$WORK"/all-*.json <<'EOF' || FAILED=1
import json, sys
merged = {}
for path in sys.argv[2:]:
    with open(path) as f:
        report = json.load(f)
    for section, part in report.items():
        if section not in merged:
            merged[section] = part
        else:
            merged[section]["results"] += part["results"]
            merged[section]["skipped"] += part["skipped"]
for part in merged.values():
    part["results"].sort(key=lambda r: r["n"])
merged["merged_from"] = "one `mflda bench all` per size (the run over all sizes failed)"
with open(sys.argv[1], "w") as f:
    json.dump(merged, f, indent=2)
EOF
    stamp "all.json merged from the runs size by size"
  fi
fi

# merge_section KEY FILE: FILE's report joins all.json as section KEY.
merge_section() {
  python3 - "$OUT/all.json" "$2" "$1" <<'EOF' || FAILED=1
import json, os, sys
merged = {}
if os.path.isfile(sys.argv[1]):
    with open(sys.argv[1]) as f:
        merged = json.load(f)
with open(sys.argv[2]) as f:
    merged[sys.argv[3]] = json.load(f)
with open(sys.argv[1], "w") as f:
    json.dump(merged, f, indent=2)
EOF
}

# --- the step with the unfused right-hand side, the fused path's reference
if run_step bench-step-unfused 150 bench-all.txt \
  "$MFLDA" bench step --unfused --sizes "$SIZES" --reps "$REPS" --json "$WORK/step-unfused.json"; then
  merge_section step_unfused "$WORK/step-unfused.json"
fi

# --- mflda bench w2: one transport solve per size, merged into all.json
if run_step bench-w2 120 bench-all.txt \
  "$MFLDA" bench w2 --sizes "${W2_SIZES:-256,512,1024,2048,4096}" --json "$WORK/w2.json"; then
  merge_section w2 "$WORK/w2.json"
fi

# --- mflda bench particles: Langevin steps per particle count and scheme
run_step bench-particles 180 bench-all.txt \
  "$MFLDA" bench particles --counts "${PARTICLE_COUNTS:-10000,100000,1000000,10000000}" \
  --reps "$REPS" --json "$OUT/particles.json" || true

# --- the JAX peer (benches/peer/): checked against mflda, then timed
peer_check() {
  local n=$1 dir=$WORK/peer$1
  if run_step "peer-export-$n" 120 peer.txt \
    "$MFLDA" peer-export --n "$n" --out "$dir" --force; then
    run_step "peer-check-$n" 180 peer.txt \
      python3 benches/peer/jax_step.py --check "$dir" --default-game || true
  fi
  rm -rf "$dir"
}

if [ "$PEER" = 0 ]; then
  record peer skipped 0 "PEER=0"
elif ! python3 -c 'import jax' >/dev/null 2>&1; then
  record peer skipped 0 "python3 cannot import jax"
else
  run_step jax-devices 60 env.txt python3 -c \
    'import jax; print("jax", jax.__version__, "devices", jax.devices())' || true
  checks=()
  for n in $(sizes_of "$SIZES"); do
    if ((n <= PEER_CHECK_MAX)); then checks+=("$n"); fi
  done
  # One check first: it confirms that what is timed computes mflda's step.
  if ((${#checks[@]} > 0)); then peer_check "${checks[0]}"; fi
  for n in $(sizes_of "$PEER_SIZES"); do
    run_step "jax-bench-$n" 150 peer.txt \
      python3 benches/peer/jax_step.py --bench --sizes "$n" \
      --reps "$PEER_REPS" --steps "$PEER_STEPS" --json "$WORK/jax-$n.json" || true
  done
  if compgen -G "$WORK/jax-*.json" >/dev/null; then
    python3 - "$OUT/jax-step.json" "$WORK"/jax-*.json <<'EOF' || FAILED=1
import json, sys
merged = None
for path in sys.argv[2:]:
    with open(path) as f:
        report = json.load(f)
    if merged is None:
        merged = report
    else:
        merged["results"] += report["results"]
merged["results"].sort(key=lambda r: r["n"])
with open(sys.argv[1], "w") as f:
    json.dump(merged, f, indent=2)
    f.write("\n")
EOF
  fi
  for n in "${checks[@]:1}"; do peer_check "$n"; done
fi

stamp "done in $((SECONDS - T0))s; files: $(cd "$OUT" && echo *)"
if ((FAILED)); then
  stamp "some steps failed, timed out or were skipped: see steps.tsv"
  exit 1
fi
