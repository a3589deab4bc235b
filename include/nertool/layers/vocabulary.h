#pragma once
// String <-> id table with reserved padding (0) and unknown (1) entries, saved with the model as JSON.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace nertool::layers {

class Vocabulary {
 public:
  static constexpr int64_t kPadding = 0;
  static constexpr int64_t kUnknown = 1;
  Vocabulary();  // holds "<pad>" and "<unk>"
  int64_t add(const std::string& item);  // id of item, added if new
  int64_t find(const std::string& item) const;  // id, or -1
  int64_t id(const std::string& item) const { auto i = find(item); return i < 0 ? kUnknown : i; }
  bool contains(const std::string& item) const { return find(item) >= 0; }
  const std::string& item(int64_t id) const { return items_.at(static_cast<std::size_t>(id)); }
  int64_t size() const { return static_cast<int64_t>(items_.size()); }
  nlohmann::json to_json() const;  // the item list, in id order
  // Throws Error when the list is not a vocabulary (missing reserved entries, duplicates).
  static Vocabulary from_json(const nlohmann::json& j);

 private:
  std::vector<std::string> items_;
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace nertool::layers
