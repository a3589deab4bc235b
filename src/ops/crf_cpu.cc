// CPU path of the CRF ops: for each sequence, the forward algorithm, forward-backward and Viterbi in plain loops
// (one label vector per step, log-sum-exp with max subtraction), sequences in parallel. crf_cuda.cu computes the
// same quantities in the same order, one thread block per sequence.
#include "crf_cpu.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "nertool/ops/dispatch.h"

namespace nertool::ops::cpu {

namespace {

template <typename T>
constexpr T neg_inf() {
  return -std::numeric_limits<T>::infinity();
}

// log(sum(exp(x_i))) of values given by f(i), i < n; -inf when every value is -inf.
template <typename T, typename F>
T log_sum_exp(int64_t n, F f) {
  T m = neg_inf<T>();
  for (int64_t i = 0; i < n; ++i) m = std::max(m, f(i));
  if (m == neg_inf<T>()) return m;
  T s = 0;
  for (int64_t i = 0; i < n; ++i) s += std::exp(f(i) - m);
  return m + std::log(s);
}

struct Dims {
  int64_t B, T, L;
};
Dims dims_of(const torch::Tensor& emissions) {
  return {emissions.size(0), emissions.size(1), emissions.size(2)};
}

template <typename T>
void forward_impl(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores,
                  torch::Tensor& alphas, torch::Tensor& log_z) {
  auto [B, Tn, L] = dims_of(emissions);
  alphas = torch::zeros_like(emissions);
  log_z = torch::zeros({B}, emissions.options());
  const T* em = emissions.data_ptr<T>();
  const T* tr = scores.transitions.data_ptr<T>();
  const T* st = scores.start.data_ptr<T>();
  const T* en = scores.end.data_ptr<T>();
  const int64_t* len = lengths.data_ptr<int64_t>();
  T* al = alphas.data_ptr<T>();
  T* lz = log_z.data_ptr<T>();
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t n = len[b];
      if (n == 0) continue;
      const T* e = em + b * Tn * L;
      T* a = al + b * Tn * L;
      for (int64_t j = 0; j < L; ++j) a[j] = st[j] + e[j];
      for (int64_t t = 1; t < n; ++t) {
        const T* prev = a + (t - 1) * L;
        for (int64_t j = 0; j < L; ++j)
          a[t * L + j] = log_sum_exp<T>(L, [&](int64_t i) { return prev[i] + tr[i * L + j]; }) + e[t * L + j];
      }
      const T* last = a + (n - 1) * L;
      lz[b] = log_sum_exp<T>(L, [&](int64_t j) { return last[j] + en[j]; });
    }
  });
}

