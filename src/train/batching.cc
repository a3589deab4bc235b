#include "nertool/train/batching.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

#include "nertool/core/error.h"

namespace nertool::train {

BatchPlan plan_batches(const std::vector<const data::Sentence*>& sentences, int64_t batch_tokens,
                       int64_t batch_sentences, std::mt19937_64& rng) {
  std::vector<int64_t> lengths;
  lengths.reserve(sentences.size());
  for (const auto* s : sentences) lengths.push_back(static_cast<int64_t>(s->size()));
  return plan_batches(lengths, batch_tokens, batch_sentences, rng);
}

BatchPlan plan_batches(const std::vector<int64_t>& lengths, int64_t batch_tokens, int64_t batch_sentences,
                       std::mt19937_64& rng) {
  if ((batch_tokens > 0) == (batch_sentences > 0))
    throw ConfigError("batching: set exactly one of train.batch_tokens and train.batch_sentences");
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < lengths.size(); ++i)
    if (lengths[i] > 0) order.push_back(i);
  // std::shuffle's use of the engine is implementation-defined; a hand-written Fisher-Yates keeps runs
  // reproducible across standard libraries.
  auto shuffle = [&rng](auto& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(rng() % i);
      std::swap(v[i - 1], v[j]);
    }
  };
  shuffle(order);
  BatchPlan plan;
  if (batch_sentences > 0) {
    for (std::size_t i = 0; i < order.size(); i += static_cast<std::size_t>(batch_sentences))
      plan.emplace_back(order.begin() + i,
                        order.begin() + std::min(order.size(), i + static_cast<std::size_t>(batch_sentences)));
    return plan;
  }
  // Stable sort of a shuffled order = sort by length with random tie-breaking.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return lengths[a] < lengths[b]; });
  std::vector<std::size_t> current;
  int64_t tokens = 0;
  for (std::size_t i : order) {
    const int64_t n = lengths[i];
    if (!current.empty() && tokens + n > batch_tokens) {
      plan.push_back(std::move(current));
      current.clear();
      tokens = 0;
    }
    current.push_back(i);
    tokens += n;
  }
  if (!current.empty()) plan.push_back(std::move(current));
  shuffle(plan);
  return plan;
}

std::vector<StepShare> share_steps(std::size_t num_batches, int world_size, int rank, int accumulate) {
  const std::size_t per_step = static_cast<std::size_t>(world_size) * static_cast<std::size_t>(accumulate);
  std::vector<StepShare> steps;
  for (std::size_t first = 0; first < num_batches; first += per_step) {
    StepShare step;
    step.global_batches = static_cast<int64_t>(std::min(per_step, num_batches - first));
    const std::size_t mine = first + static_cast<std::size_t>(rank) * static_cast<std::size_t>(accumulate);
    for (std::size_t b = mine; b < mine + static_cast<std::size_t>(accumulate) && b < num_batches; ++b)
      step.batches.push_back(b);
    steps.push_back(std::move(step));
  }
  return steps;
}

int64_t steps_per_epoch(std::size_t num_batches, int world_size, int accumulate) {
  const std::size_t per_step = static_cast<std::size_t>(world_size) * static_cast<std::size_t>(accumulate);
  return static_cast<int64_t>((num_batches + per_step - 1) / per_step);
}

BatchPlan plan_eval_batches(const std::vector<int64_t>& lengths, int64_t batch_sentences) {
  if (batch_sentences < 1) throw ConfigError("evaluation batch size must be >= 1");
  std::vector<std::size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lengths[a] < lengths[b]; });
  BatchPlan plan;
  for (std::size_t i = 0; i < order.size(); i += static_cast<std::size_t>(batch_sentences))
    plan.emplace_back(order.begin() + i,
                      order.begin() + std::min(order.size(), i + static_cast<std::size_t>(batch_sentences)));
  return plan;
}

models::Batch make_batch(const std::vector<const data::Sentence*>& sentences, const models::Encoder& encoder,
                         const models::LabelSet* labels, const std::string& file_name,
                         const data::Corpus* corpus) {
  models::Batch batch;
  batch.sentences = sentences;
  batch.corpus = corpus;
  int64_t b = static_cast<int64_t>(sentences.size());
  int64_t t = 0;
  for (const auto* s : sentences) t = std::max<int64_t>(t, static_cast<int64_t>(s->size()));
  auto mask = torch::zeros({b, t}, torch::kBool);
  auto mask_a = mask.accessor<bool, 2>();
  torch::Tensor label_ids;
  if (labels) label_ids = torch::zeros({b, t}, torch::kLong);
  for (int64_t i = 0; i < b; ++i) {
    const auto& s = *sentences[static_cast<std::size_t>(i)];
    for (int64_t j = 0; j < static_cast<int64_t>(s.size()); ++j) mask_a[i][j] = true;
    if (labels) {
      if (s.labels.size() != s.size())
        throw InputError(file_name, s.first_line, "sentence has no label column");
      auto acc = label_ids.accessor<int64_t, 2>();
      for (int64_t j = 0; j < static_cast<int64_t>(s.size()); ++j) {
        const auto& l = s.labels[static_cast<std::size_t>(j)];
        if (!labels->contains(l))
          throw InputError(file_name, s.first_line + static_cast<std::size_t>(j),
                           "label '" + l + "' is not in the model's label set");
        acc[i][j] = labels->id(l);
      }
    }
  }
  batch.word_mask = mask;
  batch.labels = label_ids;
  encoder.featurize(batch);
  return batch;
}

std::vector<const data::Sentence*> sentence_pointers(const data::Corpus& corpus) {
  std::vector<const data::Sentence*> out;
  out.reserve(corpus.sentences.size());
  for (const auto& s : corpus.sentences) out.push_back(&s);
  return out;
}

}  // namespace nertool::train
