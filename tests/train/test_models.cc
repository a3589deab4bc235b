#include "test_models.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "nertool/core/atomic_file.h"
#include "nertool/models/tagger.h"

namespace nertool::testing {

namespace {

constexpr int64_t kMaxChars = 12;

class BagEncoder : public models::Encoder {
 public:
  BagEncoder(std::map<std::string, int64_t> vocab, int64_t dim, double dropout)
      : vocab_(std::move(vocab)), dim_(dim), dropout_(dropout) {
    words_ = register_module("words", torch::nn::Embedding(static_cast<int64_t>(vocab_.size()) + 2, dim));
    chars_ = register_module("chars", torch::nn::Embedding(torch::nn::EmbeddingOptions(98, dim).padding_idx(0)));
    mix_ = register_module("mix", torch::nn::Linear(dim, dim));
  }
  void featurize(models::Batch& batch) const override {
    const int64_t b = batch.size(), t = batch.word_mask.size(1);
    auto w = torch::zeros({b, t}, torch::kLong);
    auto c = torch::zeros({b, t, kMaxChars}, torch::kLong);
    auto wa = w.accessor<int64_t, 2>();
    auto ca = c.accessor<int64_t, 3>();
    for (int64_t i = 0; i < b; ++i) {
      const auto& s = *batch.sentences[static_cast<std::size_t>(i)];
      for (int64_t j = 0; j < static_cast<int64_t>(s.size()); ++j) {
        const auto& tok = s.tokens[static_cast<std::size_t>(j)];
        auto it = vocab_.find(tok);
        wa[i][j] = it == vocab_.end() ? 1 : it->second;
        for (int64_t k = 0; k < std::min<int64_t>(kMaxChars, static_cast<int64_t>(tok.size())); ++k)
          ca[i][j][k] = static_cast<unsigned char>(tok[static_cast<std::size_t>(k)]) % 97 + 1;
      }
    }
    batch.inputs["word_ids"] = w;
    batch.inputs["char_ids"] = c;
  }
  torch::Tensor forward(const models::Batch& batch) override {
    auto x = words_(batch.input("word_ids")) + chars_(batch.input("char_ids")).sum(2);
    x = torch::dropout(x, dropout_, is_training());
    return torch::tanh(mix_(x));
  }
  int64_t output_dim() const override { return dim_; }

 private:
  std::map<std::string, int64_t> vocab_;
  int64_t dim_;
  double dropout_;
  torch::nn::Embedding words_{nullptr}, chars_{nullptr};
  torch::nn::Linear mix_{nullptr};
};

class SoftmaxDecoder : public models::Decoder {
 public:
  SoftmaxDecoder(int64_t input_dim, int64_t labels) : labels_(labels) {
    out_ = register_module("out", torch::nn::Linear(input_dim, labels));
  }
  torch::Tensor loss(const torch::Tensor& f, const torch::Tensor& labels, const torch::Tensor& mask) override {
    auto logp = torch::log_softmax(out_(f), -1);
    auto nll = -logp.gather(-1, labels.unsqueeze(-1)).squeeze(-1);
    auto m = mask.to(nll.dtype());
    return (nll * m).sum() / m.sum();
  }
  std::vector<std::vector<int64_t>> decode(const torch::Tensor& f, const torch::Tensor& mask) override {
    auto best = out_(f).argmax(-1).cpu();
    auto lengths = mask.sum(1).cpu();
    std::vector<std::vector<int64_t>> out(static_cast<std::size_t>(best.size(0)));
    for (int64_t i = 0; i < best.size(0); ++i)
      for (int64_t j = 0; j < lengths[i].item<int64_t>(); ++j) out[static_cast<std::size_t>(i)].push_back(best[i][j].item<int64_t>());
    return out;
  }
  torch::Tensor probabilities(const torch::Tensor& f, const torch::Tensor&) override {
    return torch::softmax(out_(f), -1);
  }
  int64_t num_labels() const override { return labels_; }

 private:
  int64_t labels_;
  torch::nn::Linear out_{nullptr};
};

std::shared_ptr<models::Encoder> build_bag(const models::BuildContext& ctx) {
  const auto path = ctx.model_dir + "/test_vocab.json";
  std::map<std::string, int64_t> vocab;
  if (ctx.train) {
    for (const auto& s : ctx.train->sentences)
      for (const auto& t : s.tokens) vocab.emplace(t, 0);
    int64_t id = 2;  // 0 padding, 1 unknown
    for (auto& kv : vocab) kv.second = id++;
    write_file_atomic(path, nlohmann::json(vocab).dump());
  } else {
    vocab = nlohmann::json::parse(read_file(path)).get<std::map<std::string, int64_t>>();
  }
  return std::make_shared<BagEncoder>(vocab, ctx.config.value("dim", 16), ctx.config.value("dropout", 0.2));
}

}  // namespace

void register_test_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    models::register_encoder("test_bag", build_bag, {"dim", "dropout"});
    models::register_decoder("test_softmax", [](const models::BuildContext& ctx, int64_t dim, int64_t) {
      return std::make_shared<SoftmaxDecoder>(dim, ctx.labels.size());
    });
  });
}

}  // namespace nertool::testing