template <typename T>
void backward_impl(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores,
                   const torch::Tensor& alphas, const torch::Tensor& log_z, const torch::Tensor& grad_log_z,
                   torch::Tensor& grad_emissions, torch::Tensor& grad_transitions, torch::Tensor& grad_start,
                   torch::Tensor& grad_end) {
  auto [B, Tn, L] = dims_of(emissions);
  grad_emissions = torch::zeros_like(emissions);
  grad_transitions = torch::zeros({B, L, L}, emissions.options());
  grad_start = torch::zeros({B, L}, emissions.options());
  grad_end = torch::zeros({B, L}, emissions.options());
  const T* em = emissions.data_ptr<T>();
  const T* tr = scores.transitions.data_ptr<T>();
  const T* en = scores.end.data_ptr<T>();
  const int64_t* len = lengths.data_ptr<int64_t>();
  const T* al = alphas.data_ptr<T>();
  const T* lz = log_z.data_ptr<T>();
  const T* go = grad_log_z.data_ptr<T>();
  T* gem = grad_emissions.data_ptr<T>();
  T* gtr = grad_transitions.data_ptr<T>();
  T* gst = grad_start.data_ptr<T>();
  T* gen = grad_end.data_ptr<T>();
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> beta(L), next_beta(L);
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t n = len[b];
      const T z = lz[b];
      // No path has a finite score: the marginals are undefined, the gradient is left 0.
      if (n == 0 || !(z > neg_inf<T>())) continue;
      const T g = go[b];
      const T* e = em + b * Tn * L;
      const T* a = al + b * Tn * L;
      T* ge = gem + b * Tn * L;
      T* gt = gtr + b * L * L;
      for (int64_t j = 0; j < L; ++j) beta[j] = en[j];
      for (int64_t t = n - 1; t >= 0; --t) {
        for (int64_t j = 0; j < L; ++j) {
          const T p = g * std::exp(a[t * L + j] + beta[j] - z);
          ge[t * L + j] = p;
          if (t == n - 1) gen[b * L + j] = p;
          if (t == 0) gst[b * L + j] = p;
        }
        if (t == 0) break;
        const T* prev = a + (t - 1) * L;
        for (int64_t i = 0; i < L; ++i)
          for (int64_t j = 0; j < L; ++j)
            gt[i * L + j] += g * std::exp(prev[i] + tr[i * L + j] + e[t * L + j] + beta[j] - z);
        for (int64_t i = 0; i < L; ++i)
          next_beta[i] = log_sum_exp<T>(L, [&](int64_t j) { return tr[i * L + j] + e[t * L + j] + beta[j]; });
        std::swap(beta, next_beta);
      }
    }
  });
}

template <typename T>
CrfPaths viterbi_impl(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores) {
  auto [B, Tn, L] = dims_of(emissions);
  CrfPaths out{torch::zeros({B, Tn}, torch::kInt64), torch::zeros({B}, emissions.options())};
  const T* em = emissions.data_ptr<T>();
  const T* tr = scores.transitions.data_ptr<T>();
  const T* st = scores.start.data_ptr<T>();
  const T* en = scores.end.data_ptr<T>();
  const int64_t* len = lengths.data_ptr<int64_t>();
  int64_t* tags = out.tags.data_ptr<int64_t>();
  T* best = out.scores.data_ptr<T>();
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> score(L), next(L);
    std::vector<int32_t> bp;
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t n = len[b];
      if (n == 0) continue;
      const T* e = em + b * Tn * L;
      bp.assign(static_cast<std::size_t>(n * L), 0);
      for (int64_t j = 0; j < L; ++j) score[j] = st[j] + e[j];
      for (int64_t t = 1; t < n; ++t) {
        for (int64_t j = 0; j < L; ++j) {
          int32_t arg = 0;
          T v = score[0] + tr[j];
          for (int64_t i = 1; i < L; ++i) {
            const T c = score[i] + tr[i * L + j];
            if (c > v) v = c, arg = static_cast<int32_t>(i);
          }
          next[j] = v + e[t * L + j];
          bp[t * L + j] = arg;
        }
        std::swap(score, next);
      }
      int64_t arg = 0;
      T v = score[0] + en[0];
      for (int64_t j = 1; j < L; ++j)
        if (score[j] + en[j] > v) v = score[j] + en[j], arg = j;
      best[b] = v;
      int64_t* row = tags + b * Tn;
      for (int64_t t = n - 1; t >= 0; --t) {
        row[t] = arg;
        if (t > 0) arg = bp[t * L + arg];
      }
    }
  });
  return out;
}

