// NAdam against (1) the update formula evaluated in long double and (2) numbers printed by Debian's PyTorch 1.13.1
// torch.optim.NAdam, for several settings. Gradient at each step: g = a * p + b (elementwise), so the path depends
// on the parameters like a real loss does.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "nertool/train/lr_schedule.h"
#include "nertool/train/nadam.h"
#include "nertool/train/optimizer.h"

namespace nertool::train {
namespace {

const std::vector<double> kP0 = {0.5, -1.0, 2.0, 0.0};
const std::vector<double> kA = {1.0, 0.5, -2.0, 3.0};
const std::vector<double> kB = {0.1, -0.3, 0.7, -0.05};

struct Setting {
  double lr, beta1, beta2, eps, weight_decay, momentum_decay;
};
const Setting kSettings[] = {{0.0105, 0.9, 0.999, 1e-8, 0.0, 0.004},
                             {0.1, 0.8, 0.99, 1e-6, 0.01, 0.004},
                             {0.002, 0.95, 0.9, 1e-8, 0.1, 0.01}};

// Printed by /usr/bin/python3 (torch 1.13.1): torch.optim.NAdam([p], lr, betas, eps, weight_decay,
// momentum_decay), p = torch.tensor(kP0), p.grad = a * p + b before each of 5 steps.
const float kTorch[3][5][4] = {
    {{4.889799058e-01f, -9.889799356e-01f, 2.011019945e+00f, 1.102007460e-02f},
     {4.808707833e-01f, -9.808281660e-01f, 2.019221067e+00f, 1.512448490e-02f},
     {4.733130634e-01f, -9.732076526e-01f, 2.026914120e+00f, 1.703637652e-02f},
     {4.657863975e-01f, -9.655975103e-01f, 2.034619808e+00f, 1.774264686e-02f},
     {4.581313729e-01f, -9.578357339e-01f, 2.042503119e+00f, 1.783660986e-02f}},
    {{3.914499879e-01f, -8.914499283e-01f, 2.108550072e+00f, 1.085480228e-01f},
     {3.128738999e-01f, -8.078668714e-01f, 2.197025776e+00f, -3.681974486e-04f},
     {2.416782826e-01f, -7.282677293e-01f, 2.284369707e+00f, 1.270276587e-02f},
     {1.748860031e-01f, -6.489951015e-01f, 2.374473095e+00f, 1.220782101e-02f},
     {1.128750741e-01f, -5.695470572e-01f, 2.468260050e+00f, 1.436634548e-02f}},
    {{4.979467392e-01f, -9.979467988e-01f, 2.002053261e+00f, 2.053254982e-03f},
     {4.964958429e-01f, -9.964945316e-01f, 2.003507137e+00f, 3.415818326e-03f},
     {4.951846898e-01f, -9.951815605e-01f, 2.004822254e+00f, 4.602860194e-03f},
     {4.939048886e-01f, -9.938994646e-01f, 2.006107092e+00f, 5.723562092e-03f},
     {4.926185608e-01f, -9.926103950e-01f, 2.007399559e+00f, 6.811516359e-03f}}};

// The update written out from the NAdam paper / PyTorch docs, in long double.
std::vector<std::vector<long double>> reference_path(const Setting& s, int steps, bool torch113) {
  std::vector<long double> p(kP0.begin(), kP0.end()), m(4, 0), v(4, 0);
  long double mu_product = 1;
  std::vector<std::vector<long double>> path;
  for (int t = 1; t <= steps; ++t) {
    long double mu = s.beta1 * (1 - 0.5L * std::pow(0.96L, t * (long double)s.momentum_decay));
    long double mu_next = s.beta1 * (1 - 0.5L * std::pow(0.96L, (t + 1) * (long double)s.momentum_decay));
    mu_product *= mu;
    long double mu_product_next = torch113 ? mu_product * mu * mu_next : mu_product * mu_next;
    for (int i = 0; i < 4; ++i) {
      long double g = kA[i] * p[i] + kB[i] + s.weight_decay * p[i];
      m[i] = s.beta1 * m[i] + (1 - s.beta1) * g;
      v[i] = s.beta2 * v[i] + (1 - s.beta2) * g * g;
      long double denom = std::sqrt(v[i] / (1 - std::pow((long double)s.beta2, t))) + s.eps;
      p[i] -= s.lr * (1 - mu) / (1 - mu_product) * g / denom;
      p[i] -= s.lr * mu_next / (1 - mu_product_next) * m[i] / denom;
    }
    path.push_back(p);
  }
  return path;
}

NAdamOptions options_of(const Setting& s, bool torch113 = true) {
  return NAdamOptions(s.lr)
      .betas({s.beta1, s.beta2})
      .eps(s.eps)
      .weight_decay(s.weight_decay)
      .momentum_decay(s.momentum_decay)
      .torch113_mu_product(torch113);
}

void set_grad(torch::Tensor& p) {
  auto a = torch::tensor(std::vector<float>(kA.begin(), kA.end()));
  auto b = torch::tensor(std::vector<float>(kB.begin(), kB.end()));
  p.mutable_grad() = (a * p.detach() + b);
}

torch::Tensor initial_param() {
  return torch::tensor(std::vector<float>(kP0.begin(), kP0.end())).requires_grad_(true);
}

TEST(NAdam, MatchesPyTorch113AndTheFormula) {
  for (int k = 0; k < 3; ++k) {
    auto p = initial_param();
    NAdam opt({p}, options_of(kSettings[k]));
    auto ref = reference_path(kSettings[k], 5, true);
    for (int t = 0; t < 5; ++t) {
      set_grad(p);
      opt.step();
      for (int i = 0; i < 4; ++i) {
        float got = p[i].item<float>();
        EXPECT_FLOAT_EQ(got, kTorch[k][t][i]) << "setting " << k << " step " << t + 1 << " element " << i;
        EXPECT_NEAR(got, static_cast<double>(ref[t][i]), 2e-6) << "setting " << k << " step " << t + 1;
      }
    }
  }
}

TEST(NAdam, PyTorch2MomentumProductFollowsItsFormula) {
  const Setting& s = kSettings[1];
  auto p = initial_param();
  NAdam opt({p}, options_of(s, /*torch113=*/false));
  auto ref = reference_path(s, 5, false);
  auto ref113 = reference_path(s, 5, true);
  for (int t = 0; t < 5; ++t) {
    set_grad(p);
    opt.step();
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(p[i].item<float>(), static_cast<double>(ref[t][i]), 2e-6);
  }
  // The two variants really differ (else the option would be untested).
  EXPECT_GT(std::fabs(static_cast<double>(ref[4][0] - ref113[4][0])), 1e-4);
}

TEST(NAdam, SaveLoadContinuesBitForBit) {
  const Setting& s = kSettings[0];
  auto straight = initial_param();
  NAdam a({straight}, options_of(s));
  for (int t = 0; t < 5; ++t) set_grad(straight), a.step();

  auto resumed = initial_param();
  std::stringstream buffer;
  {
    NAdam b({resumed}, options_of(s));
    for (int t = 0; t < 2; ++t) set_grad(resumed), b.step();
    torch::serialize::OutputArchive archive;
    b.save(archive);
    archive.save_to(buffer);
  }
  NAdam c({resumed}, options_of(s));
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  c.load(in);
  for (int t = 0; t < 3; ++t) set_grad(resumed), c.step();
  EXPECT_TRUE(torch::equal(straight, resumed));
}

struct TwoLayer : torch::nn::Module {
  TwoLayer() {
    dense = register_module("dense", torch::nn::Linear(3, 3));
    norm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({3})));
  }
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};

