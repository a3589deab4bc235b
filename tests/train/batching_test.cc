#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "nertool/core/error.h"
#include "nertool/train/batching.h"

namespace nertool::train {
namespace {

data::Corpus random_corpus(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> len(1, 60);
  data::Corpus c;
  for (std::size_t i = 0; i < n; ++i) {
    data::Sentence s;
    int l = len(gen);
    if (i % 97 == 0) l = 250;  // longer than the budget: its own batch
    for (int k = 0; k < l; ++k) s.tokens.push_back("w" + std::to_string(k));
    c.sentences.push_back(s);
  }
  return c;
}

TEST(Batching, EverySentenceOnceAndBudgetRespected) {
  auto corpus = random_corpus(1000, 3);
  auto ptrs = sentence_pointers(corpus);
  std::mt19937_64 rng(11);
  std::size_t batches_first = 0;
  for (int epoch = 0; epoch < 3; ++epoch) {
    auto plan = plan_batches(ptrs, 200, 0, rng);
    std::map<std::size_t, int> seen;
    std::size_t tokens = 0;
    for (const auto& b : plan) {
      ASSERT_FALSE(b.empty());
      std::size_t t = 0;
      for (std::size_t i : b) ++seen[i], t += ptrs[i]->size();
      if (b.size() > 1) EXPECT_LE(t, 200u);
      else if (t > 200) EXPECT_EQ(b.size(), 1u);
      tokens += t;
    }
    EXPECT_EQ(seen.size(), corpus.sentences.size());
    for (const auto& kv : seen) EXPECT_EQ(kv.second, 1) << "sentence " << kv.first;
    EXPECT_EQ(tokens, corpus.num_tokens());
    if (epoch == 0) batches_first = plan.size();
    EXPECT_EQ(plan.size(), batches_first) << "batch count must not depend on the shuffle";
  }
}

TEST(Batching, DeterministicUnderSeedAndShuffledAcrossEpochs) {
  auto corpus = random_corpus(500, 5);
  auto ptrs = sentence_pointers(corpus);
  std::mt19937_64 a(42), b(42), c(43);
  auto pa = plan_batches(ptrs, 300, 0, a);
  auto pb = plan_batches(ptrs, 300, 0, b);
  auto pc = plan_batches(ptrs, 300, 0, c);
  EXPECT_EQ(pa, pb);
  EXPECT_NE(pa, pc);
  EXPECT_NE(plan_batches(ptrs, 300, 0, a), pa);  // next epoch differs
}

TEST(Batching, SentenceBatches) {
  auto corpus = random_corpus(103, 9);
  auto ptrs = sentence_pointers(corpus);
  std::mt19937_64 rng(1);
  auto plan = plan_batches(ptrs, 0, 10, rng);
  ASSERT_EQ(plan.size(), 11u);
  std::set<std::size_t> all;
  for (const auto& b : plan) {
    EXPECT_LE(b.size(), 10u);
    all.insert(b.begin(), b.end());
  }
  EXPECT_EQ(all.size(), 103u);
  EXPECT_THROW(plan_batches(ptrs, 0, 0, rng), ConfigError);
  EXPECT_THROW(plan_batches(ptrs, 5, 5, rng), ConfigError);
}

TEST(Batching, EvalBatchesCoverInputOnce) {
  auto corpus = random_corpus(57, 2);
  std::vector<int64_t> lengths;
  for (const auto& s : corpus.sentences) lengths.push_back(static_cast<int64_t>(s.size()));
  auto plan = plan_eval_batches(lengths, 8);
  std::multiset<std::size_t> all;
  for (const auto& b : plan) all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 57u);
  EXPECT_EQ(std::set<std::size_t>(all.begin(), all.end()).size(), 57u);
}

TEST(Batching, EvalBatchesFollowTheGivenLengthsNotWordCounts) {
  // Lengths as a transformer counts them (subwords) can order sentences differently from their word counts.
  const std::vector<int64_t> lengths = {9, 1, 5, 1, 7, 3};
  auto plan = plan_eval_batches(lengths, 2);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0], (std::vector<std::size_t>{1, 3}));  // ties keep input order
  EXPECT_EQ(plan[1], (std::vector<std::size_t>{5, 2}));
  EXPECT_EQ(plan[2], (std::vector<std::size_t>{4, 0}));
  EXPECT_THROW(plan_eval_batches(lengths, 0), ConfigError);
}

}  // namespace
}  // namespace nertool::train
