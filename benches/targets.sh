#!/bin/sh
# The everyday build against its targets (issue 18), whole-process, release build:
#   - NHS example `build` CPU time (user + sys) per process: target at most 5 ms;
#   - `policyc --version` wall time: target at most 1 ms;
#   - the durable build's extra wall time (`build` minus `build --no-sync`): target no
#     more than the disk's own fsync cost, measured here beside it as the time to write
#     the same bundle files into a fresh folder and fsync them (concurrently, as policyc
#     does) plus the folder, in one process (python3, timed inside the process).
# Medians of hyperfine runs (-N, no shell); CPU time is hyperfine's mean user + system.
# Beside them, what no program writing this bundle here can go below (the floor): the
# CPU time the kernel takes to create the bundle's folders and files on this disk, and
# to fsync them, timed inside one python3 process (getrusage, medians); and the build
# into tmpfs (/dev/shm), which leaves out the disk.
# Not a test: the figures depend on the machine and on what else runs on it.
# Needs hyperfine and python3. Run from the repository root: sh benches/targets.sh
# BASE=other/policyc adds a column for another binary (an earlier commit's), measured in
# the same hyperfine runs.
set -eu
command -v hyperfine >/dev/null || { echo "targets.sh: hyperfine is missing (apt-get install hyperfine)" >&2; exit 2; }
# By default it measures what the release workflow ships for Linux: the `dist` profile
# (fat LTO), statically linked (RUSTFLAGS="-C target-feature=+crt-static" with an explicit
# --target, into target/x86_64-unknown-linux-gnu/dist/policyc). BIN=path measures another
# binary instead, such as the plain release build (BIN=target/release/policyc after
# `cargo build --release`).
if [ -n "${BIN:-}" ]; then
  bin=$(realpath "$BIN")
else
  RUSTFLAGS="-C target-feature=+crt-static" cargo build --profile dist --locked --quiet \
    --target x86_64-unknown-linux-gnu --bin policyc
  bin=$PWD/target/x86_64-unknown-linux-gnu/dist/policyc
fi
base=""
[ -n "${BASE:-}" ] && base=$(realpath "$BASE")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/policyc-targets.XXXXXX")
shm=""
[ -d /dev/shm ] && shm=$(mktemp -d /dev/shm/policyc-targets.XXXXXX)
trap 'rm -rf "$tmp" ${shm:+"$shm"}' EXIT
spec=examples/nhs-credential-management.yaml
runs=${RUNS:-30}

# Before each run the previous output is moved aside into $tmp/trash, not deleted: on
# ext4 without a journal (this VM's disk) the kernel skips every inode freed in the last
# 60 to 360 seconds when it allocates one (fs/ext4/ialloc.c, find_inode_bit and
# recently_deleted), so deleting 45 inodes per run, hundreds of runs a minute, makes each
# later file creation scan thousands of them: a cost of the benchmark loop, not of a
# build. The trash is deleted on exit; wait a few minutes before running this again.
# One row at the end repeats the build with `rm -rf` between runs to show that effect.
mkdir "$tmp/trash"
aside() { # OUT -> a --prepare command moving OUT aside
  echo "sh -c 'if test -e $1; then mv $1 \$(mktemp -d $tmp/trash/XXXXXX)/; fi'"
}

# measure OUT ARGS: hyperfine of "$bin ARGS" (and "$base ARGS") -> "median_ms cpu_ms" per
# binary, in that order, on one line. PREPARE (default: move OUT aside) runs before each.
measure() {
  out=$1
  shift
  set -- "$bin $*" ${base:+"$base $*"}
  hyperfine -N --warmup 5 --runs "$runs" --prepare "${PREPARE:-$(aside "$out")}" --export-json "$tmp/h.json" "$@" >/dev/null 2>&1
  python3 - "$tmp/h.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
print(" ".join("%.2f %.2f" % (r["median"] * 1000, (r["user"] + r["system"]) * 1000) for r in rs))
PY
}

set -- $(measure "$tmp/out" build "$spec" --out "$tmp/out")
build_wall=$1; build_cpu=$2; base_build_wall=${3:-}; base_build_cpu=${4:-}
set -- $(measure "$tmp/out" build --no-sync "$spec" --out "$tmp/out")
nosync_wall=$1; nosync_cpu=$2; base_nosync_wall=${3:-}; base_nosync_cpu=${4:-}
shm_cpu="-"; base_shm_cpu=""
if [ -n "$shm" ]; then
  set -- $(measure "$shm/out" build --no-sync "$spec" --out "$shm/out")
  shm_cpu="$2 ms"; base_shm_cpu=${4:+"$4 ms"}
fi
set -- $(measure "$tmp/out" --version)
version_wall=$1; version_cpu=$2; base_version_wall=${3:-}; base_version_cpu=${4:-}
true_wall=$(hyperfine -N --warmup 5 --runs "$runs" --export-json "$tmp/t.json" true >/dev/null 2>&1 &&
  python3 -c "import json,sys; print('%.2f' % (json.load(open(sys.argv[1]))['results'][0]['median'] * 1000))" "$tmp/t.json")

