#pragma once
// The hand-made hierarchy the taxonomy tests compute known answers on:
//   A ── B ── D
//   │    └─── E ── G
//   └─── C ── F
//   X            (a second tree)
#include <nlohmann/json.hpp>

namespace nertool::testing {

inline nlohmann::json small_taxonomy_json() {
  return nlohmann::json::parse(R"({
    "name": "small",
    "types": [
      {"name": "A"}, {"name": "B", "parent": "A"}, {"name": "C", "parent": "A"},
      {"name": "D", "parent": "B"}, {"name": "E", "parent": "B"}, {"name": "F", "parent": "C"},
      {"name": "G", "parent": "E", "description": "declared after its parent"}, {"name": "X"}
    ]
  })");
}

}  // namespace nertool::testing
