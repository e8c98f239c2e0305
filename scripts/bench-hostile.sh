#!/usr/bin/env bash
# Hostile inputs through the release CLI: time, peak memory, exit code and the first line the
# person reads. Each must end in bounded time and memory with a finding that names the place,
# never a crash and never a silent all-clear.
#
#   scripts/bench-hostile.sh
#   KUBECLINIC_BIN=/path/to/kubeclinic scripts/bench-hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work="${BENCH_DIR:-target/bench-hostile}"
mkdir -p "$work"
if [[ -n "${KUBECLINIC_BIN:-}" ]]; then
  bin="$KUBECLINIC_BIN"
else
  cargo build --release --locked -q -p kubeclinic-cli
  bin="target/release/kubeclinic"
fi

python3 - "$work" <<'PY'
import os, sys
work = sys.argv[1]
def write(name, data):
    with open(os.path.join(work, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# Billion laughs: nine levels of nine aliases.
lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "data:", '  a0: &a0 "lol"']
for i in range(1, 10):
    refs = ", ".join([f"*a{i-1}"] * 9)
    lines.append(f"  a{i}: &a{i} [{refs}]")
write("alias-bomb.yaml", "\n".join(lines) + "\n")
# 100,000 nested flow mappings, in an object (a kindless document is not read as a manifest
# at all, whatever its depth).
write("deep-nesting.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + "{b: " * 100_000 + "c" + "}" * 100_000 + "\n")
# One ConfigMap value of 10 MB, and one log line of 10 MB.
write("long-value.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: " + "x" * 10_000_000 + "\n")
write("long-log-line.txt", "2024-05-01T10:00:00Z ERROR " + "y" * 10_000_000 + "\n")
# Bytes that are not UTF-8, and NUL bytes inside a manifest.
write("invalid-utf8.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \xff\xfe-bad\ndata:\n  a: \xc3\x28\n")
write("nul-bytes.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\0ul\ndata:\n  a: \"b\0c\"\n")
# A million tiny documents.
write("million-documents.yaml", "---\na: 1\n" * 1_000_000)
# 50 MB of real-looking manifests in one paste.
doc = open("tests/fixtures/examples/petrosa-extractor.yaml", encoding="utf-8").read().rstrip("\n") + "\n"
parts, size, i = [], 0, 0
while size < 50_000_000:
    part = doc.replace("name: ", f"name: c{i}-")
    parts.append(part)
    size += len(part) + 4
    i += 1
write("fifty-megabytes.yaml", "---\n".join(parts))
PY

printf '%-24s %10s %8s %9s %5s  %s\n' input bytes "wall s" "peak MB" exit "first line of the answer"
for input in alias-bomb.yaml deep-nesting.yaml long-value.yaml long-log-line.txt invalid-utf8.yaml nul-bytes.yaml million-documents.yaml fifty-megabytes.yaml; do
  path="$work/$input"
  code=0
  /usr/bin/time -v -o "$work/time.txt" "$bin" check --no-config "$path" >"$work/out.txt" 2>&1 || code=$?
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time.txt")
  peak=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$work/time.txt")
  first=$(grep -m1 -E '^(error|warning|info)|^No problems|^Read ' "$work/out.txt" | cut -c1-110 || true)
  printf '%-24s %10d %8s %9s %5s  %s\n' "$input" "$(wc -c <"$path")" "$wall" "$peak" "$code" "$first"
done
