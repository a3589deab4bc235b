#include "nertool/layers/word_features.h"

#include <gtest/gtest.h>

#include "nertool/core/error.h"
#include "nertool/layers/vocabulary.h"

using namespace nertool::layers;

namespace {
Casing casing(const std::string& w) { return casing_of(utf8_code_points(w)); }
}  // namespace

TEST(WordFeatures, CasingClasses) {
  EXPECT_EQ(casing("1996"), Casing::Numeric);
  EXPECT_EQ(casing("١٩٩٦"), Casing::Numeric);  // Arabic-Indic digits are digits too
  EXPECT_EQ(casing("1,000"), Casing::MainlyNumeric);
  EXPECT_EQ(casing("12-3"), Casing::MainlyNumeric);
  EXPECT_EQ(casing("the"), Casing::Lowercase);
  EXPECT_EQ(casing("e-mail"), Casing::Lowercase);
  EXPECT_EQ(casing("'s"), Casing::Lowercase);
  EXPECT_EQ(casing("EU"), Casing::AllCaps);
  EXPECT_EQ(casing("U.S."), Casing::AllCaps);
  EXPECT_EQ(casing("ÉTÉ"), Casing::AllCaps);
  EXPECT_EQ(casing("Germany"), Casing::UpperInitial);
  EXPECT_EQ(casing("McDonald"), Casing::UpperInitial);
  EXPECT_EQ(casing("Ölkrise"), Casing::UpperInitial);
  EXPECT_EQ(casing("a4"), Casing::Lowercase);  // a letter and all letters lower: lowercase wins over digits
  EXPECT_EQ(casing("4-a-B"), Casing::ContainsDigit);
  EXPECT_EQ(casing(","), Casing::Punctuation);
  EXPECT_EQ(casing("--"), Casing::Punctuation);
  EXPECT_EQ(casing("«"), Casing::Punctuation);
  EXPECT_EQ(casing("iPhone"), Casing::MixedCaps);
  EXPECT_EQ(casing("$"), Casing::Other);
  EXPECT_EQ(casing("東京"), Casing::Other);
  EXPECT_STREQ(casing_name(Casing::MixedCaps), "mixedCaps");
  EXPECT_STREQ(casing_name(Casing::Padding), "padding");
}

TEST(WordFeatures, CharTypes) {
  auto cps = utf8_code_points("aÉ7,€ß");
  ASSERT_EQ(cps.size(), 6u);  // code points, not bytes
  EXPECT_EQ(char_type_of(cps[0]), CharType::Lower);
  EXPECT_EQ(char_type_of(cps[1]), CharType::Upper);
  EXPECT_EQ(char_type_of(cps[2]), CharType::Digit);
  EXPECT_EQ(char_type_of(cps[3]), CharType::Punctuation);
  EXPECT_EQ(char_type_of(cps[4]), CharType::Other);  // currency symbol
  EXPECT_EQ(char_type_of(cps[5]), CharType::Lower);
}

TEST(WordFeatures, Utf8Helpers) {
  EXPECT_EQ(utf8_code_points("日本").size(), 2u);
  EXPECT_EQ(utf8_encode(U'本'), "本");
  EXPECT_EQ(utf8_code_points(std::string("a\xff" "b")), (std::vector<char32_t>{U'a', 0xFFFD, U'b'}));
  EXPECT_EQ(utf8_lower("GERMANY"), "germany");
  EXPECT_EQ(utf8_lower("ÖSTERREICH"), "österreich");
  EXPECT_EQ(fold_digits("1996-12"), "0000-00");
  EXPECT_EQ(fold_digits("é٣"), "é0");
}

TEST(Vocabulary, RoundTripAndReservedIds) {
  Vocabulary v;
  EXPECT_EQ(v.add("Germany"), 2);
  EXPECT_EQ(v.add("Köln"), 3);
  EXPECT_EQ(v.add("Germany"), 2);
  EXPECT_EQ(v.id("unseen"), Vocabulary::kUnknown);
  auto back = Vocabulary::from_json(nlohmann::json::parse(v.to_json().dump()));
  ASSERT_EQ(back.size(), v.size());
  for (int64_t i = 0; i < v.size(); ++i) EXPECT_EQ(back.item(i), v.item(i));
  EXPECT_EQ(back.id("Köln"), 3);
  EXPECT_THROW(Vocabulary::from_json(nlohmann::json::array({"<pad>", "<unk>", "a", "a"})), nertool::Error);
  EXPECT_THROW(Vocabulary::from_json(nlohmann::json::array({"a"})), nertool::Error);
}
