#pragma once
// Damaged and hostile PyTorch checkpoints (pytorch_model.bin), built from the small files in tests/io/testdata/:
// shared by the reader's tests (tests/io/hf_weights_test.cc) and the command-line catalog
// (tests/cli/hostile_input_test.cc).
#include <cstdint>
#include <initializer_list>
#include <string>

#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace nertool::testing {

// Bytes from small integers, for hand-written pickle opcodes.
inline std::string bytes_of(std::initializer_list<int> bytes) { return std::string(bytes.begin(), bytes.end()); }

// A legacy torch.save file: the magic-number, protocol and system-info pickles of testdata/legacy.bin, then
// `object` and `keys` (the storage keys pickle; an empty list by default).
inline std::string legacy_checkpoint(const std::string& object,
                                     const std::string& keys = std::string("\x80\x02].", 4)) {
  const std::string legacy = read_file(source_path("tests/io/testdata/legacy.bin"));
  return legacy.substr(0, 21) + std::string("\x80\x02}.", 4) + object + keys;
}

// A legacy file whose object is 2 million nested one-element tuples (once a stack overflow).
inline std::string legacy_checkpoint_of_nested_tuples() {
  return legacy_checkpoint(std::string("\x80\x02)", 3) + std::string(2000000, '\x85') + ".");
}

// A legacy file whose object is a list holding a string of `payload` bytes and itself (appended through the
// memo): a reference cycle, which the reader once left allocated.
inline std::string legacy_checkpoint_of_a_cycle(uint32_t payload) {
  return legacy_checkpoint(bytes_of({0x80, 2, ']', 'q', 0, 'X', static_cast<int>(payload & 0xFF),
                                     static_cast<int>(payload >> 8 & 0xFF), static_cast<int>(payload >> 16 & 0xFF),
                                     static_cast<int>(payload >> 24)}) +
                           std::string(payload, 'x') + "ah" + bytes_of({0, 'a', '.'}));
}

// A legacy file whose object is a persistent id claiming a storage of 2^40 float32 elements (4 TiB):
// ('storage', torch.FloatStorage, '0', 'cpu', 2**40, None).
inline std::string legacy_checkpoint_of_a_huge_storage() {
  return legacy_checkpoint(bytes_of({0x80, 2, '('}) + "X" + bytes_of({7, 0, 0, 0}) + "storage" +
                           "ctorch\nFloatStorage\n" + "X" + bytes_of({1, 0, 0, 0}) + "0" + "X" +
                           bytes_of({3, 0, 0, 0}) + "cpu" + bytes_of({0x8a, 6, 0, 0, 0, 0, 0, 1}) + "NtQ.");
}

// testdata/plain_dict.bin (zip format) with the first byte of its data/0 record flipped, so that the record fails
// the CRC-32 its central directory gives; "" when the file has no such record.
inline std::string zip_checkpoint_failing_its_crc() {
  std::string zip = read_file(source_path("tests/io/testdata/plain_dict.bin"));
  for (std::size_t h = zip.find("PK\x03\x04"); h != std::string::npos; h = zip.find("PK\x03\x04", h + 4)) {
    auto u16 = [&](std::size_t p) {
      return static_cast<std::size_t>(static_cast<unsigned char>(zip[p]) | static_cast<unsigned char>(zip[p + 1]) << 8);
    };
    const std::size_t name_len = u16(h + 26), extra = u16(h + 28);
    const std::string name = zip.substr(h + 30, name_len);
    if (name.size() >= 7 && name.compare(name.size() - 7, 7, "/data/0") == 0) {
      zip[h + 30 + name_len + extra] ^= 0x01;
      return zip;
    }
  }
  return "";
}

}  // namespace nertool::testing
