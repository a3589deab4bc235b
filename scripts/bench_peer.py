#!/usr/bin/env python3
"""PyTorch peer of nertool's BiLSTM-CNN (bilstm_cnn encoder + bidir_softmax decoder) for scripts/bench_train.sh.

The same architecture, sizes and optimizer as configs/bilstm_cnn_paper.json (word, casing and char-CNN features, stacked
single-layer BiLSTMs on packed sequences, two per-direction softmax layers, NAdam), written the way a PyTorch user
would: featurization in Python per batch, batches of about `batch_tokens` tokens from length-sorted sentences.
Prints one JSON line: {"train_tokens_per_s", "predict_sentences_per_s", ...}.
"""
import argparse
import json
import random
import time
import unicodedata

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def read_conll(path, limit):
    sents, toks, labs = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("-DOCSTART-"):
                if toks:
                    sents.append((toks, labs))
                    toks, labs = [], []
                    if len(sents) >= limit:
                        break
                continue
            cols = line.split()
            toks.append(cols[0])
            labs.append(cols[-1])
    if toks and len(sents) < limit:
        sents.append((toks, labs))
    return sents


def casing(w):  # the same classes and order as nertool::layers::casing_of
    n = len(w)
    digits = sum(c.isdigit() for c in w)
    upper = sum(unicodedata.category(c) in ("Lu", "Lt") for c in w)
    lower = sum(unicodedata.category(c) == "Ll" for c in w)
    punct = sum(unicodedata.category(c).startswith("P") for c in w)
    if digits == n: return 1
    if 2 * digits > n: return 2
    if lower and not upper: return 3
    if upper and not lower: return 4
    if unicodedata.category(w[0]) in ("Lu", "Lt"): return 5
    if digits: return 6
    if punct == n: return 7
    if upper and lower: return 8
    return 9


def char_type(c):
    k = unicodedata.category(c)
    if k in ("Lu", "Lt"): return 1
    if k == "Ll": return 2
    if k == "Nd": return 3
    if k.startswith("P"): return 4
    return 5


