#!/usr/bin/env python3
"""PyTorch (Python) peer of `nertool pretrain`, for scripts/bench_pretrain.sh.

The same masked-LM step written the way a PyTorch user would (Hugging Face's RobertaForMaskedLM computation, which
is not installed here): post-LayerNorm transformer layers with exact GELU, the LM head (dense, GELU, LayerNorm, the
decoder tied to the word embeddings), dynamic masking per batch with torch ops as DataCollatorForLanguageModeling
does (15%: 80% mask, 10% random, 10% kept), cross-entropy over the masked positions, AdamW with linear decay,
gradient clipping. Input: full sequences of --length subwords (nertool packs sentences up to that length), random
ids. Prints one JSON line with subwords per second over the timed steps.

Usage: bench_pretrain_peer.py --layers 4 --hidden 256 --heads 4 --intermediate 1024 --vocab 50265 --length 128
       --batch 32 --steps 20 [--precision fp32|bf16] [--threads N]
"""
import argparse, json, math, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, h, heads, inter, eps):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(h, 3 * h)
        self.out = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=eps)
        self.up = nn.Linear(h, inter)
        self.down = nn.Linear(inter, h)
        self.ln2 = nn.LayerNorm(h, eps=eps)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, additive_mask):
        b, s, h = x.shape
        q, k, v = self.qkv(x).view(b, s, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(h // self.heads) + additive_mask
        ctx = (self.drop(att.softmax(-1)) @ v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.out(ctx)))
        return self.ln2(x + self.drop(self.down(F.gelu(self.up(x)))))


class MaskedLM(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.words = nn.Embedding(a.vocab, a.hidden, padding_idx=1)
        self.positions = nn.Embedding(a.length + 2, a.hidden)
        self.types = nn.Embedding(1, a.hidden)
        self.ln = nn.LayerNorm(a.hidden, eps=1e-5)
        self.layers = nn.ModuleList(Layer(a.hidden, a.heads, a.intermediate, 1e-5) for _ in range(a.layers))
        self.dense = nn.Linear(a.hidden, a.hidden)
        self.head_ln = nn.LayerNorm(a.hidden, eps=1e-5)
        self.bias = nn.Parameter(torch.zeros(a.vocab))
        self.drop = nn.Dropout(0.1)

    def forward(self, ids, mask, labels):
        pos = (torch.cumsum(mask, 1) * mask) + 1  # RoBERTa positions: after the pad id
        x = self.drop(self.ln(self.words(ids) + self.positions(pos) + self.types(torch.zeros_like(ids))))
        additive = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, additive)
        chosen = labels.ne(-100)
        # LayerNorm in float32: CPU autocast (torch 1.13) hands it bfloat16 input and float32 weights otherwise
        h = self.head_ln(F.gelu(self.dense(x[chosen])).float())
        return F.cross_entropy((h @ self.words.weight.t() + self.bias).float(), labels[chosen])


def mask_tokens(ids, vocab, mask_id=50264, p=0.15):
    labels = ids.clone()
    special = (ids == 0) | (ids == 2)
    prob = torch.full(ids.shape, p)
    prob.masked_fill_(special, 0.0)
    chosen = torch.bernoulli(prob).bool()
    labels[~chosen] = -100
    replaced = torch.bernoulli(torch.full(ids.shape, 0.8)).bool() & chosen
    ids = ids.masked_fill(replaced, mask_id)
    randomized = torch.bernoulli(torch.full(ids.shape, 0.5)).bool() & chosen & ~replaced
    ids = torch.where(randomized, torch.randint(vocab, ids.shape), ids)
    return ids, labels


def main():
    p = argparse.ArgumentParser()
    for k, d in [("layers", 4), ("hidden", 256), ("heads", 4), ("intermediate", 1024), ("vocab", 50265),
                 ("length", 128), ("batch", 32), ("steps", 20), ("warmup", 2), ("threads", 0)]:
        p.add_argument("--" + k, type=int, default=d)
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = MaskedLM(a)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / (a.steps + a.warmup)))
    model.train()
    tokens, start = 0, None
    for step in range(a.steps + a.warmup):
        if step == a.warmup:
            tokens, start = 0, time.perf_counter()
        ids = torch.randint(3, a.vocab - 1, (a.batch, a.length))
        ids[:, 0], ids[:, -1] = 0, 2
        inputs, labels = mask_tokens(ids, a.vocab)
        mask = torch.ones_like(ids)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            loss = model(inputs, mask, labels)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        tokens += ids.numel()
    seconds = time.perf_counter() - start
    print(json.dumps({"subwords_per_s": tokens / seconds, "steps": a.steps, "seconds": seconds,
                      "precision": a.precision, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
