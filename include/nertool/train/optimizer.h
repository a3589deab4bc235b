#pragma once
// Optimizers from the "train" config section, with weight decay split into parameter groups: parameters whose
// name matches a `weight_decay_exclude` pattern (biases, LayerNorm weights, ...) get no decay.
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

#include "nertool/train/config.h"

namespace nertool::train {

// A pattern with *, ? or [ is a glob over the whole name (fnmatch); any other pattern matches as a substring.
bool name_matches(const std::string& name, const std::string& pattern);

struct ParamGroupNames {
  std::vector<std::string> decay;
  std::vector<std::string> no_decay;
};

// Names of the trainable parameters in each group (what make_optimizer will use), for logging and tests.
ParamGroupNames split_weight_decay(const torch::nn::Module& module, const std::vector<std::string>& exclude);

// nadam (nertool::train::NAdam), adam (L2 decay in the gradient), adamw (decoupled decay), sgd (momentum).
// Group 0 decays (when weight_decay > 0), group 1 does not; empty groups are omitted.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const torch::nn::Module& module, const TrainConfig& config);

// Sets the learning rate of every group.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

}  // namespace nertool::train
