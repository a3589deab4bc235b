#include "nertool/core/choice.h"

#include <gtest/gtest.h>

#include <string>


namespace nertool {

enum class Fruit { kApple, kPear, kQuince };
enum class Coin { kHeads, kTails };

template <>
struct ChoiceNames<Fruit> {
  static constexpr std::array<Choice<Fruit>, 4> all{
      {{"apple", Fruit::kApple}, {"pear", Fruit::kPear}, {"quince", Fruit::kQuince}, {"malus", Fruit::kApple}}};
};
template <>
struct ChoiceNames<Coin> {
  static constexpr std::array<Choice<Coin>, 2> all{{{"heads", Coin::kHeads}, {"tails", Coin::kTails}}};
};

namespace {

TEST(Choice, NamesAndValuesRoundTripWithTheFirstNameWrittenBack) {
  for (const auto& c : ChoiceNames<Fruit>::all) EXPECT_EQ(find_choice<Fruit>(c.name), c.value) << c.name;
  EXPECT_STREQ(choice_name(Fruit::kApple), "apple");  // "malus" is an alias
  EXPECT_STREQ(choice_name(Coin::kTails), "tails");
  EXPECT_FALSE(find_choice<Fruit>("Apple"));  // names are exact
  EXPECT_FALSE(find_choice<Fruit>(""));
}

TEST(Choice, RulesSayWhatAValueMustBe) {
  EXPECT_EQ(choice_rule<Coin>(), "heads or tails");
  EXPECT_EQ(choice_rule<Fruit>(), "one of apple, pear, quince, malus");
}

}  // namespace
}  // namespace nertool
