// The tricky rules of the subword tokenizers, on small hand-made vocabularies (known answers worked out from the
// Hugging Face slow tokenizers' code), plus loading, saving and the XLM-RoBERTa id layout on the fixtures.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/text/byte_level_bpe_tokenizer.h"
#include "nertool/text/sentencepiece_tokenizer.h"
#include "nertool/text/unicode.h"
#include "nertool/text/wordpiece_tokenizer.h"
#include "test_paths.h"

namespace {

using namespace nertool::text;
using nertool::testing::shared_path;
using nertool::testing::TempDir;
using Ids = std::vector<int64_t>;
using Strings = std::vector<std::string>;

WordPieceTokenizer make_wordpiece(bool lower, std::optional<bool> strip = std::nullopt) {
  WordPieceOptions options;
  options.settings.do_lower_case = lower;
  options.settings.strip_accents = strip;
  // 0..4 special, then words and pieces.
  Strings vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cafe", "café", "Café", "东", "京", "un",
                   "##aff", "##able", ".", "U", "S", "a", "##b", "x", "i", "̇", "€"};
  return WordPieceTokenizer(vocab, options);
}

TEST(WordPiece, GreedyLongestMatchWithContinuationPrefix) {
  auto tok = make_wordpiece(false);
  EXPECT_EQ(tok.wordpiece("unaffable"), (Strings{"un", "##aff", "##able"}));
  EXPECT_EQ(tok.wordpiece("unaffablex"), (Strings{"[UNK]"}));  // one unmatched piece makes the whole word [UNK]
  EXPECT_EQ(tok.encode_text("unaffable"), (Ids{2, 10, 11, 12, 3}));
}

TEST(WordPiece, WordsLongerThan100CharactersBecomeUnk) {
  auto tok = make_wordpiece(false);
  std::string ok = "a" + std::string(99, 'b');  // 100 characters: split into pieces
  std::string too_long = "a" + std::string(100, 'b');
  EXPECT_EQ(tok.wordpiece(ok).size(), 100u);
  EXPECT_EQ(tok.wordpiece(too_long), (Strings{"[UNK]"}));
  // Characters, not bytes, count: 100 two-byte characters are still within the limit of the rule.
  std::string euros;
  for (int i = 0; i < 101; ++i) euros += "€";
  EXPECT_EQ(tok.wordpiece(euros), (Strings{"[UNK]"}));
}

TEST(WordPiece, PunctuationCjkAndControlCharacters) {
  auto tok = make_wordpiece(false);
  EXPECT_EQ(tok.basic_tokenize("U.S."), (Strings{"U", ".", "S", "."}));
  // '$' is ASCII punctuation for BERT; '€' (Sc) is not punctuation and stays attached.
  EXPECT_EQ(tok.basic_tokenize("$5 5€"), (Strings{"$", "5", "5€"}));
  EXPECT_EQ(tok.basic_tokenize("x东京x"), (Strings{"x", "东", "京", "x"}));
  // NUL, U+FFFD and format characters (U+200B) are removed; U+00A0 is whitespace.
  EXPECT_EQ(tok.basic_tokenize(std::string("a\0b", 3)), (Strings{"ab"}));
  EXPECT_EQ(tok.basic_tokenize("a\xEF\xBF\xBD" "b\xE2\x80\x8B" "c a\xC2\xA0" "b"), (Strings{"abc", "a", "b"}));
  auto enc = tok.encode_words({"x", "\xE2\x80\x8B", "x"});  // a word that vanishes has no subword
  EXPECT_EQ(enc.input_ids, (Ids{2, 18, 18, 3}));
  EXPECT_EQ(enc.word_first_subword, (Ids{1, -1, 2}));
  EXPECT_EQ(enc.word_num_subwords, (Ids{1, 0, 1}));
}

