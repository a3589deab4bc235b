// core/config_keys.h: a section declared once reads typed values, applies its rules, refuses unknown keys with the
// closest known one, writes itself back and documents itself; every error has the form "<source>: <key>: <problem>".
#include "nertool/core/config_keys.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "nertool/core/error.h"

namespace {

using nertool::ConfigError;
using nlohmann::json;
namespace config = nertool::config;

enum class Shape { kRound, kSquare };

struct Sample {
  int64_t size = 4;
  double rate = 0.5;
  bool flag = false;
  std::string name = "x";
  Shape shape = Shape::kRound;
};

}  // namespace

namespace nertool {
template <>
struct ChoiceNames<Shape> {
  static constexpr std::array<Choice<Shape>, 2> all{{{"round", Shape::kRound}, {"square", Shape::kSquare}}};
};
}  // namespace nertool

namespace {

const std::vector<config::Key<Sample>>& sample_keys() {
  static const std::vector<config::Key<Sample>> keys = {
      config::key("size", &Sample::size, "how many", ">= 1", config::at_least<int64_t>(1)),
      config::key("rate", &Sample::rate, "a rate", "in [0, 1)", config::rate_below_one()),
      config::key("flag", &Sample::flag, "a switch"),
      config::key("name", &Sample::name, "a name"),
      config::key("shape", &Sample::shape, "a shape"),
  };
  return keys;
}

std::string error_of(const json& section, const std::string& source = "") {
  try {
    config::read_section(sample_keys(), section, "model.sample", source);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ConfigKeys, ReadsTypedValuesAndKeepsDefaultsForAbsentKeys) {
  const Sample s = config::read_section(sample_keys(), json{{"size", 7}, {"flag", true}, {"shape", "square"}},
                                        "model.sample");
  EXPECT_EQ(s.size, 7);
  EXPECT_TRUE(s.flag);
  EXPECT_EQ(s.shape, Shape::kSquare);
  EXPECT_EQ(s.rate, 0.5);
  EXPECT_EQ(s.name, "x");
  EXPECT_EQ(config::read_section(sample_keys(), json(), "model.sample").size, 4);  // null: every default
}

TEST(ConfigKeys, ErrorsNameTheFullKeyInOneForm) {
  EXPECT_EQ(error_of(json{{"size", 0}}), "model.sample.size: must be >= 1 (got 0)");
  EXPECT_EQ(error_of(json{{"rate", 1.0}}, "c.json"), "c.json: model.sample.rate: must be in [0, 1) (got 1.0)");
  EXPECT_EQ(error_of(json{{"size", "big"}}), "model.sample.size: expected an integer, got a string \"big\"");
  EXPECT_EQ(error_of(json{{"shape", "oval"}}), "model.sample.shape: must be round or square (got \"oval\")");
  EXPECT_EQ(error_of(json{{"sise", 3}}), "unknown key 'model.sample.sise' (did you mean 'model.sample.size'?)");
  EXPECT_EQ(error_of(json{{"zzzzzzzz", 3}}),
            "unknown key 'model.sample.zzzzzzzz' (known: size, rate, flag, name, shape)");
  EXPECT_EQ(error_of(json::array()), "model.sample: expected an object, got an array");
  EXPECT_EQ(error_of(json{{"size", 2.5}}), "model.sample.size: expected an integer, got a number 2.5");
  EXPECT_EQ(error_of(json{{"size", 9223372036854775808ULL}}),
            "model.sample.size: integer 9223372036854775808 is out of range");
}

TEST(ConfigKeys, WritesBackWhatItReadsAndDocumentsEachKey) {
  const json written = config::section_json(sample_keys(), Sample{});
  EXPECT_EQ(written, (json{{"size", 4}, {"rate", 0.5}, {"flag", false}, {"name", "x"}, {"shape", "round"}}));
  Sample changed;
  changed.shape = Shape::kSquare;
  changed.size = 9;
  const Sample back = config::read_section(sample_keys(), config::section_json(sample_keys(), changed), "s");
  EXPECT_EQ(back.shape, Shape::kSquare);
  EXPECT_EQ(back.size, 9);
  std::string rows;
  config::append_key_rows(rows, "model.sample", sample_keys());
  EXPECT_NE(rows.find("| `model.sample.size` | integer | `4` | >= 1 | how many |\n"), std::string::npos) << rows;
  EXPECT_NE(rows.find("| `model.sample.shape` | string | `\"round\"` | round or square | a shape |\n"),
            std::string::npos)
      << rows;
}

TEST(ConfigKeys, PresentKeysAreReadBesideOthers) {
  Sample s;
  config::read_present_keys(sample_keys(), json{{"size", 2}, {"encoder", "bert"}}, "model", s);
  EXPECT_EQ(s.size, 2);
  EXPECT_EQ(s.rate, 0.5);
}

// A file that is one section (transformer.json, a taxonomy's object) names keys without a section prefix.
TEST(ConfigKeys, TopLevelSectionsNameBareKeys) {
  auto message = [](const json& j) {
    try {
      config::read_section(sample_keys(), j, "", "file.json");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message(json{{"sise", 2}}), "file.json: unknown key 'sise' (did you mean 'size'?)");
  EXPECT_EQ(message(json{{"size", 0}}), "file.json: size: must be >= 1 (got 0)");
  const json present{{"flag", true}};
  EXPECT_TRUE(config::SectionReader(present, "", "file.json").boolean("flag"));
  // Every typed read requires its key, with the full key named (never the JSON library's own exception).
  const config::SectionReader reader(present, "$.types[2]", "file.json");
  for (const auto& read : std::vector<std::function<void()>>{[&] { reader.str("name"); },
                                                              [&] { reader.integer("name"); },
                                                              [&] { reader.at("name"); }}) {
    try {
      read();
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()), "file.json: $.types[2].name: missing");
    }
  }
}

TEST(ConfigKeys, ClosestKeySuggestsOnlyPlausibleTypos) {
  EXPECT_EQ(config::closest_key("patiance", {"patience", "seed", "lr"}), "patience");
  EXPECT_EQ(config::closest_key("zzzzzzzz", {"patience", "seed", "lr"}), "");
}

}  // namespace
