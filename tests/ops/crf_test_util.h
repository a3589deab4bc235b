#pragma once
// Brute-force CRF by enumerating every label sequence: the oracle of the CRF op tests.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "nertool/ops/crf.h"

namespace nertool::testing {

struct BruteCrf {
  double log_z = 0;
  std::vector<std::pair<double, std::vector<int64_t>>> paths;  // every path with a finite score, best first
  std::vector<std::vector<double>> marginals;                  // [n][L]
};

// Score of path y over the first y.size() rows of em ([T, L] double CPU).
inline double brute_path_score(const torch::Tensor& em, const std::vector<int64_t>& y, const ops::CrfScores& s) {
  if (y.empty()) return 0;
  auto e = em.accessor<double, 2>();
  auto tr = s.transitions.accessor<double, 2>();
  auto st = s.start.accessor<double, 1>();
  auto en = s.end.accessor<double, 1>();
  double v = st[y[0]] + en[y.back()];
  for (std::size_t t = 0; t < y.size(); ++t) {
    v += e[static_cast<int64_t>(t)][y[t]];
    if (t > 0) v += tr[y[t - 1]][y[t]];
  }
  return v;
}

// Enumerates all L^n paths of one sequence (em [T, L] double CPU, n <= T).
inline BruteCrf brute_crf(const torch::Tensor& em, int64_t n, const ops::CrfScores& s) {
  const int64_t L = em.size(1);
  BruteCrf out;
  out.marginals.assign(static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(L), 0.0));
  std::vector<int64_t> y(static_cast<std::size_t>(n), 0);
  std::vector<double> scores;
  while (true) {
    double v = brute_path_score(em, y, s);
    if (v > -std::numeric_limits<double>::infinity()) out.paths.push_back({v, y});
    int64_t t = n - 1;
    while (t >= 0 && y[static_cast<std::size_t>(t)] == L - 1) y[static_cast<std::size_t>(t--)] = 0;
    if (t < 0) break;
    ++y[static_cast<std::size_t>(t)];
  }
  double m = -std::numeric_limits<double>::infinity();
  for (auto& p : out.paths) m = std::max(m, p.first);
  double sum = 0;
  for (auto& p : out.paths) sum += std::exp(p.first - m);
  out.log_z = m + std::log(sum);
  for (auto& p : out.paths) {
    double prob = std::exp(p.first - out.log_z);
    for (int64_t t = 0; t < n; ++t) out.marginals[static_cast<std::size_t>(t)][p.second[static_cast<std::size_t>(t)]] += prob;
  }
  std::stable_sort(out.paths.begin(), out.paths.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

// A random batch: emissions [B, T, L], a prefix mask with the given lengths, random scores.
struct RandomCrf {
  torch::Tensor emissions, mask, lengths;
  ops::CrfScores scores;
};
inline RandomCrf random_crf(std::vector<int64_t> lengths, int64_t T, int64_t L, torch::Dtype dtype = torch::kDouble,
                            double scale = 1.0) {
  RandomCrf r;
  const auto B = static_cast<int64_t>(lengths.size());
  r.emissions = torch::randn({B, T, L}, dtype) * scale;
  r.lengths = torch::tensor(lengths, torch::kInt64);
  r.mask = torch::arange(T).unsqueeze(0) < r.lengths.unsqueeze(1);
  r.scores = {torch::randn({L, L}, dtype) * scale, torch::randn({L}, dtype) * scale, torch::randn({L}, dtype) * scale};
  return r;
}

}  // namespace nertool::testing
