#pragma once
// A type-mapping table from a source taxonomy to a target taxonomy (the "Direct" transfer approach): each source
// type maps to one target type or to "O", which drops the mention. File format in docs/taxonomy.md.
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nertool/taxonomy/taxonomy.h"

namespace nertool::taxonomy {

class TypeMap {
 public:
  TypeMap() = default;
  // Parses {"name", "source", "target", "map": {"SRC": "TGT" | "O"}}. Throws InputError(source_file, 0,
  // "$.path: problem").
  static TypeMap from_json(const nlohmann::json& doc, const std::string& source_file = "<type map>");
  static TypeMap load(const std::string& path);
  nlohmann::json to_json() const;

  const std::string& name() const { return name_; }
  const std::string& source_taxonomy() const { return source_; }
  const std::string& target_taxonomy() const { return target_; }
  const std::map<std::string, std::string>& entries() const { return map_; }

  // Checks the map against the taxonomies it names: the names agree, every source type is mapped, no key is
  // foreign to the source, every value is a target type or "O". Throws ConfigError listing the problems.
  void validate(const Taxonomy& source, const Taxonomy& target) const;

  bool contains(const std::string& source_type) const { return map_.count(source_type) > 0; }
  // The target type, or nullopt when the type maps to "O". Throws Error naming an unmapped type.
  std::optional<std::string> map_type(const std::string& source_type) const;

  // Maps an IOB2 label sequence label by label (B-X -> B-map(X), I-X -> I-map(X), a type mapped to "O" -> O; the
  // result is again valid IOB2). Throws InputError(file, line, ...) naming the label when a label is not IOB2, a
  // sequence is not valid IOB2, or a type is not in the map.
  std::vector<std::string> map_iob2(const std::vector<std::string>& labels, const std::string& file = "",
                                    std::size_t line = 0) const;

 private:
  std::string name_;
  std::string source_;
  std::string target_;
  std::map<std::string, std::string> map_;
};

}  // namespace nertool::taxonomy
