// predict_file reads its input in chunks (bounded memory); a chunk must end at a document boundary, or sentences
// near the cut would lose the document context that a whole-file read gives them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <streambuf>
#include <nlohmann/json.hpp>

#include "nertool/core/error.h"
#include "nertool/train/hf_checkpoint.h"
#include "nertool/models/hf_encoder.h"
#include "nertool/predict/predict_file.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::shared_path;
using nertool::testing::source_path;
using nertool::testing::TempDir;
using nertool::predict::InputFormat;
using nertool::predict::OutputFormat;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The largest difference between two jsonl --probs outputs of the same sentences (infinite if words differ).
double max_difference(const std::string& a, const std::string& b) {
  std::istringstream in_a(a), in_b(b);
  std::string line_a, line_b;
  double worst = 0;
  std::size_t lines = 0;
  while (std::getline(in_a, line_a)) {
    if (!std::getline(in_b, line_b)) return INFINITY;
    auto ja = nlohmann::json::parse(line_a), jb = nlohmann::json::parse(line_b);
    if (ja["words"] != jb["words"]) return INFINITY;
    for (std::size_t w = 0; w < ja["probs"].size(); ++w)
      for (const auto& [label, p] : ja["probs"][w].items())
        worst = std::max(worst, std::abs(p.get<double>() - jb["probs"][w][label].get<double>()));
    ++lines;
  }
  return std::getline(in_b, line_b) || lines == 0 ? INFINITY : worst;
}

// The hf-tiny BERT fixture, converted into `dir` and loaded.
nertool::train::LoadedModel tiny_bert(const TempDir& dir) {
  nertool::train::convert_from_hf(shared_path("fixtures/hf-tiny/bert"), dir.file("bert"), {});
  return nertool::train::load_model(dir.file("bert"));
}

TEST(PredictFile, ChunksEndAtDocumentBoundariesSoDocumentContextIsWhole) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/config.json");
  TempDir dir;
  auto model = tiny_bert(dir);
  auto* encoder = dynamic_cast<nertool::models::HfTransformerEncoder*>(&model.tagger->encoder());
  ASSERT_NE(encoder, nullptr);
  auto windows = encoder->window_options();
  windows.document_context = true;
  encoder->set_window_options(windows);

  auto predict = [&](std::size_t chunk, const std::string& name) {
    nertool::predict::PredictOptions o;
    o.input = source_path("data/sample/test.txt");
    o.output = dir.file(name);
    o.format = OutputFormat::kJsonl;
    o.probs = true;
    o.chunk_sentences = chunk;
    nertool::predict::predict_file(model, o);
    return slurp(o.output);
  };
  const std::string whole = predict(100000, "whole.jsonl");
  ASSERT_FALSE(whole.empty());
  // Its documents hold 11, 12, 9 and 8 sentences: a 12-sentence chunk used to end one sentence into the second
  // document; now it takes the whole of it (up to twice the chunk size).
  // Batches differ between chunkings, so padding (hence float rounding) differs: probabilities agree to 1e-5.
  for (std::size_t chunk : {12, 15, 20})
    EXPECT_LT(max_difference(predict(chunk, "chunk" + std::to_string(chunk) + ".jsonl"), whole), 1e-5)
        << "chunk " << chunk;
  // The check has teeth: without document context the probabilities change.
  windows.document_context = false;
  encoder->set_window_options(windows);
  EXPECT_GT(max_difference(predict(100000, "nocontext.jsonl"), whole), 1e-3);
}

}  // namespace

namespace {

// A text line longer than max_sentence_tokens is tagged in pieces: one output record with a label per word, the
// same labels a sentence of exactly that piece would get; a line over 64 MiB is refused naming its line.
TEST(PredictFile, LongLinesAreTaggedInPiecesAndHugeOnesRefused) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/config.json");
  TempDir dir;
  auto model = tiny_bert(dir);
  std::string piece;
  for (int i = 0; i < 30; ++i) piece += (i ? " " : "") + std::string(i % 3 ? "Paris" : "visited");
  {
    std::ofstream(dir.file("long.txt")) << piece << ' ' << piece << ' ' << piece << '\n' << piece << '\n';
  }
  nertool::predict::PredictOptions o;
  o.input = dir.file("long.txt");
  o.input_format = InputFormat::kText;
  o.format = OutputFormat::kJsonl;
  o.max_sentence_tokens = 30;
  o.output = dir.file("long.jsonl");
  nertool::predict::predict_file(model, o);
  std::istringstream lines(slurp(o.output));
  std::string first, second;
  ASSERT_TRUE(std::getline(lines, first) && std::getline(lines, second));
  auto long_labels = nlohmann::json::parse(first)["labels"], piece_labels = nlohmann::json::parse(second)["labels"];
  ASSERT_EQ(long_labels.size(), 90u);
  for (std::size_t k = 0; k < 90; ++k) EXPECT_EQ(long_labels[k], piece_labels[k % 30]) << k;

  {
    std::ofstream huge(dir.file("huge.txt"), std::ios::binary);
    huge << "ok\n";
    const std::string block(1 << 20, 'a');
    for (int i = 0; i < 65; ++i) huge << block;  // 65 MiB without a newline
  }
  o.input = dir.file("huge.txt");
  o.output = dir.file("huge.jsonl");
  try {
    nertool::predict::predict_file(model, o);
    FAIL() << "a 65 MiB line was read";
  } catch (const nertool::InputError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("line longer than 64 MiB"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir.file("huge.jsonl")));
}

}  // namespace

namespace {

// A stream buffer that refuses every byte, standing in for a standard output that cannot be written.
class RefusingBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
};

// Tagged output that cannot be written is an error naming where it went, with the reason where there is one.
TEST(PredictFile, WriteErrorsNameTheOutputAndTheReason) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/config.json");
  TempDir dir;
  auto model = tiny_bert(dir);
  nertool::predict::PredictOptions o;
  o.input = source_path("data/sample/test.txt");
  auto message_of = [&] {
    try {
      nertool::predict::predict_file(model, o);
    } catch (const nertool::IoError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  if (fs::exists("/dev/full")) {
    o.output = "/dev/full";
    EXPECT_EQ(message_of(), "cannot write /dev/full: No space left on device");
    EXPECT_EQ(fs::status("/dev/full").type(), fs::file_type::character);
  }
  o.output.clear();  // standard output
  RefusingBuffer refusing;
  std::streambuf* saved = std::cout.rdbuf(&refusing);
  const std::string message = message_of();
  std::cout.rdbuf(saved);
  std::cout.clear();
  EXPECT_EQ(message, "cannot write standard output: the write failed");
}

}  // namespace
