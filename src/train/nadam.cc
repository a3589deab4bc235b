#include "nertool/train/nadam.h"

#include <torch/torch.h>

#include <cmath>

#include "nertool/core/error.h"

namespace nertool::train {

void NAdamOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(betas);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(torch113_mu_product);
}

void NAdamOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(betas_t, betas);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, torch113_mu_product);
}

void NAdamParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(mu_product);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
}

void NAdamParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, mu_product);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
}

NAdam::NAdam(std::vector<torch::optim::OptimizerParamGroup> param_groups, NAdamOptions defaults)
    : torch::optim::Optimizer(std::move(param_groups), std::make_unique<NAdamOptions>(defaults)) {
  auto [b1, b2] = defaults.betas();
  if (!(defaults.lr() >= 0)) throw ConfigError("NAdam: invalid learning rate " + std::to_string(defaults.lr()));
  if (!(defaults.eps() >= 0)) throw ConfigError("NAdam: invalid eps " + std::to_string(defaults.eps()));
  if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw ConfigError("NAdam: betas must lie in [0, 1)");
  if (!(defaults.weight_decay() >= 0)) throw ConfigError("NAdam: invalid weight_decay");
  if (!(defaults.momentum_decay() >= 0)) throw ConfigError("NAdam: invalid momentum_decay");
}

torch::Tensor NAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss = {};
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    auto& options = static_cast<NAdamOptions&>(group.options());
    const double lr = options.lr();
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    const double weight_decay = options.weight_decay();
    const double momentum_decay = options.momentum_decay();
    const double eps = options.eps();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "NAdam does not support sparse gradients");
      auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto s = std::make_unique<NAdamParamState>();
        s->step(0);
        s->mu_product(torch::ones({}, torch::kFloat));
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_.emplace(key, std::move(s)).first;
      }
      auto& state = static_cast<NAdamParamState&>(*it->second);
      state.step(state.step() + 1);
      const double step = static_cast<double>(state.step());
      const double bias_correction2 = 1 - std::pow(beta2, step);
      if (weight_decay != 0) grad = grad.add(p, weight_decay);
      const double mu = beta1 * (1. - 0.5 * std::pow(0.96, step * momentum_decay));
      const double mu_next = beta1 * (1. - 0.5 * std::pow(0.96, (step + 1) * momentum_decay));
      auto mu_product = state.mu_product();
      mu_product.mul_(mu);
      auto mu_product_next = options.torch113_mu_product() ? mu_product * mu * mu_next : mu_product * mu_next;
      auto& exp_avg = state.exp_avg();
      auto& exp_avg_sq = state.exp_avg_sq();
      exp_avg.mul_(beta1).add_(grad, 1 - beta1);
      exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      auto denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps);
      p.addcdiv_(grad, denom, -lr * (1. - mu) / (1. - mu_product.item<double>()));
      p.addcdiv_(exp_avg, denom, (-lr * mu_next) / (1. - mu_product_next.item<double>()));
    }
  }
  return loss;
}

void NAdam::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<NAdamParamState, NAdamOptions>(archive, *this);
}

void NAdam::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<NAdamParamState, NAdamOptions>(archive, *this);
}

}  // namespace nertool::train
