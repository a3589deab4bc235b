#include "nertool/metrics/corpus_score.h"

#include "nertool/core/error.h"
#include "scorer_detail.h"

namespace nertool::metrics {
namespace {

// Field `column` (negative: from the end) of a line of fields, or nullptr when the line has no such field.
const std::string* field(const std::vector<std::string>& fields, int column) {
  long n = static_cast<long>(fields.size());
  long index = column < 0 ? n + column : column;
  return index >= 0 && index < n ? &fields[static_cast<std::size_t>(index)] : nullptr;
}

// 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st.
std::string ordinal(long n) {
  const long tens = n % 100, units = n % 10;
  if (tens >= 11 && tens <= 13) return std::to_string(n) + "th";
  return std::to_string(n) + (units == 1 ? "st" : units == 2 ? "nd" : units == 3 ? "rd" : "th");
}

std::string column_name(int column) {
  if (column >= 0) return "column " + std::to_string(column + 1);
  return column == -1 ? std::string("last column") : ordinal(-static_cast<long>(column)) + " column from the end";
}

std::size_t line_of(const data::Sentence& sentence, std::size_t token) {
  return sentence.first_line > 0 ? sentence.first_line + token : 0;
}


std::string quote(const std::string& s) { return "'" + s + "'"; }

void check_aligned(const data::Corpus& gold, const data::Corpus& pred) {
  auto where = [](const data::Corpus& c, std::size_t line) {
    return c.path + (line > 0 ? ":" + std::to_string(line) : std::string());
  };
  std::size_t n = std::min(gold.sentences.size(), pred.sentences.size());
  for (std::size_t s = 0; s < n; ++s) {
    const data::Sentence& g = gold.sentences[s];
    const data::Sentence& p = pred.sentences[s];
    std::size_t m = std::min(g.size(), p.size());
    for (std::size_t t = 0; t < m; ++t)
      if (g.tokens[t] != p.tokens[t])
        throw InputError(gold.path, line_of(g, t),
                         "token " + quote(g.tokens[t]) + " differs from " + quote(p.tokens[t]) + " at " +
                             where(pred, line_of(p, t)) + ": gold and predicted files are not aligned");
    if (g.size() != p.size())
      throw InputError(gold.path, line_of(g, 0),
                       "sentence " + std::to_string(s + 1) + " has " + std::to_string(g.size()) +
                           " tokens here but " + std::to_string(p.size()) + " in " + where(pred, line_of(p, 0)) +
                           ": gold and predicted files are not aligned");
  }
  if (gold.sentences.size() != pred.sentences.size()) {
    const data::Corpus& longer = gold.sentences.size() > pred.sentences.size() ? gold : pred;
    const data::Corpus& shorter = &longer == &gold ? pred : gold;
    throw InputError(longer.path, line_of(longer.sentences[n], 0),
                     "sentence " + std::to_string(n + 1) + " has no counterpart in " + shorter.path + " (" +
                         std::to_string(gold.sentences.size()) + " sentences in " + gold.path + ", " +
                         std::to_string(pred.sentences.size()) + " in " + pred.path + ")");
  }
  // -DOCSTART- lines: conlleval counts them, so both files must have them in the same places.
  auto markers = [](const data::Corpus& c) {
    std::vector<std::pair<std::size_t, std::size_t>> out;  // (first sentence, line)
    for (const data::Document& d : c.documents)
      if (!d.marker.empty()) out.emplace_back(d.first_sentence, d.marker_line);
    return out;
  };
  auto gm = markers(gold), pm = markers(pred);
  for (std::size_t i = 0; i < std::max(gm.size(), pm.size()); ++i) {
    if (i < gm.size() && i < pm.size() && gm[i].first == pm[i].first) continue;
    if (i < gm.size())
      throw InputError(gold.path, gm[i].second,
                       "document marker (-DOCSTART-) has no counterpart at the same place in " + pred.path);
    throw InputError(pred.path, pm[i].second,
                     "document marker (-DOCSTART-) has no counterpart at the same place in " + gold.path);
  }
}

}  // namespace

std::vector<std::vector<std::string>> labels_in_column(const data::Corpus& corpus, int column) {
  std::vector<std::vector<std::string>> labels(corpus.sentences.size());
  for (std::size_t s = 0; s < corpus.sentences.size(); ++s) {
    const data::Sentence& sentence = corpus.sentences[s];
    labels[s].reserve(sentence.size());
    for (std::size_t t = 0; t < sentence.columns.size(); ++t) {
      const std::vector<std::string>& fields = sentence.columns[t];
      const std::string* label = field(fields, column);
      if (!label)
        throw InputError(corpus.path, line_of(sentence, t),
                         "no label in the " + column_name(column) + " (the line has " +
                             std::to_string(fields.size()) + " columns)");
      // A label column that lands on the token column (a 2-column file read as token gold pred) would score the
      // words as labels.
      if (label == field(fields, corpus.options.token_column))
        throw InputError(corpus.path, line_of(sentence, t),
                         "the line has " + std::to_string(fields.size()) + " columns, so the label column (the " +
                             column_name(column) + ") is the token column");
      labels[s].push_back(*label);
    }
  }
  return labels;
}

Report score_corpora(const data::Corpus& gold, int gold_column, const data::Corpus& pred, int pred_column,
                     const ScoreOptions& options) {
  detail::check_options(options);
  if (&gold != &pred) check_aligned(gold, pred);
  std::vector<std::vector<std::string>> gold_labels = labels_in_column(gold, gold_column);
  std::vector<std::vector<std::string>> pred_labels = labels_in_column(pred, pred_column);
  auto fail = [&options](const data::Corpus& corpus) {
    return [&corpus, &options](const LabelProblem& p) {
      const data::Sentence& sentence = corpus.sentences[p.sentence];
      throw InputError(corpus.path, line_of(sentence, p.token),
                       p.problem + (options.mode == Mode::Strict ? " (strict mode)" : ""));
    };
  };
  detail::check_labels(gold_labels, options, fail(gold));
  detail::check_labels(pred_labels, options, fail(pred));

  // conlleval's view: the lines in file order. A -DOCSTART- line is a token with its two labels (normally O O);
  // a blank line, or a line whose first field is -X-, is a boundary. Lines that are not consecutive in the
  // file had blank lines between them.
  static const std::string kO = "O";
  std::vector<ConllevalLine> lines;
  lines.reserve(gold.num_tokens() + 2 * gold.sentences.size() + 2 * gold.documents.size());
  std::size_t last_line = 0;
  auto add = [&](std::size_t line, const std::string& first_field, std::string_view g, std::string_view p) {
    if (line == 0 || last_line == 0 || line != last_line + 1) lines.push_back({"", "", true});
    lines.push_back({g, p, first_field == "-X-"});
    last_line = line;
  };
  std::vector<const std::vector<std::string>*> pred_markers;
  for (const data::Document& doc : pred.documents)
    if (!doc.marker.empty()) pred_markers.push_back(&doc.marker);
  std::size_t marker_index = 0;
  std::size_t next_sentence = 0;
  auto add_sentences_until = [&](std::size_t end) {
    for (; next_sentence < end && next_sentence < gold.sentences.size(); ++next_sentence) {
      const data::Sentence& sentence = gold.sentences[next_sentence];
      for (std::size_t t = 0; t < sentence.size(); ++t)
        add(line_of(sentence, t), sentence.columns[t].empty() ? sentence.tokens[t] : sentence.columns[t][0],
            gold_labels[next_sentence][t], pred_labels[next_sentence][t]);
    }
  };
  for (std::size_t d = 0; d < gold.documents.size(); ++d) {
    const data::Document& doc = gold.documents[d];
    add_sentences_until(doc.first_sentence);
    if (!doc.marker.empty()) {
      const std::vector<std::string>& pred_marker = *pred_markers[marker_index++];  // aligned: same markers
      const std::string* g = field(doc.marker, gold_column);
      const std::string* p = field(pred_marker, pred_column);
      // A marker line without label fields is read as O O.
      add(doc.marker_line, doc.marker[0], g && doc.marker.size() > 1 ? *g : kO,
          p && pred_marker.size() > 1 ? *p : kO);
    }
  }
  add_sentences_until(gold.sentences.size());
  lines.push_back({"", "", true});
  return detail::score_prepared(gold_labels, pred_labels, lines, options);
}

}  // namespace nertool::metrics
