// SHA-256 known answers (FIPS 180-4 examples and padding boundaries), streamed in any chunking.
#include "nertool/core/sha256.h"

#include <gtest/gtest.h>

#include <fstream>

#include "nertool/core/error.h"
#include "test_paths.h"

namespace nertool {
namespace {

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the length no longer fits the first block.
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, ChunkingDoesNotMatter) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>(i * 7 + 3);
  const std::string whole = sha256_hex(text);
  for (std::size_t chunk : {1, 3, 55, 63, 64, 65, 999}) {
    Sha256 hash;
    for (std::size_t at = 0; at < text.size(); at += chunk) hash.update(text.substr(at, chunk));
    EXPECT_EQ(hash.hex_digest(), whole) << "chunks of " << chunk;
  }
}

TEST(Sha256, FilesAreStreamed) {
  testing::TempDir dir;
  const std::string path = dir.file("data.bin");
  std::ofstream(path, std::ios::binary) << std::string(200000, 'a');
  EXPECT_EQ(sha256_file(path), sha256_hex(std::string(200000, 'a')));
  EXPECT_THROW(sha256_file(dir.file("missing")), IoError);
}

}  // namespace
}  // namespace nertool
