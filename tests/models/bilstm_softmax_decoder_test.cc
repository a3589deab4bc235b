#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "nertool/core/error.h"
#include "nertool/models/softmax_decoder.h"
#include "nertool/models/tagger.h"

using namespace nertool::models;

namespace {

torch::Tensor param(torch::nn::Module& m, const std::string& name) { return m.named_parameters()[name]; }

// log-softmax of row x (length D) through weight W [L, D] and bias b [L], in double, by the formula.
std::vector<double> log_softmax_row(const torch::Tensor& W, const torch::Tensor& b, const torch::Tensor& x) {
  const int64_t L = W.size(0), D = W.size(1);
  std::vector<double> z(static_cast<std::size_t>(L));
  double mx = -1e300;
  for (int64_t l = 0; l < L; ++l) {
    double s = b[l].item<double>();
    for (int64_t d = 0; d < D; ++d) s += W[l][d].item<double>() * x[d].item<double>();
    z[static_cast<std::size_t>(l)] = s;
    mx = std::max(mx, s);
  }
  double sum = 0;
  for (double v : z) sum += std::exp(v - mx);
  for (double& v : z) v -= mx + std::log(sum);
  return z;
}

struct Case {
  torch::Tensor features, labels, mask;
};

Case make_case() {
  torch::manual_seed(11);
  Case c;
  c.features = torch::randn({2, 3, 6});
  c.labels = torch::tensor({{1, 0, 3}, {2, 2, 0}}, torch::kInt64);
  c.mask = torch::tensor({{true, true, true}, {true, true, false}});
  return c;
}

}  // namespace

TEST(BidirSoftmaxDecoder, LossIsMeanOfSummedDirectionLogProbs) {
  auto c = make_case();
  BidirSoftmaxDecoder dec(6, 4, 0.0);
  auto loss = dec.loss(c.features, c.labels, c.mask).item<double>();
  auto Wf = param(dec, "forward.weight"), bf = param(dec, "forward.bias");
  auto Wb = param(dec, "backward.weight"), bb = param(dec, "backward.bias");
  double total = 0;
  int n = 0;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t t = 0; t < 3; ++t) {
      if (!c.mask[i][t].item<bool>()) continue;
      auto y = static_cast<std::size_t>(c.labels[i][t].item<int64_t>());
      auto f = log_softmax_row(Wf, bf, c.features[i][t].narrow(0, 0, 3));
      auto b = log_softmax_row(Wb, bb, c.features[i][t].narrow(0, 3, 3));
      total += -(f[y] + b[y]);
      ++n;
    }
  EXPECT_NEAR(loss, total / n, 1e-5);
  // Probabilities: the normalised product of the two directions' distributions.
  auto probs = dec.probabilities(c.features, c.mask);
  auto f = log_softmax_row(Wf, bf, c.features[0][1].narrow(0, 0, 3));
  auto b = log_softmax_row(Wb, bb, c.features[0][1].narrow(0, 3, 3));
  double z = 0;
  for (int l = 0; l < 4; ++l) z += std::exp(f[l] + b[l]);
  for (int64_t l = 0; l < 4; ++l)
    EXPECT_NEAR(probs[0][1][l].item<double>(), std::exp(f[static_cast<std::size_t>(l)] + b[static_cast<std::size_t>(l)]) / z, 1e-6);
  // Decode: argmax of the summed log-probabilities, true lengths.
  auto best = dec.decode(c.features, c.mask);
  ASSERT_EQ(best.size(), 2u);
  EXPECT_EQ(best[0].size(), 3u);
  EXPECT_EQ(best[1].size(), 2u);
  EXPECT_EQ(best[0][1], dec.scores(c.features)[0][1].argmax().item<int64_t>());
}

