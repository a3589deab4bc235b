// `nertool tokenize`: shows how a model's subword tokenizer splits CoNLL or raw-text input, one JSON line per
// sentence with the fields of the Hugging Face reference files (words, input_ids, word_first_subword). Input is
// streamed sentence by sentence, so memory stays bounded on large files.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "command.h"
#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/data/conll.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/text/unicode.h"
#include "nertool/text/word_tokenizer.h"

namespace nertool::cli {
namespace {

struct TokenizeOptions {
  std::string model, tokenizer, input;
  std::string format = "conll";
  int column = 0;
  bool tokens = false;
};

// JSON string as Python's json.dumps writes it (ensure_ascii): output is byte-identical to the reference files.
void append_json_string(std::string& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  auto escape16 = [&](unsigned v) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex[(v >> shift) & 0xF]);
  };
  out.push_back('"');
  std::size_t pos = 0;
  while (pos < s.size()) {
    char32_t cp = text::next_code_point(s, pos);
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (cp >= 0x20 && cp < 0x7F) {
          out.push_back(static_cast<char>(cp));
        } else if (cp < 0x10000) {
          escape16(static_cast<unsigned>(cp));
        } else {
          unsigned v = static_cast<unsigned>(cp) - 0x10000;
          escape16(0xD800 + (v >> 10));
          escape16(0xDC00 + (v & 0x3FF));
        }
    }
  }
  out.push_back('"');
}

template <typename T, typename F>
void append_list(std::string& out, const std::vector<T>& items, F&& item) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    item(items[i]);
  }
  out.push_back(']');
}

class SentenceWriter {
 public:
  SentenceWriter(const text::SubwordTokenizer& tok, bool tokens) : tok_(tok), tokens_(tokens) {}

  void write(const std::vector<std::string>& words) {
    text::WordEncoding enc = tok_.encode_words(words);
    line_.clear();
    line_ += "{\"words\": ";
    append_list(line_, words, [&](const std::string& w) { append_json_string(line_, w); });
    line_ += ", \"input_ids\": ";
    append_list(line_, enc.input_ids, [&](int64_t v) { line_ += std::to_string(v); });
    line_ += ", \"word_first_subword\": ";
    append_list(line_, enc.word_first_subword, [&](int64_t v) { line_ += std::to_string(v); });
    if (tokens_) {
      line_ += ", \"tokens\": ";
      append_list(line_, enc.input_ids, [&](int64_t v) { append_json_string(line_, tok_.id_to_token(v)); });
    }
    line_ += "}\n";
    std::fwrite(line_.data(), 1, line_.size(), stdout);
    ++sentences_;
    words_ += words.size();
    subwords_ += enc.input_ids.size();
    const auto& max_len = tok_.settings().model_max_length;
    if (max_len && static_cast<int64_t>(enc.input_ids.size()) > *max_len) ++too_long_;
  }

  void finish() const {
    std::fflush(stdout);
    spdlog::info("{} sentences, {} words, {} subwords (special tokens included)", sentences_, words_, subwords_);
    if (too_long_ > 0)
      spdlog::warn("{} sentences are longer than the tokenizer's model_max_length ({}); taggers split them into "
                   "overlapping windows, no word is dropped",
                   too_long_, *tok_.settings().model_max_length);
  }

 private:
  const text::SubwordTokenizer& tok_;
  bool tokens_;
  std::string line_;
  std::size_t sentences_ = 0, words_ = 0, subwords_ = 0, too_long_ = 0;
};

bool is_blank(const std::string& line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

// CoNLL: one block (the lines up to a blank line) at a time goes through the CoNLL reader.
void tokenize_conll(std::istream& in, const TokenizeOptions& o, SentenceWriter& writer) {
  data::ReadOptions read;
  read.token_column = o.column;
  read.with_labels = false;
  std::string line, block;
  std::size_t line_no = 0, block_first_line = 1;
  auto flush = [&]() {
    if (block.empty()) return;
    data::Corpus corpus;
    try {
      corpus = data::parse_conll(block, o.input, read);
    } catch (const InputError& e) {
      throw InputError(o.input, e.line() > 0 ? block_first_line + e.line() - 1 : 0, e.problem());
    }
    for (const auto& s : corpus.sentences) writer.write(s.tokens);
    block.clear();
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (block.empty()) block_first_line = line_no;
    block += line;
    block += '\n';
    if (is_blank(line)) flush();
  }
  flush();
}

// Raw text, one sentence per line, split into words by the CoNLL-style word tokenizer. Blank lines are skipped.
void tokenize_text(std::istream& in, const TokenizeOptions& o, SentenceWriter& writer) {
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> words;
    for (auto& t : text::tokenize_words(line, o.input, line_no)) words.push_back(std::move(t.text));
    if (!words.empty()) writer.write(words);
  }
}

int run(const TokenizeOptions& o) {
  std::string dir = o.tokenizer;
  if (!o.model.empty()) {
    if (!o.tokenizer.empty()) throw ConfigError("give either --model or --tokenizer, not both");
    dir = text::model_tokenizer_dir(o.model);
    // A Hugging Face checkpoint directory keeps its tokenizer files beside the weights.
    if (!text::has_tokenizer_files(dir) && text::has_tokenizer_files(o.model)) dir = o.model;
  }
  if (dir.empty()) throw ConfigError("give --model MODEL_DIR or --tokenizer DIR (see nertool tokenize --help)");
  auto tok = text::load_tokenizer(dir);
  spdlog::info("tokenizer {} ({}, {} ids) from {}", tok->kind(), tok->settings().do_lower_case ? "lower-cased" : "cased",
               tok->vocab_size(), dir);
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.input != "-") {
    check_readable_file(o.input);
    file.open(o.input, std::ios::binary);
    if (!file) throw IoError("cannot open input file " + o.input);
    in = &file;
  }
  SentenceWriter writer(*tok, o.tokens);
  if (o.format == "conll")
    tokenize_conll(*in, o, writer);
  else
    tokenize_text(*in, o, writer);
  if (in->bad()) throw IoError("error reading " + o.input);
  writer.finish();
  return 0;
}

Action setup(CLI::App& app) {
  auto o = std::make_shared<TokenizeOptions>();
  app.add_option("--model", o->model,
                 "Model directory: uses its tokenizer (MODEL_DIR/tokenizer/, or the tokenizer files of a Hugging Face "
                 "checkpoint directory)");
  app.add_option("--tokenizer", o->tokenizer,
                 "Tokenizer directory: vocab.txt (BERT WordPiece), vocab.json + merges.txt (RoBERTa/GPT-2 byte-level "
                 "BPE), a SentencePiece *.model (XLM-RoBERTa) or tokenizer.json, with tokenizer_config.json");
  app.add_option("--input", o->input, "Input file ('-' for standard input)")->required();
  app.add_option("--format", o->format,
                 "conll: token column of a CoNLL file, blank lines between sentences, -DOCSTART- skipped; text: one "
                 "sentence per line, split into CoNLL-style words")
      ->check(CLI::IsMember({"conll", "text"}))
      ->capture_default_str();
  app.add_option("--column", o->column, "CoNLL token column (0-based; negative counts from the end)")
      ->capture_default_str();
  app.add_flag("--tokens", o->tokens, "Also print the subword strings (`tokens`) of input_ids");
  return [o]() { return run(*o); };
}

CommandRegistration reg({"tokenize",
                         "Show how a model's subword tokenizer splits input: JSONL with words, input_ids and "
                         "word_first_subword per sentence",
                         60, setup});

}  // namespace
}  // namespace nertool::cli
