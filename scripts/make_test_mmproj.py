#!/usr/bin/python3
"""Writes benchai's tiny random-weight multimodal projector (mmproj) GGUF.

    make_test_mmproj.py --out FILE [--n-embd-text 128]

A LLaVA-1.5-style CLIP vision tower (projector type "mlp", the simplest one
llama.cpp's tools/mtmd loads): a 56x56 input cut into 14x14 patches (16
image tokens), 2 transformer blocks of width 64, and a two-layer MLP
projecting into the text model's embedding width (tiny-dense: 128). What
clip.cpp needs is read from that loader (tools/mtmd/clip.cpp: load_hparams,
load_tensors; models/llava.cpp for the graph): the clip.* keys below, the
v.* tower tensors and mm.0 / mm.2. Random weights with a fixed seed: the
same generator writes the same bytes. The image tokens it produces are
noise; what it proves is that an image reaches the model (the prompt grows
by the image's tokens) through benchai's request path.

Run with Debian's /usr/bin/python3 (numpy) and PYTHONPATH=LLAMA_SRC/gguf-py;
scripts/make-test-models does both.
"""
import argparse
import os
import sys

import numpy as np
import gguf

IMAGE_SIZE = 56      # the fixed-size preprocessor resizes every image to this square
PATCH_SIZE = 14      # -> (56 / 14)^2 = 16 image tokens per image
N_EMBD = 64          # vision tower width
N_FF = 128           # != N_EMBD, so clip.cpp's legacy up/down swap check stays off
N_HEAD = 4
N_LAYER = 2          # the llava graph runs n_layer - 1 of them (the second-to-last layer's output)
N_HIDDEN = 128       # projector hidden width
SEED = 5678


def rand(rng, shape, std, dtype):
    return (rng.standard_normal(shape, dtype=np.float32) * std).astype(dtype)


def write_mmproj(path, n_embd_text):
    rng = np.random.default_rng(SEED)
    f16, f32 = np.float16, np.float32
    w = gguf.GGUFWriter(path, "clip")
    w.add_name("tiny-mmproj")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_bool("clip.has_vision_encoder", True)
    w.add_string("clip.projector_type", "mlp")
    w.add_bool("clip.use_gelu", True)
    w.add_uint32("clip.vision.image_size", IMAGE_SIZE)
    w.add_uint32("clip.vision.patch_size", PATCH_SIZE)
    w.add_uint32("clip.vision.embedding_length", N_EMBD)
    w.add_uint32("clip.vision.feed_forward_length", N_FF)
    w.add_uint32("clip.vision.block_count", N_LAYER)
    w.add_uint32("clip.vision.projection_dim", n_embd_text)
    w.add_uint32("clip.vision.attention.head_count", N_HEAD)
    w.add_float32("clip.vision.attention.layer_norm_epsilon", 1e-6)
    w.add_array("clip.vision.image_mean", [0.48145466, 0.4578275, 0.40821073])
    w.add_array("clip.vision.image_std", [0.26862954, 0.26130258, 0.27577711])

    n_pos = (IMAGE_SIZE // PATCH_SIZE) ** 2
    s = 1.0 / np.sqrt(N_EMBD)
    # numpy shapes are ggml's ne reversed: the conv kernel is ne [p, p, 3, n_embd]
    w.add_tensor("v.patch_embd.weight", rand(rng, (N_EMBD, 3, PATCH_SIZE, PATCH_SIZE), 0.02, f16))
    w.add_tensor("v.patch_embd.bias", np.zeros(N_EMBD, dtype=f32))
    w.add_tensor("v.position_embd.weight", rand(rng, (n_pos, N_EMBD), 0.02, f32))
    w.add_tensor("v.pre_ln.weight", np.ones(N_EMBD, dtype=f32))
    w.add_tensor("v.pre_ln.bias", np.zeros(N_EMBD, dtype=f32))
    for i in range(N_LAYER):
        p = f"v.blk.{i}."
        for norm in ("ln1", "ln2"):
            w.add_tensor(p + norm + ".weight", np.ones(N_EMBD, dtype=f32))
            w.add_tensor(p + norm + ".bias", np.zeros(N_EMBD, dtype=f32))
        for proj in ("attn_q", "attn_k", "attn_v", "attn_out"):
            w.add_tensor(p + proj + ".weight", rand(rng, (N_EMBD, N_EMBD), s, f16))
            w.add_tensor(p + proj + ".bias", np.zeros(N_EMBD, dtype=f32))
        w.add_tensor(p + "ffn_up.weight", rand(rng, (N_FF, N_EMBD), s, f16))
        w.add_tensor(p + "ffn_up.bias", np.zeros(N_FF, dtype=f32))
        w.add_tensor(p + "ffn_down.weight", rand(rng, (N_EMBD, N_FF), 1.0 / np.sqrt(N_FF), f16))
        w.add_tensor(p + "ffn_down.bias", np.zeros(N_EMBD, dtype=f32))
    # the projector: mm.0 (vision width -> hidden), GELU, mm.2 (hidden -> text width)
    w.add_tensor("mm.0.weight", rand(rng, (N_HIDDEN, N_EMBD), s, f16))
    w.add_tensor("mm.0.bias", np.zeros(N_HIDDEN, dtype=f32))
    w.add_tensor("mm.2.weight", rand(rng, (n_embd_text, N_HIDDEN), 1.0 / np.sqrt(N_HIDDEN), f16))
    w.add_tensor("mm.2.bias", np.zeros(n_embd_text, dtype=f32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="the mmproj GGUF to write")
    ap.add_argument("--n-embd-text", type=int, default=128,
                    help="the text model's embedding width (tiny-dense: 128)")
    a = ap.parse_args()
    tmp = a.out + ".tmp"
    write_mmproj(tmp, a.n_embd_text)
    os.replace(tmp, a.out)
    print(f"TINY_MMPROJ={a.out}")


if __name__ == "__main__":
    sys.exit(main())
