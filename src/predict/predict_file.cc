#include "nertool/predict/predict_file.h"

#include <torch/torch.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/write_error.h"
#include "nertool/core/runtime_environment.h"
#include "nertool/metrics/chunks.h"
#include "nertool/text/word_tokenizer.h"
#include "nertool/train/batching.h"
#include "nertool/train/sentence_tagging.h"

namespace nertool::predict {

using train::LoadedModel;
using train::Prediction;

namespace {

// Reads a CoNLL stream a chunk of sentences at a time, keeping file line numbers in errors. A chunk ends at a
// document boundary (the next -DOCSTART-) once it holds `chunk` sentences, so that encoders with document context
// see every sentence's whole document; in input without -DOCSTART- lines, or with a document longer than another
// `chunk` sentences, it ends at the next sentence boundary after 2 x `chunk` sentences (memory stays bounded).
class ConllChunkReader {
 public:
  ConllChunkReader(std::istream& in, std::string name, data::ReadOptions options, std::size_t chunk)
      : in_(in), name_(std::move(name)), options_(options), chunk_(chunk) {}
  bool next(data::Corpus& corpus) {
    std::string text, line;
    std::size_t sentences = 0;
    const std::size_t first_line = next_line_;
    bool in_sentence = false;
    while (read_line(line)) {
      const bool blank = line.find_first_not_of(" \t\r") == std::string::npos;
      if (line.rfind("-DOCSTART-", 0) == 0) {
        documents_ = true;
        if (sentences >= chunk_ && !in_sentence) {  // the chunk is full: this document starts the next one
          pending_ = std::move(line);
          has_pending_ = true;
          break;
        }
      }
      ++next_line_;
      text += line;
      text += '\n';
      if (blank) {
        if (in_sentence) ++sentences;
        in_sentence = false;
        if (sentences >= (documents_ ? 2 * chunk_ : chunk_)) break;
      } else if (line.rfind("-DOCSTART-", 0) != 0) {
        in_sentence = true;
      }
    }
    if (text.empty()) return false;
    try {
      corpus = data::parse_conll(text, name_, options_);
    } catch (const InputError& e) {
      throw InputError(e.file(), e.line() == 0 ? 0 : e.line() + first_line - 1, e.problem());
    }
    for (auto& s : corpus.sentences) s.first_line += first_line - 1;
    return true;
  }

 private:
  bool read_line(std::string& line) {
    if (has_pending_) {
      line = std::move(pending_);
      has_pending_ = false;
      return true;
    }
    return static_cast<bool>(std::getline(in_, line));
  }

  std::istream& in_;
  std::string name_;
  data::ReadOptions options_;
  std::size_t chunk_;
  std::size_t next_line_ = 1;  // file line number of the next line to be taken into a chunk
  std::string pending_;        // a -DOCSTART- line read, but belonging to the next chunk
  bool has_pending_ = false;
  bool documents_ = false;     // the input has -DOCSTART- lines
};

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

nlohmann::json probs_json(const std::vector<std::vector<float>>& probs, const models::LabelSet& labels) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& word : probs) {
    nlohmann::json w = nlohmann::json::object();
    for (std::size_t l = 0; l < word.size(); ++l) w[labels.label(static_cast<int64_t>(l))] = word[l];
    out.push_back(std::move(w));
  }
  return out;
}

// A mention's type distribution: its first word's label probabilities, the non-O labels grouped by type
// (B-X, I-X, ... all count for X) and normalised. For the multitask decoder this is exactly the mention's type
// distribution (its label probabilities factor into boundary x type).
nlohmann::json type_probs(const std::vector<float>& word, const models::LabelSet& labels) {
  std::map<std::string, double> by_type;
  double total = 0;
  for (std::size_t l = 0; l < word.size(); ++l) {
    const std::string& label = labels.label(static_cast<int64_t>(l));
    const auto dash = label.find('-');
    if (label == "O" || dash == std::string::npos) continue;
    by_type[label.substr(dash + 1)] += word[l];
    total += word[l];
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [type, p] : by_type) out[type] = total > 0 ? p / total : 0.0;
  return out;
}

