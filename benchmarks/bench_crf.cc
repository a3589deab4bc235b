// Times nertool's CRF ops (CPU loops or CUDA kernels) against the same CRF written with plain LibTorch ops
// (ops/crf_reference.h), and the fused char-CNN max-pool against conv1d + masked max. Prints one JSON object per
// measurement and one per speed-up on stdout. Usage:
//   bench_crf [--device cpu|cuda] [--batch 32] [--length 128] [--labels 9] [--iters 20] [--threads N]
#include <torch/cuda.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "nertool/ops/char_conv_pool.h"
#include "nertool/ops/crf.h"
#include "nertool/ops/crf_reference.h"

namespace {

using nertool::ops::CrfScores;

struct Options {
  std::string device = "cpu";
  int64_t batch = 32, length = 128, labels = 9, iters = 20, threads = 0;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value after " + a);
      return argv[++i];
    };
    if (a == "--device") o.device = next();
    else if (a == "--batch") o.batch = std::stoll(next());
    else if (a == "--length") o.length = std::stoll(next());
    else if (a == "--labels") o.labels = std::stoll(next());
    else if (a == "--iters") o.iters = std::stoll(next());
    else if (a == "--threads") o.threads = std::stoll(next());
    else throw std::runtime_error("unknown option " + a + " (see the comment at the top of bench_crf.cc)");
  }
  return o;
}

// Median milliseconds per call over `iters` calls after 3 warm-up calls.
double time_ms(const std::function<void()>& f, int64_t iters, bool cuda) {
  for (int i = 0; i < 3; ++i) f();
  if (cuda) torch::cuda::synchronize();
  std::vector<double> ms;
  for (int64_t i = 0; i < iters; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    if (cuda) torch::cuda::synchronize();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    if (o.threads > 0) torch::set_num_threads(static_cast<int>(o.threads));
    torch::Device device(o.device);
    const bool cuda = device.is_cuda();
    torch::manual_seed(0);
    auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(device);
    auto em = torch::randn({o.batch, o.length, o.labels}, f32).requires_grad_(true);
    auto mask = torch::ones({o.batch, o.length}, torch::TensorOptions().dtype(torch::kBool).device(device));
    CrfScores s{torch::randn({o.labels, o.labels}, f32).requires_grad_(true), torch::randn({o.labels}, f32),
                torch::randn({o.labels}, f32)};
    nlohmann::json setup = {{"device", device.str()},
                            {"threads", torch::get_num_threads()},
                            {"batch", o.batch},
                            {"length", o.length},
                            {"labels", o.labels},
                            {"iters", o.iters},
                            {"dtype", "float32"}};
    std::cout << nlohmann::json{{"setup", setup}}.dump() << std::endl;
    auto report = [&](const std::string& op, double ours, double ref) {
      std::cout << nlohmann::json{{"op", op}, {"nertool_ms", ours}, {"libtorch_ops_ms", ref}, {"speedup", ref / ours}}
                       .dump()
                << std::endl;
    };
    auto fb = [&](auto log_partition) {
      return [&, log_partition] {
        auto z = log_partition(em, mask, s).sum();
        auto g = torch::autograd::grad({z}, {em, s.transitions});
      };
    };
    report("crf_forward_backward", time_ms(fb(nertool::ops::crf_log_partition), o.iters, cuda),
           time_ms(fb(nertool::ops::crf_log_partition_reference), o.iters, cuda));
    report("crf_viterbi", time_ms([&] { nertool::ops::crf_viterbi(em, mask, s); }, o.iters, cuda),
           time_ms([&] { nertool::ops::crf_viterbi_reference(em, mask, s); }, o.iters, cuda));
    // The char CNN of the BiLSTM-CNN over every word of such a batch: 16 characters, 25 + 4 features, 53 filters.
    const int64_t words = o.batch * o.length, chars = 16;
    auto x = torch::randn({words, chars, 29}, f32).requires_grad_(true);
    auto lengths = torch::randint(1, chars + 1, {words}, torch::TensorOptions().dtype(torch::kInt64).device(device));
    auto cmask = torch::arange(chars, lengths.options()).unsqueeze(0) < lengths.unsqueeze(1);
    auto w = torch::randn({53, 29, 3}, f32).requires_grad_(true);
    auto b = torch::randn({53}, f32);
    auto pool = [&](auto op) {
      return [&, op] {
        auto y = op(x, cmask, w, b).sum();
        auto g = torch::autograd::grad({y}, {x, w});
      };
    };
    report("char_conv_max_pool_forward_backward", time_ms(pool(nertool::ops::char_conv_max_pool), o.iters, cuda),
           time_ms(pool(nertool::ops::char_conv_max_pool_reference), o.iters, cuda));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
