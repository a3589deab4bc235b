#include "nertool/layers/char_cnn.h"

#include <torch/torch.h>

#include "nertool/core/error.h"

namespace nertool::layers {

CharCnnImpl::CharCnnImpl(const CharCnnOptions& options) : options_(options) {
  if (options.num_chars < 2 || options.char_dim < 1 || options.filters < 1 || options.width < 1 ||
      options.width % 2 == 0 || options.char_type_dim < 0)
    throw ConfigError("char CNN: invalid sizes (need num_chars >= 2, char_dim >= 1, filters >= 1, odd width)");
  namespace nn = torch::nn;
  char_embedding_ = register_module(
      "char_embedding", nn::Embedding(nn::EmbeddingOptions(options.num_chars, options.char_dim).padding_idx(0)));
  // Uniform(-0.5, 0.5) as in Chiu & Nichols' character embeddings; the padding row stays zero.
  {
    torch::NoGradGuard g;
    char_embedding_->weight.uniform_(-0.5, 0.5);
    char_embedding_->weight[0].zero_();
  }
  int64_t in = options.char_dim;
  if (options.char_type_dim > 0) {
    type_embedding_ = register_module(
        "type_embedding", nn::Embedding(nn::EmbeddingOptions(6, options.char_type_dim).padding_idx(0)));
    in += options.char_type_dim;
  }
  conv_ = register_module(
      "conv", nn::Conv1d(nn::Conv1dOptions(in, options.filters, options.width).padding(options.width / 2)));
  dropout_ = register_module("dropout", nn::Dropout(options.dropout));
}

torch::Tensor CharCnnImpl::forward(const torch::Tensor& chars, const torch::Tensor& types) {
  auto x = char_embedding_->forward(chars);  // [N, C, E]; padding rows are zero, like the conv's own zero padding
  if (type_embedding_) x = torch::cat({x, type_embedding_->forward(types)}, -1);
  auto h = conv_->forward(x.transpose(1, 2));  // [N, F, C]
  // Max over real characters only: padded positions get -inf so the result is independent of C.
  auto pad = (chars == 0).unsqueeze(1);        // [N, 1, C]
  h = h.masked_fill(pad, -std::numeric_limits<float>::infinity());
  auto pooled = std::get<0>(h.max(2));         // [N, F]
  return dropout_->forward(pooled);
}

}  // namespace nertool::layers
