#pragma once
// The flags of `nertool train` and `nertool pretrain` (cmd_train.cc), which are also the request their LibTorch
// part runs (torch/train_torch.cc).
#include <string>
#include <vector>

namespace nertool::cli {

struct TrainFlags {
  using Result = int;  // the exit status
  bool pretrain = false;  // nertool pretrain
  std::string config;
  std::string data = ".";
  std::string out;
  std::vector<std::string> sets;
  std::string seed;  // text, checked as train.seed is: CLI11 would clamp a number beyond int64 without a word
  bool resume = false;
  bool dump_config = false;
  bool config_keys = false;
  std::string init;
  int nproc = 0;
  int dist_timeout = 1800;
};

}  // namespace nertool::cli
