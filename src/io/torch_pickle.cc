#include "nertool/io/torch_pickle.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"

namespace nertool::io {

namespace {

// A pickled value, as far as state dicts need: Python objects of other classes become opaque Objects, and are an
// error only where a tensor or a dict is required. Nothing is ever executed (unlike Python's pickle).
struct Value;
using ValuePtr = std::shared_ptr<Value>;
struct Value {
  enum Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Storage, Tensor, Object, Mark } kind = None;
  int64_t i = 0;
  double f = 0;
  std::string text, name;        // String: text; Global: module (text) and name
  std::vector<ValuePtr> items;   // Tuple, List; Dict: key, value, key, value, ... in insertion order
  torch::Tensor tensor;          // Storage: the whole storage, 1-D; Tensor
  static ValuePtr make(Kind k) {
    auto v = std::make_shared<Value>();
    v->kind = k;
    return v;
  }
  Value() = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  // Releases nested values one level at a time: a hostile pickle nests millions of tuples, and the default,
  // recursive destruction would overflow the stack.
  ~Value() {
    std::vector<ValuePtr> pending = std::move(items);
    while (!pending.empty()) {
      ValuePtr v = std::move(pending.back());
      pending.pop_back();
      if (v && v.use_count() == 1)
        for (auto& child : v->items) pending.push_back(std::move(child));
    }
  }
};

// The CRC-32 of each record of a zip file, from its central directory (LibTorch 1.13's reader does not check
// them, so a corrupted record would load as other numbers).
using ZipCrcs = std::map<std::string, uint32_t>;

uint32_t crc32(const void* data, std::size_t n) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint64_t read_le(const std::string& b, std::size_t pos, int n) {
  uint64_t v = 0;
  for (int k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[pos + k])) << (8 * k);
  return v;
}

// Reads the central directory (ZIP64 too). Records are named without the archive's top folder, as
// PyTorchStreamReader names them ("data.pkl", "data/0").
ZipCrcs zip_crcs(const std::string& b, const std::string& path) {
  auto fail = [&](const std::string& m) { throw InputError(path, 0, "cannot read PyTorch checkpoint: zip: " + m); };
  if (b.size() < 22) fail("no end of central directory");
  std::size_t eocd = std::string::npos;
  for (std::size_t p = b.size() - 22 + 1; p-- > 0 && b.size() - p <= 22 + 65535;)
    if (read_le(b, p, 4) == 0x06054b50) {
      eocd = p;
      break;
    }
  if (eocd == std::string::npos) fail("no end of central directory");
  uint64_t entries = read_le(b, eocd + 10, 2), offset = read_le(b, eocd + 16, 4);
  if ((offset == 0xFFFFFFFFu || entries == 0xFFFF) && eocd >= 20 && read_le(b, eocd - 20, 4) == 0x07064b50) {
    const uint64_t z64 = read_le(b, eocd - 20 + 8, 8);
    if (b.size() < 56 || z64 > b.size() - 56 || read_le(b, z64, 4) != 0x06064b50)
      fail("bad ZIP64 end of central directory");
    entries = read_le(b, z64 + 32, 8);
    offset = read_le(b, z64 + 48, 8);
  }
  ZipCrcs crcs;
  std::size_t p = offset;
  for (uint64_t e = 0; e < entries; ++e) {
    if (p > b.size() || b.size() - p < 46 || read_le(b, p, 4) != 0x02014b50) fail("bad central directory entry");
    const uint32_t crc = static_cast<uint32_t>(read_le(b, p + 16, 4));
    const std::size_t name_len = read_le(b, p + 28, 2), extra = read_le(b, p + 30, 2), comment = read_le(b, p + 32, 2);
    if (b.size() - p - 46 < name_len) fail("bad central directory entry");
    std::string name = b.substr(p + 46, name_len);
    const std::size_t slash = name.find('/');
    crcs[slash == std::string::npos ? name : name.substr(slash + 1)] = crc;
    p += 46 + name_len + extra + comment;
  }
  return crcs;
}

void check_crc(const ZipCrcs& crcs, const std::string& record, const void* data, std::size_t n,
               const std::function<void(const std::string&)>& fail) {
  auto it = crcs.find(record);
  if (it == crcs.end()) fail("record " + record + " is not in the zip directory");
  if (crc32(data, n) != it->second) fail("record " + record + " fails its CRC-32 check (the file is corrupted)");
}

