#pragma once
// Mini-batches for training and evaluation.
//
// Token-budget batching (the paper's "for each batch, keep the same number of tokens"): sentences are sorted by
// length with random tie-breaking, packed in that order into batches whose real-token count stays within the
// budget (a sentence longer than the budget forms its own batch), and the batches are shuffled. Sorting keeps
// padding low; the partition depends only on the multiset of lengths, so every epoch has the same number of
// batches (the learning-rate schedule needs it) while batch contents and order change with the seeded RNG.
// Sentence batching: sentences shuffled, then cut into batches of N.
#include <cstdint>
#include <random>
#include <vector>

#include "nertool/data/conll.h"
#include "nertool/models/batch.h"
#include "nertool/models/encoder.h"
#include "nertool/models/tagger.h"

namespace nertool::train {

using BatchPlan = std::vector<std::vector<std::size_t>>;  // sentence indices of each batch

// Exactly one of batch_tokens, batch_sentences is > 0. Sentences with no tokens are left out.
BatchPlan plan_batches(const std::vector<const data::Sentence*>& sentences, int64_t batch_tokens,
                       int64_t batch_sentences, std::mt19937_64& rng);
// The same over examples of the given lengths (a sentence's tokens, a packed sequence's subwords).
BatchPlan plan_batches(const std::vector<int64_t>& lengths, int64_t batch_tokens, int64_t batch_sentences,
                       std::mt19937_64& rng);

// One optimizer step of an epoch: which batches of the plan this worker runs, and how many the step has over all
// workers. A step takes the next world_size x accumulate batches of the plan; worker r runs the r-th `accumulate`
// of them (in the last step of an epoch some workers may have none). Every worker plans the same batches from the
// same seed, so the shares are disjoint and cover the plan.
struct StepShare {
  std::vector<std::size_t> batches;
  int64_t global_batches = 0;
};
std::vector<StepShare> share_steps(std::size_t num_batches, int world_size, int rank, int accumulate);

// Optimizer steps per epoch: ceil(num_batches / (world_size x accumulate)).
int64_t steps_per_epoch(std::size_t num_batches, int world_size, int accumulate);

// Evaluation batches: at most `batch_sentences` each, sentences sorted by `lengths` (their
// Encoder::compute_length; ties keep input order, no randomness).
BatchPlan plan_eval_batches(const std::vector<int64_t>& lengths, int64_t batch_sentences);

// Builds a model batch: word mask, label ids (when `labels` is given; a label unknown to the set is an InputError
// naming the sentence's line) and the encoder's inputs. `corpus`: the corpus the sentences belong to (document
// context for encoders that use it), or null.
models::Batch make_batch(const std::vector<const data::Sentence*>& sentences, const models::Encoder& encoder,
                         const models::LabelSet* labels, const std::string& file_name = "",
                         const data::Corpus* corpus = nullptr);

// Every sentence of a corpus, as pointers.
std::vector<const data::Sentence*> sentence_pointers(const data::Corpus& corpus);

}  // namespace nertool::train
