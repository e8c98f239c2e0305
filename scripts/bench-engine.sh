#!/usr/bin/env bash
# Times the release CLI with every rule on over the real-manifest corpus multiplied to
# 100 / 1,000 / 10,000 / 50,000 objects, and prints wall time and peak memory per size.
#
#   scripts/bench-engine.sh                  # the corpus at ../shared/corpus/real
#   KUBECLINIC_CORPUS=/path/to/corpus scripts/bench-engine.sh
#   RUNS=7 SIZES="1000 10000" scripts/bench-engine.sh
#   KUBECLINIC_BIN=/path/to/kubeclinic scripts/bench-engine.sh   # time another build
#
# The corpus lives outside the repository (see its SOURCES.md). Its objects are shuffled once
# with a fixed seed and repeated; every copy after the first renames what it names
# (`name: x` becomes `name: x-c1`, and so do the values of the usual app labels), so
# cross-object rules see distinct, still linked objects.
# Each size runs RUNS times (default 5) under /usr/bin/time -v; the table shows medians, and
# the load average is printed with it, since other work on the machine moves the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${KUBECLINIC_CORPUS:-../shared/corpus/real}"
runs="${RUNS:-5}"
sizes="${SIZES:-100 1000 10000 50000}"
work="${BENCH_DIR:-target/bench-engine}"

if [[ ! -d "$corpus" ]]; then
  echo "no corpus at $corpus: set KUBECLINIC_CORPUS to a folder of Kubernetes manifests" >&2
  echo "(the real-manifest corpus is kept outside the repository)" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "/usr/bin/time is missing (Debian: apt-get install time)" >&2
  exit 2
fi

if [[ -n "${KUBECLINIC_BIN:-}" ]]; then
  bin="$KUBECLINIC_BIN"
else
  cargo build --release --locked -q -p kubeclinic-cli
  bin="target/release/kubeclinic"
fi
mkdir -p "$work"

# Builds one folder per size from the corpus.
python3 - "$corpus" "$work" $sizes <<'PY'
import os, random, re, sys

corpus, work, sizes = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
docs = []
for root, dirs, files in os.walk(corpus):
    dirs.sort()
    for name in sorted(files):
        if not name.endswith((".yaml", ".yml", ".json")):
            continue
        with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for doc in re.split(r"(?m)^---[^\n]*\n", text):
            # `{{` (kept in some string values) would make the CLI take the file for a template.
            if re.search(r"(?m)^kind:", doc) and "{{" not in doc and not doc.lstrip().startswith("{"):
                docs.append(doc.rstrip("\n") + "\n")
if not docs:
    sys.exit(f"no manifests under {corpus}")
random.Random(20260101).shuffle(docs)
name = re.compile(r"(?m)^(\s*(?:- )?name:[ \t]*)([\"']?)([A-Za-z0-9][-A-Za-z0-9_.]*)\2[ \t]*$")
# The values of the labels apps are told apart by, in labels and selectors alike: each copy
# is then an application of its own, as in a large real set, instead of one whose Services
# select every copy's pods (which makes the set denser, and cross-object work quadratic, as
# it grows).
label = re.compile(r"(?m)^(\s*(?:app|k8s-app|release|run|app\.kubernetes\.io/(?:name|instance)):[ \t]*)([\"']?)([A-Za-z0-9][-A-Za-z0-9_.]*)\2[ \t]*$")
for size in sizes:
    out = []
    for i in range(size):
        doc, copy = docs[i % len(docs)], i // len(docs)
        if copy:
            doc = name.sub(lambda m: f"{m[1]}{m[2]}{m[3]}-c{copy}{m[2]}", doc)
            doc = label.sub(lambda m: f"{m[1]}{m[2]}{m[3]}-c{copy}{m[2]}", doc)
        out.append(doc)
    # One input holds at most 10,000 objects (the engine reads at most 64 MiB per input).
    folder = os.path.join(work, f"objects-{size}")
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        os.remove(os.path.join(folder, old))
    for part in range(0, size, 10000):
        with open(os.path.join(folder, f"part-{part // 10000:02}.yaml"), "w", encoding="utf-8") as f:
            f.write("---\n".join(out[part:part + 10000]))
PY

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "release CLI, --profile strict --extend-select all, median of $runs runs"
echo "load before: $(uptime | sed 's/.*load average: //')"
printf '%8s %10s %9s %9s %14s\n' objects bytes "wall s" "peak MB" "ms/1k objects"
for size in $sizes; do
  input="$work/objects-$size"
  walls=() peaks=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$work/time.txt" \
      "$bin" check --no-config --profile strict --extend-select all "$input" \
      >/dev/null 2>&1 || true
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time.txt")")
    peaks+=("$(awk -F': ' '/Maximum resident set size/ { print $2 / 1024 }' "$work/time.txt")")
  done
  wall=$(printf '%s\n' "${walls[@]}" | median)
  peak=$(printf '%s\n' "${peaks[@]}" | median)
  bytes=$(cat "$input"/*.yaml | wc -c)
  printf '%8d %10d %9.3f %9.1f %14.1f\n' "$size" "$bytes" "$wall" "$peak" \
    "$(awk -v w="$wall" -v n="$size" 'BEGIN { print w * 1000 * 1000 / n }')"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