TEST(BidirSoftmaxDecoder, MaskedPositionsDoNotMatter) {
  auto c = make_case();
  BidirSoftmaxDecoder dec(6, 4, 0.0);
  auto loss = dec.loss(c.features, c.labels, c.mask);
  auto f2 = c.features.clone();
  f2[1][2] = 100.0;
  auto l2 = c.labels.clone();
  l2[1][2] = 3;
  EXPECT_NEAR(dec.loss(f2, l2, c.mask).item<double>(), loss.item<double>(), 1e-7);
  // Same as scoring the second sentence alone at its true length.
  auto alone = dec.loss(c.features[1].narrow(0, 0, 2).unsqueeze(0), c.labels[1].narrow(0, 0, 2).unsqueeze(0),
                        torch::ones({1, 2}, torch::kBool));
  auto first = dec.loss(c.features[0].unsqueeze(0), c.labels[0].unsqueeze(0), torch::ones({1, 3}, torch::kBool));
  EXPECT_NEAR(loss.item<double>(), (alone.item<double>() * 2 + first.item<double>() * 3) / 5, 1e-6);
  // Gradients reach both direction layers.
  loss.backward();
  EXPECT_GT(param(dec, "forward.weight").grad().abs().sum().item<float>(), 0.f);
  EXPECT_GT(param(dec, "backward.weight").grad().abs().sum().item<float>(), 0.f);
}

TEST(SoftmaxDecoder, CrossEntropyOverRealWordsAndClassifierName) {
  auto c = make_case();
  SoftmaxDecoder dec(6, 4, 0.3);
  dec.eval();  // dropout off
  auto W = param(dec, "classifier.weight"), b = param(dec, "classifier.bias");
  ASSERT_TRUE(W.defined());
  ASSERT_TRUE(b.defined());
  double total = 0;
  int n = 0;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t t = 0; t < 3; ++t)
      if (c.mask[i][t].item<bool>()) {
        total -= log_softmax_row(W, b, c.features[i][t])[static_cast<std::size_t>(c.labels[i][t].item<int64_t>())];
        ++n;
      }
  EXPECT_NEAR(dec.loss(c.features, c.labels, c.mask).item<double>(), total / n, 1e-5);
  auto probs = dec.probabilities(c.features, c.mask);
  EXPECT_NEAR(probs[1][0].sum().item<double>(), 1.0, 1e-6);
  auto best = dec.decode(c.features, c.mask);
  EXPECT_EQ(best[1].size(), 2u);
}

namespace {
// A one-direction encoder, to check that bidir_softmax refuses it.
class OneDirection : public Encoder {
 public:
  void featurize(Batch&) const override {}
  torch::Tensor forward(const Batch& b) override { return torch::zeros({b.size(), 1, 4}); }
  int64_t output_dim() const override { return 4; }
};
}  // namespace

TEST(SoftmaxDecoder, RegistryBuildsAndValidates) {
  register_builtin_models();
  register_encoder("test_one_direction", [](const BuildContext&) { return std::make_shared<OneDirection>(); });
  BuildContext ctx;
  ctx.labels = LabelSet({"O", "B-PER", "I-PER"});
  ctx.config = {{"encoder", "test_one_direction"}, {"decoder", "softmax"}, {"softmax", {{"dropout", 0.1}}}};
  auto tagger = build_tagger(ctx);
  EXPECT_EQ(tagger->decoder().num_labels(), 3);
  EXPECT_TRUE(tagger->named_parameters().contains("decoder.classifier.weight"));
  ctx.config["softmax"]["dropuot"] = 0.1;
  try {
    build_tagger(ctx);
    FAIL();
  } catch (const nertool::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.softmax.dropuot"), std::string::npos) << e.what();
  }
  ctx.config = {{"encoder", "test_one_direction"}, {"decoder", "bidir_softmax"}};
  EXPECT_THROW(build_tagger(ctx), nertool::ConfigError);
  EXPECT_THROW(BidirSoftmaxDecoder(5, 3, 0.0), nertool::ConfigError);
}
