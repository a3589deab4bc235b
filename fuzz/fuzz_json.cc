// The JSON reader every config, taxonomy, type map, run directory and tokenizer file goes through; then walking
// the value as the typed readers do (dump recurses once per level).
#include "fuzz_util.h"
#include "nertool/core/json.h"

NERTOOL_FUZZ_TARGET({
  const nlohmann::json value = nertool::parse_json(input, "fuzz.json");
  (void)value.dump();
})
