// Masked-LM parity with Hugging Face transformers 4.29.2 (../shared/fixtures/hf-tiny-mlm): BertForMaskedLM and
// RobertaForMaskedLM read from model.safetensors (no decoder weight) and from pytorch_model.bin (BERT's holds the
// tied decoder weight, RoBERTa's does not) give the reference logits and loss.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "error_of.h"
#include "nertool/core/json.h"
#include "nertool/io/safetensors.h"
#include "nertool/train/hf_checkpoint.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

namespace fs = std::filesystem;
using nertool::testing::shared_path;
using nertool::testing::TempDir;

constexpr double kTolerance = 1e-4;

// A copy of the fixture with only one weights file, so that the loader reads that one.
std::string with_only(const TempDir& dir, const std::string& model, const std::string& weights) {
  const fs::path from = shared_path("fixtures/hf-tiny-mlm/" + model), to = dir.file(model + "-" + weights);
  fs::create_directories(to);
  fs::copy_file(from / "config.json", to / "config.json");
  fs::copy_file(from / weights, to / weights);
  return to.string();
}

class MaskedLmParity : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(MaskedLmParity, LogitsAndLossEqualTheReference) {
  const auto& [model_name, weights] = GetParam();
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/" + model_name + "/reference.json");
  TempDir dir;
  HfImportReport report;
  auto model = import_hf_masked_lm(with_only(dir, model_name, weights), &report);
  EXPECT_EQ(report.num_tensors, static_cast<int64_t>(model->parameters().size()));
  const auto ref = read_json_file(shared_path("fixtures/hf-tiny-mlm/" + model_name + "/reference.json"));
  const auto probe = torch::tensor(ref.at("probe_ids").get<std::vector<int64_t>>());
  torch::NoGradGuard no_grad;

  std::vector<torch::Tensor> ids, labels;
  int64_t checked = 0;
  for (const auto& sentence : ref.at("sentences")) {
    const auto input = torch::tensor(sentence.at("input_ids").get<std::vector<int64_t>>()).unsqueeze(0);
    const auto logits = model->forward(input, torch::ones_like(input))[0];  // one sentence, no padding
    auto label = torch::full_like(input[0], -100);
    for (const auto& m : sentence.at("masked")) {
      const int64_t position = m.at("position").get<int64_t>();
      const auto row = logits[position];
      label[position] = m.at("original_id").get<int64_t>();
      EXPECT_NEAR(torch::logsumexp(row, 0).item<double>(), m.at("logsumexp").get<double>(), kTolerance);
      const auto top = std::get<1>(row.topk(10));
      EXPECT_EQ(std::vector<int64_t>(top.data_ptr<int64_t>(), top.data_ptr<int64_t>() + 10),
                m.at("top10_ids").get<std::vector<int64_t>>());
      const auto want = torch::tensor(m.at("probe_logits").get<std::vector<float>>());
      EXPECT_LT((row.index({probe}) - want).abs().max().item<double>(), kTolerance);
      ++checked;
    }
    ids.push_back(input[0]);
    labels.push_back(label);
  }
  EXPECT_EQ(checked, ref.at("num_masked").get<int64_t>());

  // All sentences in one padded batch: the mean loss over every masked position.
  const int64_t pad = model->config().pad_token_id;
  const auto batch = torch::nn::utils::rnn::pad_sequence(ids, true, static_cast<double>(pad));
  const auto batch_labels = torch::nn::utils::rnn::pad_sequence(labels, true, -100);
  auto mask = torch::zeros_like(batch);
  for (std::size_t i = 0; i < ids.size(); ++i) mask[static_cast<int64_t>(i)].narrow(0, 0, ids[i].size(0)).fill_(1);
  EXPECT_NEAR(model->loss(batch, mask, batch_labels).item<double>(), ref.at("mean_masked_loss").get<double>(),
              kTolerance);
}

INSTANTIATE_TEST_SUITE_P(HfTinyMlm, MaskedLmParity,
                         ::testing::Combine(::testing::Values("bert", "roberta"),
                                            ::testing::Values("model.safetensors", "pytorch_model.bin")),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" +
                                  (std::get<1>(info.param) == "model.safetensors" ? "safetensors" : "bin");
                         });

TEST(MaskedLmImport, AnUntiedDecoderOrAMissingHeadIsRefused) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/bert/model.safetensors");
  TempDir dir;
  const std::string hf = with_only(dir, "bert", "model.safetensors");
  auto tensors = io::read_safetensors(hf + "/model.safetensors");
  // A decoder weight that is not the word-embedding matrix.
  auto untied = tensors;
  for (const auto& [name, t] : tensors)
    if (name == "bert.embeddings.word_embeddings.weight") untied.emplace_back("cls.predictions.decoder.weight", t + 1);
  io::write_safetensors(hf + "/model.safetensors", untied);
  EXPECT_NE(nertool::testing::error_of([&] { import_hf_masked_lm(hf); }).find("untied output layers"),
            std::string::npos);
  // No head at all (a base checkpoint): every head tensor is named as missing.
  io::NamedTensors base;
  for (const auto& [name, t] : tensors)
    if (name.rfind("cls.", 0) != 0) base.emplace_back(name, t);
  io::write_safetensors(hf + "/model.safetensors", base);
  const std::string message = nertool::testing::error_of([&] { import_hf_masked_lm(hf); });
  EXPECT_NE(message.find("missing: (masked-LM head) bias [28996]"), std::string::npos) << message;
  EXPECT_NE(message.find("(masked-LM head) dense.weight [64, 64]"), std::string::npos) << message;
}

}  // namespace
}  // namespace nertool::train
