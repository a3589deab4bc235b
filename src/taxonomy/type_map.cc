#include "nertool/taxonomy/type_map.h"

#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"

namespace nertool::taxonomy {

using nlohmann::json;

TypeMap TypeMap::from_json(const json& doc, const std::string& source_file) {
  if (!doc.is_object()) config::fail(source_file, "$", "expected an object, got " + config::json_type_name(doc));
  config::check_known_keys(doc, {"name", "source", "target", "map", "description"}, "$", source_file);
  const config::SectionReader r(doc, "$", source_file);
  auto nonempty_string = [&](const char* key) {
    std::string value = r.str(key);
    if (value.empty()) r.fail(key, "empty string");
    return value;
  };
  TypeMap m;
  m.name_ = nonempty_string("name");
  m.source_ = nonempty_string("source");
  m.target_ = nonempty_string("target");
  if (r.has("description")) r.str("description");
  const json& entries = r.at("map");
  if (!entries.is_object()) r.fail("map", "expected an object, got " + config::json_type_name(entries));
  if (entries.empty()) r.fail("map", "empty map");
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    const std::string path = "$.map[" + json(it.key()).dump() + "]";
    if (it.key().empty()) config::fail(source_file, path, "empty source type");
    if (!it.value().is_string())
      config::fail(source_file, path, "expected a target type or \"O\", got " + config::json_type_name(it.value()));
    const std::string target = it.value().get<std::string>();
    if (target.empty()) config::fail(source_file, path, "empty target type (write \"O\" to drop the mentions)");
    m.map_[it.key()] = target;
  }
  return m;
}

TypeMap TypeMap::load(const std::string& path) { return from_json(read_json_file(path), path); }

json TypeMap::to_json() const {
  return json{{"name", name_}, {"source", source_}, {"target", target_}, {"map", map_}};
}

void TypeMap::validate(const Taxonomy& source, const Taxonomy& target) const {
  std::vector<std::string> problems;
  if (source.name() != source_)
    problems.push_back("map is from taxonomy \"" + source_ + "\", not \"" + source.name() + "\"");
  if (target.name() != target_)
    problems.push_back("map is to taxonomy \"" + target_ + "\", not \"" + target.name() + "\"");
  for (const auto& [from, to] : map_) {
    if (!source.contains(from)) problems.push_back("\"" + from + "\" is not a type of \"" + source.name() + "\"");
    if (to != "O" && !target.contains(to))
      problems.push_back("\"" + from + "\" maps to \"" + to + "\", which is not a type of \"" + target.name() +
                         "\" (nor \"O\")");
  }
  for (const auto& type : source.type_names())
    if (!contains(type)) problems.push_back("source type \"" + type + "\" is not mapped");
  if (problems.empty()) return;
  std::string message = "type map \"" + name_ + "\" does not fit its taxonomies:";
  for (const auto& p : problems) message += "\n  " + p;
  throw ConfigError(message);
}

std::optional<std::string> TypeMap::map_type(const std::string& source_type) const {
  auto it = map_.find(source_type);
  if (it == map_.end()) throw Error("type \"" + source_type + "\" is not in type map \"" + name_ + "\"");
  if (it->second == "O") return std::nullopt;
  return it->second;
}

std::vector<std::string> TypeMap::map_iob2(const std::vector<std::string>& labels, const std::string& file,
                                           std::size_t line) const {
  std::vector<std::string> out;
  out.reserve(labels.size());
  std::string open;  // type of the entity the previous label belongs to, "" after O
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i];
    auto where = [&] { return "label " + std::to_string(i + 1) + " \"" + label + "\": "; };
    if (label == "O") {
      out.push_back("O");
      open.clear();
      continue;
    }
    if (label.size() < 3 || (label[0] != 'B' && label[0] != 'I') || label[1] != '-')
      throw InputError(file, line, where() + "not an IOB2 label (expected O, B-TYPE or I-TYPE)");
    const std::string type = label.substr(2);
    if (label[0] == 'I' && type != open)
      throw InputError(file, line, where() + "I- label does not continue a " + type + " entity (not valid IOB2)");
    auto it = map_.find(type);
    if (it == map_.end())
      throw InputError(file, line, where() + "type \"" + type + "\" is not in type map \"" + name_ + "\"");
    out.push_back(it->second == "O" ? std::string("O") : label.substr(0, 2) + it->second);
    open = type;
  }
  return out;
}

}  // namespace nertool::taxonomy
