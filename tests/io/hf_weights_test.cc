// Safetensors and PyTorch checkpoint readers: the hf-tiny fixtures hold the same tensors in both formats.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <malloc.h>

#include <fstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/io/safetensors.h"
#include "nertool/io/torch_pickle.h"
#include "checkpoint_files.h"
#include "test_paths.h"

namespace nertool::io {
namespace {

using testing::shared_path;

std::map<std::string, torch::Tensor> as_map(const NamedTensors& v) { return {v.begin(), v.end()}; }

class FixtureWeights : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureWeights, SafetensorsAndPytorchBinHoldIdenticalTensors) {
  const std::string dir = "fixtures/hf-tiny/" + GetParam();
  NERTOOL_REQUIRE_SHARED(dir + "/model.safetensors");
  auto st = as_map(read_safetensors(shared_path(dir + "/model.safetensors")));
  auto pt = read_torch_state_dict(shared_path(dir + "/pytorch_model.bin"));
  ASSERT_EQ(st.size(), pt.size());
  ASSERT_GT(pt.size(), 30u);
  for (const auto& [name, tensor] : pt) {
    auto it = st.find(name);
    ASSERT_NE(it, st.end()) << name;
    EXPECT_EQ(it->second.scalar_type(), tensor.scalar_type()) << name;
    EXPECT_EQ(it->second.sizes(), tensor.sizes()) << name;
    EXPECT_TRUE(torch::equal(it->second, tensor)) << name;
  }
  // Known facts of the fixtures: position_ids is an int64 buffer 0..max_pos-1, classifier is [9, 64].
  const std::string prefix = GetParam() == "bert" ? "bert." : "roberta.";
  auto pos = st.at(prefix + "embeddings.position_ids");
  EXPECT_EQ(pos.scalar_type(), torch::kInt64);
  EXPECT_TRUE(torch::equal(pos[0], torch::arange(pos.size(1))));
  EXPECT_EQ(st.at("classifier.weight").sizes(), (std::vector<int64_t>{9, 64}));
  // The state dict keeps torch.save's order: the position_ids buffer comes first, the classifier last.
  EXPECT_EQ(pt.front().first, prefix + "embeddings.position_ids");
  EXPECT_EQ(pt.back().first, "classifier.bias");
}

INSTANTIATE_TEST_SUITE_P(HfTiny, FixtureWeights, ::testing::Values("bert", "roberta", "xlm-roberta"));

TEST(Safetensors, RoundTripsEveryDtype) {
  testing::TempDir tmp;
  NamedTensors in = {
      {"f32", torch::randn({3, 4})},
      {"f16", torch::randn({5}).to(torch::kFloat16)},
      {"bf16", torch::randn({2, 2}).to(torch::kBFloat16)},
      {"i64", torch::arange(7, torch::kInt64).reshape({7, 1})},
      {"scalar", torch::tensor(3.5)},
      {"empty", torch::zeros({0, 3})},
  };
  write_safetensors(tmp.file("w.safetensors"), in);
  auto out = as_map(read_safetensors(tmp.file("w.safetensors")));
  ASSERT_EQ(out.size(), in.size());
  for (const auto& [name, t] : in) {
    EXPECT_EQ(out.at(name).scalar_type(), t.scalar_type()) << name;
    EXPECT_TRUE(torch::equal(out.at(name), t)) << name;
  }
}

TEST(Safetensors, WriterMatchesTheFixtureBytesOfItsOwnTensors) {
  // Reading a fixture and writing it back yields a file the reader maps to the same tensors.
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/model.safetensors");
  auto in = read_safetensors(shared_path("fixtures/hf-tiny/bert/model.safetensors"));
  auto again = parse_safetensors(serialize_safetensors(in, {{"format", "pt"}}), "memory");
  ASSERT_EQ(again.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(again[i].first, in[i].first);
    EXPECT_TRUE(torch::equal(again[i].second, in[i].second));
  }
}

std::string error_of(const std::string& bytes) {
  try {
    parse_safetensors(bytes, "bad.safetensors");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string with_header(const std::string& json, std::size_t data_bytes) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
  return out + json + std::string(data_bytes, '\0');
}

TEST(Safetensors, RejectsMalformedFilesNamingTheProblem) {
  EXPECT_NE(error_of("abc").find("shorter than the 8-byte header"), std::string::npos);
  EXPECT_NE(error_of(std::string("\xff\0\0\0\0\0\0\0{}", 10)).find("exceeds the file size"), std::string::npos);
  EXPECT_NE(error_of(with_header("{not json", 0)).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4)).find("outside"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)).find("need 12"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", 8)).find("'Q4'"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 12))
                .find("overlap"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2]}})", 8)).find("'a'"), std::string::npos);
  // Found by fuzzing (fuzz/torch/fuzz_safetensors.cc): a float where a whole number belongs (converting 4.4e23
  // to an integer is undefined behaviour), and a shape whose element count wraps around 64 bits to match 0 bytes.
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[4.44444e23],"data_offsets":[0,8]}})", 8))
                .find("shape must be an array of whole numbers"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}})", 8))
                .find("data_offsets must be an array of whole numbers"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", 8)).find("negative"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0))
                .find("overflows 64 bits"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", 0))
                .find("byte count overflows 64 bits"),
            std::string::npos);
  auto ok = parse_safetensors(with_header(R"({"__metadata__":{"format":"pt"},"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", 8), "x");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].second.item<int64_t>(), 0);
}

// The three layouts of pytorch_model.bin (tests/io/testdata/make_torch_checkpoints.py wrote them with torch 1.13):
// every one must read back the same tensors, views and dtypes included.
class TorchCheckpointLayouts : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchCheckpointLayouts, ReadBackTheSavedStateDict) {
  auto entries = read_torch_state_dict(testing::source_path("tests/io/testdata/" + GetParam()));
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.first);
  EXPECT_EQ(names, (std::vector<std::string>{"encoder.weight", "encoder.weight_t", "encoder.row2", "encoder.half",
                                             "embeddings.position_ids", "flags", "scalar", "empty"}));
  auto sd = as_map(entries);
  auto base = torch::arange(24, torch::kFloat32).reshape({4, 6}) / 8;
  EXPECT_TRUE(torch::equal(sd.at("encoder.weight"), base));
  EXPECT_TRUE(torch::equal(sd.at("encoder.weight_t"), base.t()));
  EXPECT_TRUE(sd.at("encoder.weight_t").is_contiguous());
  EXPECT_TRUE(torch::equal(sd.at("encoder.row2"), base[2]));
  EXPECT_EQ(sd.at("encoder.half").scalar_type(), torch::kFloat16);
  EXPECT_TRUE(torch::equal(sd.at("encoder.half"), (torch::arange(5, torch::kFloat32) - 2).to(torch::kFloat16)));
  EXPECT_TRUE(torch::equal(sd.at("embeddings.position_ids"), torch::arange(7, torch::kInt64).unsqueeze(0)));
  EXPECT_TRUE(torch::equal(sd.at("flags"), torch::tensor({true, false, true})));
  EXPECT_EQ(sd.at("scalar").dim(), 0);
  EXPECT_EQ(sd.at("scalar").scalar_type(), torch::kFloat64);
  EXPECT_EQ(sd.at("scalar").item<double>(), 2.5);
  EXPECT_EQ(sd.at("empty").sizes(), (std::vector<int64_t>{0, 3}));
}

