#include "nertool/ops/crf_constraints.h"

#include <cstring>

#include "nertool/core/error.h"

namespace nertool::ops {

namespace {

struct Tag {
  char prefix = 'O';  // 'O' for outside
  std::string type;
};

Tag parse_label(const std::string& label, data::TagScheme scheme) {
  if (label == "O") return {};
  const char* allowed = "";
  switch (scheme) {
    case data::TagScheme::IOB1:
    case data::TagScheme::IOB2: allowed = "BI"; break;
    case data::TagScheme::IOE1:
    case data::TagScheme::IOE2: allowed = "IE"; break;
    case data::TagScheme::IOBES: allowed = "BIES"; break;
    case data::TagScheme::BILOU: allowed = "BILU"; break;
  }
  if (label.size() < 3 || label[1] != '-' || std::strchr(allowed, label[0]) == nullptr)
    throw ConfigError("CRF constraints: label '" + label + "' is not O or a " + data::tag_scheme_name(scheme) +
                      " tag (set model.scheme to the data's scheme, or model.constraints to false)");
  return {label[0], label.substr(2)};
}

bool is(const Tag& t, const char* prefixes, const std::string& type) {
  return t.prefix != 'O' && std::strchr(prefixes, t.prefix) != nullptr && t.type == type;
}

}  // namespace

CrfConstraints no_constraints(int64_t num_labels) {
  const auto n = static_cast<std::size_t>(num_labels);
  return {num_labels, std::vector<bool>(n * n, true), std::vector<bool>(n, true), std::vector<bool>(n, true)};
}

CrfConstraints scheme_constraints(const std::vector<std::string>& labels, data::TagScheme scheme) {
  const auto n = labels.size();
  std::vector<Tag> tags;
  for (const auto& l : labels) tags.push_back(parse_label(l, scheme));
  CrfConstraints c = no_constraints(static_cast<int64_t>(n));
  using S = data::TagScheme;
  const bool bilou = scheme == S::BILOU;
  const char last = bilou ? 'L' : 'E';
  const std::string inner_or_last = std::string("I") + last;
  for (std::size_t j = 0; j < n; ++j) {
    const Tag& b = tags[j];
    switch (scheme) {
      case S::IOB2: c.start[j] = b.prefix != 'I'; break;
      case S::IOB1: c.start[j] = b.prefix != 'B'; break;
      case S::IOE2: c.end[j] = b.prefix != 'I'; break;
      case S::IOE1: c.end[j] = b.prefix != 'E'; break;
      case S::IOBES:
      case S::BILOU:
        c.start[j] = b.prefix != 'I' && b.prefix != last;
        c.end[j] = b.prefix != 'B' && b.prefix != 'I';
        break;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Tag& a = tags[i];
      bool ok = true;
      switch (scheme) {
        case S::IOB2: ok = b.prefix != 'I' || is(a, "BI", b.type); break;
        case S::IOB1: ok = b.prefix != 'B' || is(a, "BI", b.type); break;
        case S::IOE2: ok = a.prefix != 'I' || is(b, "IE", a.type); break;
        case S::IOE1: ok = a.prefix != 'E' || is(b, "IE", a.type); break;
        case S::IOBES:
        case S::BILOU: {
          const bool a_open = a.prefix == 'B' || a.prefix == 'I';  // a chunk continues after a
          const bool b_continues = b.prefix == 'I' || b.prefix == last;
          ok = a_open ? is(b, inner_or_last.c_str(), a.type) : !b_continues;
          break;
        }
      }
      c.transitions[i * n + j] = ok;
    }
  }
  return c;
}

data::TagScheme scheme_from_labels(const std::vector<std::string>& labels) {
  bool b = false, e = false, s = false, l = false, u = false;
  for (const auto& label : labels) {
    if (label.size() < 2 || label[1] != '-') continue;
    b |= label[0] == 'B', e |= label[0] == 'E', s |= label[0] == 'S';
    l |= label[0] == 'L', u |= label[0] == 'U';
  }
  if (l || u) return data::TagScheme::BILOU;
  if (s || (e && b)) return data::TagScheme::IOBES;
  if (e) return data::TagScheme::IOE2;
  if (b) return data::TagScheme::IOB2;
  return data::TagScheme::IOB1;
}

CrfScores apply_constraints(const CrfScores& scores, const CrfConstraints& c, double forbidden) {
  const int64_t L = c.num_labels;
  if (scores.transitions.size(0) != L)
    throw Error("CRF constraints are for " + std::to_string(L) + " labels, the scores have " +
                std::to_string(scores.transitions.size(0)));
  auto to_mask = [&](const std::vector<bool>& allowed, std::vector<int64_t> shape) {
    std::vector<uint8_t> bytes(allowed.begin(), allowed.end());
    auto t = torch::from_blob(bytes.data(), {static_cast<int64_t>(bytes.size())}, torch::kUInt8).clone();
    return (t == 0).view(shape).to(scores.transitions.device());
  };
  return {scores.transitions.masked_fill(to_mask(c.transitions, {L, L}), forbidden),
          scores.start.masked_fill(to_mask(c.start, {L}), forbidden),
          scores.end.masked_fill(to_mask(c.end, {L}), forbidden)};
}

}  // namespace nertool::ops
