#include "nertool/predict/evaluate.h"

#include "nertool/core/atomic_file.h"
#include "nertool/metrics/corpus_score.h"
#include "nertool/taxonomy/type_map.h"
#include "nertool/train/batching.h"
#include "nertool/train/run_dir.h"
#include "nertool/train/sentence_tagging.h"

namespace nertool::predict {

EvalResult evaluate_model(const std::string& run_dir, const std::string& data_file, const EvalOptions& options) {
  train::LoadedModel model = train::load_model(run_dir, options.device);
  check_readable_file(data_file);
  data::ReadOptions ro;
  ro.token_column = model.config.data.token_column;
  ro.label_column = model.config.data.label_column;
  EvalResult r;
  r.corpus = data::read_conll(data_file, ro);
  auto pred = train::predict_sentences(*model.tagger, train::sentence_pointers(r.corpus), options.batch_sentences,
                                       model.device, false, &r.corpus, options.precision);
  r.predicted = std::move(pred.labels);
  if (!options.type_map.empty()) {
    const auto map = taxonomy::TypeMap::load(options.type_map);
    for (auto& labels : r.predicted) labels = map.map_iob2(labels, options.type_map);
  }
  // Scored exactly as `nertool eval --gold FILE --pred` on `nertool predict --format conll`'s output: the same
  // lines with the predicted label appended, so the conlleval block counts -DOCSTART- lines as conlleval.pl does.
  data::Corpus predicted = r.corpus;
  for (std::size_t s = 0; s < predicted.sentences.size(); ++s)
    for (std::size_t t = 0; t < predicted.sentences[s].columns.size(); ++t)
      predicted.sentences[s].columns[t].push_back(r.predicted[s][t]);
  for (data::Document& d : predicted.documents)
    if (!d.marker.empty()) d.marker.push_back("O");
  r.report = metrics::score_corpora(r.corpus, ro.label_column, predicted, -1, options.score);
  return r;
}

}  // namespace nertool::predict
