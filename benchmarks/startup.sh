#!/usr/bin/env bash
# Start-up before/after: a cached Europarl run (logger=none and MLflow) and --help, alternating two checkouts,
# 3 rounds; prints one line per command and tree (take the medians). Usage, from the repository root:
#   git worktree add /tmp/before <commit> && bash benchmarks/startup.sh /tmp/before
# Run `python -m xner.run lang=de` once first so every stage is a cache hit.
set -euo pipefail
before=${1:?usage: benchmarks/startup.sh <checkout of the commit before>}
after=$(pwd)
python=${PYTHON:-$after/.venv/bin/python}
export XNER_DATA_DIR=${XNER_DATA_DIR:-$(cd .. && pwd)/shared/data} XNER_CACHE_DIR=${XNER_CACHE_DIR:-$after/.cache/xner}
out=$(mktemp -d)
timed() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
for round in 1 2 3; do
  for tree in "$before" "$after"; do
    cd "$tree"
    name=$([ "$tree" = "$before" ] && echo before || echo after)
    echo "europarl_none $name $(timed "$python" -m xner.run lang=de logger=none hydra.run.dir="$out/$round$name")"
    echo "europarl_mlflow $name $(timed "$python" -m xner.run lang=de hydra.run.dir="$out/m$round$name")"
    echo "help $name $(timed "$python" -m xner.run --help)"
  done
done
