#pragma once
// Which label transitions a tag scheme allows, as masks over a label set, and their application to CRF scores.
// The rules are the pairwise form of data::validate_tags, so a sequence that only uses allowed start labels,
// transitions and end labels is exactly a valid sequence of the scheme:
//   IOB2   I-X only after B-X or I-X (so not at the start)
//   IOB1   B-X only after B-X or I-X (so not at the start)
//   IOE2   I-X only before I-X or E-X (so not at the end)
//   IOE1   E-X only before I-X or E-X (so not at the end)
//   IOBES  B-X and I-X only before I-X or E-X; I-X and E-X only after B-X or I-X (BILOU: L for E, U for S)
#include <torch/types.h>

#include <string>
#include <vector>

#include "nertool/data/tag_scheme.h"
#include "nertool/ops/crf.h"

namespace nertool::ops {

struct CrfConstraints {
  int64_t num_labels = 0;
  std::vector<bool> transitions;  // [from * num_labels + to]: allowed
  std::vector<bool> start;        // allowed first labels
  std::vector<bool> end;          // allowed last labels
};

// Throws ConfigError naming a label that is neither "O" nor a tag of the scheme (e.g. "E-PER" under IOB2).
CrfConstraints scheme_constraints(const std::vector<std::string>& labels, data::TagScheme scheme);

// No constraint at all (every transition allowed).
CrfConstraints no_constraints(int64_t num_labels);

// The scheme a label set is written in, from its prefixes: U-/L- → BILOU, S-/E- with B- → IOBES, E- without B-
// → IOE2, B- → IOB2, only I- (and O) → IOB1. IOE1 data is not told apart from IOE2 (nor IOB1 data with B- tags
// from IOB2) by labels alone: name the scheme in the config for those.
data::TagScheme scheme_from_labels(const std::vector<std::string>& labels);

// The scores with every forbidden transition, start and end label set to `forbidden` (e.g. -inf, or a large
// negative number); differentiable in the allowed entries.
CrfScores apply_constraints(const CrfScores& scores, const CrfConstraints& constraints, double forbidden);

}  // namespace nertool::ops
