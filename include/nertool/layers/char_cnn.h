#pragma once
// Character CNN of Chiu & Nichols (2016): each character is its embedding concatenated with an embedding of its
// type (upper/lower/digit/punctuation/other), a width-k convolution runs over the word (zero padding at both
// ends), and max-over-time pooling over the word's real characters gives one vector per word.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>

namespace nertool::layers {

struct CharCnnOptions {
  int64_t num_chars = 0;      // character vocabulary size (0 = padding)
  int64_t char_dim = 25;
  int64_t char_type_dim = 4;  // 0: no character-type feature
  int64_t filters = 53;
  int64_t width = 3;          // odd
  double dropout = 0.0;       // on the pooled output
};

class CharCnnImpl : public torch::nn::Module {
 public:
  explicit CharCnnImpl(const CharCnnOptions& options);
  // chars, types: [N, C] int64 (0 = padding, and every word has at least one real character).
  // Returns [N, filters]. A word's output does not depend on C (the padding length).
  torch::Tensor forward(const torch::Tensor& chars, const torch::Tensor& types);
  int64_t output_dim() const { return options_.filters; }

 private:
  CharCnnOptions options_;
  torch::nn::Embedding char_embedding_{nullptr};
  torch::nn::Embedding type_embedding_{nullptr};
  torch::nn::Conv1d conv_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(CharCnn);

}  // namespace nertool::layers
