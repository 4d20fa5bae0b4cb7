"""Where an encoder's inference passes run: torch, or an ONNX Runtime graph exported from the same weights
(about 2x faster on CPU, outputs within float tolerance; docs/results/speed.md). The runtime is checked
against torch on a batch when a graph opens; a missing or disagreeing runtime falls back to torch, logged."""

from __future__ import annotations

import importlib
import io
import logging
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal, Sequence

import numpy as np

from xner.errors import ConfigError

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)
Runtime = Literal["auto", "torch", "onnxruntime"]
RUNTIMES = ("auto", "torch", "onnxruntime")
EXPORT_VERSION = "1"  # bump when the export below changes: cached graphs are then rebuilt
TOLERANCE = 1e-3  # largest |ORT - torch| accepted on the check batch (observed: about 5e-6 on fp32 states)
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def pick_runtime(runtime: str, device: str) -> str:
    """'torch' or 'onnxruntime' for a pass on `device`: ONNX Runtime serves CPU passes (auto, onnxruntime)
    when it is installed; GPU passes stay in torch."""
    if runtime not in RUNTIMES:
        raise ConfigError(f"runtime '{runtime}' is not one of {', '.join(RUNTIMES)}")
    if runtime == "torch" or not str(device).startswith("cpu"):
        return "torch"
    try:
        importlib.import_module("onnxruntime")
    except ImportError:
        if runtime == "onnxruntime":
            _warn_once("runtime=onnxruntime: onnxruntime is not installed (pip install onnxruntime); using torch")
        return "torch"
    return "onnxruntime"


def _versions() -> str:
    import onnxruntime
    import torch

    return f"torch{torch.__version__}-ort{onnxruntime.__version__}-v{EXPORT_VERSION}"


class OnnxGraph:
    """`module(*inputs) -> tensor` as an ONNX Runtime session on this process's torch threads, exported from the module
    in memory, or read from / kept as `<cache_dir>/<key>-<versions>.onnx` (the key names the weights)."""

    def __init__(self, module: "torch.nn.Module", example: Sequence["torch.Tensor"], names: Sequence[str],
                 dynamic: dict[str, dict[int, str]], cache_dir: Path | None = None, key: str | None = None):
        import onnxruntime as ort
        import torch

        self.names = list(names)
        path = None
        if cache_dir is not None and key:
            path = Path(cache_dir) / f"{key}-{_versions()}.onnx"
        if path is not None and path.is_file():
            source: str | bytes = str(path)
        else:
            buffer = io.BytesIO()
            modes = {part: part.training for part in module.modules()}
            module.eval()
            try:
                with torch.no_grad(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the exporter's tracer warnings: the check below is what counts
                    torch.onnx.export(module, tuple(example), buffer, input_names=self.names, output_names=["out"],
                                      dynamic_axes={**dynamic, "out": {0: "batch", 1: "length"}}, opset_version=17,
                                      dynamo=False)
            finally:
                for part, mode in modes.items():
                    part.training = mode
            source = buffer.getvalue()
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f".{path.name}.{os.getpid()}")
                partial.write_bytes(source)
                partial.replace(path)  # atomic: a concurrent job reads a whole graph or none
                log.info("ONNX graph of %s written to %s", type(module).__name__, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, torch.get_num_threads())
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        self.path = path

    def __call__(self, *arrays: np.ndarray) -> np.ndarray:
        return self.session.run(None, dict(zip(self.names, arrays)))[0]


def _check(graph: OnnxGraph, reference: Callable[..., "torch.Tensor"], inputs: Sequence["torch.Tensor"],
           mask: "torch.Tensor") -> float:
    """Largest |graph - torch| over the unpadded positions of one batch."""
    import torch

    with torch.inference_mode():
        expected = reference(*inputs).float().numpy()
    got = graph(*[t.numpy() for t in inputs])
    keep = mask.numpy().astype(bool)
    return float(np.abs(got - expected)[keep].max()) if keep.any() else 0.0


def _probe(hidden: int, rows: int, length: int, seed: int) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Hidden states and a mask, the last row half padding."""
    import torch

    mask = torch.ones(rows, length, dtype=torch.long)
    mask[-1, length // 2:] = 0
    return torch.randn(rows, length, hidden, generator=torch.Generator().manual_seed(seed)), mask


def open_graph(module: "torch.nn.Module", what: str, reference: Callable[..., "torch.Tensor"], hidden: int,
               cache_dir: Path | None = None, key: str | None = None) -> OnnxGraph | None:
    """`module`, (states, mask) -> states, as an ONNX graph checked against `reference` on a batch of another shape
    than the export's; None (torch is used, logged once) if export or the check fails."""
    dynamic = {"states": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"}}
    try:
        graph = OnnxGraph(module, _probe(hidden, 2, 11, seed=1), ["states", "attention_mask"], dynamic, cache_dir, key)
        probe = _probe(hidden, 3, 17, seed=2)
        error = _check(graph, reference, probe, probe[1])
    except Exception as failure:  # noqa: BLE001 - any exporter/runtime failure means: run in torch
        _warn_once(f"{what}: ONNX Runtime unavailable for this model ({type(failure).__name__}: "
                   f"{str(failure).splitlines()[0] if str(failure) else ''}); using torch")
        return None
    if error > TOLERANCE:
        _warn_once(f"{what}: ONNX Runtime differs from torch by {error:.2g} (> {TOLERANCE}); using torch")
        if graph.path is not None:
            graph.path.unlink(missing_ok=True)
        return None
    log.info("%s: inference in ONNX Runtime (largest difference from torch on a check batch %.1g)", what, error)
    return graph