TEST(WordPiece, CasingAndAccents) {
  EXPECT_EQ(make_wordpiece(false).encode_text("Café", false), (Ids{7}));
  EXPECT_EQ(make_wordpiece(true).encode_text("Café", false), (Ids{5}));         // lower + strip (strip=None)
  EXPECT_EQ(make_wordpiece(true, false).encode_text("Café", false), (Ids{6}));  // lower, keep accents
  EXPECT_EQ(make_wordpiece(false, true).encode_text("café", false), (Ids{5}));  // strip without lower
  // Python's lower(): U+0130 becomes "i" + U+0307; stripping then removes the mark.
  EXPECT_EQ(python_lower("\xC4\xB0"), "i\xCC\x87");
  EXPECT_EQ(make_wordpiece(true).basic_tokenize("\xC4\xB0"), (Strings{"i"}));
  // A decomposed accent (e + U+0301) stays decomposed, as in transformers 4.29.2 and the fast BertNormalizer:
  // "cafe" matches, "##" + U+0301 does not, so the whole word is [UNK] (1), not the composed entry "café" (6).
  EXPECT_EQ(make_wordpiece(false).encode_text("cafe\xCC\x81", false), (Ids{1}));
  EXPECT_EQ(make_wordpiece(true, false).encode_text("Cafe\xCC\x81", false), (Ids{1}));  // lower-cased only
  EXPECT_EQ(make_wordpiece(true).encode_text("Cafe\xCC\x81", false), (Ids{5}));         // stripping drops the mark
}

// Known answers on bert-base-cased's vocabulary, worked out with BasicTokenizer + WordpieceTokenizer of
// transformers 4.29.2 (which has no NFC): a combining mark is a code point of its own in the greedy match.
TEST(WordPiece, CombiningMarksOnBertBaseCased) {
  NERTOOL_REQUIRE_SHARED("data/tokenizers/bert-base-cased/vocab.txt");
  auto tok = load_tokenizer(shared_path("data/tokenizers/bert-base-cased"));
  EXPECT_EQ(tok->encode_words({"Zu\xCC\x88rich"}).input_ids, (Ids{101, 100, 102}));  // the issue's case: [UNK]
  EXPECT_EQ(tok->encode_words({"Z\xC3\xBCrich"}).input_ids, (Ids{101, 16592, 102}));  // composed: "Zürich"
  EXPECT_EQ(tok->encode_word("Cafe\xCC\x81"), (Ids{18375, 28310}));                  // Cafe ##U+0301
  EXPECT_EQ(tok->encode_word("Caf\xC3\xA9"), (Ids{21036}));                           // Café
  EXPECT_EQ(tok->encode_word("Ame\xCC\x81lie"), (Ids{7277, 1162, 28310, 7174}));     // Am ##e ##U+0301 ##lie
  EXPECT_EQ(tok->encode_word("\xCC\x81"), (Ids{389}));                               // a lone mark
  EXPECT_EQ(tok->encode_word("\xE0\xA4\x95\xE0\xA5\x8D"), (Ids{607, 28537}));       // Devanagari ka + virama
  // Lower-casing with accent stripping (bert-base-uncased's rules) removes the mark either way.
  WordPieceOptions uncased;
  uncased.settings.do_lower_case = true;
  WordPieceTokenizer lower(WordPieceTokenizer::read_vocab_file(shared_path("data/tokenizers/bert-base-cased/vocab.txt")),
                           uncased);
  EXPECT_EQ(lower.basic_tokenize("Ame\xCC\x81lie Am\xC3\xA9lie"), (Strings{"amelie", "amelie"}));
}

TEST(WordPiece, SpecialTokensInTextAreNotSplit) {
  auto tok = make_wordpiece(true);
  EXPECT_EQ(tok.encode_text("a [MASK] b", false), (Ids{16, 4, 1}));  // "b" alone is not in the vocabulary
  EXPECT_EQ(tok.encode_text("[CLS]a", false), (Ids{2, 16}));
}

ByteLevelBpeTokenizer make_bpe(std::size_t cache_capacity = 1000) {
  std::unordered_map<std::string, int64_t> vocab = {{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}};
  for (int b = 0; b < 256; ++b) vocab.emplace(ByteLevelBpeTokenizer::byte_symbol(static_cast<unsigned char>(b)),
                                              static_cast<int64_t>(vocab.size()));
  std::vector<std::pair<std::string, std::string>> merges = {{"Ġ", "l"}, {"o", "w"}, {"Ġl", "ow"}, {"e", "r"}};
  for (const auto& m : {"Ġl", "ow", "Ġlow", "er"}) vocab.emplace(m, static_cast<int64_t>(vocab.size()));
  vocab.emplace("<mask>", static_cast<int64_t>(vocab.size()));
  ByteLevelBpeOptions options;
  options.cache_capacity = cache_capacity;
  return ByteLevelBpeTokenizer(vocab, merges, options);
}