INSTANTIATE_TEST_SUITE_P(Layouts, TorchCheckpointLayouts,
                         ::testing::Values("plain_dict.bin", "ordered_dict.bin", "legacy.bin"));

std::string error_reading(const std::string& path) {
  try {
    read_torch_state_dict(path);
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    return e.what();
  }
  ADD_FAILURE() << "expected InputError for " << path;
  return "";
}

TEST(TorchStateDict, DamagedFilesGetAnErrorNamingTheFileAndProblem) {
  testing::TempDir tmp;
  write_file_atomic(tmp.file("text.bin"), "hello");
  EXPECT_NE(error_reading(tmp.file("text.bin")).find("not a PyTorch checkpoint"), std::string::npos);
  write_file_atomic(tmp.file("broken.bin"), std::string("PK\x03\x04garbage", 11));
  EXPECT_NE(error_reading(tmp.file("broken.bin")).find("cannot read PyTorch checkpoint"), std::string::npos);
  // Every truncation of a legacy file fails cleanly (never a crash or a partial state dict).
  const std::string legacy = read_file(testing::source_path("tests/io/testdata/legacy.bin"));
  for (std::size_t n : {std::size_t{4}, std::size_t{20}, legacy.size() / 2, legacy.size() - 1}) {
    write_file_atomic(tmp.file("cut.bin"), legacy.substr(0, n));
    EXPECT_NE(error_reading(tmp.file("cut.bin")).find("legacy PyTorch checkpoint"), std::string::npos) << n;
  }
  // An unknown opcode is named with its byte offset.
  std::string odd = legacy;
  odd[17] = '\xff';  // the protocol-version pickle's first opcode (the magic-number pickle is bytes 0-14)
  write_file_atomic(tmp.file("odd.bin"), odd);
  EXPECT_NE(error_reading(tmp.file("odd.bin")).find("pickle byte 18: unsupported pickle opcode 0xff"), std::string::npos);
}

