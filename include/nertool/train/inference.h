#pragma once
// Applying a trained tagger: batched prediction over sentences, scoring a labelled file (`nertool eval --model`),
// and streaming a file through the model in bounded memory (`nertool predict`).
#include <cstdint>
#include <string>
#include <vector>

#include "nertool/data/conll.h"
#include "nertool/metrics/scorer.h"
#include "nertool/models/tagger.h"
#include "nertool/train/predict_options.h"
#include "nertool/train/run_dir.h"

namespace nertool::train {

struct Prediction {
  std::vector<std::vector<std::string>> labels;       // per sentence, per word
  std::vector<std::vector<std::vector<float>>> probs;  // per sentence, per word, per label id (when asked)
};

// Tags `sentences` in batches of at most `batch_sentences` (sorted by length inside, returned in input order).
// The tagger is put in eval mode. Empty sentences get empty label lists. `precision`: models/precision.h.
Prediction predict_sentences(models::TaggerImpl& tagger, const std::vector<const data::Sentence*>& sentences,
                             int64_t batch_sentences, const torch::Device& device, bool with_probs = false,
                             const data::Corpus* corpus = nullptr,
                             models::Precision precision = models::Precision::kFloat32);

struct EvalOptions {
  int64_t batch_sentences = 64;
  DeviceRequest device{DeviceRequest::Kind::kCpu, -1};
  models::Precision precision = models::Precision::kFloat32;
  metrics::ScoreOptions score;
  // A taxonomy::TypeMap file: the model's predicted types are mapped through it before scoring (the "Direct"
  // transfer of a source-taxonomy model to a target taxonomy); types mapped to O drop their mentions.
  std::string type_map;
};

struct EvalResult {
  metrics::Report report;
  data::Corpus corpus;                                 // the gold file as read (model's column settings)
  std::vector<std::vector<std::string>> predicted;     // per sentence
};

// Reads `data_file` with the columns of the model's config, tags it and scores the predictions.
EvalResult evaluate_model(const std::string& run_dir, const std::string& data_file, const EvalOptions& options = {});

struct PredictStats {
  std::size_t sentences = 0;
  std::size_t tokens = 0;
  double seconds = 0;
};

// Streams `options.input` through the model. Throws InputError (file, line) for bad input, ConfigError for bad
// option values, IoError for unreadable/unwritable files.
PredictStats predict_file(LoadedModel& model, const PredictOptions& options);

// Plain-text tokenization used by `--input-format text` (text/word_tokenizer.h's rule-based CoNLL-style
// tokenizer): words with character (code point) offsets into the line. Invalid UTF-8 is an InputError naming
// `file` and `line_no`.
struct TextToken {
  std::string text;
  std::size_t char_begin = 0, char_end = 0;  // code points (Python str indices)
  std::size_t byte_begin = 0, byte_end = 0;  // bytes of the line
};
std::vector<TextToken> tokenize_text_line(const std::string& line, const std::string& file = "",
                                          std::size_t line_no = 0);

// Typed chunks of a predicted tag sequence, read leniently with conlleval's rules (an I- after O or after another
// type starts a chunk), since a model's output need not be well-formed. Tags may be IOB1/IOB2/IOE/IOBES/BILOU.
std::vector<data::Span> lenient_spans(const std::vector<std::string>& tags);

}  // namespace nertool::train
