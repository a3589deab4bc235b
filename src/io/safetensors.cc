#include "nertool/io/safetensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"

namespace nertool::io {

namespace {

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  int64_t size;
};

const DtypeInfo kDtypes[] = {
    {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2}, {"BF16", torch::kBFloat16, 2},
    {"F64", torch::kFloat64, 8}, {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
    {"I16", torch::kInt16, 2},   {"I8", torch::kInt8, 1},     {"U8", torch::kUInt8, 1},
    {"BOOL", torch::kBool, 1},
};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

const DtypeInfo* find_dtype(torch::ScalarType type) {
  for (const auto& d : kDtypes)
    if (type == d.type) return &d;
  return nullptr;
}

// The format is little-endian; so are all the machines LibTorch supports, which lets data be copied as is.
static_assert(sizeof(uint64_t) == 8, "uint64_t");

}  // namespace

namespace {
// The integers of a JSON array; anything else (a float such as 4.4e23, which would not convert) is `error()`.
template <class T, class MakeError>
std::vector<T> whole_numbers(const nlohmann::json& array, MakeError error) {
  if (!array.is_array()) throw error();
  std::vector<T> out;
  for (const auto& v : array) {
    const bool fits = std::is_signed<T>::value ? v.is_number_integer() && (!v.is_number_unsigned() || v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX))
                                               : v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
    if (!fits) throw error();
    out.push_back(v.get<T>());
  }
  return out;
}
}  // namespace

NamedTensors parse_safetensors(const std::string& bytes, const std::string& name) {
  auto fail = [&](const std::string& problem) { return InputError(name, 0, "safetensors: " + problem); };
  if (bytes.size() < 8) throw fail("file is " + std::to_string(bytes.size()) + " bytes, shorter than the 8-byte header length");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  if (header_len > bytes.size() - 8)
    throw fail("header length " + std::to_string(header_len) + " exceeds the file size " + std::to_string(bytes.size()));
  nlohmann::json header;
  try {
    header = parse_json(std::string_view(bytes).substr(8, header_len), name);
  } catch (const InputError& e) {
    throw fail("header is not valid JSON: " + e.problem());
  }
  if (!header.is_object()) throw fail("header is not a JSON object");
  const std::size_t data_start = 8 + header_len;
  const uint64_t data_size = bytes.size() - data_start;

  struct Entry {
    std::string name;
    uint64_t begin, end;
    const DtypeInfo* dtype;
    std::vector<int64_t> shape;
  };
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") continue;
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") || !value.contains("data_offsets"))
      throw fail("tensor '" + key + "' needs dtype, shape and data_offsets");
    Entry e;
    e.name = key;
    try {
      std::string dt = value.at("dtype").get<std::string>();
      e.dtype = find_dtype(dt);
      if (!e.dtype) throw fail("tensor '" + key + "' has unsupported dtype '" + dt + "'");
      const std::string tensor = key;  // structured bindings cannot be captured in C++17
      e.shape = whole_numbers<int64_t>(value.at("shape"), [&] {
        return fail("tensor '" + tensor + "' shape must be an array of whole numbers");
      });
      auto off = whole_numbers<uint64_t>(value.at("data_offsets"), [&] {
        return fail("tensor '" + tensor + "' data_offsets must be an array of whole numbers");
      });
      if (off.size() != 2) throw fail("tensor '" + key + "' data_offsets must hold 2 numbers");
      e.begin = off[0];
      e.end = off[1];
    } catch (const nlohmann::json::exception& ex) {
      throw fail("tensor '" + key + "' has a malformed entry: " + ex.what());
    }
    uint64_t numel = 1;
    for (int64_t d : e.shape) {
      if (d < 0) throw fail("tensor '" + key + "' has a negative dimension");
      if (d != 0 && numel > UINT64_MAX / static_cast<uint64_t>(d))
        throw fail("tensor '" + key + "' has a shape whose element count overflows 64 bits");
      numel *= static_cast<uint64_t>(d);
    }
    if (numel > UINT64_MAX / static_cast<uint64_t>(e.dtype->size))
      throw fail("tensor '" + key + "' has a shape whose byte count overflows 64 bits");
    if (e.end < e.begin || e.end > data_size)
      throw fail("tensor '" + key + "' data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                 "] lie outside the " + std::to_string(data_size) + " data bytes");
    if (e.end - e.begin != numel * static_cast<uint64_t>(e.dtype->size))
      throw fail("tensor '" + key + "' holds " + std::to_string(e.end - e.begin) + " bytes but its shape and dtype need " +
                 std::to_string(numel * static_cast<uint64_t>(e.dtype->size)));
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < entries.size(); ++i)
    if (entries[i].begin < entries[i - 1].end)
      throw fail("tensors '" + entries[i - 1].name + "' and '" + entries[i].name + "' overlap");

  NamedTensors out;
  out.reserve(entries.size());
  for (const auto& e : entries) {
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype->type));
    if (e.end > e.begin) std::memcpy(t.data_ptr(), bytes.data() + data_start + e.begin, e.end - e.begin);
    out.emplace_back(e.name, std::move(t));
  }
  return out;
}

NamedTensors read_safetensors(const std::string& path) { return parse_safetensors(read_file(path), path); }

std::string serialize_safetensors(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__") throw Error("safetensors: a tensor cannot be named __metadata__");
    if (header.contains(name)) throw Error("safetensors: tensor '" + name + "' given twice");
    const DtypeInfo* dt = find_dtype(tensor.scalar_type());
    if (!dt) throw Error("safetensors: tensor '" + name + "' has an unsupported dtype");
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    uint64_t n = static_cast<uint64_t>(t.numel()) * static_cast<uint64_t>(dt->size);
    header[name] = {{"dtype", dt->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + n}}};
    offset += n;
    data.push_back(t);
  }
  std::string h = header.dump();
  // Pad the header with spaces so the data starts 8-byte aligned (the format allows trailing spaces).
  while ((8 + h.size()) % 8 != 0) h.push_back(' ');
  std::string out(8, '\0');
  uint64_t len = h.size();
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((len >> (8 * i)) & 0xff);
  out += h;
  out.reserve(out.size() + offset);
  for (const auto& t : data) out.append(static_cast<const char*>(t.data_ptr()), static_cast<std::size_t>(t.nbytes()));
  return out;
}

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, serialize_safetensors(tensors, metadata));
}

}  // namespace nertool::io
