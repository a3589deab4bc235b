#include "nertool/layers/vocabulary.h"

#include "nertool/core/error.h"

namespace nertool::layers {

Vocabulary::Vocabulary() {
  add("<pad>");
  add("<unk>");
}

int64_t Vocabulary::add(const std::string& item) {
  auto [it, inserted] = index_.emplace(item, size());
  if (inserted) items_.push_back(item);
  return it->second;
}

int64_t Vocabulary::find(const std::string& item) const {
  auto it = index_.find(item);
  return it == index_.end() ? -1 : it->second;
}

nlohmann::json Vocabulary::to_json() const { return items_; }

Vocabulary Vocabulary::from_json(const nlohmann::json& j) {
  if (!j.is_array() || j.size() < 2 || j[0] != "<pad>" || j[1] != "<unk>")
    throw Error("vocabulary must be a list starting with \"<pad>\", \"<unk>\"");
  Vocabulary v;
  for (std::size_t i = 2; i < j.size(); ++i) {
    const auto& s = j[i].get_ref<const std::string&>();
    if (v.add(s) != static_cast<int64_t>(i)) throw Error("vocabulary lists '" + s + "' twice");
  }
  return v;
}

}  // namespace nertool::layers