TEST(AdamW, WeightDecayExclusionsByName) {
  TwoLayer m;
  auto groups = split_weight_decay(m, {"bias", "LayerNorm.*"});
  EXPECT_EQ(groups.decay, (std::vector<std::string>{"dense.weight"}));
  EXPECT_EQ(groups.no_decay, (std::vector<std::string>{"dense.bias", "LayerNorm.weight", "LayerNorm.bias"}));

  TrainConfig c;
  c.optimizer = Optimizer::kAdamW;
  c.lr = 0.1;
  c.weight_decay = 0.5;
  c.weight_decay_exclude = {"bias", "LayerNorm.*"};
  auto opt = make_optimizer(m, c);
  ASSERT_EQ(opt->param_groups().size(), 2u);
  auto w0 = m.dense->weight.detach().clone();
  auto b0 = m.dense->bias.detach().clone();
  auto ln0 = m.norm->weight.detach().clone();
  for (auto& p : m.parameters()) p.mutable_grad() = torch::zeros_like(p);
  opt->step();
  // Zero gradients: AdamW moves a decayed weight by exactly -lr * wd * w, excluded ones not at all.
  EXPECT_TRUE(torch::allclose(m.dense->weight, w0 * (1 - 0.1 * 0.5)));
  EXPECT_TRUE(torch::equal(m.dense->bias, b0));
  EXPECT_TRUE(torch::equal(m.norm->weight, ln0));
}

TEST(AdamW, NamePatterns) {
  EXPECT_TRUE(name_matches("encoder.layer.0.attention.output.LayerNorm.weight", "LayerNorm"));
  EXPECT_TRUE(name_matches("decoder.out.bias", "*.bias"));
  EXPECT_FALSE(name_matches("decoder.out.bias_extra.weight", "*.bias"));
  EXPECT_FALSE(name_matches("decoder.out.weight", "bias"));
}

TEST(LrSchedule, LinearWarmupAndDecay) {
  LrSchedule s(1.0, Schedule::kLinear, 10, 110);
  EXPECT_DOUBLE_EQ(s.lr(0), 0.0);
  EXPECT_DOUBLE_EQ(s.lr(5), 0.5);
  EXPECT_DOUBLE_EQ(s.lr(10), 1.0);
  EXPECT_DOUBLE_EQ(s.lr(60), 0.5);
  EXPECT_DOUBLE_EQ(s.lr(109), 0.01);
  EXPECT_DOUBLE_EQ(s.lr(110), 0.0);
  LrSchedule c(0.5, Schedule::kConstant, 4, 100);
  EXPECT_DOUBLE_EQ(c.lr(1), 0.125);
  EXPECT_DOUBLE_EQ(c.lr(4), 0.5);
  EXPECT_DOUBLE_EQ(c.lr(99), 0.5);
  LrSchedule none(0.3, Schedule::kConstant, 0, 100);
  EXPECT_DOUBLE_EQ(none.lr(0), 0.3);
  EXPECT_EQ(resolve_warmup_steps(0, 0.1, 95), 10);
  EXPECT_EQ(resolve_warmup_steps(7, 0.0, 95), 7);
}

}  // namespace
}  // namespace nertool::train
