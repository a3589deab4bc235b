// `nertool eval`: entity-level scores of predicted labels against gold labels, exactly as seqeval 1.2.2 and
// conlleval.pl compute them. File scoring lives in score_files(); a trained model applied to a data file in the
// LibTorch part (torch/eval_torch.cc); printing in print_report().
#include <spdlog/spdlog.h>

#include <climits>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "choice_flags.h"
#include "cmd_eval.h"
#include "command.h"
#include "nertool/core/error.h"
#include "nertool/data/conll.h"
#include "nertool/data/tag_scheme.h"
#include "nertool/metrics/conlleval.h"
#include "nertool/metrics/corpus_score.h"
#include "nertool/metrics/chunks.h"
#include "nertool/metrics/report_format.h"
#include "nertool/metrics/scorer.h"
#include "nertool/taxonomy/credit_matrix.h"
#include "nertool/taxonomy/partial_credit_score.h"
#include "torch_part.h"

namespace nertool::cli {
namespace {

constexpr int kUnset = INT_MIN;

struct EvalOptions {
  std::string gold, pred, file;
  metrics::Mode mode = metrics::Mode::Default;
  std::string scheme;
  bool untyped = false;  // mention detection: types ignored, boundaries scored
  int digits = 4;
  bool json = false;
  int token_column = 0;
  int gold_column = kUnset;  // default: last column (--gold), second to last (--file)
  int pred_column = -1;
  std::string model, data;  // --model RUN_DIR --data FILE: tag FILE with the model, score against its labels
  train::DeviceRequest device;  // auto
  models::Precision precision = models::Precision::kFloat32;
  std::string type_map;  // --model: map the predicted types through this table before scoring
  std::string taxonomy;  // partial credit in this taxonomy beside the exact scores
};

using Labels = std::vector<std::vector<std::string>>;

// --taxonomy: each predicted mention with a gold mention's boundaries earns W[gold type][predicted type] of the
// taxonomy's credit matrix (mentions as seqeval's default mode reads them).
taxonomy::PartialCreditScore partial_credit(const Labels& gold, const Labels& pred, const std::string& path) {
  const auto tax = taxonomy::Taxonomy::load(path);
  const auto credit = taxonomy::CreditMatrix::within(tax);
  auto spans = [&](const Labels& labels, const char* side) {
    std::vector<data::Span> out;
    for (const auto& c : metrics::default_chunks(labels)) {
      if (!tax.contains(c.type))
        throw ConfigError("--taxonomy " + path + ": the " + side + " labels have type '" + c.type +
                          "', which taxonomy '" + tax.name() + "' does not have");
      out.push_back({c.begin, c.end, c.type});
    }
    return std::vector<std::vector<data::Span>>{out};
  };
  return taxonomy::score_partial_credit(spans(gold, "gold"), spans(pred, "predicted"), credit);
}

metrics::ScoreOptions score_options(const EvalOptions& o) {
  metrics::ScoreOptions options;
  options.mode = o.mode;
  options.untyped = o.untyped;
  if (o.untyped && !o.taxonomy.empty())
    throw ConfigError("--untyped scores mention boundaries only, while --taxonomy's partial credit needs the types; "
                      "run them separately");
  if (options.mode == metrics::Mode::Strict) {
    if (o.scheme.empty()) throw ConfigError("--mode strict needs --scheme (IOB1, IOB2, IOE1, IOE2, IOBES, BILOU)");
    options.scheme = data::parse_tag_scheme(o.scheme);
  } else if (!o.scheme.empty()) {
    throw ConfigError("--scheme applies only to --mode strict (the default mode reads every scheme the same way)");
  }
  return options;
}

// Scores gold/predicted CoNLL files (two aligned files, or one file with both label columns). The label
// sequences are handed out only when asked for (--taxonomy needs them).
metrics::Report score_files(const EvalOptions& o, const metrics::ScoreOptions& options, nlohmann::json& inputs,
                            Labels* gold_labels = nullptr, Labels* pred_labels = nullptr) {
  data::ReadOptions read;
  read.token_column = o.token_column;
  read.label_column = -1;
  if (!o.file.empty()) {
    if (!o.gold.empty() || !o.pred.empty()) throw ConfigError("use either --file or --gold with --pred, not both");
    data::Corpus corpus = data::read_conll(o.file, read);
    inputs = {{"file", o.file}};
    int gold_column = o.gold_column == kUnset ? -2 : o.gold_column;
    auto report = metrics::score_corpora(corpus, gold_column, corpus, o.pred_column, options);
    if (gold_labels) *gold_labels = metrics::labels_in_column(corpus, gold_column);
    if (pred_labels) *pred_labels = metrics::labels_in_column(corpus, o.pred_column);
    return report;
  }
  if (o.gold.empty() || o.pred.empty())
    throw ConfigError("give --gold and --pred, or --file (see nertool eval --help)");
  data::Corpus gold = data::read_conll(o.gold, read);
  data::Corpus pred = data::read_conll(o.pred, read);
  inputs = {{"gold", o.gold}, {"pred", o.pred}};
  int gold_column = o.gold_column == kUnset ? -1 : o.gold_column;
  auto report = metrics::score_corpora(gold, gold_column, pred, o.pred_column, options);
  if (gold_labels) *gold_labels = metrics::labels_in_column(gold, gold_column);
  if (pred_labels) *pred_labels = metrics::labels_in_column(pred, o.pred_column);
  return report;
}

void print_report(const metrics::Report& report, const EvalOptions& o, const metrics::ScoreOptions& options,
                  const nlohmann::json& inputs, const std::optional<taxonomy::PartialCreditScore>& partial) {
  if (report.per_type.empty())
    spdlog::warn("no entity in the gold or the predicted labels (seqeval's classification_report fails on such "
                 "input; macro averages are undefined and shown as nan)");
  if (o.json) {
    nlohmann::json out = metrics::report_to_json(report);
    out["mode"] = choice_name(o.mode);
    out["scheme"] = options.scheme ? nlohmann::json(data::tag_scheme_name(*options.scheme)) : nlohmann::json();
    out["untyped"] = options.untyped;
    out["files"] = inputs;
    if (partial) out["partial_credit"] = partial->to_json();
    std::cout << out.dump(2) << std::endl;
    return;
  }
  std::cout << metrics::format_classification_report(report, o.digits) << metrics::format_conlleval(report.conlleval);
  if (partial) {
    auto pct = [](double x) { return fmt::format("{:6.2f}%", 100 * x); };
    std::cout << "\npartial credit (" << o.taxonomy << "): " << partial->predicted_mentions << " predicted, "
              << partial->gold_mentions << " gold, " << partial->boundary_matches << " with gold boundaries, credit "
              << fmt::format("{:.2f}", partial->credit) << "\n"
              << "  exact:   precision: " << pct(partial->exact.precision) << "; recall: " << pct(partial->exact.recall)
              << "; F1: " << pct(partial->exact.f1) << "\n"
              << "  partial: precision: " << pct(partial->partial.precision)
              << "; recall: " << pct(partial->partial.recall) << "; F1: " << pct(partial->partial.f1) << "\n";
  }
  std::cout << std::flush;
}

Action setup(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  app.footer(
      "Input: CoNLL column files (space or tab separated, blank line between sentences). With --gold/--pred the\n"
      "two files must hold the same tokens line by line; with --file one file holds both label columns in\n"
      "conlleval's layout (token ... gold pred).\n"
      "Output: seqeval's classification_report table (its exact layout; --digits sets the decimals, default 4\n"
      "where seqeval's default is 2), then conlleval.pl's summary lines exactly as it prints them.\n"
      "-DOCSTART- lines are document boundaries: they are not tokens of any sentence, so seqeval's numbers and\n"
      "token accuracy ignore them (as the HF/seqeval pipelines do), while the conlleval lines count each one as a\n"
      "token, exactly as conlleval.pl does on the same file.\n"
      "Modes: 'default' = seqeval's default (conlleval's chunk rules: IOB1, IOB2 and ill-formed input such as\n"
      "I- after O are all read); 'strict' = seqeval's mode='strict' with --scheme (chunks must be well formed in\n"
      "the scheme; a label whose prefix the scheme does not allow is an error).");
  app.add_option("--gold", o->gold, "Gold CoNLL file (labels in the last column, or --gold-column)");
  app.add_option("--pred", o->pred,
                 "Predicted CoNLL file aligned with --gold (labels in the last column, or --pred-column)");
  app.add_option("--file", o->file,
                 "One CoNLL file in conlleval's layout: token ... gold pred (gold = second to last column, "
                 "pred = last)");
  add_choice_flag(app, "--mode", o->mode,
                  "Chunking: default (seqeval default = conlleval rules) or strict (needs --scheme)");
  app.add_option("--scheme", o->scheme, "Tag scheme for --mode strict: IOB1, IOB2 (BIO), IOE1, IOE2, IOBES, BILOU");
  app.add_flag("--untyped", o->untyped,
               "Score mention detection: mentions are read with their types, then all count as one type, ENTITY, so "
               "a predicted mention is right when its boundaries are a gold mention's (e.g. a source-taxonomy "
               "model's recall on target data: eval --untyped --model RUN --data FILE)");
  app.add_option("--digits", o->digits, "Decimals in the seqeval table (seqeval's default is 2)")
      ->check(CLI::Range(0, 15))
      ->capture_default_str();
  app.add_flag("--json", o->json,
               "Print one JSON object instead: per-type and averaged scores with counts, token accuracy, the "
               "conlleval block, mode, scheme and files");
  app.add_option("--model", o->model,
                 "Run directory of a trained model: tags --data with it and scores the result against --data's "
                 "labels (the model's token/label columns apply)");
  app.add_option("--data", o->data, "Labelled CoNLL file to tag and score with --model");
  add_device_flag(app, o->device, "With --model: auto, cpu, cuda or cuda:N");
  add_choice_flag(app, "--precision", o->precision,
                  "With --model: fp32, or bf16 (the encoder under bfloat16 autocast)");
  app.add_option("--type-map", o->type_map,
                 "With --model: map the predicted types through this table (JSON, configs/type_maps/) before "
                 "scoring, the 'Direct' transfer of a source-taxonomy model; types mapped to O drop their mentions");
  app.add_option("--taxonomy", o->taxonomy,
                 "Also report partial credit in this taxonomy (JSON, configs/taxonomies/): a predicted mention with "
                 "a gold mention's boundaries earns W[gold][predicted] (docs/taxonomy.md)");
  app.add_option("--token-column", o->token_column, "0-based column of the token (negative counts from the end)")
      ->capture_default_str();
  app.add_option("--gold-column", o->gold_column,
                 "0-based column of the gold label, negative counts from the end (default: -1 with --gold, -2 with "
                 "--file)");
  app.add_option("--pred-column", o->pred_column,
                 "0-based column of the predicted label, negative counts from the end")
      ->capture_default_str();
  return [o]() {
    metrics::ScoreOptions options = score_options(*o);
    nlohmann::json inputs;
    metrics::Report report;
    const bool with_partial = !o->taxonomy.empty();
    Labels gold_labels, pred_labels;
    if (!o->model.empty() || !o->data.empty()) {
      if (o->model.empty() || o->data.empty()) throw ConfigError("--model and --data go together");
      ModelEvaluation request{o->model, o->data, o->device, o->precision, o->type_map, options, with_partial};
      ModelScores scores = run_torch_part(request);
      report = std::move(scores.report);
      gold_labels = std::move(scores.gold);
      pred_labels = std::move(scores.predicted);
      inputs = {{"model", o->model}, {"data", o->data}};
    } else {
      if (!o->type_map.empty()) throw ConfigError("--type-map applies to --model (it maps a model's predictions)");
      report = score_files(*o, options, inputs, with_partial ? &gold_labels : nullptr,
                           with_partial ? &pred_labels : nullptr);
    }
    std::optional<taxonomy::PartialCreditScore> partial;
    if (with_partial) partial = partial_credit(gold_labels, pred_labels, o->taxonomy);
    print_report(report, *o, options, inputs, partial);
    return 0;
  };
}

CommandRegistration reg({"eval", "Score predicted labels against gold labels (seqeval and conlleval numbers)", 30,
                         setup});

}  // namespace
}  // namespace nertool::cli
