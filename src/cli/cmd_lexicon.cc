// `nertool lexicon`: builds a lexicon (gazetteer) of entity names from annotated CoNLL files, for the BiLSTM-CNN's
// lexicon features (model.bilstm_cnn.lexicon). A type map (configs/type_maps/*.json) turns the files' entity types
// into the lexicon's categories, e.g. OntoNotes' 18 types into CoNLL-2003's PER, ORG, LOC and MISC.
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "nertool/core/atomic_file.h"
#include "nertool/data/conll.h"
#include "nertool/text/lexicon.h"
#include "nertool/data/tag_scheme.h"
#include "nertool/taxonomy/type_map.h"

namespace nertool::cli {
namespace {

struct LexiconOptions {
  std::vector<std::string> inputs;
  std::string output, type_map, scheme = "IOB2";
  int label_column = -1;
  int token_column = 0;
  int64_t min_count = 1;
};

int run_lexicon(const LexiconOptions& o) {
  std::optional<taxonomy::TypeMap> map;
  if (!o.type_map.empty()) map = taxonomy::TypeMap::load(o.type_map);
  // Without a map every type is its own category; with one, a type it maps to "O" is left out and a type it does
  // not know is an error (TypeMap::map_type throws naming it: a silent skip would hide a wrong map).
  auto category_of = [&](const std::string& type) -> std::optional<std::string> {
    return map ? map->map_type(type) : std::optional<std::string>(type);
  };
  const data::TagScheme scheme = data::parse_tag_scheme(o.scheme);
  data::ReadOptions ro;
  ro.token_column = o.token_column;
  ro.label_column = o.label_column;
  std::vector<data::Corpus> corpora;
  for (const auto& path : o.inputs) corpora.push_back(data::read_conll(path, ro));
  std::vector<const data::Corpus*> pointers;
  for (const auto& c : corpora) pointers.push_back(&c);
  auto lexicon = text::Lexicon::from_annotations(pointers, scheme, category_of, o.min_count);
  write_file_atomic(o.output, lexicon.to_text());
  spdlog::info("lexicon: {} entries in {} categories (longest phrase {} tokens) written to {}", lexicon.size(),
               lexicon.categories().size(), lexicon.max_phrase_length(), o.output);
  return 0;
}

Action setup(CLI::App& app) {
  auto o = std::make_shared<LexiconOptions>();
  app.footer(
      "Every entity of the input files becomes an entry `CATEGORY<TAB>phrase` (docs/lexicon.md). Train a BiLSTM-CNN\n"
      "with it: --set model.bilstm_cnn.lexicon=FILE. Never build it from the evaluation data's own files.\n"
      "Example (OntoNotes names as CoNLL-2003 categories):\n"
      "  nertool lexicon --input ../shared/data/ontonotes5/train.txt ../shared/data/ontonotes5/dev.txt \\\n"
      "    --type-map configs/type_maps/ontonotes5_to_conll2003.json --output runs/ontonotes5.lexicon.tsv");
  app.add_option("--input", o->inputs, "Annotated CoNLL files (space or tab separated columns)")->required();
  app.add_option("--output", o->output, "Lexicon file to write (atomically)")->required();
  app.add_option("--type-map", o->type_map,
                 "Type map JSON (configs/type_maps/): entity types to categories; types mapped to O are left out. "
                 "Without one, each type is its own category");
  app.add_option("--scheme", o->scheme, "Tag scheme of the input labels (IOB1, IOB2/BIO, IOE1, IOE2, IOBES, BILOU)")
      ->capture_default_str();
  app.add_option("--min-count", o->min_count, "Keep a phrase once it is annotated this often as its category")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--label-column", o->label_column, "0-based label column; negative counts from the end")
      ->capture_default_str();
  app.add_option("--token-column", o->token_column, "0-based token column; negative counts from the end")
      ->capture_default_str();
  return [o]() { return run_lexicon(*o); };
}

CommandRegistration reg({"lexicon", "Build a lexicon of entity names from annotated CoNLL files (BiLSTM-CNN lexicon features)",
                         65, setup});

}  // namespace
}  // namespace nertool::cli
