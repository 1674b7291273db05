#!/usr/bin/env python3
"""make_small_vocab.py - a twin of the tiny dense test model with a small vocabulary.

    make_small_vocab.py --src LLAMA_SRC --out FILE.gguf [--vocab N]

Same layers, sizes and seed as scripts/make_test_models.py's tiny-dense
(written by its own write_model, imported, not copied), but the tokenizer
keeps only the first N (default 512) tokens of the llama-spm vocabulary: the
three special tokens, the 256 byte-fallback tokens and the first pieces, so
any text still tokenizes. Everything that scales with the vocabulary (the
output projection, and in llama-server the sampler's pass over every
logit) shrinks by 32000/N, everything else stays. vs-llama-bench.sh runs the
server and llama-bench on both twins: the server-only cost per token that
does not shrink is the fixed cost of the server path, the part that does
is the vocabulary pass.

Run with Debian's /usr/bin/python3 (numpy) and PYTHONPATH=LLAMA_SRC/gguf-py
plus the repository's scripts/ folder (vs-llama-bench.sh sets both).
"""
import argparse
import os

import make_test_models as mtm

TRUNCATED = ("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True, help="llama.cpp source tree")
    ap.add_argument("--out", required=True, help="the GGUF to write")
    ap.add_argument("--vocab", type=int, default=512, help="tokens to keep (>= 259)")
    args = ap.parse_args()
    if args.vocab < 259:
        ap.error("--vocab must keep the 3 special and 256 byte tokens (>= 259)")
    full = mtm.read_vocab(os.path.join(args.src, "models", mtm.VOCAB_MAIN))
    vocab = [(k, v[:args.vocab] if k in TRUNCATED else v, t, s) for k, v, t, s in full]
    dims = mtm.MODELS["tiny-dense"]
    tmp = args.out + ".tmp"
    mtm.write_model(tmp, f"tiny-dense-vocab{args.vocab}", vocab, dims)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
