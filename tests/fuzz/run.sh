#!/usr/bin/env bash
# Builds each tests/fuzz/fuzz_*.c with clang's libFuzzer (+ASan/UBSan) and
# runs it for FUZZ_SECONDS (default 30) from its seed corpus with a fixed
# FUZZ_SEED (default 1) so a CI run is reproducible; use other seeds locally. A crash, leak
# or sanitizer report fails the run. Seeds live in tests/fuzz/corpus/<name>/
# and tests/data/<name>/; new inputs go to a temp folder, not the repo.
# The targets link the whole library, built once by make with clang and
# coverage instrumentation into build-fuzz/ (make keeps it up to date).
# FUZZ_TARGETS="suite report" runs only those.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-30}
out=build-fuzz
mkdir -p "$out"
# The package list is the Makefile's (make fuzz passes it; run directly, ask make).
pkgs=${BENCHAI_PKGS:-$(make -s --no-print-directory print-pkgs)}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
make -s --no-print-directory -j"${FUZZ_JOBS:-2}" BUILD="$out" CC=clang OPT=-O1 \
    SAN="-fsanitize=fuzzer-no-link $san" "$out/libbenchai.a"
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -Isrc $(pkg-config --cflags $pkgs) -fsanitize=fuzzer $san"
libs="$out/libbenchai.a $(pkg-config --libs $pkgs) -lpthread -lm"
for target in tests/fuzz/fuzz_*.c; do
    name=$(basename "$target" .c)
    corpus_name=${name#fuzz_}
    if [ -n "${FUZZ_TARGETS:-}" ] && ! [[ " $FUZZ_TARGETS " == *" $corpus_name "* ]]; then
        continue
    fi
    clang $cflags -o "$out/$name" "$target" $libs
    work=$(mktemp -d)
    cp tests/fuzz/corpus/"$corpus_name"/* "$work"/ 2>/dev/null || true
    cp tests/data/"$corpus_name"/* "$work"/ 2>/dev/null || true    # unit-test fixtures seed too
    echo "fuzz: $name for ${seconds}s"
    # the suite loader resolves source:/filler paths under the folder it
    # runs in: an empty one
    (cd "$work" && "$OLDPWD/$out/$name" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$OLDPWD/$out/$name-" .) 2>&1 | tail -3
    rm -rf "$work"
done
echo "fuzz: all targets ran clean"
