// CRF ops: shape and dtype checks, the autograd function of the log-partition, and dispatch to the CPU loops
// (crf_cpu.cc) or the CUDA kernels (crf_cuda.cu, when the build has them).
#include "nertool/ops/crf.h"

#include <torch/autograd.h>

#include <string>

#include "crf_cpu.h"
#include "nertool/core/error.h"

#ifdef NERTOOL_HAVE_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include "nertool/ops/crf_cuda.h"
#endif

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

#ifdef NERTOOL_HAVE_CUDA
void* current_stream() { return static_cast<void*>(at::cuda::getCurrentCUDAStream().stream()); }

template <typename T>
void cuda_forward(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s, torch::Tensor& alphas,
                  torch::Tensor& log_z) {
  alphas = torch::empty_like(em);
  log_z = torch::empty({em.size(0)}, em.options());
  cuda::crf_forward(em.data_ptr<T>(), lengths.data_ptr<int64_t>(), s.transitions.data_ptr<T>(),
                    s.start.data_ptr<T>(), s.end.data_ptr<T>(), em.size(0), em.size(1), em.size(2),
                    alphas.data_ptr<T>(), log_z.data_ptr<T>(), current_stream());
}

template <typename T>
void cuda_backward(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s,
                   const torch::Tensor& alphas, const torch::Tensor& log_z, const torch::Tensor& grad,
                   torch::Tensor& g_em, torch::Tensor& g_tr, torch::Tensor& g_st, torch::Tensor& g_en) {
  const int64_t B = em.size(0), L = em.size(2);
  g_em = torch::empty_like(em);
  g_tr = torch::empty({B, L, L}, em.options());
  g_st = torch::empty({B, L}, em.options());
  g_en = torch::empty({B, L}, em.options());
  cuda::crf_backward(em.data_ptr<T>(), lengths.data_ptr<int64_t>(), s.transitions.data_ptr<T>(),
                     s.start.data_ptr<T>(), s.end.data_ptr<T>(), alphas.data_ptr<T>(), log_z.data_ptr<T>(),
                     grad.data_ptr<T>(), B, em.size(1), L, g_em.data_ptr<T>(), g_tr.data_ptr<T>(),
                     g_st.data_ptr<T>(), g_en.data_ptr<T>(), current_stream());
}

template <typename T>
CrfPaths cuda_viterbi(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s) {
  const int64_t B = em.size(0), Tn = em.size(1), L = em.size(2);
  auto backpointers = torch::empty({B, Tn, L}, em.options().dtype(torch::kInt32));
  CrfPaths out{torch::empty({B, Tn}, em.options().dtype(torch::kInt64)), torch::empty({B}, em.options())};
  cuda::crf_viterbi(em.data_ptr<T>(), lengths.data_ptr<int64_t>(), s.transitions.data_ptr<T>(),
                    s.start.data_ptr<T>(), s.end.data_ptr<T>(), B, Tn, L, backpointers.data_ptr<int32_t>(),
                    out.tags.data_ptr<int64_t>(), out.scores.data_ptr<T>(), current_stream());
  return out;
}
#endif

// A CUDA tensor without CUDA kernels in the build: computed on the CPU, results moved back.
bool cpu_fallback(const torch::Tensor& t) {
#ifdef NERTOOL_HAVE_CUDA
  return !t.is_cuda() && !t.is_cpu();
#else
  return !t.is_cpu();
#endif
}

CrfScores scores_to(const CrfScores& s, const torch::Device& d) {
  return {s.transitions.to(d), s.start.to(d), s.end.to(d)};
}

void forward_dispatch(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s,
                      torch::Tensor& alphas, torch::Tensor& log_z) {
  if (cpu_fallback(em)) {
    forward_dispatch(em.cpu(), lengths.cpu(), scores_to(s, torch::kCPU), alphas, log_z);
    alphas = alphas.to(em.device());
    log_z = log_z.to(em.device());
    return;
  }
#ifdef NERTOOL_HAVE_CUDA
  if (em.is_cuda()) {
    c10::cuda::CUDAGuard guard(em.device());
    if (em.scalar_type() == torch::kDouble)
      cuda_forward<double>(em, lengths, s, alphas, log_z);
    else
      cuda_forward<float>(em, lengths, s, alphas, log_z);
    return;
  }
#endif
  cpu::crf_forward(em, lengths, s, alphas, log_z);
}

