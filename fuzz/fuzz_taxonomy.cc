// Taxonomies and type maps from any JSON.
#include "fuzz_util.h"
#include "nertool/core/json.h"
#include "nertool/taxonomy/taxonomy.h"
#include "nertool/taxonomy/type_map.h"

NERTOOL_FUZZ_TARGET({
  const nlohmann::json doc = nertool::parse_json(input, "fuzz.json");
  try {
    (void)nertool::taxonomy::Taxonomy::from_json(doc, "fuzz.json");
  } catch (const nertool::Error&) {
  }
  (void)nertool::taxonomy::TypeMap::from_json(doc, "fuzz.json");
})
