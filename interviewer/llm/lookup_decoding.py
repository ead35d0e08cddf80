"""Greedy decoding with prompt-lookup proposals, for the embedded model's JSON at temperature 0.

The grader's extraction replies copy the transcript word for word, so most tokens the model writes
already stand in its prompt. After each token, the tokens that followed the last 3 (or 2) tokens'
earliest earlier occurrence are proposed, and the model checks them in the same batch as that token.
A proposal is kept only where it is the model's own argmax: the reply is a greedy one.

On two cores the model is compute-bound even one token at a time: a batch of n tokens costs about
n x 26 ms against 32 ms for one token alone (at a 500-token context), so the gain is the cheaper
token and the skipped per-token sampling work, and a rejected proposal is pure loss. Hence short
proposals (4, a batch of 5; batches of 7-8 measured slower than no proposals at all) and no 1-token
matches, which proposed mostly wrong tokens on answers the model does not copy.

llama-cpp-python's `draft_model` option computes logits for every prompt token (1.4 GB for a
2,300-token transcript, and slower prefill) and in 0.3.36 fails on prompts longer than a batch;
here only the checked batch gets logits. Batched logits differ from single-token ones in the last bits,
so on a near tie the chosen token can differ from plain greedy decoding's (2 of the 6 replies on the
2,300-token benchmark transcript read differently). The grader eval is the check: the same votes, scores
and rationales on all 42 transcripts as plain greedy decoding. Decoding (after the prompt) took 27% less
time over 48 extraction calls on 8 transcripts; a whole grade is about 5% faster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .base import Message, as_dicts

# The n-grams looked up, longest first, and the tokens proposed per step (see the module docstring).
NGRAMS = (3, 2)
PROPOSED = 4


def propose(ids: np.ndarray, ngrams: tuple[int, ...] = NGRAMS, count: int = PROPOSED) -> list[int]:
    """The up to `count` tokens that followed the earliest earlier occurrence of the last n tokens."""
    for n in ngrams:
        if len(ids) <= n:
            continue
        windows = np.lib.stride_tricks.sliding_window_view(ids[:-1], n)
        hits = np.flatnonzero(np.all(windows == ids[-n:], axis=1))
        if hits.size:
            start = int(hits[0]) + n
            return [int(t) for t in ids[start: start + count]]
    return []


class LookupDecoder:
    """Greedy completion of chat messages on a loaded `llama_cpp.Llama`, keeping its KV cache and token
    record consistent, so a later `create_chat_completion` still reuses the shared prefix."""

    def __init__(self, llm: Any) -> None:
        import llama_cpp
        from llama_cpp import llama_chat_format

        self._llm = llm
        # The same formatter llama-cpp-python registers for a GGUF's own chat template, so the prompt
        # tokens are the ones create_chat_completion would evaluate.
        template = llm.metadata["tokenizer.chat_template"]
        eos, bos = llm.token_eos(), llm.token_bos()
        self._format = llama_chat_format.Jinja2ChatFormatter(
            template=template, eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
            bos_token=llm._model.token_get_text(bos) if bos != -1 else "", stop_token_ids=[eos])
        self._n_vocab = llm.n_vocab()
        self._is_eog, self._vocab = llama_cpp.llama_vocab_is_eog, llm._model.vocab

    @classmethod
    def for_model(cls, llm: Any) -> LookupDecoder | None:
        """None when the model's chat format is not its GGUF template (then create_chat_completion's own
        handler formats the prompt, and this decoder could not reproduce it)."""
        if llm.chat_handler is not None or llm.chat_format != "chat_template.default":
            return None
        if "tokenizer.chat_template" not in llm.metadata:
            return None
        return cls(llm)

    def prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        result = self._format(messages=as_dicts(messages))
        return self._llm.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True)

    def complete(self, messages: Sequence[Message], max_tokens: int) -> tuple[str, str]:
        """The greedy reply and why it ended: "stop" (end of turn) or "length" (max_tokens)."""
        llm = self._llm
        prompt = self.prompt_tokens(messages)
        n_ctx = llm.n_ctx()
        if len(prompt) >= n_ctx:
            raise ValueError(f"Requested tokens ({len(prompt)}) exceed context window of {n_ctx}")
        max_tokens = min(max_tokens, n_ctx - len(prompt))
        # Reuse the cache for the longest shared prefix; evaluate at least one token for fresh logits.
        keep = llm.longest_token_prefix(llm.input_ids[: llm.n_tokens], prompt)
        history = np.array(prompt, dtype=np.intc)
        out: list[int] = []
        finish = "length"
        try:
            llm.n_tokens = min(keep, len(prompt) - 1)
            llm.eval(prompt[llm.n_tokens:])  # drops the cache past n_tokens; logits for the last token only
            token = self._argmax(-1)
            while True:
                if self._is_end(token):
                    finish = "stop"
                    break
                out.append(token)
                history = np.append(history, np.intc(token))
                if len(out) >= max_tokens:
                    break
                proposal = propose(history)[: max_tokens - len(out)]
                n_past = llm.n_tokens
                batch = [token, *proposal]
                llm._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
                llm._ctx.decode(llm._batch)
                llm.input_ids[n_past: n_past + len(batch)] = batch
                # Row i holds the model's choice after batch[i]: keep proposals while they match it.
                kept = 0
                token = self._argmax(0)
                while kept < len(proposal) and token == proposal[kept] and not self._is_end(token):
                    out.append(token)
                    kept += 1
                    token = self._argmax(kept)  # the proposal was cut to fit max_tokens
                history = np.append(history, np.array(proposal[:kept], dtype=np.intc))
                llm.n_tokens = n_past + 1 + kept
                llm._ctx.kv_cache_seq_rm(-1, llm.n_tokens, -1)  # the rejected proposals' cache
                if len(out) >= max_tokens:
                    break
        finally:
            # The current logits belong to the last batch, not to the last kept token.
            llm._requires_eval = True
        text = llm.detokenize(out, prev_tokens=prompt).decode("utf-8", errors="ignore")
        return text, finish

    def _argmax(self, i: int) -> int:
        logits = np.ctypeslib.as_array(self._llm._ctx.get_logits_ith(i), shape=(self._n_vocab,))
        return int(np.argmax(logits))

    def _is_end(self, token: int) -> bool:
        return bool(self._is_eog(self._vocab, token))