void backward_dispatch(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s,
                       const torch::Tensor& alphas, const torch::Tensor& log_z, const torch::Tensor& grad,
                       torch::Tensor& g_em, torch::Tensor& g_tr, torch::Tensor& g_st, torch::Tensor& g_en) {
  if (cpu_fallback(em)) {
    backward_dispatch(em.cpu(), lengths.cpu(), scores_to(s, torch::kCPU), alphas.cpu(), log_z.cpu(), grad.cpu(),
                      g_em, g_tr, g_st, g_en);
    g_em = g_em.to(em.device());
    g_tr = g_tr.to(em.device());
    g_st = g_st.to(em.device());
    g_en = g_en.to(em.device());
    return;
  }
#ifdef NERTOOL_HAVE_CUDA
  if (em.is_cuda()) {
    c10::cuda::CUDAGuard guard(em.device());
    if (em.scalar_type() == torch::kDouble)
      cuda_backward<double>(em, lengths, s, alphas, log_z, grad, g_em, g_tr, g_st, g_en);
    else
      cuda_backward<float>(em, lengths, s, alphas, log_z, grad, g_em, g_tr, g_st, g_en);
    return;
  }
#endif
  cpu::crf_backward(em, lengths, s, alphas, log_z, grad, g_em, g_tr, g_st, g_en);
}

CrfPaths viterbi_dispatch(const torch::Tensor& em, const torch::Tensor& lengths, const CrfScores& s) {
  if (cpu_fallback(em)) {
    auto out = viterbi_dispatch(em.cpu(), lengths.cpu(), scores_to(s, torch::kCPU));
    return {out.tags.to(em.device()), out.scores.to(em.device())};
  }
#ifdef NERTOOL_HAVE_CUDA
  if (em.is_cuda()) {
    c10::cuda::CUDAGuard guard(em.device());
    if (em.scalar_type() == torch::kDouble) return cuda_viterbi<double>(em, lengths, s);
    return cuda_viterbi<float>(em, lengths, s);
  }
#endif
  return cpu::crf_viterbi(em, lengths, s);
}

// log Z with the custom backward; the inputs are contiguous and checked, lengths is int64 [B] on their device.
class CrfLogPartition : public torch::autograd::Function<CrfLogPartition> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& emissions,
                               const torch::Tensor& transitions, const torch::Tensor& start, const torch::Tensor& end,
                               const torch::Tensor& lengths) {
    torch::Tensor alphas, log_z;
    forward_dispatch(emissions, lengths, {transitions, start, end}, alphas, log_z);
    ctx->save_for_backward({emissions, transitions, start, end, lengths, alphas, log_z});
    return log_z;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    torch::Tensor g_em, g_tr, g_st, g_en;
    backward_dispatch(saved[0], saved[4], {saved[1], saved[2], saved[3]}, saved[5], saved[6],
                      grad_outputs[0].contiguous(), g_em, g_tr, g_st, g_en);
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
  torch::Tensor alphas, log_z, g_em, g_tr, g_st, g_en;
  forward_dispatch(em, lengths, s, alphas, log_z);
  backward_dispatch(em, lengths, s, alphas, log_z, torch::ones_like(log_z), g_em, g_tr, g_st, g_en);
  return g_em;
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
  auto s = scores_to({scores.transitions.detach(), scores.start.detach(), scores.end.detach()}, torch::kCPU);
  auto out = cpu::crf_kbest(emissions.detach().cpu().contiguous(), lengths_from_prefix_mask(mask).cpu(),
                            contiguous(s), k);
  return {out.tags.to(emissions.device()), out.scores.to(emissions.device())};
}

}  // namespace nertool::ops