// Resolves a persistent id (the storage tuple) to a storage value.
using PersistentLoad = std::function<ValuePtr(const ValuePtr&)>;

class Unpickler {
 public:
  // `what` opens every error message ("cannot read PyTorch checkpoint").
  Unpickler(const std::string& data, std::size_t pos, std::string file, std::string what, PersistentLoad load)
      : data_(data), pos_(pos), file_(std::move(file)), what_(std::move(what)), load_(std::move(load)) {}
  // A hostile pickle can build a cycle (a list appended into itself through the memo) that shared ownership
  // alone never frees. Only the memo hands out a second reference to a value, so every cycle passes through a
  // memoized one: emptying those frees them all. Hence what run() returned must not be used after this.
  ~Unpickler() {
    for (auto& [key, value] : memo_) value->items.clear();
  }
  Unpickler(const Unpickler&) = delete;
  Unpickler& operator=(const Unpickler&) = delete;

  ValuePtr run();
  std::size_t position() const { return pos_; }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(file_, 0, what_ + ": pickle byte " + std::to_string(pos_) + ": " + problem);
  }
  uint8_t byte() {
    if (pos_ >= data_.size()) fail("unexpected end of data");
    return static_cast<uint8_t>(data_[pos_++]);
  }
  uint64_t little(int n) {
    uint64_t v = 0;
    for (int k = 0; k < n; ++k) v |= static_cast<uint64_t>(byte()) << (8 * k);
    return v;
  }
  std::string bytes(uint64_t n) {
    if (n > data_.size() - pos_) fail("a string runs past the end of the data");
    std::string s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string line() {
    auto end = data_.find('\n', pos_);
    if (end == std::string::npos) fail("unterminated line");
    std::string s = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  ValuePtr pop() {
    if (stack_.empty()) fail("stack underflow");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::vector<ValuePtr> pop_to_mark() {
    for (std::size_t k = stack_.size(); k-- > 0;)
      if (stack_[k]->kind == Value::Mark) {
        std::vector<ValuePtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(k) + 1, stack_.end());
        stack_.resize(k);
        return items;
      }
    fail("no MARK on the stack");
  }
  ValuePtr& top() {
    if (stack_.empty()) fail("stack underflow");
    return stack_.back();
  }
  void memo_put(uint64_t key) { memo_[key] = top(); }
  ValuePtr memo_get(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("memo key " + std::to_string(key) + " is not set");
    return it->second;
  }
  ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args);
  // One group of opcodes each; true when `op` was one of theirs and has been applied.
  bool push_scalar(uint8_t op);
  bool build_container(uint8_t op);
  bool apply_object_op(uint8_t op);
  bool use_memo(uint8_t op);

  const std::string& data_;
  std::size_t pos_;
  std::string file_, what_;
  PersistentLoad load_;
  std::vector<ValuePtr> stack_;
  std::map<uint64_t, ValuePtr> memo_;
};

ValuePtr integer(int64_t i) {
  auto v = Value::make(Value::Int);
  v->i = i;
  return v;
}

std::vector<int64_t> int_tuple(const ValuePtr& v, const char* what, const std::function<void(const std::string&)>& fail) {
  if (v->kind != Value::Tuple && v->kind != Value::List) fail(std::string(what) + " is not a tuple");
  std::vector<int64_t> out;
  for (const auto& x : v->items) {
    if (x->kind != Value::Int) fail(std::string(what) + " holds a non-integer");
    out.push_back(x->i);
  }
  return out;
}

