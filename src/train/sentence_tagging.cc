#include "nertool/train/sentence_tagging.h"

#include <torch/torch.h>

#include "nertool/models/precision.h"
#include "nertool/train/batching.h"

namespace nertool::train {

Prediction predict_sentences(models::TaggerImpl& tagger, const std::vector<const data::Sentence*>& sentences,
                             int64_t batch_sentences, const torch::Device& device, bool with_probs,
                             const data::Corpus* corpus, models::Precision precision) {
  tagger.eval();
  c10::InferenceMode inference;  // no autograd bookkeeping at all (cheaper than NoGradGuard)
  models::AutocastScope autocast(precision, device);
  Prediction out;
  out.labels.resize(sentences.size());
  if (with_probs) out.probs.resize(sentences.size());
  std::vector<const data::Sentence*> nonempty;
  std::vector<std::size_t> where;
  std::vector<int64_t> lengths;
  for (std::size_t i = 0; i < sentences.size(); ++i)
    if (sentences[i]->size() > 0) {
      nonempty.push_back(sentences[i]);
      where.push_back(i);
      lengths.push_back(tagger.encoder().compute_length(*sentences[i]));
    }
  for (const auto& idx : plan_eval_batches(lengths, batch_sentences)) {
    std::vector<const data::Sentence*> group;
    for (std::size_t i : idx) group.push_back(nonempty[i]);
    auto batch = make_batch(group, tagger.encoder(), nullptr, "", corpus).to(device);
    auto labels = tagger.predict(batch);
    for (std::size_t k = 0; k < idx.size(); ++k) out.labels[where[idx[k]]] = std::move(labels[k]);
    if (with_probs) {
      auto p = tagger.probabilities(batch).to(torch::kCPU, torch::kFloat).contiguous();
      auto acc = p.accessor<float, 3>();
      for (std::size_t k = 0; k < idx.size(); ++k) {
        auto& dst = out.probs[where[idx[k]]];
        std::size_t n = group[k]->size();
        dst.assign(n, std::vector<float>(static_cast<std::size_t>(p.size(2))));
        for (std::size_t j = 0; j < n; ++j)
          for (int64_t l = 0; l < p.size(2); ++l)
            dst[j][static_cast<std::size_t>(l)] = acc[static_cast<int64_t>(k)][static_cast<int64_t>(j)][l];
      }
    }
  }
  return out;
}

}  // namespace nertool::train
