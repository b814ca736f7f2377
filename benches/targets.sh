#!/bin/sh
# The everyday build against its targets (issue 18), whole-process, release build:
#   - NHS example `build` CPU time (user + sys) per process: target at most 5 ms;
#   - `policyc --version` wall time: target at most 1 ms;
#   - the durable build's extra wall time (`build` minus `build --no-sync`): target no
#     more than the disk's own fsync cost, measured here beside it as the time to write
#     the same bundle files into a fresh folder and fsync them (concurrently, as policyc
#     does) plus the folder, in one process (python3, timed inside the process).
# Medians of hyperfine runs (-N, no shell); CPU time is hyperfine's mean user + system.
# Not a test: the figures depend on the machine and on what else runs on it.
# Needs hyperfine and python3. Run from the repository root: sh benches/targets.sh
set -eu
command -v hyperfine >/dev/null || { echo "targets.sh: hyperfine is missing (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --quiet --bin policyc
bin=$PWD/target/release/policyc
tmp=$(mktemp -d "${TMPDIR:-/tmp}/policyc-targets.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
spec=examples/nhs-credential-management.yaml
runs=${RUNS:-30}

# hyperfine -> "median_ms user_plus_sys_ms"
measure() {
  hyperfine -N --warmup 5 --runs "$runs" --prepare "rm -rf $tmp/out" --export-json "$tmp/h.json" "$@" >/dev/null 2>&1
  python3 - "$tmp/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.2f %.2f" % (r["median"] * 1000, (r["user"] + r["system"]) * 1000))
PY
}

set -- $(measure "$bin build $spec --out $tmp/out"); build_wall=$1; build_cpu=$2
set -- $(measure "$bin build --no-sync $spec --out $tmp/out"); nosync_wall=$1; nosync_cpu=$2
set -- $(measure "$bin --version"); version_wall=$1; version_cpu=$2
set -- $(measure "true"); true_wall=$1

# The disk's fsync cost for this bundle: same files, same folder layout, same filesystem.
"$bin" build --no-sync "$spec" --out "$tmp/ref" >/dev/null 2>&1
fsync_ms=$(python3 - "$tmp/ref" "$tmp" "$runs" <<'PY'
import os, sys, time, shutil, statistics
from concurrent.futures import ThreadPoolExecutor
ref, tmp, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for root, _, names in os.walk(ref):
    for n in names:
        p = os.path.join(root, n)
        files.append((os.path.relpath(p, ref), open(p, "rb").read()))
def once(i):
    d = os.path.join(tmp, "fsync-%d" % i)
    shutil.rmtree(d, ignore_errors=True)
    for rel, _ in files:
        os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
    handles = []
    for rel, data in files:
        f = open(os.path.join(d, rel), "wb")
        f.write(data)
        f.flush()
        handles.append(f)
    # Only the flushing is timed: the writes are what --no-sync also does.
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(handles)) as ex:
        list(ex.map(lambda f: os.fsync(f.fileno()), handles))
    fd = os.open(d, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    dt = time.perf_counter() - t
    for f in handles:
        f.close()
    shutil.rmtree(d)
    return dt * 1000
for i in range(3):
    once(i)
print("%.2f" % statistics.median(once(i) for i in range(runs)))
PY
)

verdict() { # value target -> met/missed
  python3 -c "import sys; print('met' if float(sys.argv[1]) <= float(sys.argv[2]) else 'missed')" "$1" "$2"
}
extra=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$build_wall" "$nosync_wall")
echo "machine: $(nproc) cores, $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| measure | figure | target | |"
echo "|---|---|---|---|"
echo "| NHS \`build\` CPU time (user+sys) | ${build_cpu} ms | 5 ms | $(verdict "$build_cpu" 5) |"
echo "| NHS \`build --no-sync\` CPU time (user+sys) | ${nosync_cpu} ms | 5 ms | $(verdict "$nosync_cpu" 5) |"
echo "| \`--version\` wall (median) | ${version_wall} ms (CPU ${version_cpu} ms; \`true\`: ${true_wall} ms) | 1 ms | $(verdict "$version_wall" 1) |"
echo "| durable build's extra wall (\`build\` ${build_wall} ms - \`--no-sync\` ${nosync_wall} ms) | ${extra} ms | fsync of the same files: ${fsync_ms} ms | $(verdict "$extra" "$fsync_ms") |"
