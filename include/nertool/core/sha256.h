#pragma once
// SHA-256 (FIPS 180-4): fingerprints of data files in run metadata and checkpoints, of converted weights, and of
// the workers' configs and weights in distributed training. Streaming, so large inputs need no copy.
#include <cstddef>
#include <cstdint>
#include <string>

namespace nertool {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex_digest();

 private:
  void compress(const unsigned char* block);
  uint32_t h_[8];
  unsigned char block_[64];
  std::size_t block_used_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(const std::string& bytes);
// Streams the file. Throws IoError when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace nertool