Strings views(const std::string& text) {
  Strings out;
  for (auto v : ByteLevelBpeTokenizer::pre_tokenize(text)) out.emplace_back(v);
  return out;
}

TEST(ByteLevelBpe, Gpt2PreTokenizationPattern) {
  EXPECT_EQ(views("Hello world"), (Strings{"Hello", " world"}));
  EXPECT_EQ(views("don't we'll I'M"), (Strings{"don", "'t", " we", "'ll", " I", "'", "M"}));
  EXPECT_EQ(views("a  b   "), (Strings{"a", " ", " b", "   "}));  // \s+(?!\S) leaves one space to the next word
  EXPECT_EQ(views("x\xC2\xA0y"), (Strings{"x", "\xC2\xA0", "y"}));  // only ASCII space is the optional prefix
  EXPECT_EQ(views("abc123!!? 4.5"), (Strings{"abc", "123", "!!?", " 4", ".", "5"}));
  EXPECT_EQ(views(" \xC3\xA9t\xC3\xA9 \xE6\x9D\xB1"), (Strings{" \xC3\xA9t\xC3\xA9", " \xE6\x9D\xB1"}));
}

TEST(ByteLevelBpe, CombiningMarksAreNotNormalized) {
  // U+0308 is Mn, neither \p{L} nor \p{N}: the GPT-2 pattern makes it a piece of its own, as in HF.
  EXPECT_EQ(views(" Zu\xCC\x88rich"), (Strings{" Zu", "\xCC\x88", "rich"}));
  EXPECT_EQ(views(" Z\xC3\xBCrich"), (Strings{" Z\xC3\xBCrich"}));
  auto tok = make_bpe();
  EXPECT_EQ(tok.bpe("\xCC\x88"), (Strings{"Ì", "Ī"}));  // the two UTF-8 bytes 0xCC 0x88, no composition
  EXPECT_NE(tok.encode_word("Zu\xCC\x88rich"), tok.encode_word("Z\xC3\xBCrich"));
}

TEST(ByteLevelBpe, DamagedMergesFilesAreErrorsNamingTheLine) {
  TempDir dir;
  auto error_of = [&](const std::string& text) {
    nertool::write_file_atomic(dir.file("merges.txt"), text);
    try {
      ByteLevelBpeTokenizer::read_merges_file(dir.file("merges.txt"));
    } catch (const nertool::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(ByteLevelBpeTokenizer::read_merges_file((nertool::write_file_atomic(dir.file("ok.txt"),
                                                                                std::string("#version: 0.2\na b\n")),
                                                     dir.file("ok.txt"))),
            (std::vector<std::pair<std::string, std::string>>{{"a", "b"}}));
  EXPECT_NE(error_of("#version: 0.2\na b\nc\n").find("merges.txt:3: expected a merge 'a b', found 1 fields"),
            std::string::npos);
  EXPECT_NE(error_of("#version: 0.2\na \xff\n").find("not valid UTF-8"), std::string::npos);
}

TEST(ByteLevelBpe, MergesByRankAndByteFallback) {
  auto tok = make_bpe();
  EXPECT_EQ(tok.bpe(" lower"), (Strings{"Ġlow", "er"}));
  EXPECT_EQ(tok.bpe("é"), (Strings{"Ã", "©"}));  // the two UTF-8 bytes of U+00E9
  EXPECT_EQ(tok.bpe("\xF0\x9F\x99\x82"), (Strings{"ð", "Ł", "Ļ", "Ĥ"}));  // U+1F642 as four byte symbols
  EXPECT_EQ(tok.bpe("\x01"), (Strings{"ā"}));                             // control byte 1 -> U+0101
}

TEST(ByteLevelBpe, PreSplitWordsGetTheLeadingSpace) {
  auto tok = make_bpe();
  const int64_t low = tok.token_to_id("Ġlow"), er = tok.token_to_id("er");
  auto enc = tok.encode_words({"lower", "", " "});
  EXPECT_EQ(enc.input_ids, (Ids{0, low, er, tok.token_to_id("Ġ"), 2}));
  EXPECT_EQ(enc.word_first_subword, (Ids{1, -1, 3}));  // an empty word yields nothing; " " is not prefixed again
  // The raw-text path adds the space only with add_prefix_space.
  EXPECT_EQ(tok.encode_text("lower", false), (Ids{tok.token_to_id("l"), tok.token_to_id("ow"), er}));
}

TEST(ByteLevelBpe, CacheGivesTheSameIdsAndStaysBounded) {
  auto tok = make_bpe(/*cache_capacity=*/2);
  auto first = tok.encode_word("lower");
  EXPECT_EQ(tok.cache_size(), 1u);
  EXPECT_EQ(tok.encode_word("lower"), first);
  EXPECT_EQ(tok.cache_size(), 1u);
  tok.encode_word("a");
  tok.encode_word("b");  // capacity reached: the cache is cleared before this entry
  EXPECT_LE(tok.cache_size(), 2u);
  EXPECT_EQ(tok.encode_word("lower"), first);
}

TEST(ByteLevelBpe, MaskStripsItsLeftNeighbour) {
  auto tok = make_bpe();
  EXPECT_EQ(tok.encode_text("lower <mask>", false),
            (Ids{tok.token_to_id("l"), tok.token_to_id("ow"), tok.token_to_id("er"), tok.mask_id()}));
}

TEST(SentencePiece, XlmRobertaIdLayout) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/xlm-roberta/sentencepiece.bpe.model");
  auto tok = load_tokenizer(shared_path("fixtures/hf-tiny/xlm-roberta"));
  EXPECT_EQ(tok->kind(), "sentencepiece");
  EXPECT_EQ(tok->vocab_size(), 8002);
  EXPECT_EQ(tok->cls_id(), 0);
  EXPECT_EQ(tok->pad_id(), 1);
  EXPECT_EQ(tok->sep_id(), 2);
  EXPECT_EQ(tok->unk_id(), 3);
  EXPECT_EQ(tok->mask_id(), 8001);
  EXPECT_EQ(tok->encode_words({"Hello"}).input_ids, (Ids{0, 123, 711, 60, 2}));  // <s> ▁He ll o </s>
  EXPECT_EQ(tok->id_to_token(123), "\xE2\x96\x81He");
  // A run of unknown characters is one <unk> (3), after the bare dummy-prefix piece.
  auto ids = tok->encode_word("\xE6\x9D\xB1\xE4\xBA\xAC");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[1], 3);
}

