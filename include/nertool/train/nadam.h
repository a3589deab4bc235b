#pragma once
// NAdam exactly as PyTorch 1.13's torch.optim.NAdam (LibTorch C++ has none): momentum schedule
// mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)), a running product of the mu_t kept as a float32 scalar
// tensor, bias-corrected second moment, L2 weight decay added to the gradient.
//
// PyTorch 1.13 computes the next momentum product as mu_product * mu_t * mu_{t+1} (mu_t counted twice; corrected
// to mu_product * mu_{t+1} in PyTorch 2.0). `torch113_mu_product` (default true) reproduces 1.13, the version the
// seed's Python implementation ran and Debian ships; set it false for the 2.x update.
#include <torch/optim/optimizer.h>
#include <torch/optim/serialize.h>

#include <tuple>
#include <vector>

namespace nertool::train {

struct NAdamOptions : public torch::optim::OptimizerCloneableOptions<NAdamOptions> {
  NAdamOptions(double lr = 2e-3) : lr_(lr) {}
  TORCH_ARG(double, lr) = 2e-3;
  typedef std::tuple<double, double> betas_t;
  TORCH_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  TORCH_ARG(double, eps) = 1e-8;
  TORCH_ARG(double, weight_decay) = 0.0;
  TORCH_ARG(double, momentum_decay) = 4e-3;
  TORCH_ARG(bool, torch113_mu_product) = true;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct NAdamParamState : public torch::optim::OptimizerCloneableParamState<NAdamParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, mu_product);  // float32 scalar, as in PyTorch
  TORCH_ARG(torch::Tensor, exp_avg);
  TORCH_ARG(torch::Tensor, exp_avg_sq);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class NAdam : public torch::optim::Optimizer {
 public:
  explicit NAdam(std::vector<torch::optim::OptimizerParamGroup> param_groups, NAdamOptions defaults = {});
  explicit NAdam(std::vector<torch::Tensor> params, NAdamOptions defaults = {})
      : NAdam({torch::optim::OptimizerParamGroup(std::move(params))}, defaults) {}

  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

}  // namespace nertool::train