ValuePtr Unpickler::reduce(const ValuePtr& callable, const ValuePtr& args) {
  auto failf = [&](const std::string& m) { fail(m); };
  if (callable->kind == Value::Global && args->kind == Value::Tuple) {
    const std::string full = callable->text + "." + callable->name;
    if (full == "torch._utils._rebuild_tensor_v2" || full == "torch._utils._rebuild_tensor") {
      // (storage, storage_offset, size, stride, [requires_grad, backward_hooks, metadata])
      if (args->items.size() < 4 || args->items[0]->kind != Value::Storage || args->items[1]->kind != Value::Int)
        fail("unexpected arguments to " + full);
      const auto& storage = args->items[0]->tensor;
      auto size = int_tuple(args->items[2], "a tensor's size", failf);
      auto stride = int_tuple(args->items[3], "a tensor's stride", failf);
      if (size.size() != stride.size()) fail("a tensor's size and stride differ in length");
      int64_t offset = args->items[1]->i, last = offset;
      bool empty = false, overflow = false;
      for (std::size_t k = 0; k < size.size(); ++k) {
        if (size[k] < 0 || stride[k] < 0) fail("a tensor has a negative size or stride");
        if (size[k] == 0) empty = true;
        int64_t reach = 0;
        overflow = overflow || __builtin_mul_overflow(size[k] - 1, stride[k], &reach) ||
                   __builtin_add_overflow(last, reach, &last);
      }
      if (overflow && !empty) fail("a tensor's size and stride reach past any storage (integer overflow)");
      auto v = Value::make(Value::Tensor);
      if (empty) {
        v->tensor = torch::empty(size, storage.options());
      } else {
        if (offset < 0 || last >= storage.numel()) fail("a tensor reaches past the end of its storage");
        v->tensor = storage.as_strided(size, stride, offset);
      }
      return v;
    }
    if (full == "torch._utils._rebuild_parameter" || full == "torch._utils._rebuild_parameter_with_state") {
      if (args->items.empty() || args->items[0]->kind != Value::Tensor) fail("unexpected arguments to " + full);
      return args->items[0];
    }
    if (full == "collections.OrderedDict" || full == "builtins.dict" || full == "__builtin__.dict") {
      if (!args->items.empty()) fail(full + " with arguments is not supported");
      return Value::make(Value::Dict);
    }
  }
  return Value::make(Value::Object);  // some other object: kept opaque
}

// Framing, MARK and the opcodes that push a scalar (None, bools, numbers, strings); false when `op` is not one of them.
bool Unpickler::push_scalar(uint8_t op) {
  switch (op) {
    case 0x80: byte(); break;                                       // PROTO
    case 0x95: pos_ += 8; break;                                    // FRAME (protocol 4): a length we don't need
    case '(': stack_.push_back(Value::make(Value::Mark)); break;   // MARK
    case 'N': stack_.push_back(Value::make(Value::None)); break;
    case 0x88: case 0x89: {                                         // NEWTRUE, NEWFALSE
      auto v = Value::make(Value::Bool);
      v->i = op == 0x88;
      stack_.push_back(v);
      break;
    }
    case 'K': stack_.push_back(integer(static_cast<int64_t>(little(1)))); break;  // BININT1
    case 'M': stack_.push_back(integer(static_cast<int64_t>(little(2)))); break;  // BININT2
    case 'J': stack_.push_back(integer(static_cast<int32_t>(little(4)))); break;  // BININT
    case 0x8a: {                                                    // LONG1
      const uint8_t n = byte();
      if (n > 8) {  // e.g. the legacy format's magic number; only compared, never used as a number
        auto v = Value::make(Value::String);
        v->text = bytes(n);
        stack_.push_back(v);
        break;
      }
      uint64_t u = little(n);
      if (n > 0 && n < 8 && (u >> (8 * n - 1)) & 1) u |= ~uint64_t{0} << (8 * n);  // sign-extend
      stack_.push_back(integer(static_cast<int64_t>(u)));
      break;
    }
    case 'G': {                                                     // BINFLOAT (big-endian double)
      uint64_t u = 0;
      for (int k = 0; k < 8; ++k) u = (u << 8) | byte();
      auto v = Value::make(Value::Float);
      std::memcpy(&v->f, &u, sizeof u);
      stack_.push_back(v);
      break;
    }
    case 'X': case 0x8c: case 0x8d: case 'U': case 'T': case 'B': case 'C': {
      // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, SHORT_BINSTRING, BINSTRING, BINBYTES, SHORT_BINBYTES
      const int width = op == 'X' || op == 'T' || op == 'B' ? 4 : op == 0x8d ? 8 : 1;
      auto v = Value::make(Value::String);
      v->text = bytes(little(width));
      stack_.push_back(v);
      break;
    }
    default: return false;
  }
  return true;
}

