#pragma once
// `nertool convert --from hf HF_DIR --to MODEL_DIR` or `--from MODEL_DIR --to hf HF_DIR`: the request cmd_convert.cc
// hands its LibTorch part (torch/convert_torch.cc, calling train/hf_checkpoint.h).
#include <cstdint>
#include <string>

namespace nertool::cli {

struct HfConversion {
  using Result = int;  // the exit status
  bool to_hf = false;  // export a nertool directory (else import a Hugging Face checkpoint)
  std::string from, to;
  std::string labels, labels_from;  // import of a base checkpoint: the label set
  int64_t max_seq_length = 128;
};

}  // namespace nertool::cli