// std::getline, but a line longer than kMaxTextLineBytes is an error before more of it is read.
bool getline_bounded(std::istream& in, std::string& line, const std::string& name, std::size_t line_no) {
  line.clear();
  std::streambuf* buffer = in.rdbuf();
  bool any = false;
  for (int c = buffer->sbumpc(); c != std::char_traits<char>::eof(); c = buffer->sbumpc()) {
    any = true;
    if (c == '\n') return true;
    if (line.size() == kMaxTextLineBytes)
      throw InputError(name, line_no, "line longer than " + std::to_string(kMaxTextLineBytes >> 20) +
                                          " MiB (text input is one sentence or paragraph per line)");
    line.push_back(static_cast<char>(c));
  }
  in.setstate(any ? std::ios::eofbit : std::ios::eofbit | std::ios::failbit);
  return any;
}

std::vector<const data::Sentence*> pointers_to(const std::vector<data::Sentence>& sentences) {
  std::vector<const data::Sentence*> out;
  out.reserve(sentences.size());
  for (const auto& s : sentences) out.push_back(&s);
  return out;
}

// Tokens in one batch of sentence pieces, and in one chunk of text lines: what bounds predict's memory.
constexpr std::size_t kPieceBatchTokens = 8192;
constexpr std::size_t kChunkTokens = std::size_t{1} << 20;

// Splits every sentence longer than `max_tokens` into consecutive pieces; `owner[k]` is the sentence piece k
// comes from (pieces keep the sentences' order).
std::vector<data::Sentence> sentence_pieces(const std::vector<const data::Sentence*>& sentences, std::size_t max_tokens,
                                            std::vector<std::size_t>& owner) {
  std::vector<data::Sentence> pieces;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    const data::Sentence& s = *sentences[i];
    for (std::size_t start = 0; start < s.size() || (start == 0 && s.size() == 0); start += max_tokens) {
      const std::size_t end = std::min(s.size(), start + max_tokens);
      data::Sentence piece;
      piece.tokens.assign(s.tokens.begin() + static_cast<std::ptrdiff_t>(start),
                          s.tokens.begin() + static_cast<std::ptrdiff_t>(end));
      if (s.columns.size() == s.size())
        piece.columns.assign(s.columns.begin() + static_cast<std::ptrdiff_t>(start),
                             s.columns.begin() + static_cast<std::ptrdiff_t>(end));
      piece.first_line = s.first_line ? s.first_line + start : 0;
      pieces.push_back(std::move(piece));
      owner.push_back(i);
      if (s.size() == 0) break;
    }
  }
  return pieces;
}

// Tags one chunk; sentences longer than o.max_sentence_tokens are tagged in pieces whose labels are joined back
// (those chunks go without document context, which pieces of one sentence cannot have).
Prediction predict_chunk(LoadedModel& model, const std::vector<const data::Sentence*>& sentences,
                         const PredictOptions& o, const data::Corpus* corpus) {
  const std::size_t max_tokens = std::max<std::size_t>(1, o.max_sentence_tokens);
  const bool too_long = std::any_of(sentences.begin(), sentences.end(),
                                    [&](const data::Sentence* s) { return s->size() > max_tokens; });
  if (!too_long)
    return train::predict_sentences(*model.tagger, sentences, o.batch_size, model.device, o.probs, corpus, o.precision);
  std::vector<std::size_t> owner;
  const std::vector<data::Sentence> pieces = sentence_pieces(sentences, max_tokens, owner);
  const std::vector<const data::Sentence*> ptrs = pointers_to(pieces);
  // Batches of long pieces hold about kPieceBatchTokens tokens, not batch_size whole pieces.
  const int64_t batch = std::clamp<int64_t>(static_cast<int64_t>(kPieceBatchTokens / max_tokens), 1, o.batch_size);
  Prediction parts = train::predict_sentences(*model.tagger, ptrs, batch, model.device, o.probs, nullptr, o.precision);
  Prediction out;
  out.labels.resize(sentences.size());
  if (o.probs) out.probs.resize(sentences.size());
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    auto& labels = out.labels[owner[k]];
    labels.insert(labels.end(), parts.labels[k].begin(), parts.labels[k].end());
    if (o.probs) out.probs[owner[k]].insert(out.probs[owner[k]].end(), parts.probs[k].begin(), parts.probs[k].end());
  }
  return out;
}

