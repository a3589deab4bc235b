#!/usr/bin/env python3
"""PyTorch (Python) peer of nertool's transformer tagger, for scripts/bench_infer.sh.

A plain-torch BERT/RoBERTa token classifier (same computation as Hugging Face's *ForTokenClassification, which is
not installed here) loaded from a Hugging Face checkpoint directory. It tags pre-tokenized sentences (the JSONL of
`nertool tokenize`: input_ids and word_first_subword per sentence) in batches sorted by length, and prints
sentences/s. Tokenization is not timed here (nertool's figure includes it).

Usage: bench_infer_peer.py HF_DIR TOKENIZED.jsonl [--batch 32] [--threads N] [--precision fp32|bf16]
"""
import argparse, json, math, os, sys, time

import torch
import torch.nn.functional as F


def load_state(hf_dir):
    st = os.path.join(hf_dir, "model.safetensors")
    if os.path.exists(st):
        with open(st, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
            data = f.read()
        types = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
        out = {}
        for k, v in header.items():
            if k == "__metadata__":
                continue
            a, b = v["data_offsets"]
            out[k] = torch.frombuffer(bytearray(data[a:b]), dtype=types[v["dtype"]]).reshape(v["shape"]) if b > a \
                else torch.zeros(v["shape"], dtype=types[v["dtype"]])
        return out
    return torch.load(os.path.join(hf_dir, "pytorch_model.bin"), map_location="cpu")


class Tagger(torch.nn.Module):
    def __init__(self, cfg, state):
        super().__init__()
        self.cfg = cfg
        self.roberta = cfg["model_type"] != "bert"
        p = "roberta." if self.roberta else "bert."
        self.w = {k[len(p):] if k.startswith(p) else k: v.float() for k, v in state.items()}
        self.heads = cfg["num_attention_heads"]
        self.eps = cfg["layer_norm_eps"]
        self.pad = cfg.get("pad_token_id", 1 if self.roberta else 0)

    def ln(self, x, name):
        return F.layer_norm(x, (x.shape[-1],), self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def lin(self, x, name):
        return F.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def forward(self, ids, mask):
        w = self.w
        if self.roberta:
            m = ids.ne(self.pad).long()
            pos = torch.cumsum(m, 1) * m + self.pad
        else:
            pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = self.ln(x, "embeddings.LayerNorm")
        b, s, h = x.shape
        d = h // self.heads
        add = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for i in range(self.cfg["num_hidden_layers"]):
            L = "encoder.layer.%d." % i
            q = self.lin(x, L + "attention.self.query").view(b, s, self.heads, d).transpose(1, 2)
            k = self.lin(x, L + "attention.self.key").view(b, s, self.heads, d).transpose(1, 2)
            v = self.lin(x, L + "attention.self.value").view(b, s, self.heads, d).transpose(1, 2)
            a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + add, -1)
            c = (a @ v).transpose(1, 2).reshape(b, s, h)
            x = self.ln(self.lin(c, L + "attention.output.dense") + x, L + "attention.output.LayerNorm")
            inner = F.gelu(self.lin(x, L + "intermediate.dense"))
            x = self.ln(self.lin(inner, L + "output.dense") + x, L + "output.LayerNorm")
        return self.lin(x, "classifier")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hf_dir")
    ap.add_argument("tokenized")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                    help="bf16: forward passes under torch.autocast('cpu', dtype=torch.bfloat16)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = json.load(open(os.path.join(args.hf_dir, "config.json")))
    model = Tagger(cfg, load_state(args.hf_dir)).eval()
    sents = [json.loads(l) for l in open(args.tokenized) if l.strip()]
    order = sorted(range(len(sents)), key=lambda i: len(sents[i]["input_ids"]))
    pad = model.pad
    start = time.perf_counter()
    n_words = 0
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
        for k in range(0, len(order), args.batch):
            chunk = [sents[i] for i in order[k:k + args.batch]]
            s = max(len(c["input_ids"]) for c in chunk)
            ids = torch.full((len(chunk), s), pad, dtype=torch.long)
            mask = torch.zeros((len(chunk), s), dtype=torch.long)
            for j, c in enumerate(chunk):
                ids[j, :len(c["input_ids"])] = torch.tensor(c["input_ids"])
                mask[j, :len(c["input_ids"])] = 1
            pred = model(ids, mask).argmax(-1)
            for j, c in enumerate(chunk):
                first = torch.tensor([max(f, 0) for f in c["word_first_subword"]], dtype=torch.long)
                n_words += len(pred[j][first].tolist())
    secs = time.perf_counter() - start
    print(json.dumps({"sentences": len(sents), "words": n_words, "seconds": round(secs, 3),
                      "sentences_per_s": round(len(sents) / secs, 1)}))


if __name__ == "__main__":
    main()