// The opcodes that build or fill tuples, lists and dicts; false when `op` is not one of them.
bool Unpickler::build_container(uint8_t op) {
  switch (op) {
    case ')': stack_.push_back(Value::make(Value::Tuple)); break;  // EMPTY_TUPLE
    case 't': case 'l': {                                           // TUPLE, LIST: the items since MARK
      auto v = Value::make(op == 't' ? Value::Tuple : Value::List);
      v->items = pop_to_mark();
      stack_.push_back(v);
      break;
    }
    case 0x85: case 0x86: case 0x87: {                              // TUPLE1, TUPLE2, TUPLE3
      auto v = Value::make(Value::Tuple);
      v->items.resize(op - 0x84);
      for (std::size_t k = v->items.size(); k-- > 0;) v->items[k] = pop();
      stack_.push_back(v);
      break;
    }
    case ']': stack_.push_back(Value::make(Value::List)); break;   // EMPTY_LIST
    case 'a': {                                                     // APPEND
      auto x = pop();
      if (top()->kind != Value::List) fail("APPEND to a non-list");
      top()->items.push_back(x);
      break;
    }
    case 'e': {                                                     // APPENDS
      auto xs = pop_to_mark();
      if (top()->kind != Value::List) fail("APPENDS to a non-list");
      top()->items.insert(top()->items.end(), xs.begin(), xs.end());
      break;
    }
    case '}': stack_.push_back(Value::make(Value::Dict)); break;   // EMPTY_DICT
    case 'd': {                                                     // DICT
      auto v = Value::make(Value::Dict);
      v->items = pop_to_mark();
      if (v->items.size() % 2) fail("DICT with an odd number of items");
      stack_.push_back(v);
      break;
    }
    case 's': case 'u': {                                           // SETITEM, SETITEMS
      std::vector<ValuePtr> kv;
      if (op == 's') {
        auto value = pop();
        kv = {pop(), value};
      } else {
        kv = pop_to_mark();
      }
      if (kv.size() % 2) fail("SETITEMS with an odd number of items");
      auto& d = top();
      if (d->kind == Value::Object) break;  // items of an opaque mapping: dropped with it
      if (d->kind != Value::Dict) fail("SETITEM on a value that is not a dict");
      d->items.insert(d->items.end(), kv.begin(), kv.end());
      break;
    }
    default: return false;
  }
  return true;
}

// Globals, calls (REDUCE, NEWOBJ, BUILD) and persistent ids; false when `op` is not one of them.
bool Unpickler::apply_object_op(uint8_t op) {
  switch (op) {
    case 'c': {                                                     // GLOBAL
      auto v = Value::make(Value::Global);
      v->text = line();
      v->name = line();
      stack_.push_back(v);
      break;
    }
    case 0x93: {                                                    // STACK_GLOBAL
      auto name = pop(), module = pop();
      if (name->kind != Value::String || module->kind != Value::String) fail("STACK_GLOBAL needs two strings");
      auto v = Value::make(Value::Global);
      v->text = module->text;
      v->name = name->text;
      stack_.push_back(v);
      break;
    }
    case 'R': {                                                     // REDUCE
      auto args = pop();
      auto callable = pop();
      stack_.push_back(reduce(callable, args));
      break;
    }
    case 0x81: {                                                    // NEWOBJ
      pop();
      pop();
      stack_.push_back(Value::make(Value::Object));
      break;
    }
    case 'b': pop(); break;  // BUILD: an object's state (an OrderedDict's _metadata): not needed
    case 'Q': {              // BINPERSID
      auto pid = pop();
      stack_.push_back(load_(pid));
      break;
    }
    default: return false;
  }
  return true;
}

// The memo: BINPUT, LONG_BINPUT, MEMOIZE, BINGET, LONG_BINGET; false when `op` is not one of them.
bool Unpickler::use_memo(uint8_t op) {
  switch (op) {
    case 'q': memo_put(little(1)); break;  // BINPUT
    case 'r': memo_put(little(4)); break;  // LONG_BINPUT
    case 0x94: memo_put(memo_.size()); break;  // MEMOIZE
    case 'h': stack_.push_back(memo_get(little(1))); break;  // BINGET
    case 'j': stack_.push_back(memo_get(little(4))); break;  // LONG_BINGET
    default: return false;
  }
  return true;
}

ValuePtr Unpickler::run() {
  for (;;) {
    const uint8_t op = byte();
    if (op == '.') return pop();  // STOP
    if (push_scalar(op) || build_container(op) || apply_object_op(op) || use_memo(op)) continue;
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", op);
    fail(std::string("unsupported pickle opcode ") + hex);
  }
}

