#!/usr/bin/env python3
"""Writes the small PyTorch checkpoints that tests/io/hf_weights_test.cc reads (run with Debian's python3-torch;
the files are committed, so the tests need no Python).

Every file holds the same state dict, in the three layouts real Hugging Face pytorch_model.bin files come in:
  plain_dict.bin   torch.save(dict(sd))            zip format, a plain dict (transformers since 2022)
  ordered_dict.bin torch.save(sd)                  zip format, a collections.OrderedDict with _metadata, as
                                                   model.state_dict() returns it (older transformers)
  legacy.bin       the same, _use_new_zipfile_serialization=False: the pre-1.6 format (bert-base-cased era)
Values are arange-based so the test recomputes them: see the test for the formulas.
"""
import collections
import sys

import torch

out = sys.argv[1] if len(sys.argv) > 1 else "."
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8
sd = collections.OrderedDict()
sd["encoder.weight"] = base                                   # float32 [4, 6]
sd["encoder.weight_t"] = base.t()                             # a transposed view: strides (1, 6), shared storage
sd["encoder.row2"] = base[2]                                  # a view with a storage offset (12)
sd["encoder.half"] = (torch.arange(5, dtype=torch.float32) - 2).half()
sd["embeddings.position_ids"] = torch.arange(7).unsqueeze(0)  # int64 [1, 7]
sd["flags"] = torch.tensor([True, False, True])
sd["scalar"] = torch.tensor(2.5, dtype=torch.float64)         # 0-dimensional
sd["empty"] = torch.zeros(0, 3)
sd._metadata = collections.OrderedDict([("", {"version": 1}), ("encoder", {"version": 1})])
torch.save(dict(sd), out + "/plain_dict.bin")
torch.save(sd, out + "/ordered_dict.bin")
torch.save(sd, out + "/legacy.bin", _use_new_zipfile_serialization=False)
