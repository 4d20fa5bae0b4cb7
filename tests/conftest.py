"""Shared fixtures: a synthetic data root and Hydra-composed configs pointing at temporary folders."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

if os.environ.get("PYTEST_XDIST_WORKER"):  # one thread per test worker (and its subprocesses): workers share the cores
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

import xner.runtime  # noqa: F401  (registers the ${xner.root:} resolver)
from tests.synthetic import write_europarl_like

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = ROOT / "conf"
SHARED_DATA = Path(os.environ.get("XNER_DATA_DIR", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session", autouse=True)
def models_folder(tmp_path_factory):
    """Converted encoders and ONNX graphs the tests write go to a temporary folder, not the checkout's cache."""
    saved = os.environ.get("XNER_MODELS_DIR")
    os.environ["XNER_MODELS_DIR"] = str(tmp_path_factory.mktemp("models"))
    yield Path(os.environ["XNER_MODELS_DIR"])
    if saved is None:
        os.environ.pop("XNER_MODELS_DIR", None)
    else:
        os.environ["XNER_MODELS_DIR"] = saved


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return write_europarl_like(tmp_path / "data")


@pytest.fixture
def compose_cfg(tmp_path: Path, data_root: Path, monkeypatch):
    """compose_cfg(*overrides) -> DictConfig with data, cache and MLflow store under tmp_path only."""
    monkeypatch.delenv("XNER_DATA_DIR", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("XNER_CACHE_DIR", str(tmp_path / "xner-cache"))

    def _compose(*overrides: str, logger: str = "none") -> DictConfig:
        base = [f"paths.data_dir={data_root}", f"paths.cache_dir={tmp_path / 'cache'}", f"paths.root_dir={tmp_path}",
                f"logger={logger}", f"logger.tracking_uri=sqlite:///{tmp_path / 'mlflow.db'}",
                "trainer.min_steps=null"]  # tiny synthetic sets keep their few epochs (the default floor is 500 updates)
        if not GlobalHydra.instance().is_initialized():  # one initialisation per test: its config cache is reused
            initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3").__enter__()
        cfg = compose(config_name="config", overrides=base + list(overrides))
        if OmegaConf.select(cfg, "model.init_from") == "ranked" and not any("init_from" in o for o in overrides):
            cfg.model.init_from = None  # synthetic data roots hold no ranked teacher's corpus: the bare encoder, unless named
        return cfg

    yield _compose
    GlobalHydra.instance().clear()


@pytest.fixture
def workdir(tmp_path):
    """A launch folder for command-line runs, with a synthetic Europarl data root in `data/`."""
    write_europarl_like(tmp_path / "data")
    return tmp_path


def cli_env(workdir: Path) -> dict[str, str]:
    """The data root and stage cache of a `workdir`, as a command-line run's environment."""
    return {"XNER_DATA_DIR": str(workdir / "data"), "XNER_CACHE_DIR": str(workdir / "cache")}


@pytest.fixture
def own_components(monkeypatch):
    """Allow the test doubles in tests/synthetic.py as `_target_` (how users add their own components)."""
    monkeypatch.setenv("XNER_ALLOWED_TARGETS", "tests.synthetic")


@pytest.fixture
def cli(monkeypatch, capsys):
    """cli(args, cwd, env) -> (exit status, stdout, stderr) of `python -m xner.run ARGS`, run in this process
    (the Hydra entry itself: argument parsing, composition, one-line error reporting), in `cwd`."""
    from xner.run import main

    def _cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
        monkeypatch.setenv("HYDRA_FULL_ERROR", "0")
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "argv", ["xner.run", *args])
        GlobalHydra.instance().clear()  # the entry initialises Hydra itself
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level
        capsys.readouterr()
        try:
            main()
            status = 0
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else 1
        finally:  # what a process exit would undo: Hydra's job config and its log handlers on captured streams
            HydraConfig.instance().cfg = None
            GlobalHydra.instance().clear()
            root.handlers[:], root.level = handlers, level
        out, err = capsys.readouterr()
        return status, out, err

    return _cli


def run_cli(args: list[str], cwd: Path, env_extra: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """`python -m xner.run ARGS` in `cwd` (its mlflow.db, outputs and multirun land there)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HYDRA_FULL_ERROR": "0", **(env_extra or {})}
    env.pop("MLFLOW_TRACKING_URI", None)
    return subprocess.run([sys.executable, "-m", "xner.run", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


SEQ2SEQ_WORDS = ["<pad>", "<s>", "</s>", "<unk>", "the", "European", "Parliament", "Europäische", "Parlament", "Prodi", "traf"]


@pytest.fixture(scope="session")
def tiny_seq2seq(tmp_path_factory):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        PreTrainedTokenizerFast,
    )

    torch.manual_seed(0)
    vocab = {word: i for i, word in enumerate(SEQ2SEQ_WORDS)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 2)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    config = BartConfig(vocab_size=len(SEQ2SEQ_WORDS), d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=32,
                        pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2)
    folder = tmp_path_factory.mktemp("seq2seq")
    BartForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)




@pytest.fixture(scope="session")
def word_encoder(tmp_path_factory):
    """A 1-layer random BERT with a word-level tokenizer over the synthetic corpus' source words."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    from tests.synthetic import COMMON, NAMES

    torch.manual_seed(0)
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + COMMON + sorted(set(sum(NAMES.values(), [])))
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]")
    config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=64, pad_token_id=0)
    folder = tmp_path_factory.mktemp("tagger-encoder")
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture
def ner_data(data_root):
    """MasakhaNER-, CoNLL-2003- and MAFAND-shaped files written from the synthetic corpus."""
    from tests.synthetic import make_corpus
    from xner.data.conll import write_conll

    for split, n, seed in (("train", 80, 1), ("dev", 20, 2), ("test", 30, 3)):
        sources, targets = make_corpus(n, seed=seed)
        write_conll(data_root / "masakhaner2" / "swa" / f"{split}.txt", targets if split == "test" else sources)
        write_conll(data_root / "conll2003_en" / f"{split}.txt", sources)
    sources, targets = make_corpus(120, seed=7)
    folder = data_root / "mafand" / "en-swa"
    folder.mkdir(parents=True)
    (folder / "train.en").write_text("".join(" ".join(s.tokens) + "\n" for s in sources))
    (folder / "train.swa").write_text("".join(" ".join(t.tokens) + "\n" for t in targets))
    return data_root


@pytest.fixture(scope="session")
def two_layer_encoder(word_encoder, tmp_path_factory):
    """The 1-layer test encoder with a second layer on top (frozen_layers=1 leaves one to train)."""
    import torch
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("encoder2")
    bert = BertConfig.from_pretrained(word_encoder)
    bert.num_hidden_layers = 2
    torch.manual_seed(0)
    BertModel(bert).save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (Path(word_encoder) / name).is_file():
            (folder / name).write_bytes((Path(word_encoder) / name).read_bytes())
    return str(folder)