class Model(nn.Module):
    def __init__(self, nwords, nchars, nlabels, a):
        super().__init__()
        self.word = nn.Embedding(nwords, a.word_dim, padding_idx=0)
        self.case = nn.Embedding(10, a.casing_dim, padding_idx=0)
        self.char = nn.Embedding(nchars, a.char_dim, padding_idx=0)
        self.ctype = nn.Embedding(6, a.char_type_dim, padding_idx=0)
        self.conv = nn.Conv1d(a.char_dim + a.char_type_dim, a.char_filters, 3, padding=1)
        self.edrop = nn.Dropout(a.embedding_dropout)
        self.drop = nn.Dropout(a.dropout)
        dim = a.word_dim + a.casing_dim + a.char_filters
        self.lstms = nn.ModuleList()
        for _ in range(a.num_layers):
            self.lstms.append(nn.LSTM(dim, a.hidden_size, batch_first=True, bidirectional=True))
            dim = 2 * a.hidden_size
        self.fwd = nn.Linear(a.hidden_size, nlabels)
        self.bwd = nn.Linear(a.hidden_size, nlabels)
        self.h = a.hidden_size

    def forward(self, words, cases, chars, ctypes, mask):
        B, T = words.shape
        cw, ct = chars[mask], ctypes[mask]
        x = torch.cat([self.char(cw), self.ctype(ct)], -1).transpose(1, 2)
        h = self.conv(x).masked_fill((cw == 0).unsqueeze(1), float("-inf")).max(2)[0]
        cf = torch.zeros(B, T, h.size(1), dtype=h.dtype).index_put((mask,), h)
        x = self.edrop(torch.cat([self.word(words), self.case(cases), cf], -1))
        lengths = mask.sum(1).cpu()
        for lstm in self.lstms:
            out, _ = lstm(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
            x = self.drop(pad_packed_sequence(out, batch_first=True, total_length=T)[0])
        return (torch.log_softmax(self.fwd(x[..., :self.h]), -1) + torch.log_softmax(self.bwd(x[..., self.h:]), -1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--predict", required=True)
    p.add_argument("--sentences", type=int, default=2000)
    p.add_argument("--predict-sentences", type=int, default=2000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-tokens", type=int, default=200)
    p.add_argument("--eval-batch", type=int, default=64)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--word-dim", type=int, default=100)
    p.add_argument("--casing-dim", type=int, default=10)
    p.add_argument("--char-dim", type=int, default=25)
    p.add_argument("--char-type-dim", type=int, default=4)
    p.add_argument("--char-filters", type=int, default=53)
    p.add_argument("--hidden-size", type=int, default=275)
    p.add_argument("--num-layers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--embedding-dropout", type=float, default=0.5)
    p.add_argument("--lr", type=float, default=0.0105)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16: forward passes under torch.autocast('cpu', bfloat16), the PyTorch recipe")
    a = p.parse_args()
    autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    train = read_conll(a.train, a.sentences)
    test = read_conll(a.predict, a.predict_sentences)
    words, chars, labels = {"<pad>": 0, "<unk>": 1}, {"<pad>": 0, "<unk>": 1}, {}
    for toks, labs in train:
        for w in toks:
            words.setdefault(w, len(words))
            for c in w[:50]:
                chars.setdefault(c, len(chars))
        for l in labs:
            labels.setdefault(l, len(labels))

    def wid(w):
        i = words.get(w)
        return i if i is not None else words.get(w.lower(), 1)

    def featurize(batch):  # Python lists, one tensor per input (no per-element tensor writes)
        T = max(len(s[0]) for s in batch)
        C = max(min(len(w), 50) for s in batch for w in s[0])
        W, K, CH, CT, M, Y = [], [], [], [], [], []
        for toks, labs in batch:
            pad = T - len(toks)
            W.append([wid(w) for w in toks] + [0] * pad)
            K.append([casing(w) for w in toks] + [0] * pad)
            M.append([True] * len(toks) + [False] * pad)
            Y.append([labels.get(l, 0) for l in labs] + [0] * pad)
            CH.append([[chars.get(c, 1) for c in w[:50]] + [0] * (C - min(len(w), 50)) for w in toks] + [[0] * C] * pad)
            CT.append([[char_type(c) for c in w[:50]] + [0] * (C - min(len(w), 50)) for w in toks] + [[0] * C] * pad)
        t = lambda x, dt=torch.long: torch.tensor(x, dtype=dt)
        return t(W), t(K), t(CH), t(CT), t(M, torch.bool), t(Y)

    model = Model(len(words), len(chars), len(labels), a)
    opt = torch.optim.NAdam(model.parameters(), lr=a.lr)
    # Token-budget batches over length-sorted sentences, shuffled.
    order = sorted(range(len(train)), key=lambda i: len(train[i][0]))
    batches, cur, ntok = [], [], 0
    for i in order:
        n = len(train[i][0])
        if cur and ntok + n > a.batch_tokens:
            batches.append(cur); cur, ntok = [], 0
        cur.append(i); ntok += n
    if cur: batches.append(cur)
    tokens = sum(len(s[0]) for s in train) * a.epochs
    model.train()
    start = time.perf_counter()
    for _ in range(a.epochs):
        random.shuffle(batches)
        for bi in batches:
            W, K, CH, CT, M, Y = featurize([train[i] for i in bi])
            with autocast():
                scores = model(W, K, CH, CT, M).float()
            loss = -(scores.gather(-1, Y.unsqueeze(-1)).squeeze(-1) * M).sum() / M.sum()
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
    train_s = time.perf_counter() - start
    model.eval()
    start = time.perf_counter()
    out = []
    with torch.no_grad():
        for i in range(0, len(test), a.eval_batch):
            batch = test[i:i + a.eval_batch]
            W, K, CH, CT, M, _ = featurize(batch)
            with autocast():
                best = model(W, K, CH, CT, M).argmax(-1)
            inv = {v: k for k, v in labels.items()}
            for b, (toks, _) in enumerate(batch):
                out.append([inv[int(j)] for j in best[b, :len(toks)]])
    pred_s = time.perf_counter() - start
    print(json.dumps({"impl": "pytorch-python", "torch": torch.__version__, "threads": a.threads,
                      "precision": a.precision,
                      "train_sentences": len(train), "train_tokens": tokens, "train_seconds": round(train_s, 3),
                      "train_tokens_per_s": tokens / train_s, "predict_sentences": len(test),
                      "predict_seconds": round(pred_s, 3), "predict_sentences_per_s": len(test) / pred_s,
                      "final_loss": float(loss)}))


if __name__ == "__main__":
    main()
