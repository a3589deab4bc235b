#include "nertool/train/masked_lm_task.h"

#include <torch/torch.h>

#include "nertool/models/precision.h"

namespace nertool::train {

namespace {

// One engine per batch, from everything that names it: the same masks however the run was interrupted.
std::mt19937_64 batch_rng(uint64_t seed, const BatchKey& key) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(key.epoch),
                    static_cast<uint32_t>(key.batch), static_cast<uint32_t>(key.batch >> 32)};
  return std::mt19937_64(seq);
}

}  // namespace

MaskedLmTask::MaskedLmTask(models::MaskedLanguageModelImpl& model, const PackedSequences& data, MaskingOptions masking,
                           uint64_t seed, torch::Device device)
    : model_(model), data_(data), masking_(masking), seed_(seed), device_(device), lengths_(data.lengths()) {}

MaskedBatch MaskedLmTask::batch(const std::vector<std::size_t>& examples, const BatchKey& key) const {
  auto rng = batch_rng(seed_, key);
  return mask_sequences(data_, examples, masking_, rng);
}

BatchLoss MaskedLmTask::forward(const std::vector<std::size_t>& examples, const BatchKey& key) {
  const MaskedBatch b = batch(examples, key);
  BatchLoss out;
  out.loss = model_.loss(b.input_ids.to(device_), b.attention_mask.to(device_), b.labels.to(device_));
  out.units = b.masked;
  out.tokens = b.tokens;
  return out;
}

MaskedLmScore score_masked_lm(models::MaskedLanguageModelImpl& model, const PackedSequences& data,
                              const MaskingOptions& masking, uint64_t seed, int64_t batch_sequences,
                              models::Precision precision, torch::Device device) {
  torch::NoGradGuard no_grad;
  model.eval();
  // Epoch 0 never trains (epochs count from 1): the held-out masks are their own.
  auto rng = batch_rng(seed, BatchKey{0, 0});
  double loss_sum = 0;
  int64_t correct = 0;
  MaskedLmScore score;
  for (std::size_t first = 0; first < data.size(); first += static_cast<std::size_t>(batch_sequences)) {
    std::vector<std::size_t> rows;
    for (std::size_t i = first; i < std::min(data.size(), first + static_cast<std::size_t>(batch_sequences)); ++i)
      rows.push_back(i);
    const MaskedBatch b = mask_sequences(data, rows, masking, rng);
    const auto labels = b.labels.to(device);
    torch::Tensor logits;
    {
      models::AutocastScope autocast(precision, device);
      logits = model.masked_logits(b.input_ids.to(device), b.attention_mask.to(device), labels).to(torch::kFloat);
    }
    const auto targets = labels.index({labels.ne(models::kIgnoredLabel)});
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, targets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(-1).eq(targets).sum().item<int64_t>();
    score.masked += b.masked;
  }
  if (score.masked > 0) {
    score.loss = loss_sum / static_cast<double>(score.masked);
    score.accuracy = static_cast<double>(correct) / static_cast<double>(score.masked);
  }
  return score;
}

}  // namespace nertool::train
