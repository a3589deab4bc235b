// `nertool convert`: file conversions. Each conversion is chosen by the flag that names its input kind and lives
// in its own function: `--scheme` rewrites the tags of a CoNLL file into another tag scheme
// (convert_tag_scheme). Further conversions get their own flag and function beside it; run_convert() dispatches.
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cmd_convert.h"
#include "command.h"
#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/data/conll.h"
#include "nertool/data/tag_scheme.h"
#include "torch_part.h"

namespace nertool::cli {
namespace {

struct ConvertOptions {
  // Tag-scheme conversion of a CoNLL file.
  std::string scheme;              // target scheme; selects this conversion
  std::string input, output;
  std::string from_scheme = "auto";
  int label_column = -1;
  int token_column = 0;
  std::string columns = "all";
  // Hugging Face checkpoints: --from hf HF_DIR --to MODEL_DIR, or --from MODEL_DIR --to hf HF_DIR.
  std::vector<std::string> from, to;
  std::string labels, labels_from;
  int64_t max_seq_length = 128;
};

using Sequences = std::vector<std::vector<std::string>>;

// The first problem of `labels` in `scheme`, as (sentence, position), or nullopt when every sentence is valid.
std::optional<std::pair<std::size_t, data::TagProblem>> first_problem(const Sequences& labels,
                                                                      data::TagScheme scheme) {
  for (std::size_t k = 0; k < labels.size(); ++k)
    if (auto p = data::find_tag_problem(labels[k], scheme)) return std::make_pair(k, *p);
  return std::nullopt;
}

InputError problem_error(const data::Corpus& corpus, std::size_t sentence, const data::TagProblem& problem,
                         const std::string& prefix) {
  return InputError(corpus.path, corpus.sentences[sentence].first_line + problem.position, prefix + problem.message);
}

// The source scheme: the one given, checked against the data, or the detected one.
data::TagScheme source_scheme(const std::string& name, const data::Corpus& corpus, const Sequences& labels) {
  if (name != "auto") {
    const data::TagScheme scheme = data::parse_tag_scheme(name);
    if (auto p = first_problem(labels, scheme))
      throw problem_error(corpus, p->first, p->second, "labels are not valid " + data::tag_scheme_name(scheme) + ": ");
    return scheme;
  }
  const std::vector<data::TagScheme> schemes = data::compatible_schemes(labels);
  if (schemes.empty()) {
    // Report the problem under the scheme that fits longest: the most likely intended one.
    std::optional<std::pair<std::size_t, data::TagProblem>> best;
    data::TagScheme best_scheme = data::TagScheme::IOB2;
    for (data::TagScheme s : {data::TagScheme::IOB2, data::TagScheme::IOBES, data::TagScheme::BILOU,
                              data::TagScheme::IOE2, data::TagScheme::IOB1, data::TagScheme::IOE1}) {
      auto p = first_problem(labels, s);
      if (!best || std::make_pair(p->first, p->second.position) > std::make_pair(best->first, best->second.position)) {
        best = p;
        best_scheme = s;
      }
    }
    throw problem_error(corpus, best->first, best->second,
                        "the labels fit no tag scheme (IOB1, IOB2, IOE1, IOE2, IOBES, BILOU); read as " +
                            data::tag_scheme_name(best_scheme) + " (the closest): ");
  }
  std::string others;
  for (std::size_t i = 1; i < schemes.size(); ++i) others += (others.empty() ? "" : ", ") + data::tag_scheme_name(schemes[i]);
  spdlog::info("detected source tag scheme {} in {}{}", data::tag_scheme_name(schemes.front()), corpus.path,
               others.empty() ? std::string() : " (the labels are also valid " + others + ")");
  return schemes.front();
}

// --scheme: rewrites the label column of a CoNLL file in another tag scheme. With --columns all every other byte
// of the file stays as it was; with --columns label only the token and the new label are written.
int convert_tag_scheme(const ConvertOptions& o) {
  if (o.input.empty() || o.output.empty()) throw ConfigError("--scheme needs --input FILE and --output FILE");
  const data::TagScheme target = data::parse_tag_scheme(o.scheme);
  data::ReadOptions read;
  read.token_column = o.token_column;
  read.label_column = o.label_column;
  const std::string text = read_file(o.input);
  data::Corpus corpus = data::parse_conll(text, o.input, read);
  const Sequences labels = data::label_sequences(corpus);
  const data::TagScheme from = source_scheme(o.from_scheme, corpus, labels);

  Sequences converted;
  converted.reserve(labels.size());
  std::size_t entities = 0, changed = 0;
  for (std::size_t k = 0; k < labels.size(); ++k) {
    const auto spans = data::spans_from_tags(labels[k], from, corpus.path, corpus.sentences[k].first_line);
    entities += spans.size();
    converted.push_back(data::tags_from_spans(spans, labels[k].size(), target));
    for (std::size_t i = 0; i < labels[k].size(); ++i) changed += converted.back()[i] != labels[k][i];
  }

  std::string out;
  if (o.columns == "all") {
    out = data::replace_labels_in_text(text, corpus, converted);
  } else {
    data::set_labels(corpus, converted);
    for (auto& s : corpus.sentences)
      for (std::size_t i = 0; i < s.size(); ++i) s.columns[i] = {s.tokens[i], s.labels[i]};
    for (auto& d : corpus.documents)
      if (d.marker.size() > 2) d.marker = {d.marker.front(), d.marker.back()};
    out = data::to_conll_string(corpus);
  }
  write_file_atomic(o.output, out);
  spdlog::info("{} -> {}: {} sentences, {} tokens, {} entities, {} labels changed; wrote {}",
               data::tag_scheme_name(from), data::tag_scheme_name(target), corpus.sentences.size(),
               corpus.num_tokens(), entities, changed, o.output);
  return 0;
}

// --from hf HF_DIR --to MODEL_DIR (import) or --from MODEL_DIR --to hf HF_DIR (export): train/hf_checkpoint.h.
int convert_hf(const ConvertOptions& o) {
  const bool import = o.from.size() == 2 && o.from[0] == "hf" && o.to.size() == 1;
  const bool export_ = o.to.size() == 2 && o.to[0] == "hf" && o.from.size() == 1;
  if (!import && !export_)
    throw ConfigError("use --from hf HF_DIR --to MODEL_DIR, or --from MODEL_DIR --to hf HF_DIR");
  if (export_) return run_torch_part(HfConversion{true, o.from[0], o.to[1], "", "", o.max_seq_length});
  return run_torch_part(HfConversion{false, o.from[1], o.to[0], o.labels, o.labels_from, o.max_seq_length});
}

int run_convert(const ConvertOptions& o) {
  if (!o.scheme.empty()) return convert_tag_scheme(o);
  if (!o.from.empty() || !o.to.empty()) return convert_hf(o);
  throw ConfigError("nothing to convert: give --scheme SCHEME --input FILE --output FILE to rewrite a CoNLL file's "
                    "tags in another scheme (see nertool convert --help)");
}

Action setup(CLI::App& app) {
  auto o = std::make_shared<ConvertOptions>();
  app.footer(
      "Tag schemes (--scheme, --from-scheme): IOB1, IOB2 (= BIO), IOE1, IOE2, IOBES (= BIOES), BILOU.\n"
      "The conversion goes through the entities (typed spans), so it is lossless: IOB2 -> X -> IOB2 gives the\n"
      "input back. Input labels must be valid in the source scheme; an invalid tag is an error naming its file\n"
      "and line, and no output file is written. -DOCSTART- lines and blank lines are kept.\n"
      "Example: nertool convert --scheme IOBES --input train.txt --output train.iobes.txt");
  app.add_option("--scheme", o->scheme,
                 "Target tag scheme: rewrite the label column of --input in this scheme (IOB1, IOB2/BIO, IOE1, "
                 "IOE2, IOBES/BIOES, BILOU)");
  app.add_option("--input", o->input, "CoNLL file to convert (space or tab separated columns)");
  app.add_option("--output", o->output,
                 "Where to write the converted file (written atomically; may be the same path as --input)");
  app.add_option("--from-scheme", o->from_scheme,
                 "Scheme of the input labels; 'auto' detects it (preferring IOB2, then IOBES, BILOU, IOE2, IOB1, "
                 "IOE1 when several fit) and logs the choice")
      ->capture_default_str();
  app.add_option("--label-column", o->label_column,
                 "0-based column holding the labels to convert; negative counts from the end (-1 = last)")
      ->capture_default_str();
  app.add_option("--token-column", o->token_column,
                 "0-based column holding the token (used by --columns label); negative counts from the end")
      ->capture_default_str();
  app.add_option("--columns", o->columns,
                 "Output columns: 'all' keeps every column and byte of the input and replaces only the labels; "
                 "'label' writes just 'token label' per line (the two-column layout of nertool eval --gold/--pred)")
      ->check(CLI::IsMember({"all", "label"}))
      ->capture_default_str();
  app.add_option("--from", o->from,
                 "Hugging Face conversion source: `hf HF_DIR` (a checkpoint directory: config.json, "
                 "model.safetensors or pytorch_model.bin, tokenizer files) or a nertool MODEL_DIR (with --to hf)")
      ->expected(1, 2);
  app.add_option("--to", o->to,
                 "Hugging Face conversion target: a new nertool MODEL_DIR (with --from hf), or `hf HF_DIR` to write a "
                 "fine-tuned model (*ForTokenClassification) or a `nertool pretrain` run (*ForMaskedLM) as a Hugging "
                 "Face checkpoint (safetensors, config.json, tokenizer)")
      ->expected(1, 2);
  app.add_option("--labels", o->labels,
                 "--from hf with a base checkpoint (no classifier): file with the label set, one label per line");
  app.add_option("--labels-from", o->labels_from,
                 "--from hf with a base checkpoint: CoNLL file whose label column gives the label set");
  app.add_option("--max-seq-length", o->max_seq_length,
                 "--from hf: subwords per window, special tokens included (longer sentences are split into windows)")
      ->capture_default_str();
  return [o]() { return run_convert(*o); };
}

CommandRegistration reg({"convert", "Convert a CoNLL file's tags into another tag scheme (--scheme), or checkpoints between Hugging Face and nertool (--from/--to)", 60,
                         setup});

}  // namespace
}  // namespace nertool::cli
