#include "nertool/train/optimizer.h"

#include <fnmatch.h>
#include <torch/torch.h>

#include "nertool/core/error.h"
#include "nertool/train/nadam.h"

namespace nertool::train {

bool name_matches(const std::string& name, const std::string& pattern) {
  if (pattern.find_first_of("*?[") != std::string::npos) return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
  return name.find(pattern) != std::string::npos;
}

namespace {
// clone() is public only through the base class.
std::unique_ptr<torch::optim::OptimizerOptions> own(const torch::optim::OptimizerOptions& o) { return o.clone(); }

bool excluded(const std::string& name, const std::vector<std::string>& exclude) {
  for (const auto& p : exclude)
    if (name_matches(name, p)) return true;
  return false;
}
}  // namespace

ParamGroupNames split_weight_decay(const torch::nn::Module& module, const std::vector<std::string>& exclude) {
  ParamGroupNames out;
  for (const auto& item : module.named_parameters()) {
    if (!item.value().requires_grad()) continue;
    (excluded(item.key(), exclude) ? out.no_decay : out.decay).push_back(item.key());
  }
  return out;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const torch::nn::Module& module, const TrainConfig& c) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& item : module.named_parameters()) {
    if (!item.value().requires_grad()) continue;
    (c.weight_decay > 0 && !excluded(item.key(), c.weight_decay_exclude) ? decay : no_decay).push_back(item.value());
  }
  if (decay.empty() && no_decay.empty()) throw ConfigError("the model has no trainable parameters");
  const auto betas = std::make_tuple(c.betas.at(0), c.betas.at(1));

  // One options object per group: the decaying group carries weight_decay, the other 0.
  auto groups = [&](auto make_options) {
    std::vector<torch::optim::OptimizerParamGroup> g;
    if (!decay.empty()) g.emplace_back(decay, own(make_options(c.weight_decay)));
    if (!no_decay.empty()) g.emplace_back(no_decay, own(make_options(0.0)));
    return g;
  };
  switch (c.optimizer) {
    case Optimizer::kNadam: {
      auto opts = [&](double wd) {
        return NAdamOptions(c.lr).betas(betas).eps(c.eps).weight_decay(wd).momentum_decay(c.momentum_decay);
      };
      return std::make_unique<NAdam>(groups(opts), opts(0.0));
    }
    case Optimizer::kAdam: {
      auto opts = [&](double wd) { return torch::optim::AdamOptions(c.lr).betas(betas).eps(c.eps).weight_decay(wd); };
      return std::make_unique<torch::optim::Adam>(groups(opts), opts(0.0));
    }
    case Optimizer::kAdamW: {
      auto opts = [&](double wd) { return torch::optim::AdamWOptions(c.lr).betas(betas).eps(c.eps).weight_decay(wd); };
      return std::make_unique<torch::optim::AdamW>(groups(opts), opts(0.0));
    }
    case Optimizer::kSgd: {
      auto opts = [&](double wd) { return torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(wd); };
      return std::make_unique<torch::optim::SGD>(groups(opts), opts(0.0));
    }
  }
  throw Error("internal: an optimizer without a case in make_optimizer");
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& g : optimizer.param_groups()) g.options().set_lr(lr);
}

}  // namespace nertool::train
