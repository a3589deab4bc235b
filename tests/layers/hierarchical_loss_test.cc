#include "nertool/layers/hierarchical_loss.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "nertool/core/error.h"
#include "nertool/taxonomy/credit_matrix.h"

namespace nertool::layers {
namespace {

using Rows = std::vector<std::vector<long double>>;

torch::Tensor to_tensor(const Rows& rows) {
  std::vector<double> flat;
  for (const auto& r : rows)
    for (long double v : r) flat.push_back(static_cast<double>(v));
  return torch::tensor(flat, torch::kFloat64).reshape({static_cast<int64_t>(rows.size()), -1});
}

long double expected_soft_ce(const Rows& logits, const Rows& targets) {
  long double total = 0;
  for (std::size_t n = 0; n < logits.size(); ++n) {
    long double z = 0;
    for (long double l : logits[n]) z += std::exp(l);
    const long double lse = std::log(z);
    for (std::size_t k = 0; k < logits[n].size(); ++k) total -= targets[n][k] * (logits[n][k] - lse);
  }
  return total / static_cast<long double>(logits.size());
}

long double expected_bce(const Rows& logits, const Rows& targets) {
  long double total = 0;
  for (std::size_t n = 0; n < logits.size(); ++n)
    for (std::size_t k = 0; k < logits[n].size(); ++k) {
      const long double x = logits[n][k], y = targets[n][k];
      total += std::max(x, 0.0L) - x * y + std::log1p(std::exp(-std::fabs(x)));
    }
  return total / static_cast<long double>(logits.size());
}

const Rows kLogits{{1.0L, 2.0L, 0.5L}, {0.3L, -1.2L, 2.2L}};
const Rows kSoft{{0.2L, 0.7L, 0.1L}, {0.0L, 0.25L, 0.75L}};
const Rows kTypeLogits{{0.5L, -1.0L, 2.0L, 0.0L}, {-0.3L, 0.8L, -2.5L, 1.5L}};
const Rows kTypeTargets{{1, 0, 1, 1}, {0, 1, 0, 1}};

TEST(HierarchicalLoss, SoftCrossEntropyKnownValues) {
  const double got = soft_cross_entropy(to_tensor(kLogits), to_tensor(kSoft)).item<double>();
  EXPECT_NEAR(got, static_cast<double>(expected_soft_ce(kLogits, kSoft)), 1e-14);
  // Pinned from python3 torch 1.13: -(t * F.log_softmax(l, 1)).sum(1).mean() in float64.
  EXPECT_NEAR(got, 0.9161866231639599, 1e-14);
}

TEST(HierarchicalLoss, HardIsOneHotAndEqualsTorchCrossEntropy) {
  const torch::Tensor logits = to_tensor(kLogits);
  const torch::Tensor gold = torch::tensor({1, 2}, torch::kLong);
  const double hard = hard_cross_entropy(logits, gold).item<double>();
  EXPECT_NEAR(hard, static_cast<double>(expected_soft_ce(kLogits, {{0, 1, 0}, {0, 0, 1}})), 1e-14);
  EXPECT_NEAR(hard, torch::nn::functional::cross_entropy(logits, gold).item<double>(), 1e-14);
  // Pinned from python3 torch 1.13: F.cross_entropy(l, torch.tensor([1, 2])).
  EXPECT_NEAR(hard, 0.31618662316395996, 1e-14);
  // Float32 random case against torch's cross_entropy.
  torch::manual_seed(7);
  const torch::Tensor big = torch::randn({64, 11}) * 3;
  const torch::Tensor labels = torch::randint(0, 11, {64}, torch::kLong);
  EXPECT_NEAR(hard_cross_entropy(big, labels).item<float>(),
              torch::nn::functional::cross_entropy(big, labels).item<float>(), 1e-5);
}

TEST(HierarchicalLoss, MultilabelKnownValues) {
  const double got = multilabel_typing_loss(to_tensor(kTypeLogits), to_tensor(kTypeTargets)).item<double>();
  EXPECT_NEAR(got, static_cast<double>(expected_bce(kTypeLogits, kTypeTargets)), 1e-14);
  // Pinned from python3 torch 1.13: F.binary_cross_entropy_with_logits(m, y, reduction='sum') / 2.
  EXPECT_NEAR(got, 1.406586392996427, 1e-14);
  // Extreme logits stay finite.
  const torch::Tensor extreme = torch::tensor({{80.0, -80.0}}, torch::kFloat32);
  const torch::Tensor targets = torch::tensor({{0.0, 1.0}}, torch::kFloat32);
  EXPECT_NEAR(multilabel_typing_loss(extreme, targets).item<float>(), 160.0f, 1e-3);
}

TEST(HierarchicalLoss, ZeroTargetsIgnoreMinusInfinityLogits) {
  const torch::Tensor logits =
      torch::tensor({{0.0, -std::numeric_limits<double>::infinity(), 1.0}}, torch::kFloat64);
  const torch::Tensor targets = torch::tensor({{0.5, 0.0, 0.5}}, torch::kFloat64);
  const double got = soft_cross_entropy(logits, targets).item<double>();
  const long double lse = std::log(1.0L + std::exp(1.0L));
  EXPECT_NEAR(got, static_cast<double>(-(0.5L * (0.0L - lse) + 0.5L * (1.0L - lse))), 1e-14);
}

// Central differences in float64 against autograd.
template <typename Loss>
void check_gradient(const torch::Tensor& x0, Loss loss) {
  torch::Tensor x = x0.clone().set_requires_grad(true);
  const torch::Tensor value = loss(x);
  value.backward();
  const torch::Tensor analytic = x.grad().clone();
  const double h = 1e-6;
  torch::NoGradGuard no_grad;
  auto flat = x0.clone().reshape({-1});
  for (int64_t i = 0; i < flat.numel(); ++i) {
    torch::Tensor plus = flat.clone(), minus = flat.clone();
    plus[i] += h;
    minus[i] -= h;
    const torch::Tensor up = loss(plus.reshape(x0.sizes()));
    const torch::Tensor down = loss(minus.reshape(x0.sizes()));
    const double numeric = (up.item<double>() - down.item<double>()) / (2 * h);
    EXPECT_NEAR(analytic.reshape({-1})[i].item<double>(), numeric, 1e-7) << "element " << i;
  }
}

TEST(HierarchicalLoss, GradientsMatchFiniteDifferences) {
  const torch::Tensor soft = to_tensor(kSoft);
  check_gradient(to_tensor(kLogits), [&](const torch::Tensor& x) { return soft_cross_entropy(x, soft); });
  const torch::Tensor gold = torch::tensor({1, 2}, torch::kLong);
  check_gradient(to_tensor(kLogits), [&](const torch::Tensor& x) { return hard_cross_entropy(x, gold); });
  const torch::Tensor types = to_tensor(kTypeTargets);
  check_gradient(to_tensor(kTypeLogits), [&](const torch::Tensor& x) { return multilabel_typing_loss(x, types); });
  // Closed form of the soft cross-entropy gradient: (softmax - y*) / N for distribution targets.
  torch::Tensor x = to_tensor(kLogits).set_requires_grad(true);
  soft_cross_entropy(x, soft).backward();
  EXPECT_TRUE(torch::allclose(x.grad(), (torch::softmax(x.detach(), 1) - soft) / 2.0, 1e-12, 1e-14));
}

TEST(HierarchicalLoss, TablesFromTaxonomy) {
  // Soft targets of the hand-made hierarchy (tests/taxonomy/small_taxonomy.h): row D of W over A..X.
  const auto tax = taxonomy::Taxonomy::from_json(nlohmann::json::parse(R"({"name": "small", "types": [
      {"name": "A"}, {"name": "B", "parent": "A"}, {"name": "C", "parent": "A"}, {"name": "D", "parent": "B"},
      {"name": "E", "parent": "B"}, {"name": "F", "parent": "C"}, {"name": "G", "parent": "E"}, {"name": "X"}]})"));
  const auto w = taxonomy::CreditMatrix::within(tax);
  const torch::Tensor table = target_table(w.soft_targets(), 8, 8);
  const torch::Tensor raw = target_table(std::vector<float>(w.values().begin(), w.values().end()), 8, 8);
  EXPECT_TRUE(torch::allclose(normalise_credit_rows(raw), table, 1e-6, 1e-7));
  const torch::Tensor picked = gather_targets(table, torch::tensor({3, 7}, torch::kLong));
  const std::vector<float> want_d{0.25f / 2.125f, 0.5f / 2.125f, 0, 1 / 2.125f, 0.25f / 2.125f, 0, 0.125f / 2.125f, 0};
  for (int64_t k = 0; k < 8; ++k) EXPECT_NEAR(picked[0][k].item<float>(), want_d[static_cast<std::size_t>(k)], 1e-7);
  EXPECT_FLOAT_EQ(picked[1][7].item<float>(), 1.0f);
  // With a flat hierarchy W is the identity and the soft loss equals the hard one.
  const auto flat = taxonomy::CreditMatrix::within(taxonomy::Taxonomy::from_json(
      nlohmann::json::parse(R"({"name": "flat", "types": [{"name": "P"}, {"name": "Q"}, {"name": "R"}]})")));
  const torch::Tensor logits = to_tensor(kLogits).to(torch::kFloat32);
  const torch::Tensor gold = torch::tensor({1, 2}, torch::kLong);
  EXPECT_NEAR(soft_cross_entropy(logits, gather_targets(target_table(flat.soft_targets(), 3, 3), gold)).item<float>(),
              hard_cross_entropy(logits, gold).item<float>(), 1e-7);
  // Multi-hot ancestor targets: G -> {A, B, E, G}.
  const torch::Tensor g = target_table(tax.ancestor_targets(tax.index("G")), 1, 8);
  EXPECT_TRUE(torch::equal(g, torch::tensor({{1.f, 1.f, 0.f, 0.f, 1.f, 0.f, 1.f, 0.f}})));
}

TEST(HierarchicalLoss, EmptyBatchesAndShapeErrors) {
  const torch::Tensor empty = torch::zeros({0, 3}, torch::kFloat32).set_requires_grad(true);
  const torch::Tensor loss = soft_cross_entropy(empty, torch::zeros({0, 3}));
  EXPECT_EQ(loss.item<float>(), 0.0f);
  loss.backward();
  EXPECT_EQ(hard_cross_entropy(empty, torch::zeros({0}, torch::kLong)).item<float>(), 0.0f);
  EXPECT_EQ(multilabel_typing_loss(empty, torch::zeros({0, 3})).item<float>(), 0.0f);
  EXPECT_THROW(soft_cross_entropy(torch::zeros({2, 3}), torch::zeros({2, 4})), Error);
  EXPECT_THROW(soft_cross_entropy(torch::zeros({3}), torch::zeros({3})), Error);
  EXPECT_THROW(hard_cross_entropy(torch::zeros({2, 3}), torch::zeros({3}, torch::kLong)), Error);
  EXPECT_THROW(multilabel_typing_loss(torch::zeros({2, 3}), torch::zeros({3, 2})), Error);
  EXPECT_THROW(target_table({1, 2, 3}, 2, 2), Error);
  EXPECT_THROW(gather_targets(torch::zeros({3}), torch::zeros({1}, torch::kLong)), Error);
  EXPECT_THROW(normalise_credit_rows(torch::zeros({3})), Error);
  EXPECT_TRUE(torch::equal(normalise_credit_rows(torch::tensor({{0.f, 0.f}, {1.f, 3.f}})),
                           torch::tensor({{0.f, 0.f}, {0.25f, 0.75f}})));
}

}  // namespace
}  // namespace nertool::layers