TEST(SentencePiece, NmtNfkcComposesDecomposedAccents) {
  // The model's own normalizer (nmt_nfkc) runs inside SentencePiece, for HF's slow tokenizer as for nertool, so a
  // decomposed accent gives the ids of the composed one: naïve -> ▁ na <unk> ve (fixture README).
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/xlm-roberta/sentencepiece.bpe.model");
  auto tok = load_tokenizer(shared_path("fixtures/hf-tiny/xlm-roberta"));
  const Ids composed = tok->encode_word("na\xC3\xAFve");
  ASSERT_EQ(composed.size(), 4u);
  EXPECT_EQ(composed[2], 3);
  EXPECT_EQ(tok->encode_word("nai\xCC\x88ve"), composed);
  EXPECT_EQ(tok->encode_word("\xEF\xAC\x81"), tok->encode_word("fi"));  // NFKC: the ligature U+FB01 is "fi"
}

// tokenizer.json with `normalizer`: a bert-base-cased file whose normalizer is rewritten as `normalizer_json`.
std::unique_ptr<SubwordTokenizer> bert_with_normalizer(const TempDir& dir, const std::string& normalizer_json) {
  auto j = nlohmann::json::parse(nertool::read_file(shared_path("data/tokenizers/bert-base-cased/tokenizer.json")));
  auto bert = j["normalizer"];
  j["normalizer"] = nlohmann::json::parse(normalizer_json);
  for (auto& part : j["normalizer"]["normalizers"])
    if (part == "BERT") part = bert;
  nertool::write_file_atomic(dir.file("tokenizer.json"), j.dump());
  return load_tokenizer(dir.path());
}