// torch.FloatStorage etc. -> dtype.
torch::ScalarType storage_dtype(const ValuePtr& type, const std::function<void(const std::string&)>& fail) {
  static const std::map<std::string, torch::ScalarType> types = {
      {"FloatStorage", torch::kFloat32}, {"DoubleStorage", torch::kFloat64}, {"HalfStorage", torch::kFloat16},
      {"BFloat16Storage", torch::kBFloat16}, {"LongStorage", torch::kInt64}, {"IntStorage", torch::kInt32},
      {"ShortStorage", torch::kInt16},   {"CharStorage", torch::kInt8},     {"ByteStorage", torch::kUInt8},
      {"BoolStorage", torch::kBool},     {"UntypedStorage", torch::kUInt8}};
  if (type->kind != Value::Global || type->text != "torch" || !types.count(type->name))
    fail("unsupported storage type " + (type->kind == Value::Global ? type->text + "." + type->name : "?"));
  return types.at(type->name);
}

NamedTensors state_dict_entries(const ValuePtr& root, const std::string& path) {
  if (root->kind != Value::Dict) throw InputError(path, 0, "PyTorch checkpoint does not hold a dict of tensors");
  NamedTensors out;
  for (std::size_t k = 0; k + 1 < root->items.size(); k += 2) {
    const auto& key = root->items[k];
    const auto& value = root->items[k + 1];
    if (key->kind != Value::String) throw InputError(path, 0, "PyTorch checkpoint has a non-string key");
    if (value->kind != Value::Tensor) continue;  // e.g. a step counter or a nested config
    out.emplace_back(key->text, value->tensor.contiguous());
  }
  if (out.empty()) throw InputError(path, 0, "PyTorch checkpoint holds no tensors");
  return out;
}

NamedTensors read_zip_format(const std::string& path, const ZipCrcs& crcs) {
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  std::string pickle;
  auto fail = [&](const std::string& m) { throw InputError(path, 0, "cannot read PyTorch checkpoint: " + m); };
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    if (reader->hasRecord("byteorder")) {
      auto [ptr, size] = reader->getRecord("byteorder");
      if (std::string(static_cast<const char*>(ptr.get()), size) != "little")
        throw InputError(path, 0, "big-endian PyTorch checkpoints are not supported");
    }
    auto [ptr, size] = reader->getRecord("data.pkl");
    check_crc(crcs, "data.pkl", ptr.get(), size, fail);
    pickle.assign(static_cast<const char*>(ptr.get()), size);
  } catch (const c10::Error& e) {
    fail(e.what_without_backtrace());
  }
  std::map<std::string, torch::Tensor> storages;
  // ('storage', storage_type, key, location, numel): the storage is the record data/<key>.
  PersistentLoad load = [&](const ValuePtr& pid) {
    if (pid->kind != Value::Tuple || pid->items.size() < 5 || pid->items[0]->kind != Value::String ||
        pid->items[0]->text != "storage" || pid->items[2]->kind != Value::String || pid->items[4]->kind != Value::Int)
      fail("unexpected persistent id");
    auto dtype = storage_dtype(pid->items[1], fail);
    const std::string& key = pid->items[2]->text;
    auto it = storages.find(key);
    if (it == storages.end()) {
      const int64_t numel = pid->items[4]->i;
      const std::string record = "data/" + key;
      // The pickle's element count is checked against the record before anything is allocated for it.
      uint64_t expected = 0;
      if (numel < 0 || __builtin_mul_overflow(static_cast<uint64_t>(numel), c10::elementSize(dtype), &expected))
        fail("storage " + key + " has an impossible element count " + std::to_string(numel));
      try {
        if (!reader->hasRecord(record)) fail("storage " + key + " has no record " + record);
        auto [ptr, size] = reader->getRecord(record);
        if (size != expected)
          fail("storage " + key + " holds " + std::to_string(size) + " bytes, expected " + std::to_string(expected));
        check_crc(crcs, record, ptr.get(), size, fail);
        auto t = torch::empty({numel}, torch::TensorOptions().dtype(dtype));
        if (size) std::memcpy(t.data_ptr(), ptr.get(), size);
        it = storages.emplace(key, t).first;
      } catch (const c10::Error& e) {
        fail("storage " + key + ": " + e.what_without_backtrace());
      }
    }
    auto v = Value::make(Value::Storage);
    v->tensor = it->second;
    return v;
  };
  Unpickler unpickler(pickle, 0, path, "cannot read PyTorch checkpoint", load);
  return state_dict_entries(unpickler.run(), path);
}

