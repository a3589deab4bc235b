#include "nertool/text/word_tokenizer.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "nertool/core/error.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace nertool::text {
namespace {

using Strings = std::vector<std::string>;

// Tokens of `line`, checking that every token's offsets point at its text.
Strings tokens(const std::string& line) {
  Strings out;
  std::size_t chars_before = 0, last_byte = 0;
  for (const auto& t : tokenize_words(line)) {
    EXPECT_EQ(line.substr(t.begin, t.end - t.begin), t.text) << line;
    EXPECT_LE(last_byte, t.begin);
    // Code-point offsets: count the UTF-8 lead bytes before the token.
    for (std::size_t i = last_byte; i < t.begin; ++i) chars_before += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
    EXPECT_EQ(t.char_begin, chars_before) << t.text;
    std::size_t chars = 0;
    for (char c : t.text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    EXPECT_EQ(t.char_end, t.char_begin + chars) << t.text;
    chars_before += chars;
    last_byte = t.end;
    out.push_back(t.text);
  }
  return out;
}

TEST(WordTokenizer, ConllStyleSentences) {
  EXPECT_EQ(tokens("EU rejects German call to boycott British lamb."),
            (Strings{"EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."}));
  EXPECT_EQ(tokens("Peter Blackburn said: \"I don't think it's over.\""),
            (Strings{"Peter", "Blackburn", "said", ":", "\"", "I", "do", "n't", "think", "it", "'s", "over", ".",
                     "\""}));
  EXPECT_EQ(tokens("The U.S. economy grew 3.5% in 1996-08-22, with 1,000 jobs at 10:30 a.m. on Mr. Smith's watch."),
            (Strings{"The", "U.S.", "economy", "grew", "3.5", "%", "in", "1996-08-22", ",", "with", "1,000", "jobs",
                     "at", "10:30", "a.m.", "on", "Mr.", "Smith", "'s", "watch", "."}));
  EXPECT_EQ(tokens("(Reuters) - S&P 500 fell $5, a year-earlier EU-wide figure; O'Brien can't."),
            (Strings{"(", "Reuters", ")", "-", "S&P", "500", "fell", "$", "5", ",", "a", "year-earlier", "EU-wide",
                     "figure", ";", "O'Brien", "ca", "n't", "."}));
  EXPECT_EQ(tokens("1. Michael Schumacher (Germany) 1:54.342"),
            (Strings{"1.", "Michael", "Schumacher", "(", "Germany", ")", "1:54.342"}));
  EXPECT_EQ(tokens("It cost 5."), (Strings{"It", "cost", "5", "."}));
  EXPECT_EQ(tokens("Call +44 171 or -0.5 ... wait--really?!"),
            (Strings{"Call", "+44", "171", "or", "-0.5", "...", "wait", "--", "really", "?", "!"}));
  EXPECT_EQ(tokens("I'm sure they're the Joneses' kids, we'll see, JOHN'S."),
            (Strings{"I", "'m", "sure", "they", "'re", "the", "Joneses", "'", "kids", ",", "we", "'ll", "see", ",",
                     "JOHN", "'S", "."}));
  EXPECT_EQ(tokens("Germany beat Italy 6-4 1/2 (U.S.) U.S.-based vs. Calif. etc. Iraq-U.N. Wash.-based"),
            (Strings{"Germany", "beat", "Italy", "6-4", "1/2", "(", "U.S.", ")", "U.S.-based", "vs.", "Calif.",
                     "etc.", "Iraq-U.N.", "Wash.-based"}));
  EXPECT_EQ(tokens("C$5 and US$ 3, pre- and post-war, rated AA+ or BBB-, **"),
            (Strings{"C$", "5", "and", "US$", "3", ",", "pre-", "and", "post-war", ",", "rated", "AA+", "or", "BBB-",
                     ",", "**"}));
  EXPECT_EQ(tokens("the U.S.'s Smith's."), (Strings{"the", "U.S.", "'s", "Smith", "'s", "."}));
  EXPECT_EQ(tokens("Already 's tokenized n't input ."), (Strings{"Already", "'s", "tokenized", "n't", "input", "."}));
}

TEST(WordTokenizer, UrlsAndEmail) {
  EXPECT_EQ(tokens("Mail john.doe@reuters.com or see http://www.reuters.com/news?id=5."),
            (Strings{"Mail", "john.doe@reuters.com", "or", "see", "http://www.reuters.com/news?id=5", "."}));
  EXPECT_EQ(tokens("(www.internetstartup.com)"), (Strings{"(", "www.internetstartup.com", ")"}));
  EXPECT_EQ(tokens("@ home"), (Strings{"@", "home"}));
}

TEST(WordTokenizer, UnicodeOffsetsAndCategories) {
  const std::string line = "  M\xC3\xBCller\xE2\x80\x99s caf\xC3\xA9 in S\xC3\xA3o Paulo \xE2\x80\x94 \xE2\x80\x9Cgreat\xE2\x80\x9D.";
  auto ts = tokenize_words(line);
  ASSERT_EQ(tokens(line), (Strings{"M\xC3\xBCller", "\xE2\x80\x99s", "caf\xC3\xA9", "in", "S\xC3\xA3o", "Paulo",
                                   "\xE2\x80\x94", "\xE2\x80\x9C", "great", "\xE2\x80\x9D", "."}));
  EXPECT_EQ(ts[0].begin, 2u);
  EXPECT_EQ(ts[0].end, 9u);
  EXPECT_EQ(ts[0].char_begin, 2u);
  EXPECT_EQ(ts[0].char_end, 8u);
  EXPECT_EQ(ts[1].char_begin, 8u);  // ’s
  EXPECT_EQ(ts[1].char_end, 10u);
  // Combining accent, emoji with a skin-tone modifier, a flag, CJK without spaces, ideographic full stop.
  EXPECT_EQ(tokens("e\xCC\x81" "cole Hi \xF0\x9F\x91\x8B\xF0\x9F\x8F\xBD! \xF0\x9F\x87\xA9\xF0\x9F\x87\xAA"),
            (Strings{"e\xCC\x81" "cole", "Hi", "\xF0\x9F\x91\x8B\xF0\x9F\x8F\xBD", "!",
                     "\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA"}));
  EXPECT_EQ(tokens("\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAF\xE5\xA4\xA7\xE3\x81\x8D\xE3\x81\x84\xE3\x80\x82"),
            (Strings{"\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAF\xE5\xA4\xA7\xE3\x81\x8D\xE3\x81\x84", "\xE3\x80\x82"}));
  // No-break space and tabs separate tokens.
  EXPECT_EQ(tokens("a\xC2\xA0" "b\tc"), (Strings{"a", "b", "c"}));
  EXPECT_TRUE(tokens("").empty());
  EXPECT_TRUE(tokens(" \t ").empty());
}

TEST(WordTokenizer, InvalidUtf8IsAnInputError) {
  try {
    tokenize_words("ok \xC3(", "in.txt", 7);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "in.txt");
    EXPECT_EQ(e.line(), 7u);
    EXPECT_NE(e.problem().find("invalid UTF-8 at byte column 4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(tokenize_words("\xC0\xAF"), InputError);
  EXPECT_THROW(tokenize_words(std::string("a\0b", 3)), InputError);
}

// On random strings over a tricky alphabet, tokens are non-empty, in order, never overlap, never contain
// whitespace, and together cover every non-space byte.
TEST(WordTokenizer, RandomInputCoveredExactly) {
  const std::vector<std::string> alphabet = {"a", "Z", "7", ".", ",", "-", "'", "\xE2\x80\x99", "$", "+", "@", ":",
                                             "/", "(", ")", "\"", " ", "\t", "n", "t", "s", "U", "\xCC\x81",
                                             "\xE2\x80\x8D", "\xF0\x9F\x87\xA9", "\xE6\x9D\xB1", "http://",
                                             "www.", "`", "*", "\xC2\xA0"};
  std::uint64_t state = 12345;
  for (int round = 0; round < 3000; ++round) {
    std::string line;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int len = static_cast<int>((state >> 33) % 24);
    for (int k = 0; k < len; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      line += alphabet[(state >> 33) % alphabet.size()];
    }
    std::string covered, expected;
    std::size_t last = 0;
    for (const auto& t : tokenize_words(line)) {
      ASSERT_LT(t.begin, t.end) << line;
      ASSERT_LE(last, t.begin) << line;
      ASSERT_EQ(line.substr(t.begin, t.end - t.begin), t.text);
      for (std::size_t i = last; i < t.begin; ++i) {
        const char c = line[i];
        ASSERT_TRUE(c == ' ' || c == '\t' || c == '\xC2' || c == '\xA0') << "byte " << i << " dropped in: " << line;
      }
      ASSERT_EQ(t.text.find(' '), std::string::npos) << line;
      last = t.end;
    }
    for (std::size_t i = last; i < line.size(); ++i) {
      const char c = line[i];
      ASSERT_TRUE(c == ' ' || c == '\t' || c == '\xC2' || c == '\xA0') << "tail dropped in: " << line;
    }
  }
}

// Re-tokenizing CoNLL-2003's own tokens joined by spaces gives the same tokens back (tokens that are pieces of
// clitics or split abbreviations are the only ones that may differ).
TEST(WordTokenizerShared, KeepsConll2003TokensWhole) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/train.txt");
  // The first column of each line, sentences at blank lines (read here directly: test_text links no data area).
  std::vector<Strings> sentences(1);
  const std::string text = read_file(testing::shared_path("data/conll2003/train.txt"));
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) {
      if (!sentences.back().empty()) sentences.emplace_back();
    } else if (line.rfind("-DOCSTART-", 0) != 0) {
      sentences.back().push_back(line.substr(0, line.find(' ')));
    }
  }
  if (sentences.back().empty()) sentences.pop_back();
  ASSERT_EQ(sentences.size(), 14041u);
  std::size_t total = 0, same = 0;
  std::size_t sentences_same = 0;
  for (const auto& tokens : sentences) {
    std::string line;
    for (const auto& t : tokens) line += (line.empty() ? "" : " ") + t;
    const auto again = tokenize_words_text(line);
    total += tokens.size();
    sentences_same += again == tokens;
    for (std::size_t i = 0, j = 0; i < tokens.size(); ++i) {
      // Tokens are counted as kept when the re-tokenization contains them in order.
      std::size_t k = j;
      while (k < again.size() && again[k] != tokens[i]) ++k;
      if (k < again.size()) {
        ++same;
        j = k + 1;
      }
    }
  }
  const double token_rate = static_cast<double>(same) / total;
  const double sentence_rate = static_cast<double>(sentences_same) / sentences.size();
  RecordProperty("token_rate", std::to_string(token_rate));
  RecordProperty("sentence_rate", std::to_string(sentence_rate));
  EXPECT_GT(token_rate, 0.999);  // 0.99975 measured
  EXPECT_GT(sentence_rate, 0.995);  // 0.99687 measured
}

}  // namespace
}  // namespace nertool::text