TEST(Loader, TokenizerJsonNormalizersAreAppliedExactly) {
  NERTOOL_REQUIRE_SHARED("data/tokenizers/bert-base-cased/tokenizer.json");
  const std::string decomposed = "Zu\xCC\x88rich", composed = "Z\xC3\xBCrich";
  {
    TempDir dir;  // NFC before BertNormalizer: the decomposed word becomes "Zürich"
    auto tok = bert_with_normalizer(dir, R"({"type": "Sequence", "normalizers": [{"type": "NFC"}, "BERT"]})");
    EXPECT_EQ(tok->encode_word(decomposed), (Ids{16592}));
    EXPECT_EQ(tok->encode_word(composed), (Ids{16592}));
  }
  {
    TempDir dir;  // the same tokenizer.json beside the slow files (vocab.txt): the fast tokenizer users load applies
                  // its NFC, so the slow files get it too
    bert_with_normalizer(dir, R"({"type": "Sequence", "normalizers": [{"type": "NFC"}, "BERT"]})");
    nertool::write_file_atomic(dir.file("vocab.txt"),
                               nertool::read_file(shared_path("data/tokenizers/bert-base-cased/vocab.txt")));
    nertool::write_file_atomic(dir.file("tokenizer_config.json"), std::string(R"({"do_lower_case": false})"));
    auto tok = load_tokenizer(dir.path());
    EXPECT_EQ(tok->kind(), "wordpiece");
    EXPECT_EQ(tok->encode_word(decomposed), (Ids{16592}));
  }
  {
    TempDir dir;  // NFD after it: the composed word is split into Z u U+0308 ..., which no piece matches
    auto tok = bert_with_normalizer(dir, R"({"type": "Sequence", "normalizers": ["BERT", {"type": "NFD"}]})");
    EXPECT_EQ(tok->encode_word(composed), (Ids{100}));
  }
  {
    TempDir dir;  // a byte-level BPE file with an NFKC normalizer: the ligature is read as "fi"
    NERTOOL_REQUIRE_SHARED("data/tokenizers/roberta-base/tokenizer.json");
    auto j = nlohmann::json::parse(nertool::read_file(shared_path("data/tokenizers/roberta-base/tokenizer.json")));
    j["normalizer"] = nlohmann::json::parse(R"({"type": "NFKC"})");
    nertool::write_file_atomic(dir.file("tokenizer.json"), j.dump());
    auto tok = load_tokenizer(dir.path());
    auto plain = load_tokenizer(shared_path("data/tokenizers/roberta-base"));
    EXPECT_EQ(tok->encode_word("\xEF\xAC\x81ne"), plain->encode_word("fine"));
    EXPECT_NE(plain->encode_word("\xEF\xAC\x81ne"), plain->encode_word("fine"));
  }
  {
    TempDir dir;  // anything else is refused, naming it
    try {
      bert_with_normalizer(dir, R"({"type": "Sequence", "normalizers": [{"type": "Lowercase"}, "BERT"]})");
      FAIL() << "expected ConfigError";
    } catch (const nertool::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("'Lowercase' is not supported"), std::string::npos) << e.what();
    }
  }
}

// Found by fuzz/fuzz_tokenizer_json.cc: a value of another JSON type than the format has (a boolean id) was an
// uncaught nlohmann exception; now an error naming tokenizer.json and the token.
TEST(Loader, UnexpectedJsonTypesAreInputErrors) {
  TempDir dir;
  // Also found by it: a float id (7.77778e+58) was converted to an integer (undefined behaviour), and a huge id
  // would have sized the token list. Ids are whole numbers below the number of entries.
  for (const std::string id : {"true", "7.77778e+58", "1000000000000", "-1"}) {
    nertool::write_file_atomic(dir.file("tokenizer.json"),
                               R"({"model": {"type": "WordPiece", "vocab": {"[UNK]": )" + id +
                                   R"(}}, "normalizer": {"type": "BertNormalizer"}, )"
                                   R"("pre_tokenizer": {"type": "BertPreTokenizer"}})");
    try {
      load_tokenizer(dir.path());
      FAIL() << "no error for id " << id;
    } catch (const nertool::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("the id of token '[UNK]'"), std::string::npos) << e.what();
    }
  }
  // fuzz_tokenizer_json, 2026-12-04: the same for an added token's id (1.06667e+94), and so for every number read
  // as an integer: a special token's id in the post-processor, max_input_chars_per_word.
  struct Case {
    std::string model_keys, file_keys, error;
  };
  const Case cases[] = {
      {"", R"(, "added_tokens": [{"id": 1.06667e+94, "special": true, "content": "[PAD]"}])",
       "the id of token '[PAD]' is not a whole number"},
      {"", R"(, "added_tokens": [{"id": 9223372036854775808, "special": true, "content": "[PAD]"}])",
       "the id of token '[PAD]' (9223372036854775808) is not from 0 to 9223372036854775806"},
      {"", R"(, "post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 9223372036854775808], )"
           R"("sep": ["[SEP]", 1]})",
       "the id of token '[CLS]' (9223372036854775808)"},
      {R"(, "max_input_chars_per_word": 1e94)", "", "max_input_chars_per_word is not a whole number"},
      {R"(, "max_input_chars_per_word": 4294967296)", "",
       "max_input_chars_per_word (4294967296) is not from 0 to 2147483646"}};
  for (const Case& c : cases) {
    const std::string json = R"({"normalizer": {"type": "BertNormalizer"}, "pre_tokenizer": {"type": )"
                             R"("BertPreTokenizer"}, "model": {"type": "WordPiece", "vocab": {"[UNK]": 0})" +
                             c.model_keys + "}" + c.file_keys + "}";
    nertool::write_file_atomic(dir.file("tokenizer.json"), json);
    try {
      load_tokenizer(dir.path());
      ADD_FAILURE() << "no error for " << json;
    } catch (const nertool::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(dir.file("tokenizer.json") + ": " + c.error), std::string::npos)
          << e.what();
    }
  }
  nertool::write_file_atomic(dir.file("tokenizer_config.json"), R"({"unk_token": {"content": "[UNK]", "lstrip": "x"}})");
  nertool::write_file_atomic(dir.file("vocab.txt"), "[UNK]\n[CLS]\n");
  EXPECT_THROW(load_tokenizer(dir.path()), nertool::InputError);
}