void check_predict_options(const PredictOptions& o) {
  if (o.probs && o.format == OutputFormat::kConll)
    throw ConfigError("label probabilities need the jsonl or spans output format, not conll");
  if (o.batch_size < 1) throw ConfigError("the prediction batch size must be at least 1, not " + std::to_string(o.batch_size));
}

// A tagged sentence, with its line and word offsets when it came from text input.
struct TaggedSentence {
  const data::Sentence& sentence;
  const std::vector<std::string>& labels;
  const std::vector<std::vector<float>>* probs = nullptr;
  const std::string* text = nullptr;
  const std::vector<text::WordToken>* offsets = nullptr;
};

// Writes tagged sentences in the requested format and counts them.
class PredictionWriter {
 public:
  PredictionWriter(std::ostream& out, const PredictOptions& o, const models::LabelSet& labels, PredictStats& stats)
      : out_(out), o_(o), labels_(labels), stats_(stats) {}

  void write(const TaggedSentence& t, char separator) {
    ++stats_.sentences;
    stats_.tokens += t.sentence.size();
    if (o_.format == OutputFormat::kConll) return write_conll(t, separator);
    out_ << (o_.format == OutputFormat::kJsonl ? word_json(t) : spans_json(t)).dump() << '\n';
  }

  // A -DOCSTART- line with columns gets a predicted "O" too, keeping every line's column count equal (conlleval
  // insists on it).
  void write_marker(const data::Document& doc, char separator) {
    if (doc.marker.empty() || o_.format != OutputFormat::kConll) return;
    out_ << join(doc.marker, std::string(1, separator))
         << (doc.marker.size() > 1 ? std::string(1, separator) + "O" : std::string()) << "\n\n";
  }

  // Flushing here, with errno cleared, lets the error give the write's own reason ("the write failed" when an
  // earlier write already failed and its errno is gone).
  void check_written() {
    errno = 0;
    out_.flush();
    if (!out_) throw write_error(o_.output.empty() ? std::string("standard output") : o_.output);
  }

 private:
  void write_conll(const TaggedSentence& t, char separator) {
    const data::Sentence& s = t.sentence;
    if (s.size() == 0) return;
    for (std::size_t j = 0; j < s.size(); ++j) {
      const auto& cols = s.columns.size() == s.size() && !s.columns[j].empty() ? s.columns[j]
                                                                                 : std::vector<std::string>{s.tokens[j]};
      for (const auto& c : cols) out_ << c << separator;
      out_ << t.labels[j] << '\n';
    }
    out_ << '\n';
  }

  nlohmann::json word_json(const TaggedSentence& t) const {
    nlohmann::json j{{"words", t.sentence.tokens}, {"labels", t.labels}};
    if (t.probs) j["probs"] = probs_json(*t.probs, labels_);
    return j;
  }

  nlohmann::json spans_json(const TaggedSentence& t) const {
    nlohmann::json j;
    if (t.text) j["text"] = *t.text;
    nlohmann::json ents = nlohmann::json::array();
    for (const auto& sp : metrics::lenient_chunks(t.labels)) ents.push_back(entity_json(t, sp));
    j["entities"] = std::move(ents);
    return j;
  }

  nlohmann::json entity_json(const TaggedSentence& t, const metrics::Chunk& sp) const {
    nlohmann::json e{{"type", sp.type}, {"start", sp.begin}, {"end", sp.end}};
    if (t.probs) e["type_probs"] = type_probs((*t.probs)[sp.begin], labels_);
    if (t.text && t.offsets) {
      const text::WordToken &first = (*t.offsets)[sp.begin], &last = (*t.offsets)[sp.end - 1];
      e["text"] = t.text->substr(first.begin, last.end - first.begin);
      e["char_start"] = first.char_begin;
      e["char_end"] = last.char_end;
    } else {
      const auto& words = t.sentence.tokens;
      e["text"] = join(std::vector<std::string>(words.begin() + static_cast<std::ptrdiff_t>(sp.begin),
                                                words.begin() + static_cast<std::ptrdiff_t>(sp.end)),
                       " ");
    }
    return e;
  }

