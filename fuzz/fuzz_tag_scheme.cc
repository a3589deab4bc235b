// Tag-scheme detection, validation and conversion of the labels of any CoNLL input.
#include "fuzz_util.h"
#include "nertool/data/conll.h"
#include "nertool/data/tag_scheme.h"

NERTOOL_FUZZ_TARGET({
  const nertool::data::Corpus corpus = nertool::data::parse_conll(input, "fuzz.conll");
  const auto labels = nertool::data::label_sequences(corpus);
  (void)nertool::data::detect_tag_scheme(labels);
  for (const auto& tags : labels)
    for (auto from : nertool::data::compatible_schemes({tags}))
      for (auto to : {nertool::data::TagScheme::IOB2, nertool::data::TagScheme::IOBES, nertool::data::TagScheme::IOE1})
        (void)nertool::data::convert_tags(tags, from, to);
})