template <typename T>
CrfPaths kbest_impl(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores,
                    int64_t K) {
  auto [B, Tn, L] = dims_of(emissions);
  CrfPaths out{torch::zeros({B, K, Tn}, torch::kInt64), torch::full({B, K}, neg_inf<T>(), emissions.options())};
  const T* em = emissions.data_ptr<T>();
  const T* tr = scores.transitions.data_ptr<T>();
  const T* st = scores.start.data_ptr<T>();
  const T* en = scores.end.data_ptr<T>();
  const int64_t* len = lengths.data_ptr<int64_t>();
  int64_t* tags = out.tags.data_ptr<int64_t>();
  T* best = out.scores.data_ptr<T>();
  // Higher score first; among equal scores the lower (label, rank) index, so results are deterministic.
  auto better = [](const std::pair<T, int64_t>& x, const std::pair<T, int64_t>& y) {
    return x.first > y.first || (x.first == y.first && x.second < y.second);
  };
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    // score[j * K + r]: r-th best score of a prefix ending in label j; bp[(t * L + j) * K + r] = i * K + r' of
    // the prefix it extends.
    std::vector<T> score(L * K), next(L * K);
    std::vector<int64_t> bp;
    std::vector<std::pair<T, int64_t>> cand(L * K);
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t n = len[b];
      if (n == 0) {
        best[b * K] = 0;  // the empty path
        continue;
      }
      const T* e = em + b * Tn * L;
      bp.assign(static_cast<std::size_t>(n * L * K), 0);
      std::fill(score.begin(), score.end(), neg_inf<T>());
      for (int64_t j = 0; j < L; ++j) score[j * K] = st[j] + e[j];
      for (int64_t t = 1; t < n; ++t) {
        for (int64_t j = 0; j < L; ++j) {
          for (int64_t i = 0; i < L; ++i)
            for (int64_t r = 0; r < K; ++r) cand[i * K + r] = {score[i * K + r] + tr[i * L + j], i * K + r};
          std::partial_sort(cand.begin(), cand.begin() + K, cand.end(), better);
          for (int64_t r = 0; r < K; ++r) {
            next[j * K + r] = cand[r].first + e[t * L + j];
            bp[(t * L + j) * K + r] = cand[r].second;
          }
        }
        std::swap(score, next);
      }
      for (int64_t j = 0; j < L; ++j)
        for (int64_t r = 0; r < K; ++r) cand[j * K + r] = {score[j * K + r] + en[j], j * K + r};
      std::partial_sort(cand.begin(), cand.begin() + K, cand.end(), better);
      for (int64_t r = 0; r < K; ++r) {
        if (!(cand[r].first > neg_inf<T>())) break;  // fewer than K paths
        best[b * K + r] = cand[r].first;
        int64_t* row = tags + (b * K + r) * Tn;
        int64_t state = cand[r].second;
        for (int64_t t = n - 1; t >= 0; --t) {
          row[t] = state / K;
          if (t > 0) state = bp[(t * L + state / K) * K + state % K];
        }
      }
    }
  });
  return out;
}

}  // namespace

CrfForward crf_forward(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores) {
  CrfForward out;
  dispatch::by_float_type("crf_forward", emissions.scalar_type(), [&](auto type) {
    forward_impl<decltype(type)>(emissions, lengths, scores, std::get<0>(out), std::get<1>(out));
  });
  return out;
}

CrfBackward crf_backward(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores,
                         const torch::Tensor& alphas, const torch::Tensor& log_z, const torch::Tensor& grad_log_z) {
  CrfBackward out;
  auto& [grad_emissions, grad_transitions, grad_start, grad_end] = out;
  dispatch::by_float_type("crf_backward", emissions.scalar_type(), [&](auto type) {
    backward_impl<decltype(type)>(emissions, lengths, scores, alphas, log_z, grad_log_z, grad_emissions,
                                  grad_transitions, grad_start, grad_end);
  });
  return out;
}

CrfPaths crf_viterbi(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores) {
  return dispatch::by_float_type("crf_viterbi", emissions.scalar_type(), [&](auto type) {
    return viterbi_impl<decltype(type)>(emissions, lengths, scores);
  });
}

CrfPaths crf_kbest(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores, int64_t k) {
  return dispatch::by_float_type("crf_kbest", emissions.scalar_type(), [&](auto type) {
    return kbest_impl<decltype(type)>(emissions, lengths, scores, k);
  });
}

}  // namespace nertool::ops::cpu