  std::ostream& out_;
  const PredictOptions& o_;
  const models::LabelSet& labels_;
  PredictStats& stats_;
};

// CoNLL input: chunks of sentences that end at document boundaries.
void predict_conll_stream(LoadedModel& model, std::istream& in, const std::string& name, const PredictOptions& o,
                          PredictionWriter& writer) {
  data::ReadOptions ro;
  ro.token_column = model.config.data.token_column;
  ro.with_labels = false;
  ConllChunkReader reader(in, name, ro, std::max<std::size_t>(1, o.chunk_sentences));
  data::Corpus corpus;
  while (reader.next(corpus)) {
    auto pred = predict_chunk(model, train::sentence_pointers(corpus), o, &corpus);
    for (const auto& doc : corpus.documents) {
      writer.write_marker(doc, corpus.separator);
      for (std::size_t k = doc.first_sentence; k < doc.first_sentence + doc.num_sentences; ++k)
        writer.write({corpus.sentences[k], pred.labels[k], o.probs ? &pred.probs[k] : nullptr}, corpus.separator);
    }
    writer.check_written();
    return_free_memory();
  }
}

// One chunk of text input: its lines, their words with offsets, and the sentences made of them.
struct TextChunk {
  std::vector<std::string> lines;
  std::vector<std::vector<text::WordToken>> words;
  std::vector<data::Sentence> sentences;
};

// Reads up to `max_lines` lines (and about kChunkTokens words); false at the end of the input.
bool read_text_chunk(std::istream& in, const std::string& name, std::size_t max_lines, std::size_t& line_no,
                     TextChunk& chunk) {
  chunk = TextChunk();
  std::string line;
  std::size_t tokens = 0;
  while (chunk.lines.size() < max_lines && tokens < kChunkTokens && getline_bounded(in, line, name, line_no + 1)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    data::Sentence s;
    s.first_line = line_no;
    chunk.words.push_back(text::tokenize_words(line, name, line_no));
    for (const auto& t : chunk.words.back()) s.tokens.push_back(t.text), s.columns.push_back({t.text});
    tokens += s.size();
    chunk.sentences.push_back(std::move(s));
    chunk.lines.push_back(line);
  }
  return !chunk.lines.empty();
}

// Text input: one sentence (or paragraph) a line.
void predict_text_stream(LoadedModel& model, std::istream& in, const std::string& name, const PredictOptions& o,
                         PredictionWriter& writer) {
  std::size_t line_no = 0;
  TextChunk chunk;
  while (read_text_chunk(in, name, std::max<std::size_t>(1, o.chunk_sentences), line_no, chunk)) {
    auto pred = predict_chunk(model, pointers_to(chunk.sentences), o, nullptr);
    for (std::size_t k = 0; k < chunk.sentences.size(); ++k)
      writer.write({chunk.sentences[k], pred.labels[k], o.probs ? &pred.probs[k] : nullptr, &chunk.lines[k],
                    &chunk.words[k]},
                   ' ');
    writer.check_written();
    return_free_memory();
  }
}

}  // namespace

PredictStats predict_file(LoadedModel& model, const PredictOptions& o) {
  check_predict_options(o);
  auto t0 = std::chrono::steady_clock::now();
  std::ifstream file;
  std::istream* in = &std::cin;
  const std::string name = o.input == "-" ? "<stdin>" : o.input;
  if (o.input != "-") {
    check_readable_file(o.input);  // a FIFO or a device is fine: the input is streamed
    file.open(o.input, std::ios::binary);
    if (!file) throw IoError("cannot open " + o.input);
    in = &file;
  }
  std::unique_ptr<AtomicFile> atomic;
  std::ostream* out = &std::cout;
  if (!o.output.empty() && o.output != "-") {
    atomic = std::make_unique<AtomicFile>(o.output);
    out = &atomic->stream();
  }
  PredictStats stats;
  PredictionWriter writer(*out, o, model.tagger->labels(), stats);
  if (o.input_format == InputFormat::kConll)
    predict_conll_stream(model, *in, name, o, writer);
  else
    predict_text_stream(model, *in, name, o, writer);
  if (in->bad()) throw IoError("error while reading " + name);
  if (atomic) atomic->commit();
  else out->flush();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace nertool::predict