TEST(Loader, TokenizerJsonOnlyMatchesTheSlowFiles) {
  for (const char* name : {"bert-base-cased", "roberta-base"}) {
    const std::string src = std::string("data/tokenizers/") + name;
    NERTOOL_REQUIRE_SHARED(src + "/tokenizer.json");
    TempDir dir;
    nertool::write_file_atomic(dir.file("tokenizer.json"), nertool::read_file(shared_path(src + "/tokenizer.json")));
    auto from_json = load_tokenizer(dir.path());
    auto slow = load_tokenizer(shared_path(src));
    EXPECT_EQ(from_json->kind(), slow->kind());
    const std::vector<Strings> sentences = {
        {"EU", "rejects", "German", "call", "."}, {"Müller", "'s", "naïve", "東京", "🙂", "1,234.5", "O'Neill"},
        {"Zu\xCC\x88rich", "Ame\xCC\x81lie", "nai\xCC\x88ve", "\xCC\x81"}};  // decomposed accents
    for (const auto& words : sentences) {
      auto a = from_json->encode_words(words), b = slow->encode_words(words);
      EXPECT_EQ(a.input_ids, b.input_ids) << name;
      EXPECT_EQ(a.word_first_subword, b.word_first_subword) << name;
    }
  }
}

TEST(Loader, ErrorsNameWhatIsMissingOrUnsupported) {
  TempDir dir;
  EXPECT_THROW(load_tokenizer(dir.path()), nertool::ConfigError);
  EXPECT_THROW(load_tokenizer(dir.file("absent")), nertool::IoError);
  nertool::write_file_atomic(dir.file("tokenizer.json"),
                             R"({"model": {"type": "Unigram", "vocab": []}, "normalizer": null})");
  try {
    load_tokenizer(dir.path());
    FAIL() << "expected ConfigError";
  } catch (const nertool::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Unigram"), std::string::npos) << e.what();
  }
}

TEST(Loader, SaveCopiesFilesAndReloadsTheSameTokenizer) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/roberta/vocab.json");
  NERTOOL_REQUIRE_SHARED("data/tokenizers/xlm-roberta-tiny/sentencepiece.bpe.model");
  for (const char* src : {"fixtures/hf-tiny/roberta", "data/tokenizers/xlm-roberta-tiny"}) {
    auto tok = load_tokenizer(shared_path(src));
    TempDir dir;
    const std::string out = model_tokenizer_dir(dir.path());
    tok->save(out);
    EXPECT_TRUE(std::filesystem::exists(out + "/tokenizer_config.json")) << src;  // copied or written
    auto again = load_tokenizer(out);
    EXPECT_EQ(again->kind(), tok->kind());
    EXPECT_EQ(again->settings().add_prefix_space, tok->settings().add_prefix_space);
    Strings words = {"Peter", "Blackburn", "visited", "Zürich", "."};
    EXPECT_EQ(again->encode_words(words).input_ids, tok->encode_words(words).input_ids) << src;
    EXPECT_EQ(again->encode_text("Peter Blackburn"), tok->encode_text("Peter Blackburn")) << src;
  }
}

}  // namespace
