#include "nertool/train/masked_lm_data.h"

#include <torch/torch.h>

#include <algorithm>
#include <fstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/models/masked_lm.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/text/word_tokenizer.h"

namespace nertool::train {

std::vector<int64_t> PackedSequences::lengths() const {
  std::vector<int64_t> out(size());
  for (std::size_t i = 0; i < size(); ++i) out[i] = length(i);
  return out;
}

SequencePacker::SequencePacker(const text::SubwordTokenizer& tokenizer, int64_t max_length, Packing packing)
    : tokenizer_(tokenizer), capacity_(max_length - 2), packing_(packing) {
  if (capacity_ < 1) throw ConfigError("pretrain.max_length: must be at least 3 ([CLS], one subword, [SEP])");
  if (tokenizer.cls_id() < 0 || tokenizer.sep_id() < 0)
    throw ConfigError("tokenizer in " + tokenizer.source_dir() + " has no cls or sep token");
}

void SequencePacker::close() {
  if (open_ == 0) return;
  out_.ids.push_back(static_cast<int32_t>(tokenizer_.sep_id()));
  out_.kinds.push_back(PackedSequences::kSpecial);
  out_.offsets.push_back(static_cast<int64_t>(out_.ids.size()));
  open_ = 0;
}

void SequencePacker::append_word(const std::vector<int64_t>& pieces) {
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (open_ == capacity_) close();  // only a word longer than a whole sequence gets here mid-word
    if (open_ == 0) {
      out_.ids.push_back(static_cast<int32_t>(tokenizer_.cls_id()));
      out_.kinds.push_back(PackedSequences::kSpecial);
    }
    out_.ids.push_back(static_cast<int32_t>(pieces[i]));
    out_.kinds.push_back(i == 0 ? PackedSequences::kWordStart : PackedSequences::kContinuation);
    ++open_;
  }
}

void SequencePacker::add(const std::vector<std::string>& words, const std::string& file, std::size_t line) {
  std::vector<std::vector<int64_t>> pieces;
  int64_t total = 0;
  for (const auto& w : words) {
    try {
      pieces.push_back(tokenizer_.encode_word(w));
    } catch (const Error& e) {
      throw InputError(file, line, std::string("cannot tokenize word '") + w + "': " + e.what());
    }
    if (pieces.back().empty()) pieces.back().push_back(tokenizer_.unk_id());  // as fine-tuning: no word vanishes
    total += static_cast<int64_t>(pieces.back().size());
  }
  if (pieces.empty()) return;
  ++out_.units;
  out_.words += static_cast<int64_t>(pieces.size());
  const bool keep_whole = packing_ == Packing::kWholeUnits && total <= capacity_;
  if (open_ > 0 && open_ + total > capacity_ && keep_whole) close();
  for (const auto& p : pieces) {
    const auto size = static_cast<int64_t>(p.size());
    if (open_ > 0 && open_ + size > capacity_) close();  // a long unit: cut between words
    append_word(p);
  }
}

PackedSequences SequencePacker::finish() {
  close();
  PackedSequences out = std::move(out_);
  out_ = PackedSequences();
  return out;
}

namespace {

std::vector<std::string> texts_of(const std::vector<text::WordToken>& tokens) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (const auto& t : tokens) out.push_back(t.text);
  return out;
}

bool is_docstart(const std::string& line) { return line.rfind("-DOCSTART-", 0) == 0; }

// The first whitespace-separated field of a CoNLL token line.
std::string token_field(const std::string& line) {
  const auto begin = line.find_first_not_of(" \t\r");
  const auto end = line.find_first_of(" \t\r", begin);
  return line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

void read_file_into(const std::string& path, TextFormat format, SequencePacker& packer) {
  check_readable_file(path);  // names directories and missing files
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path);
  std::string line;
  std::size_t number = 0, sentence_line = 0;
  std::vector<std::string> sentence;
  while (std::getline(in, line)) {
    ++number;
    if (format == TextFormat::kText) {
      packer.add(texts_of(text::tokenize_words(line, path, number)), path, number);
      continue;
    }
    if (blank(line) || is_docstart(line)) {
      packer.add(sentence, path, sentence_line);
      sentence.clear();
      continue;
    }
    if (sentence.empty()) sentence_line = number;
    sentence.push_back(token_field(line));
  }
  if (in.bad()) throw IoError("cannot read " + path + ": read error after line " + std::to_string(number));
  packer.add(sentence, path, sentence_line);
}

}  // namespace

