#include "nertool/core/json.h"

#include <gtest/gtest.h>

#include <string>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "test_paths.h"

namespace nertool {
namespace {

InputError parse_error(const std::string& text, const std::string& source = "x.json") {
  try {
    parse_json(text, source);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for " << text.substr(0, 40);
  return InputError("", 0, "");
}

TEST(Json, ParsesValidText) {
  EXPECT_EQ(parse_json(R"({"a": [1, 2, {"b": "]]}"}]})", "x.json")["a"][2]["b"], "]]}");
}

TEST(Json, ErrorsNameSourceLineAndColumn) {
  InputError e = parse_error("{\n  \"a\": 1,,\n}\n", "cfg.json");
  EXPECT_EQ(e.file(), "cfg.json");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_NE(e.problem().find("invalid JSON at column 10: "), std::string::npos) << e.what();
  EXPECT_EQ(e.problem().find("[json.exception"), std::string::npos) << e.what();  // no library prefix
  EXPECT_EQ(parse_error("").line(), 1u);
}

// A hostile file nested 100k levels deep: refused before parsing, naming where the limit was passed.
TEST(Json, DeepNestingIsRefusedNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  InputError e = parse_error(deep);
  EXPECT_NE(e.problem().find("column " + std::to_string(kMaxJsonDepth + 1) + ": objects and arrays nest deeper than"),
            std::string::npos)
      << e.what();
  const std::string objects = [] {
    std::string s;
    for (int i = 0; i < 100000; ++i) s += "{\"a\":";
    return s;
  }();
  EXPECT_NE(parse_error(objects).problem().find("nest deeper"), std::string::npos);
  // Exactly at the limit is fine; brackets inside strings do not count.
  const std::string at_limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_NO_THROW(parse_json(at_limit, "x.json"));
  EXPECT_NO_THROW(parse_json("\"" + std::string(1000, '[') + "\\\"\"", "x.json"));
}

// Found by fuzz/fuzz_json.cc: a number beyond double's range is json::out_of_range, not a parse_error.
TEST(Json, NumbersBeyondDoubleAreInputErrors) {
  InputError e = parse_error("[1, -2.5e2602]");
  EXPECT_NE(e.problem().find("number overflow parsing '-2.5e2602'"), std::string::npos) << e.what();
}

TEST(Json, ReadJsonFileNamesThePath) {
  testing::TempDir dir;
  write_file_atomic(dir.file("bad.json"), std::string("[1,\n2,\n]"));
  try {
    read_json_file(dir.file("bad.json"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), dir.file("bad.json"));
    EXPECT_EQ(e.line(), 3u);
  }
  EXPECT_THROW(read_json_file(dir.file("absent.json")), IoError);
}

}  // namespace
}  // namespace nertool