// 2M nested tuples used to overflow the stack when the value tree was destroyed.
TEST(TorchStateDict, MillionsOfNestedTuplesAreAnErrorNotACrash) {
  testing::TempDir tmp;
  write_file_atomic(tmp.file("deep.bin"), testing::legacy_checkpoint_of_nested_tuples());
  EXPECT_NE(error_reading(tmp.file("deep.bin")).find("does not hold a dict of tensors"), std::string::npos);
}

// A storage of 2^40 float32 elements (4 TiB) claimed by a 200-byte file is refused before any allocation.
TEST(TorchStateDict, StorageSizesBeyondTheFileAreRefused) {
  testing::TempDir tmp;
  write_file_atomic(tmp.file("huge.bin"), testing::legacy_checkpoint_of_a_huge_storage());
  EXPECT_NE(error_reading(tmp.file("huge.bin")).find("storage 0 has 1099511627776 elements, more than the file holds"),
            std::string::npos);
}

// The bytes of the heap in use (glibc), or 0 where that cannot be asked.
std::size_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  const struct mallinfo2 m = ::mallinfo2();
  return m.uordblks + m.hblkhd;
#else
  return 0;
#endif
}

// A list appended into itself through the memo is a reference cycle, which used to stay allocated after the read
// (LeakSanitizer in fuzz_torch_pickle, 2026-12-04). Twenty reads of one holding 4 MiB must not keep 80 MiB.
TEST(TorchStateDict, CyclesBuiltByAPickleAreFreed) {
  testing::TempDir tmp;
  write_file_atomic(tmp.file("cycle.bin"), testing::legacy_checkpoint_of_a_cycle(uint32_t{4} << 20));
  EXPECT_NE(error_reading(tmp.file("cycle.bin")).find("does not hold a dict of tensors"), std::string::npos);
  if (heap_in_use() == 0) GTEST_SKIP() << "no heap statistics here (LeakSanitizer builds check this instead)";
  const std::size_t before = heap_in_use();
  for (int k = 0; k < 20; ++k) error_reading(tmp.file("cycle.bin"));
  EXPECT_LT(heap_in_use(), before + (std::size_t{16} << 20)) << "cyclic values were not freed";
}

// A zip record whose bytes no longer match the CRC-32 of the central directory is corruption, not other weights.
TEST(TorchStateDict, ZipRecordsFailingTheirCrcAreRefused) {
  testing::TempDir tmp;
  const std::string zip = testing::zip_checkpoint_failing_its_crc();
  ASSERT_FALSE(zip.empty()) << "no data/0 record in the test file";
  write_file_atomic(tmp.file("crc.bin"), zip);
  EXPECT_NE(error_reading(tmp.file("crc.bin")).find("record data/0 fails its CRC-32 check"), std::string::npos);
}

}  // namespace
}  // namespace nertool::io
