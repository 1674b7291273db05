#!/usr/bin/env bash
# Installs every Debian package benchai needs to build, test and report.
# Idempotent: packages already present are skipped, and apt-get update runs
# only when something is missing. Needs root (or sudo) on Debian 12.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config cmake git ca-certificates npm
  libyaml-dev libcjson-dev libcurl4-openssl-dev libsqlite3-dev sqlite3
  libpcre2-dev libseccomp-dev zlib1g-dev
  libcriterion-dev
  python3 python3-numpy python3-yaml python3-langdetect
  gnuplot-nox
  clang libclang-rt-14-dev
  libxml2-utils
  valgrind
  chromium
  strace
)
# strace: benchmarks/peers/scale.sh counts syscalls per request with it.
# python3-yaml: llama.cpp's gguf-py (scripts/make-test-models) imports yaml.
# zlib1g-dev: benchai import livecodebench inflates the releases' zlib-packed
# private tests.
# python3-langdetect: IFEval's language checks read langdetect's n-gram
# profiles from it at run time (docs/scoring.md).
# Optional extras: the sandbox runs these languages when present
# (BENCHAI_WITH_OPTIONAL=1 installs them). chromium above renders the HTML
# report in its test.
OPTIONAL=(default-jdk-headless nodejs)
# The differential test of the scorers (tests/diff/, make difftest) calls
# the reference libraries themselves; `make check` installs these
# (BENCHAI_WITH_DIFF=1).
DIFF=(python3-nltk python3-langdetect python3-numpy)
# The Slurm integration test (make slurm-test, tests/slurm/run.sh) starts a
# one-node cluster on 127.0.0.1: BENCHAI_WITH_SLURM=1 installs it. The
# packages' init scripts are not used; the test starts the daemons itself.
SLURM=(slurmctld slurmd slurm-client munge)

missing=()
for p in "${PACKAGES[@]}" ${BENCHAI_WITH_OPTIONAL:+"${OPTIONAL[@]}"} ${BENCHAI_WITH_DIFF:+"${DIFF[@]}"} \
         ${BENCHAI_WITH_SLURM:+"${SLURM[@]}"}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may already come from a non-Debian Node.js install; do not fight it.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
tmp=()
for p in "${missing[@]}"; do [ -n "$p" ] && tmp+=("$p"); done
missing=("${tmp[@]+"${tmp[@]}"}")

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
