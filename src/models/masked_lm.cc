#include "nertool/models/masked_lm.h"

#include <torch/torch.h>

#include "nertool/core/error.h"

namespace nertool::models {

MaskedLmHeadImpl::MaskedLmHeadImpl(const layers::TransformerConfig& c) {
  dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.hidden_size));
  layer_norm = register_module(
      "layer_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  bias = register_parameter("bias", torch::zeros({c.vocab_size}));
}

torch::Tensor MaskedLmHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& word_embeddings) {
  // Under bf16 autocast dense() gives bfloat16; LayerNorm runs in its weights' float32, as torch.autocast does.
  auto h = layer_norm(torch::gelu(dense(hidden)).to(layer_norm->weight.scalar_type()));
  return torch::matmul(h, word_embeddings.t()) + bias;
}

TransformerBodyImpl::TransformerBodyImpl(const layers::TransformerConfig& config) {
  embeddings = register_module("embeddings", layers::TransformerEmbeddings(config));
  encoder = register_module("encoder", layers::TransformerStack(config));
}

torch::Tensor TransformerBodyImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) {
  return encoder(embeddings(input_ids, attention_mask), attention_mask);
}

MaskedLanguageModelImpl::MaskedLanguageModelImpl(const layers::TransformerConfig& config) : config_(config) {
  encoder = register_module("encoder", TransformerBody(config));
  head = register_module("head", MaskedLmHead(config));
}

torch::Tensor MaskedLanguageModelImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) {
  return head(encoder(input_ids, attention_mask), encoder->embeddings->word_embeddings->weight);
}

torch::Tensor MaskedLanguageModelImpl::masked_logits(const torch::Tensor& input_ids,
                                                     const torch::Tensor& attention_mask, const torch::Tensor& labels) {
  if (labels.sizes() != input_ids.sizes()) throw Error("masked LM: labels and input_ids differ in shape");
  auto hidden = encoder(input_ids, attention_mask);
  return head(hidden.index({labels.ne(kIgnoredLabel)}), encoder->embeddings->word_embeddings->weight);
}

torch::Tensor MaskedLanguageModelImpl::loss(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                            const torch::Tensor& labels) {
  // The softmax over the vocabulary in float32 whatever the logits' precision.
  auto logits = masked_logits(input_ids, attention_mask, labels).to(torch::kFloat);
  return torch::nn::functional::cross_entropy(logits, labels.index({labels.ne(kIgnoredLabel)}));
}

}  // namespace nertool::models