// The format of torch.save before PyTorch 1.6 (and with _use_new_zipfile_serialization=False): five pickles in a
// row (magic number, protocol version, system info, the object, the storage keys), then each storage's element
// count (int64) and raw data, in the order of the keys.
NamedTensors read_legacy_format(const std::string& path, const std::string& bytes) {
  auto fail = [&](const std::string& m) { throw InputError(path, 0, "cannot read legacy PyTorch checkpoint: " + m); };
  std::map<std::string, torch::Tensor> storages;
  PersistentLoad no_storage = [&](const ValuePtr&) -> ValuePtr {
    fail("a storage outside the object pickle");
    return nullptr;
  };
  // ('storage', storage_type, root_key, location, numel, view_metadata)
  PersistentLoad load = [&](const ValuePtr& pid) {
    if (pid->kind != Value::Tuple || pid->items.size() < 6 || pid->items[0]->kind != Value::String ||
        pid->items[0]->text != "storage" || pid->items[2]->kind != Value::String || pid->items[4]->kind != Value::Int)
      fail("unexpected persistent id");
    if (pid->items[5]->kind != Value::None) fail("storage views are not supported");
    auto dtype = storage_dtype(pid->items[1], fail);
    const std::string& key = pid->items[2]->text;
    auto it = storages.find(key);
    const int64_t numel = pid->items[4]->i;
    // Checked against the bytes there are before anything is allocated for it.
    if (numel < 0 || static_cast<uint64_t>(numel) > bytes.size() / c10::elementSize(dtype))
      fail("storage " + key + " has " + std::to_string(numel) + " elements, more than the file holds");
    if (it == storages.end())
      it = storages.emplace(key, torch::empty({numel}, torch::TensorOptions().dtype(dtype))).first;
    auto v = Value::make(Value::Storage);
    v->tensor = it->second;  // filled in place below, after the object pickle
    return v;
  };
  std::size_t pos = 0;
  std::deque<Unpickler> unpicklers;  // alive until the values they read have been used (see ~Unpickler)
  auto next = [&](const PersistentLoad& l) {
    Unpickler& u = unpicklers.emplace_back(bytes, pos, path, "cannot read legacy PyTorch checkpoint", l);
    auto v = u.run();
    pos = u.position();
    return v;
  };
  auto magic = next(no_storage);
  if (magic->kind != Value::String || magic->text != std::string("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10))
    fail("not a PyTorch checkpoint (no magic number)");
  auto protocol = next(no_storage);
  if (protocol->kind != Value::Int || protocol->i != 1001) fail("unsupported protocol version");
  auto info = next(no_storage);
  for (std::size_t k = 0; info->kind == Value::Dict && k + 1 < info->items.size(); k += 2)
    if (info->items[k]->text == "little_endian" && info->items[k + 1]->kind == Value::Bool && !info->items[k + 1]->i)
      fail("big-endian checkpoints are not supported");
  auto root = next(load);
  auto keys = next(no_storage);
  if (keys->kind != Value::List) fail("no storage key list");
  for (const auto& key : keys->items) {
    if (key->kind != Value::String || !storages.count(key->text)) fail("unknown storage key in the key list");
    auto& t = storages.at(key->text);
    if (bytes.size() - pos < 8) fail("truncated storage " + key->text);
    int64_t numel = 0;
    std::memcpy(&numel, bytes.data() + pos, 8);
    pos += 8;
    if (numel != t.numel()) fail("storage " + key->text + " has " + std::to_string(numel) + " elements, expected " + std::to_string(t.numel()));
    const auto n = static_cast<std::size_t>(t.nbytes());
    if (bytes.size() - pos < n) fail("truncated storage " + key->text);
    if (n) std::memcpy(t.data_ptr(), bytes.data() + pos, n);
    pos += n;
  }
  return state_dict_entries(root, path);
}

}  // namespace

NamedTensors read_torch_state_dict(const std::string& path) {
  std::string bytes = read_file(path);
  // torch.save's zip format starts with a local-file header "PK\x03\x04"; the legacy format is a bare pickle of
  // its magic number (protocol 2: \x80\x02, then LONG1 \x8a of 10 bytes).
  if (bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0) {
    const ZipCrcs crcs = zip_crcs(bytes, path);
    bytes = std::string();  // LibTorch's reader opens the file itself
    return read_zip_format(path, crcs);
  }
  if (bytes.size() >= 4 && bytes.compare(0, 4, std::string("\x80\x02\x8a\x0a", 4)) == 0)
    return read_legacy_format(path, bytes);
  throw InputError(path, 0, "not a PyTorch checkpoint (neither torch.save's zip format nor its legacy format)");
}

}  // namespace nertool::io
