#include "nertool/io/word_vectors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <limits>

#include "nertool/core/error.h"
#include "test_paths.h"

using nertool::InputError;
using nertool::io::VectorFormat;
using nertool::io::WordVectorOptions;
using nertool::io::read_word_vectors;
using nertool::testing::TempDir;

namespace {

void write(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string binary_file(const std::vector<std::pair<std::string, std::vector<float>>>& rows, int64_t dim,
                        int64_t header_count = -1) {
  std::string s = std::to_string(header_count < 0 ? rows.size() : header_count) + " " + std::to_string(dim) + "\n";
  for (const auto& [w, v] : rows) {
    s += w + " ";
    s.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
    s += "\n";
  }
  return s;
}

void expect_row(const nertool::io::WordVectors& v, const std::string& word, std::vector<float> expected) {
  int64_t r = v.find(word);
  ASSERT_GE(r, 0) << word;
  for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_FLOAT_EQ(v.vector(r)[k], expected[k]) << word << " " << k;
}

// Expects an InputError whose message starts with "path:line:".
template <typename F>
void expect_input_error(F f, const std::string& path, std::size_t line, const std::string& fragment) {
  try {
    f();
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_NE(std::string(e.what()).find(path + ":" + std::to_string(line) + ":"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(WordVectors, ReadsGloveText) {
  TempDir dir;
  auto path = dir.file("glove.txt");
  write(path, "the 0.1 -0.2 0.3\nGermany 1 2e-1 -3\n\nπόλη 0.5 0.25 0.125\n");
  auto v = read_word_vectors(path);
  EXPECT_EQ(v.format(), VectorFormat::GloveText);
  EXPECT_EQ(v.size(), 3);
  EXPECT_EQ(v.dim(), 3);
  expect_row(v, "the", {0.1f, -0.2f, 0.3f});
  expect_row(v, "Germany", {1.f, 0.2f, -3.f});
  expect_row(v, "πόλη", {0.5f, 0.25f, 0.125f});
  EXPECT_EQ(v.find("germany"), -1);  // exact lookup only
}

TEST(WordVectors, ReadsWord2VecTextWithHeader) {
  TempDir dir;
  auto path = dir.file("ft.vec");
  write(path, "2 2\r\n</s> 0.5 0.5\r\ncat -1 2 \r\n");  // fastText writes a trailing space; CRLF tolerated
  auto v = read_word_vectors(path);
  EXPECT_EQ(v.format(), VectorFormat::Word2VecText);
  EXPECT_EQ(v.size(), 2);
  expect_row(v, "</s>", {0.5f, 0.5f});
  expect_row(v, "cat", {-1.f, 2.f});
}

TEST(WordVectors, ReadsWord2VecBinary) {
  TempDir dir;
  auto path = dir.file("w2v.bin");
  // 10.0f's bytes include 0x20 (space) and 0x0A-free values; 1.0f has 0x80 0x3F: real binary content.
  write(path, binary_file({{"dog", {1.f, 10.f, -0.5f}}, {"Haus", {0.f, 3.25f, 1e-3f}}}, 3));
  EXPECT_EQ(nertool::io::detect_vector_format(path), VectorFormat::Word2VecBinary);
  auto v = read_word_vectors(path);
  EXPECT_EQ(v.size(), 2);
  EXPECT_EQ(v.dim(), 3);
  expect_row(v, "dog", {1.f, 10.f, -0.5f});
  expect_row(v, "Haus", {0.f, 3.25f, 1e-3f});
}

TEST(WordVectors, ExplicitFormatOverridesDetection) {
  TempDir dir;
  auto path = dir.file("numbers.txt");
  write(path, "3 1\n7 2\n");  // looks like a header; read as GloVe: words "3" and "7" with dimension 1
  auto glove = WordVectorOptions{VectorFormat::GloveText, 0};
  auto v = read_word_vectors(path, glove);
  EXPECT_EQ(v.size(), 2);
  expect_row(v, "3", {1.f});
  expect_row(v, "7", {2.f});
}

TEST(WordVectors, HeaderDimensionMismatchIsInputError) {
  TempDir dir;
  auto path = dir.file("bad.vec");
  write(path, "2 4\na 1 2 3 4\nb 1 2 3\n");
  expect_input_error([&] { read_word_vectors(path, {VectorFormat::Word2VecText, 0}); }, path, 3, "4 values");
}

TEST(WordVectors, HeaderCountMismatchIsInputError) {
  TempDir dir;
  auto path = dir.file("short.vec");
  write(path, "3 2\na 1 2\nb 3 4\n");
  expect_input_error([&] { read_word_vectors(path); }, path, 1, "header says 3 words but the file has 2");
  auto bin = dir.file("short.bin");
  write(bin, binary_file({{"a", {1.f, 2.f}}}, 2, 2));
  expect_input_error([&] { read_word_vectors(bin, {VectorFormat::Word2VecBinary, 0}); }, bin, 3, "ends inside");
}

TEST(WordVectors, BadNumberIsInputErrorWithLine) {
  TempDir dir;
  auto path = dir.file("glove.txt");
  write(path, "a 1 2 3\nb 1 x2 3\n");
  expect_input_error([&] { read_word_vectors(path); }, path, 2, "value 2 ('x2') of word 'b' is not a finite number");
  auto ragged = dir.file("ragged.txt");
  write(ragged, "a 1 2 3\nb 1 2 3\nc 1 2\n");
  expect_input_error([&] { read_word_vectors(ragged); }, ragged, 3, "found 2 fields");
}

TEST(WordVectors, NanAndInfinityAreInputErrorsWithLine) {
  TempDir dir;
  auto glove = dir.file("nan.txt");
  write(glove, "a 1 2\nb nan 3\n");
  expect_input_error([&] { read_word_vectors(glove); }, glove, 2, "value 1 ('nan') of word 'b' is not a finite number");
  auto vec = dir.file("inf.vec");
  write(vec, "2 2\na 1 2\nb 3 -inf\n");
  expect_input_error([&] { read_word_vectors(vec); }, vec, 3, "value 2 ('-inf') of word 'b' is not a finite number");
  auto bin = dir.file("nan.bin");
  write(bin, binary_file({{"a", {1.f, 2.f}}, {"b", {std::numeric_limits<float>::quiet_NaN(), 0.f}}}, 2));
  expect_input_error([&] { read_word_vectors(bin, {VectorFormat::Word2VecBinary, 0}); }, bin, 3,
                     "value 1 of word 'b' is not finite");
}

// A 30-byte file whose header asks for 2e9-dimensional vectors (8 GB) is refused before anything is allocated.
TEST(WordVectors, HeaderDimensionBeyondTheFileSizeIsRefused) {
  TempDir dir;
  auto bin = dir.file("huge.bin");
  write(bin, "1 2000000000\nw " + std::string(16, '\x01'));
  expect_input_error([&] { read_word_vectors(bin); }, bin, 1, "header says vectors of dimension 2000000000");
  auto text = dir.file("huge.vec");
  write(text, "1 2000000000\nw 1 2 3\n");
  expect_input_error([&] { read_word_vectors(text, {VectorFormat::Word2VecText, 0}); }, text, 1,
                     "more than the file's 21 bytes can hold");
}

TEST(WordVectors, DuplicatesKeepTheFirstVector) {
  TempDir dir;
  auto path = dir.file("dup.txt");
  write(path, "a 1 1\nb 2 2\na 3 3\n");
  auto v = read_word_vectors(path);
  EXPECT_EQ(v.size(), 2);
  EXPECT_EQ(v.duplicates_skipped(), 1);
  expect_row(v, "a", {1.f, 1.f});
}

TEST(WordVectors, MaxWordsKeepsTheFirst) {
  TempDir dir;
  auto path = dir.file("big.vec");
  write(path, "3 1\na 1\nb 2\nc 3\n");
  auto v = read_word_vectors(path, {VectorFormat::Auto, 2});
  EXPECT_EQ(v.size(), 2);
  EXPECT_EQ(v.find("c"), -1);
  auto bin = dir.file("big.bin");
  write(bin, binary_file({{"a", {1.f}}, {"b", {2.f}}, {"c", {3.f}}}, 1));
  EXPECT_EQ(read_word_vectors(bin, {VectorFormat::Auto, 2}).size(), 2);
}

TEST(WordVectors, MissingAndEmptyFiles) {
  TempDir dir;
  EXPECT_THROW(read_word_vectors(dir.file("nope.txt")), nertool::IoError);
  auto empty = dir.file("empty.txt");
  write(empty, "");
  EXPECT_THROW(read_word_vectors(empty), InputError);
  EXPECT_THROW(nertool::io::parse_vector_format("fasttext_bin"), nertool::ConfigError);
}
