// predict_file reads its input in chunks (bounded memory); a chunk must end at a document boundary, or sentences
// near the cut would lose the document context that a whole-file read gives them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "nertool/models/hf_checkpoint.h"
#include "nertool/models/hf_encoder.h"
#include "nertool/train/inference.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::shared_path;
using nertool::testing::source_path;
using nertool::testing::TempDir;

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

TEST(PredictFile, ChunksEndAtDocumentBoundariesSoDocumentContextIsWhole) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/config.json");
  TempDir dir;
  const std::string model_dir = dir.file("bert");
  nertool::models::convert_from_hf(shared_path("fixtures/hf-tiny/bert"), model_dir, {});
  auto model = nertool::train::load_model(model_dir, "cpu");
  auto* encoder = dynamic_cast<nertool::models::HfTransformerEncoder*>(&model.tagger->encoder());
  ASSERT_NE(encoder, nullptr);
  auto windows = encoder->window_options();
  windows.document_context = true;
  encoder->set_window_options(windows);

  auto predict = [&](std::size_t chunk, const std::string& name) {
    nertool::train::PredictOptions o;
    o.input = source_path("data/sample/test.txt");
    o.output = dir.file(name);
    o.format = "jsonl";
    o.probs = true;
    o.chunk_sentences = chunk;
    nertool::train::predict_file(model, o);
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
