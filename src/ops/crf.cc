// CRF ops: shape and dtype checks, the autograd function of the log-partition, and the dispatch (ops/dispatch.h)
// to the CPU loops (crf_cpu.cc) or the CUDA kernels (crf_cuda.cu, when the build has them).
#include "nertool/ops/crf.h"

#include <torch/autograd.h>

#include <string>

#include "crf_cpu.h"
#include "nertool/core/error.h"

#include "nertool/ops/crf_cuda.h"
#include "nertool/ops/dispatch.h"

namespace nertool::ops {

namespace {

std::string shape_of(torch::IntArrayRef sizes) {
  std::string s = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}
std::string shape_of(const torch::Tensor& t) { return shape_of(t.sizes()); }

// Checks the shapes, dtypes and devices of a call; throws Error naming the op and the problem.
void check_inputs(const char* op, const torch::Tensor& emissions, const torch::Tensor& mask,
                       const CrfScores& scores) {
  auto fail = [&](const std::string& what) { throw Error(std::string(op) + ": " + what); };
  if (!emissions.defined() || emissions.dim() != 3)
    fail("emissions must be [B, T, L], got " + (emissions.defined() ? shape_of(emissions) : "undefined"));
  if (emissions.scalar_type() != torch::kFloat && emissions.scalar_type() != torch::kDouble)
    fail("emissions must be float or double");
  const int64_t B = emissions.size(0), T = emissions.size(1), L = emissions.size(2);
  if (L < 1) fail("there must be at least one label");
  if (!mask.defined() || mask.dim() != 2 || mask.size(0) != B || mask.size(1) != T)
    fail("mask must be [B, T] = [" + std::to_string(B) + ", " + std::to_string(T) + "], got " +
         (mask.defined() ? shape_of(mask) : "undefined"));
  if (mask.scalar_type() != torch::kBool) fail("mask must be bool");
  auto check = [&](const torch::Tensor& t, const char* name, std::vector<int64_t> shape) {
    if (!t.defined() || t.sizes() != torch::IntArrayRef(shape))
      fail(std::string(name) + " must be " + shape_of(shape) + ", got " +
           (t.defined() ? shape_of(t) : "undefined"));
    if (t.scalar_type() != emissions.scalar_type()) fail(std::string(name) + " must have the emissions' dtype");
    if (t.device() != emissions.device()) fail(std::string(name) + " must be on the emissions' device");
  };
  check(scores.transitions, "transitions", {L, L});
  check(scores.start, "start", {L});
  check(scores.end, "end", {L});
  if (mask.device() != emissions.device()) fail("mask must be on the emissions' device");
}

CrfScores contiguous(const CrfScores& s) {
  return {s.transitions.contiguous(), s.start.contiguous(), s.end.contiguous()};
}

}  // namespace

// Aggregates of the CRF as dispatch::on_cpu moves them (found by argument lookup).
CrfScores moved_to(const CrfScores& s, const torch::Device& device) {
  return {s.transitions.to(device), s.start.to(device), s.end.to(device)};
}
CrfPaths moved_to(const CrfPaths& p, const torch::Device& device) {
  return {p.tags.to(device), p.scores.to(device)};
}

namespace {

using cpu::CrfBackward;
using cpu::CrfForward;

// The CUDA twins of cpu::crf_forward, crf_backward and crf_viterbi: generic lambdas, so that a build without the
// kernels never instantiates them (ops/dispatch.h).
constexpr auto cuda_forward = [](void* stream, const auto& em, const auto& lengths, const CrfScores& s) {
  CrfForward out{torch::empty_like(em), torch::empty({em.size(0)}, em.options())};
  dispatch::by_float_type("crf_forward", em.scalar_type(), [&](auto type) {
    using T = decltype(type);
    auto& [alphas, log_z] = out;
    cuda::crf_forward(em.template data_ptr<T>(), lengths.template data_ptr<int64_t>(),
                      s.transitions.template data_ptr<T>(), s.start.template data_ptr<T>(),
                      s.end.template data_ptr<T>(), em.size(0), em.size(1), em.size(2), alphas.template data_ptr<T>(),
                      log_z.template data_ptr<T>(), stream);
  });
  return out;
};

constexpr auto cuda_backward = [](void* stream, const auto& em, const auto& lengths, const CrfScores& s,
                                  const auto& alphas, const auto& log_z, const auto& grad) {
  const int64_t B = em.size(0), L = em.size(2);
  CrfBackward out{torch::empty_like(em), torch::empty({B, L, L}, em.options()), torch::empty({B, L}, em.options()),
                  torch::empty({B, L}, em.options())};
  dispatch::by_float_type("crf_backward", em.scalar_type(), [&](auto type) {
    using T = decltype(type);
    auto& [g_em, g_tr, g_st, g_en] = out;
    cuda::crf_backward(em.template data_ptr<T>(), lengths.template data_ptr<int64_t>(),
                       s.transitions.template data_ptr<T>(), s.start.template data_ptr<T>(),
                       s.end.template data_ptr<T>(), alphas.template data_ptr<T>(), log_z.template data_ptr<T>(),
                       grad.template data_ptr<T>(), B, em.size(1), L, g_em.template data_ptr<T>(),
                       g_tr.template data_ptr<T>(), g_st.template data_ptr<T>(), g_en.template data_ptr<T>(), stream);
  });
  return out;
};

constexpr auto cuda_viterbi = [](void* stream, const auto& em, const auto& lengths, const CrfScores& s) {
  const int64_t B = em.size(0), Tn = em.size(1), L = em.size(2);
  auto backpointers = torch::empty({B, Tn, L}, em.options().dtype(torch::kInt32));
  CrfPaths out{torch::empty({B, Tn}, em.options().dtype(torch::kInt64)), torch::empty({B}, em.options())};
  dispatch::by_float_type("crf_viterbi", em.scalar_type(), [&](auto type) {
    using T = decltype(type);
    cuda::crf_viterbi(em.template data_ptr<T>(), lengths.template data_ptr<int64_t>(),
                      s.transitions.template data_ptr<T>(), s.start.template data_ptr<T>(),
                      s.end.template data_ptr<T>(), B, Tn, L, backpointers.template data_ptr<int32_t>(),
                      out.tags.template data_ptr<int64_t>(), out.scores.template data_ptr<T>(), stream);
  });
  return out;
};

CrfForward forward_dispatch(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s) {
  return dispatch::on_device(em.device(), cpu::crf_forward, cuda_forward, em, lengths, s);
}

CrfBackward backward_dispatch(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s,
                              const torch::Tensor& alphas, const torch::Tensor& log_z, const torch::Tensor& grad) {
  return dispatch::on_device(em.device(), cpu::crf_backward, cuda_backward, em, lengths, s, alphas, log_z, grad);
}

CrfPaths viterbi_dispatch(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s) {
  return dispatch::on_device(em.device(), cpu::crf_viterbi, cuda_viterbi, em, lengths, s);
}

// log Z with the custom backward; the inputs are contiguous and checked, lengths is int64 [B] on their device.
class CrfLogPartition : public torch::autograd::Function<CrfLogPartition> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& emissions,
                               const torch::Tensor& transitions, const torch::Tensor& start, const torch::Tensor& end,
                               const torch::Tensor& lengths) {
    auto [alphas, log_z] = forward_dispatch(emissions, lengths, {transitions, start, end});
    ctx->save_for_backward({emissions, transitions, start, end, lengths, alphas, log_z});
    return log_z;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto [g_em, g_tr, g_st, g_en] = backward_dispatch(saved[0], saved[4], {saved[1], saved[2], saved[3]}, saved[5],
                                                      saved[6], grad_outputs[0].contiguous());
    return {g_em, g_tr.sum(0), g_st.sum(0), g_en.sum(0), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor lengths_from_prefix_mask(const torch::Tensor& mask) {
  auto lengths = mask.to(torch::kInt64).sum(1);
  auto expected = torch::arange(mask.size(1), lengths.options()).unsqueeze(0) < lengths.unsqueeze(1);
  if (!torch::equal(expected, mask))
    throw Error("CRF mask must be a prefix mask (true on the first length(b) steps of each row, false after)");
  return lengths;
}

torch::Tensor crf_log_partition(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores) {
  check_inputs("crf_log_partition", emissions, mask, scores);
  auto s = contiguous(scores);
  return CrfLogPartition::apply(emissions.contiguous(), s.transitions, s.start, s.end,
                                lengths_from_prefix_mask(mask));
}

torch::Tensor crf_path_score(const torch::Tensor& emissions, const torch::Tensor& tags, const torch::Tensor& mask,
                             const CrfScores& scores) {
  check_inputs("crf_path_score", emissions, mask, scores);
  if (!tags.defined() || tags.sizes() != mask.sizes() || tags.scalar_type() != torch::kInt64)
    throw Error("crf_path_score: tags must be int64 [B, T] like the mask");
  const int64_t B = emissions.size(0), T = emissions.size(1), L = emissions.size(2);
  auto lengths = lengths_from_prefix_mask(mask);
  auto y = tags.masked_fill(~mask, 0);
  if (B == 0) return torch::zeros({0}, emissions.options());
  if (T == 0) return torch::zeros({B}, emissions.options());
  if ((y < 0).any().item<bool>() || (y >= L).any().item<bool>())
    throw Error("crf_path_score: a tag is outside [0, " + std::to_string(L) + ")");
  auto zero = torch::zeros({}, emissions.options());
  // torch::where, not multiplication by the mask: a -inf score times 0 would be NaN.
  auto total = torch::where(mask, emissions.gather(2, y.unsqueeze(2)).squeeze(2), zero).sum(1);
  auto nonempty = lengths > 0;
  total = total + torch::where(nonempty, scores.start.index_select(0, y.select(1, 0)), zero);
  if (T > 1) {
    auto pair = y.slice(1, 0, T - 1) * L + y.slice(1, 1, T);
    auto trans = scores.transitions.reshape({L * L}).index_select(0, pair.reshape({-1})).view({B, T - 1});
    total = total + torch::where(mask.slice(1, 1, T), trans, zero).sum(1);
  }
  auto last = y.gather(1, (lengths - 1).clamp_min(0).unsqueeze(1)).squeeze(1);
  return total + torch::where(nonempty, scores.end.index_select(0, last), zero);
}

torch::Tensor crf_nll(const torch::Tensor& emissions, const torch::Tensor& tags, const torch::Tensor& mask,
                      const CrfScores& scores) {
  return crf_log_partition(emissions, mask, scores) - crf_path_score(emissions, tags, mask, scores);
}

torch::Tensor crf_marginals(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores) {
  check_inputs("crf_marginals", emissions, mask, scores);
  torch::NoGradGuard no_grad;
  auto em = emissions.detach().contiguous();
  auto s = contiguous({scores.transitions.detach(), scores.start.detach(), scores.end.detach()});
  auto lengths = lengths_from_prefix_mask(mask);
  auto [alphas, log_z] = forward_dispatch(em, lengths, s);
  return std::get<0>(backward_dispatch(em, lengths, s, alphas, log_z, torch::ones_like(log_z)));
}

CrfPaths crf_viterbi(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores) {
  check_inputs("crf_viterbi", emissions, mask, scores);
  torch::NoGradGuard no_grad;
  auto s = contiguous({scores.transitions.detach(), scores.start.detach(), scores.end.detach()});
  return viterbi_dispatch(emissions.detach().contiguous(), lengths_from_prefix_mask(mask), s);
}

CrfPaths crf_kbest(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores, int64_t k) {
  check_inputs("crf_kbest", emissions, mask, scores);
  if (k < 1) throw Error("crf_kbest: k must be at least 1, got " + std::to_string(k));
  torch::NoGradGuard no_grad;
  CrfScores s{scores.transitions.detach().contiguous(), scores.start.detach().contiguous(),
              scores.end.detach().contiguous()};
  // k-best has no CUDA twin: CPU copies, results moved back.
  return dispatch::on_cpu(emissions.device(), cpu::crf_kbest, emissions.detach().contiguous(),
                          lengths_from_prefix_mask(mask), s, k);
}

}  // namespace nertool::ops
