// The full CoNLL-2003 test file scored against systematically corrupted copies of itself. Expected counts come
// from the corruption itself (well-formed cases: the spans that were written) or from a test-local span reader
// of the B/I/O rules (ill-formed cases), never from the scorer; both the seqeval part and the conlleval part
// must match them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>

#include "nertool/data/conll.h"
#include "nertool/metrics/corpus_score.h"
#include "nertool/metrics/scorer.h"
#include "test_paths.h"

namespace nertool::metrics {
namespace {

using Labels = std::vector<std::vector<std::string>>;

struct Span {
  std::size_t sentence, begin, end;  // [begin, end)
  std::string type;
  bool operator<(const Span& o) const {
    return std::tie(sentence, begin, end, type) < std::tie(o.sentence, o.begin, o.end, o.type);
  }
  bool operator==(const Span& o) const { return !(*this < o) && !(o < *this); }
};
using Spans = std::vector<Span>;

// Same numbers on every standard library (std:: distributions are not portable).
struct Rng {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  }
  bool chance(double p) { return next() < p * 2147483648.0; }
  std::size_t below(std::size_t n) { return next() % n; }
};

std::string type_of(const std::string& label) { return label.size() > 2 ? label.substr(2) : std::string(); }

// Chunks of B/I/O labels by conlleval's rules: B-X starts; I-X starts after O, at a sentence start or after a
// different type; I-X of the same type continues. Written as a scan over runs, unlike the scorer's state machines.
Spans bio_spans(const Labels& labels) {
  Spans out;
  for (std::size_t s = 0; s < labels.size(); ++s) {
    const auto& l = labels[s];
    std::size_t i = 0;
    while (i < l.size()) {
      if (l[i] == "O") {
        ++i;
        continue;
      }
      std::string type = type_of(l[i]);
      std::size_t j = i + 1;
      while (j < l.size() && l[j] == "I-" + type) ++j;
      out.push_back({s, i, j, type});
      i = j;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// seqeval strict IOB2: only runs that begin with B-X.
Spans iob2_strict_spans(const Labels& labels) {
  Spans all = bio_spans(labels), out;
  for (const Span& sp : all)
    if (labels[sp.sentence][sp.begin][0] == 'B') out.push_back(sp);
  return out;
}

Labels write_spans(const Spans& spans, const Labels& shape, bool iob1) {
  Labels out(shape.size());
  for (std::size_t s = 0; s < shape.size(); ++s) out[s].assign(shape[s].size(), "O");
  for (const Span& sp : spans)
    for (std::size_t i = sp.begin; i < sp.end; ++i) out[sp.sentence][i] = (i == sp.begin ? "B-" : "I-") + sp.type;
  if (iob1) {  // B only right after a chunk of the same type
    for (const Span& sp : spans) {
      auto& l = out[sp.sentence];
      bool after_same = sp.begin > 0 && l[sp.begin - 1] != "O" && type_of(l[sp.begin - 1]) == sp.type;
      if (!after_same) l[sp.begin] = "I-" + sp.type;
    }
  }
  return out;
}

struct Counts {
  std::size_t gold = 0, pred = 0, correct = 0;
};

std::map<std::string, Counts> expected_counts(const Spans& gold, const Spans& pred) {
  std::map<std::string, Counts> out;
  for (const Span& sp : gold) ++out[sp.type].gold;
  for (const Span& sp : pred) ++out[sp.type].pred;
  Spans common;
  std::set_intersection(gold.begin(), gold.end(), pred.begin(), pred.end(), std::back_inserter(common));
  for (const Span& sp : common) ++out[sp.type].correct;
  return out;
}

void set_last_column(data::Corpus& c, const Labels& labels) {
  for (std::size_t s = 0; s < c.sentences.size(); ++s) {
    c.sentences[s].labels = labels[s];
    for (std::size_t t = 0; t < labels[s].size(); ++t) c.sentences[s].columns[t].back() = labels[s][t];
  }
}

std::size_t docstarts(const data::Corpus& c) {
  std::size_t n = 0;
  for (const auto& d : c.documents) n += !d.marker.empty();
  return n;
}

void expect_report(const Report& r, const std::map<std::string, Counts>& want, bool check_conlleval,
                   const std::string& what) {
  SCOPED_TRACE(what);
  std::size_t gold = 0, pred = 0, correct = 0;
  ASSERT_EQ(r.per_type.size(), want.size());
  for (const TypeScores& row : r.per_type) {
    const Counts& c = want.at(row.name);
    EXPECT_EQ(row.support, c.gold) << row.name;
    EXPECT_EQ(row.predicted, c.pred) << row.name;
    EXPECT_EQ(row.correct, c.correct) << row.name;
    gold += c.gold;
    pred += c.pred;
    correct += c.correct;
  }
  EXPECT_EQ(r.micro.support, gold);
  EXPECT_EQ(r.micro.predicted, pred);
  EXPECT_EQ(r.micro.correct, correct);
  EXPECT_EQ(r.micro.precision, pred ? double(correct) / double(pred) : 0.0);
  EXPECT_EQ(r.micro.recall, gold ? double(correct) / double(gold) : 0.0);
  if (!check_conlleval) return;
  const ConllevalSummary& c = r.conlleval;
  EXPECT_EQ(c.gold_phrases, gold);
  EXPECT_EQ(c.found_phrases, pred);
  EXPECT_EQ(c.correct_phrases, correct);
  ASSERT_EQ(c.per_type.size(), want.size());
  for (const TypeScores& row : c.per_type) {
    const Counts& w = want.at(row.name);
    EXPECT_EQ(row.support, w.gold) << row.name;
    EXPECT_EQ(row.predicted, w.pred) << row.name;
    EXPECT_EQ(row.correct, w.correct) << row.name;
  }
  EXPECT_EQ(c.precision, pred ? 100.0 * double(correct) / double(pred) : 0.0);
}

class Conll2003Corrupted : public ::testing::Test {
 protected:
  void SetUp() override {
    NERTOOL_REQUIRE_SHARED("data/conll2003/test.txt");
    gold_corpus_ = data::read_conll(testing::shared_path("data/conll2003/test.txt"));
    gold_ = data::label_sequences(gold_corpus_);
    gold_spans_ = bio_spans(gold_);
    gold_work_ = pred_work_ = gold_corpus_;
  }

  // Spans of a corrupted prediction: each gold span is kept, dropped, retyped, shifted, split or merged with
  // the next one.
  Spans corrupt(std::uint64_t seed, double rate) const {
    static const char* types[] = {"LOC", "MISC", "ORG", "PER"};
    Rng rng{seed};
    Spans out;
    for (std::size_t k = 0; k < gold_spans_.size(); ++k) {
      Span sp = gold_spans_[k];
      std::size_t len = gold_[sp.sentence].size();
      if (!rng.chance(rate)) {
        out.push_back(sp);
        continue;
      }
      switch (rng.below(5)) {
        case 0:  // dropped
          break;
        case 1:  // retyped
          sp.type = types[(std::find(types, types + 4, sp.type) - types + 1 + rng.below(3)) % 4];
          out.push_back(sp);
          break;
        case 2: {  // shifted right by one when the next token is free
          bool free = sp.end < len && (k + 1 >= gold_spans_.size() || gold_spans_[k + 1].sentence != sp.sentence ||
                                       gold_spans_[k + 1].begin > sp.end);
          if (free) ++sp.begin, ++sp.end;
          out.push_back(sp);
          break;
        }
        case 3:  // split
          if (sp.end - sp.begin >= 2) {
            std::size_t mid = sp.begin + 1 + rng.below(sp.end - sp.begin - 1);
            out.push_back({sp.sentence, sp.begin, mid, sp.type});
            out.push_back({sp.sentence, mid, sp.end, sp.type});
          } else {
            out.push_back(sp);
          }
          break;
        default:  // merged with the next span of the sentence
          if (k + 1 < gold_spans_.size() && gold_spans_[k + 1].sentence == sp.sentence) {
            out.push_back({sp.sentence, sp.begin, gold_spans_[k + 1].end, sp.type});
            ++k;
          } else {
            out.push_back(sp);
          }
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Report score_labels(const Labels& gold, const Labels& pred, const ScoreOptions& options = {}) {
    set_last_column(gold_work_, gold);
    set_last_column(pred_work_, pred);
    return score_corpora(gold_work_, -1, pred_work_, -1, options);
  }

  data::Corpus gold_corpus_, gold_work_, pred_work_;
  Labels gold_;
  Spans gold_spans_;
};

TEST_F(Conll2003Corrupted, GoldAgainstItself) {
  Report r = score_corpora(gold_corpus_, -1, gold_corpus_, -1);
  expect_report(r, expected_counts(gold_spans_, gold_spans_), true, "identity");
  EXPECT_EQ(r.micro.support, 5648u);  // CoNLL-2003 test: 5648 entities
  EXPECT_EQ(r.accuracy, 1.0);
  // conlleval counts each -DOCSTART- line as a token; seqeval's accuracy does not see them.
  EXPECT_EQ(r.conlleval.tokens, r.tokens + docstarts(gold_corpus_));
  EXPECT_EQ(r.tokens, gold_corpus_.num_tokens());
}

TEST_F(Conll2003Corrupted, WellFormedCorruptionsIob2AndIob1) {
  for (std::uint64_t seed : {1u, 2u}) {
    for (double rate : {0.1, 1.0}) {
      Spans pred_spans = corrupt(seed, rate);
      auto want = expected_counts(gold_spans_, pred_spans);
      for (bool gold_iob1 : {false, true}) {
        for (bool pred_iob1 : {false, true}) {
          Labels gold = write_spans(gold_spans_, gold_, gold_iob1);
          Labels pred = write_spans(pred_spans, gold_, pred_iob1);
          std::string what = "seed " + std::to_string(seed) + " rate " + std::to_string(rate) +
                             (gold_iob1 ? " gold IOB1" : " gold IOB2") + (pred_iob1 ? " pred IOB1" : " pred IOB2");
          Report r = score_labels(gold, pred);
          expect_report(r, want, true, what);
          std::size_t same = 0;
          for (std::size_t s = 0; s < gold.size(); ++s)
            for (std::size_t t = 0; t < gold[s].size(); ++t) same += gold[s][t] == pred[s][t];
          EXPECT_EQ(r.correct_tokens, same);
          EXPECT_EQ(r.conlleval.correct_tags, same + docstarts(gold_corpus_));
          if (!gold_iob1 && !pred_iob1) {
            ScoreOptions strict;
            strict.mode = Mode::Strict;
            strict.scheme = data::TagScheme::IOB2;
            expect_report(score_labels(gold, pred, strict), want, false, what + " strict");
          }
        }
      }
    }
  }
}

TEST_F(Conll2003Corrupted, IllFormedPredictions) {
  Labels gold = write_spans(gold_spans_, gold_, false);
  for (std::uint64_t seed : {7u, 8u}) {
    Rng rng{seed};
    Labels pred = write_spans(corrupt(seed, 0.3), gold_, false);
    static const char* noise[] = {"I-PER", "I-LOC", "I-ORG", "I-MISC", "B-PER", "O"};
    for (auto& sentence : pred) {
      for (auto& label : sentence) {
        if (label[0] == 'B' && rng.chance(0.2)) label[0] = 'I';      // I- after O or after another chunk
        if (rng.chance(0.05)) label = noise[rng.below(6)];            // type changes inside chunks, stray I-
      }
    }
    Spans pred_spans = bio_spans(pred);
    expect_report(score_labels(gold, pred), expected_counts(gold_spans_, pred_spans), true,
                  "ill-formed seed " + std::to_string(seed));
    ScoreOptions strict;
    strict.mode = Mode::Strict;
    strict.scheme = data::TagScheme::IOB2;
    expect_report(score_labels(gold, pred, strict), expected_counts(gold_spans_, iob2_strict_spans(pred)), false,
                  "ill-formed strict seed " + std::to_string(seed));
  }
}

TEST_F(Conll2003Corrupted, OneFileWithBothColumns) {
  Labels pred = write_spans(corrupt(11, 0.3), gold_, true);
  data::Corpus both = gold_corpus_;
  for (std::size_t s = 0; s < both.sentences.size(); ++s)
    for (std::size_t t = 0; t < pred[s].size(); ++t) both.sentences[s].columns[t].push_back(pred[s][t]);
  for (auto& d : both.documents)
    if (!d.marker.empty()) d.marker.push_back("O");
  Report one = score_corpora(both, -2, both, -1);
  Report two = score_labels(gold_, pred);
  expect_report(one, expected_counts(gold_spans_, bio_spans(pred)), true, "one file");
  EXPECT_EQ(one.conlleval.tokens, two.conlleval.tokens);
  EXPECT_EQ(one.conlleval.correct_tags, two.conlleval.correct_tags);
}

}  // namespace
}  // namespace nertool::metrics