PackedSequences read_pretraining_text(const std::vector<std::string>& paths, TextFormat format,
                                      const text::SubwordTokenizer& tokenizer, int64_t max_length,
                                      Packing packing) {
  SequencePacker packer(tokenizer, max_length, packing);
  int64_t units = 0;
  for (const auto& path : paths) {
    read_file_into(path, format, packer);
    packer.close();  // sequences never span two files
    const int64_t read = packer.units() - units;
    if (read == 0) throw InputError(path, 0, "no text to pretrain on (every line is blank)");
    units += read;
  }
  return packer.finish();
}

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

namespace {

// Chooses the subwords of one sequence [begin, end) to predict: per subword, or per word with all its subwords.
std::vector<bool> choose_positions(const PackedSequences& data, int64_t begin, int64_t end,
                                   const MaskingOptions& options, std::mt19937_64& rng) {
  std::vector<bool> chosen(static_cast<std::size_t>(end - begin), false);
  // Choosable units: every subword, or with whole words each word's first subword here (a word cut at the start
  // of this sequence counts from its first subword in it).
  std::vector<int64_t> starts;
  for (int64_t i = begin; i < end; ++i) {
    const auto kind = data.kinds[static_cast<std::size_t>(i)];
    const bool continuation = kind == PackedSequences::kContinuation;
    const bool cut_word = continuation && i == begin + 1;
    if (kind == PackedSequences::kWordStart || (continuation && (!options.whole_word || cut_word))) starts.push_back(i);
  }
  if (starts.empty()) return chosen;
  auto choose = [&](int64_t start) {
    chosen[static_cast<std::size_t>(start - begin)] = true;
    if (!options.whole_word) return;
    for (int64_t i = start + 1; i < end && data.kinds[static_cast<std::size_t>(i)] == PackedSequences::kContinuation; ++i)
      chosen[static_cast<std::size_t>(i - begin)] = true;
  };
  bool any = false;
  for (int64_t s : starts)
    if (uniform01(rng) < options.probability) choose(s), any = true;
  if (!any) choose(starts[static_cast<std::size_t>(rng() % starts.size())]);
  return chosen;
}

}  // namespace

MaskedBatch mask_sequences(const PackedSequences& data, const std::vector<std::size_t>& sequences,
                           const MaskingOptions& options, std::mt19937_64& rng) {
  int64_t width = 0;
  for (std::size_t s : sequences) width = std::max(width, data.length(s));
  const auto rows = static_cast<int64_t>(sequences.size());
  MaskedBatch out;
  out.input_ids = torch::full({rows, width}, options.pad_id, torch::kInt64);
  out.attention_mask = torch::zeros({rows, width}, torch::kInt64);
  out.labels = torch::full({rows, width}, models::kIgnoredLabel, torch::kInt64);
  auto ids = out.input_ids.accessor<int64_t, 2>();
  auto mask = out.attention_mask.accessor<int64_t, 2>();
  auto labels = out.labels.accessor<int64_t, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    const std::size_t s = sequences[static_cast<std::size_t>(r)];
    const int64_t begin = data.offsets[s], end = data.offsets[s + 1];
    const auto chosen = choose_positions(data, begin, end, options, rng);
    for (int64_t i = begin; i < end; ++i) {
      const int64_t c = i - begin, original = data.ids[static_cast<std::size_t>(i)];
      ids[r][c] = original;
      mask[r][c] = 1;
      if (!chosen[static_cast<std::size_t>(c)]) continue;
      labels[r][c] = original;
      ++out.masked;
      const double draw = uniform01(rng);
      if (draw < 0.8) ids[r][c] = options.mask_id;
      else if (draw < 0.9) ids[r][c] = static_cast<int64_t>(rng() % static_cast<uint64_t>(options.vocab_size));
    }
    out.tokens += end - begin;
  }
  return out;
}

}  // namespace nertool::train
