#!/usr/bin/env bash
# Builds each tests/fuzz/fuzz_*.c with clang's libFuzzer (+ASan/UBSan) and
# runs it for FUZZ_SECONDS (default 30) from its seed corpus with a fixed
# FUZZ_SEED (default 1) so a CI run is reproducible; use other seeds locally. A crash, leak
# or sanitizer report fails the run. Seeds live in tests/fuzz/corpus/<name>/
# and tests/data/<name>/;
# new inputs go to a temp folder, not the repo.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-30}
out=build-fuzz
mkdir -p "$out"
# The package list is the Makefile's (make fuzz passes it; run directly, ask make).
pkgs=${BENCHAI_PKGS:-$(make -s --no-print-directory print-pkgs)}
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -Isrc $(pkg-config --cflags $pkgs) -fsanitize=fuzzer,address,undefined"
srcs="src/net/sse.c src/backend/openai_proto.c src/backend/gen.c src/plan/gguf.c src/util/sha256.c src/util/mem.c src/util/error.c src/suite/pickle.c src/util/base64.c"
for target in tests/fuzz/fuzz_*.c; do
    name=$(basename "$target" .c)
    corpus_name=${name#fuzz_}
    clang $cflags -o "$out/$name" "$target" $srcs $(pkg-config --libs $pkgs)
    work=$(mktemp -d)
    cp tests/fuzz/corpus/"$corpus_name"/* "$work"/ 2>/dev/null || true
    cp tests/data/"$corpus_name"/* "$work"/ 2>/dev/null || true    # unit-test fixtures seed too
    echo "fuzz: $name for ${seconds}s"
    "$out/$name" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/$name-" "$work" 2>&1 | tail -3
    rm -rf "$work"
done
echo "fuzz: all targets ran clean"
