// nertool predict: tags a CoNLL file or plain text with a trained run directory, streaming. The LibTorch part is
// src/cli/torch/predict_torch.cc.
#include <memory>

#include "choice_flags.h"
#include "cmd_predict.h"
#include "command.h"
#include "torch_part.h"

namespace {

nertool::cli::Action setup(CLI::App& app) {
  auto f = std::make_shared<nertool::cli::PredictFlags>();
  app.add_option("--model,-m", f->model, "Run directory of a trained model (from nertool train)")->required();
  app.add_option("--input,-i", f->options.input, "Input file; - reads stdin")->required();
  app.add_option("--output,-o", f->options.output,
                 "Output file, written atomically (default: stdout)");
  using nertool::cli::add_choice_flag;
  add_choice_flag(app, "--format,-f", f->options.format,
                  "conll: the input columns plus a predicted label column; jsonl: {\"words\",\"labels\"} per "
                  "sentence; spans: {\"entities\": [{\"type\",\"start\",\"end\",\"text\"}]} per sentence (token "
                  "indices, end exclusive; character offsets char_start/char_end for text input)");
  add_choice_flag(app, "--input-format", f->options.input_format,
                  "conll: token column per line, blank line between sentences; text: one sentence per line, "
                  "split into CoNLL-2003-style words by the rule-based tokenizer (docs/data_formats.md)");
  app.add_flag("--probs", f->options.probs,
               "jsonl: add per word the probability of every label; spans: add per entity \"type_probs\", the "
               "distribution of its type (its first word's label probabilities grouped by type)");
  app.add_option("--batch-size,-b", f->options.batch_size, "Sentences per model batch (1 to 1000000)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->capture_default_str();
  app.add_option("--max-sentence-tokens", f->options.max_sentence_tokens,
                 "A sentence (a text line) with more tokens is tagged in consecutive pieces of this many, so memory "
                 "stays bounded whatever a line holds; each piece is tagged without the others as context. Text "
                 "lines over 64 MiB are refused")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
      ->capture_default_str();
  nertool::cli::add_device_flag(app, f->device, "auto, cpu, cuda or cuda:N");
  add_choice_flag(app, "--precision", f->options.precision,
                  "fp32, or bf16: the encoder runs under bfloat16 autocast (faster on GPUs and CPUs with bfloat16 "
                  "units; labels may differ where scores are close), decoders stay float32");
  return [f] { return nertool::cli::run_torch_part(*f); };
}

nertool::cli::CommandRegistration reg({"predict", "Tag a CoNLL or plain-text file with a trained model", 30, setup});

}  // namespace