# The disk's own costs for this bundle: same files, same folder layout, same filesystem.
"$bin" build --no-sync "$spec" --out "$tmp/ref" >/dev/null 2>&1
set -- $(python3 - "$tmp/ref" "$tmp" "$runs" <<'PY'
import os, sys, time, shutil, statistics, resource
from concurrent.futures import ThreadPoolExecutor
ref, tmp, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for root, _, names in os.walk(ref):
    for n in names:
        p = os.path.join(root, n)
        files.append((os.path.relpath(p, ref), open(p, "rb").read()))
folders = set()
for rel, _ in files:
    d = os.path.dirname(rel)
    while d:
        folders.add(d)
        d = os.path.dirname(d)
folders = sorted(folders)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def create(d):
    # As policyc does: a fresh folder, its subfolders, then each file written whole.
    os.mkdir(d)
    for f in folders:
        os.makedirs(os.path.join(d, f), exist_ok=True)
    handles = []
    for rel, data in files:
        f = open(os.path.join(d, rel), "wb", buffering=0)
        f.write(data)
        handles.append(f)
    return handles
def once(i):
    d = os.path.join(tmp, "fsync-%d" % i)
    c0 = cpu()
    handles = create(d)
    c1 = cpu()
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
    os.rename(d, os.path.join(tmp, "trash", "fsync-%d" % i))
    # The fsyncs' CPU time, one after another in this thread (no thread pool to count).
    e = d + "-seq"
    handles = create(e)
    c2 = cpu()
    for f in handles:
        os.fsync(f.fileno())
    c3 = cpu()
    for f in handles:
        f.close()
    os.rename(e, os.path.join(tmp, "trash", "fsync-%d-seq" % i))
    return dt * 1000, (c1 - c0) * 1000, (c3 - c2) * 1000
for i in range(3):
    once(runs + i)
r = [once(i) for i in range(runs)]
print("%.2f %.2f %.2f %d %d" % (statistics.median(x[0] for x in r), statistics.median(x[1] for x in r),
                                statistics.median(x[2] for x in r), len(folders) + 1, len(files)))
PY
)
fsync_ms=$1; create_cpu=$2; fsync_cpu=$3; nfolders=$4; nfiles=$5

# Last, as it frees inodes: the durable build with the previous output deleted before each
# run, as earlier versions of this script measured it.
set -- $(PREPARE="rm -rf $tmp/out" measure "$tmp/out" build "$spec" --out "$tmp/out")
rm_cpu=$1; base_rm_cpu=${4:-}
fs=$(findmnt -no FSTYPE -T "$tmp" 2>/dev/null || echo '?')
dev=$(findmnt -no SOURCE -T "$tmp" 2>/dev/null || echo '?')
journal="no journal"
ls /proc/fs/jbd2/ 2>/dev/null | grep -q "^$(basename "$dev")-" && journal="journalled"
[ "$fs" = ext4 ] || journal=""

verdict() { # value target -> met/missed
  python3 -c "import sys; print('met' if float(sys.argv[1]) <= float(sys.argv[2]) else 'missed')" "$1" "$2"
}
col() { [ -n "$base" ] && printf ' %s |' "$1"; return 0; }
extra=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$build_wall" "$nosync_wall")
echo "binary: $bin ($(file -b "$bin" | grep -o 'static[-a-z]* linked\|dynamically linked' || echo '?'))"
[ -n "$base" ] && echo "base: $base"
echo "machine: $(nproc) cores, $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "output folder: $tmp ($fs${journal:+, $journal} on $dev)"
echo "| measure | figure |$(col base) target | |"
echo "|---|---|$(col ---)---|---|"
echo "| NHS \`build\` CPU time (user+sys) | ${build_cpu} ms |$(col "$base_build_cpu ms") 5 ms | $(verdict "$build_cpu" 5) |"
echo "| NHS \`build --no-sync\` CPU time (user+sys) | ${nosync_cpu} ms |$(col "$base_nosync_cpu ms") 5 ms | $(verdict "$nosync_cpu" 5) |"
echo "| NHS \`build --no-sync\` into tmpfs (/dev/shm), CPU time | ${shm_cpu} |$(col "$base_shm_cpu") | |"
echo "| \`--version\` wall (median) | ${version_wall} ms (CPU ${version_cpu} ms; \`true\`: ${true_wall} ms) |$(col "$base_version_wall ms (CPU $base_version_cpu ms)") 1 ms | $(verdict "$version_wall" 1) |"
echo "| durable build's extra wall (\`build\` ${build_wall} ms - \`--no-sync\` ${nosync_wall} ms) | ${extra} ms |$(col "$base_build_wall - $base_nosync_wall ms") fsync of the same files: ${fsync_ms} ms | $(verdict "$extra" "$fsync_ms") |"
echo "| floor: the kernel creating ${nfolders} folders and ${nfiles} files of this bundle here, CPU | ${create_cpu} ms |$(col "") | |"
echo "| floor: fsyncing those files one after another, CPU | ${fsync_cpu} ms |$(col "") | |"
echo "| NHS \`build\` CPU time, the previous output deleted (rm -rf) before each run | ${rm_cpu} ms |$(col "$base_rm_cpu ms") | |"
