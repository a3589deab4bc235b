#include "nertool/text/sentencepiece_tokenizer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>

#include "bridge/sentencepiece_bridge.h"
#include "nertool/core/companion_file.h"
#include "nertool/core/error.h"

namespace nertool::text {
namespace {
// fairseq's dictionary puts <s> <pad> </s> <unk> first; SentencePiece's own <unk> <s> </s> are pieces 0..2.
constexpr int64_t kFairseqOffset = 1;
constexpr int64_t kUnkId = 3;

// The bridge's entry points, resolved once per process.
struct BridgeApi {
  decltype(&nertool_spm_load) load = nullptr;
  decltype(&nertool_spm_free) free = nullptr;
  decltype(&nertool_spm_piece_size) piece_size = nullptr;
  decltype(&nertool_spm_id_to_piece) id_to_piece = nullptr;
  decltype(&nertool_spm_piece_to_id) piece_to_id = nullptr;
  decltype(&nertool_spm_encode) encode = nullptr;
  decltype(&nertool_spm_free_ids) free_ids = nullptr;
};

template <typename F>
void resolve(void* module, const char* name, F& fn, const std::string& path) {
  fn = reinterpret_cast<F>(::dlsym(module, name));
  if (!fn) throw Error("SentencePiece bridge " + path + " lacks " + name);
}

// Loads libsentencepiece and then the bridge, both RTLD_LOCAL | RTLD_DEEPBIND: sentencepiece's references to its
// embedded protobuf bind inside it, never to the libprotobuf that LibTorch loads (see sentencepiece_bridge.h).
// The sanitizer build of the fuzz targets (no LibTorch in the process) sets the flags without RTLD_DEEPBIND,
// which the sanitizer runtime refuses.
#ifndef NERTOOL_SPM_DLOPEN_FLAGS
#define NERTOOL_SPM_DLOPEN_FLAGS (RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)
#endif
const BridgeApi& bridge() {
  static std::once_flag once;
  static BridgeApi api;
  static std::string failure;
  std::call_once(once, [] {
    const char* env = std::getenv("NERTOOL_SPM_BRIDGE");
    const int flags = NERTOOL_SPM_DLOPEN_FLAGS;
#ifdef NERTOOL_SANITIZED
    // The sanitizer runtime aborts the process on RTLD_DEEPBIND; a clear error is better.
    if (flags & RTLD_DEEPBIND) {
      failure = "SentencePiece is not available in a sanitizer build (its isolation needs RTLD_DEEPBIND, which the "
                "sanitizer runtime refuses)";
      return;
    }
#endif
    if (!::dlopen("libsentencepiece.so.0", flags)) {
      failure = std::string("cannot load libsentencepiece.so.0: ") + ::dlerror();
      return;
    }
    // NERTOOL_SPM_BRIDGE; else the module beside the program, then the build folder's (core/companion_file.h).
    const std::vector<std::string> candidates =
        companion_file_candidates("libnertool_spm_bridge.so", NERTOOL_SPM_BRIDGE_PATH, env);
    void* module = nullptr;
    std::string path;
    for (const auto& candidate : candidates) {
      path = candidate;
      if (::access(path.c_str(), F_OK) != 0 && &candidate != &candidates.back()) continue;
      module = ::dlopen(path.c_str(), flags);
      if (module) break;
    }
    if (!module) {
      failure = "cannot load the SentencePiece bridge " + path + " (set NERTOOL_SPM_BRIDGE): " + ::dlerror();
      return;
    }
    try {
      resolve(module, "nertool_spm_load", api.load, path);
      resolve(module, "nertool_spm_free", api.free, path);
      resolve(module, "nertool_spm_piece_size", api.piece_size, path);
      resolve(module, "nertool_spm_id_to_piece", api.id_to_piece, path);
      resolve(module, "nertool_spm_piece_to_id", api.piece_to_id, path);
      resolve(module, "nertool_spm_encode", api.encode, path);
      resolve(module, "nertool_spm_free_ids", api.free_ids, path);
    } catch (const Error& e) {
      failure = e.what();
      api = BridgeApi{};
    }
  });
  if (!failure.empty()) throw Error(failure);
  return api;
}
}  // namespace

class SentencePieceTokenizer::Processor {
 public:
  explicit Processor(const std::string& path) : api_(bridge()) {
    char err[512] = {0};
    handle_ = api_.load(path.c_str(), err, sizeof err);
    if (!handle_) throw IoError("cannot load SentencePiece model " + path + ": " + err);
  }
  ~Processor() { api_.free(handle_); }
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  int GetPieceSize() const { return api_.piece_size(handle_); }
  std::string IdToPiece(int id) const {
    char buf[256];
    std::size_t n = api_.id_to_piece(handle_, id, buf, sizeof buf);
    if (n < sizeof buf) return std::string(buf, n);
    std::string big(n + 1, '\0');
    api_.id_to_piece(handle_, id, big.data(), big.size());
    big.resize(n);
    return big;
  }
  int PieceToId(const std::string& piece) const { return api_.piece_to_id(handle_, piece.data(), piece.size()); }
  void Encode(std::string_view text, std::vector<int>* ids) const {
    int* raw = nullptr;
    std::size_t count = 0;
    char err[512] = {0};
    if (api_.encode(handle_, text.data(), text.size(), &raw, &count, err, sizeof err) != 0)
      throw Error(std::string("SentencePiece failed to encode text: ") + err);
    ids->assign(raw, raw + count);
    api_.free_ids(raw);
  }

 private:
  const BridgeApi& api_;
  void* handle_ = nullptr;
};

SentencePieceOptions::SentencePieceOptions() {
  special.cls.content = "<s>";
  special.sep.content = "</s>";
  special.pad.content = "<pad>";
  special.unk.content = "<unk>";
  special.mask.content = "<mask>";
  for (SpecialToken* t : {&special.cls, &special.sep, &special.pad, &special.unk})
    t->lstrip = t->rstrip = true;  // plain strings in XLMRobertaTokenizer: HF strips both neighbours
  special.mask.lstrip = true;      // AddedToken(mask_token, lstrip=True, rstrip=False)
}

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_path, SentencePieceOptions options)
    : options_(std::move(options)), sp_(std::make_unique<Processor>(model_path)) {
  settings_ = options_.settings;
  set_special_tokens(options_.special);
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

int64_t SentencePieceTokenizer::num_pieces() const { return sp_->GetPieceSize(); }

int64_t SentencePieceTokenizer::vocab_size() const { return num_pieces() + kFairseqOffset + 1; }

std::string SentencePieceTokenizer::id_to_token(int64_t id) const {
  switch (id) {
    case 0: return "<s>";
    case 1: return "<pad>";
    case 2: return "</s>";
    case 3: return "<unk>";
    default: break;
  }
  if (id == vocab_size() - 1) return "<mask>";
  if (id < 0 || id >= vocab_size()) throw Error("token id " + std::to_string(id) + " outside the vocabulary");
  return sp_->IdToPiece(static_cast<int>(id - kFairseqOffset));
}

int64_t SentencePieceTokenizer::token_to_id(const std::string& token) const {
  if (token == "<s>") return 0;
  if (token == "<pad>") return 1;
  if (token == "</s>") return 2;
  if (token == "<unk>") return kUnkId;
  if (token == "<mask>") return vocab_size() - 1;
  int piece = sp_->PieceToId(token);
  // PieceToId answers the unknown piece (0) for strings not in the model.
  return piece > 0 ? piece + kFairseqOffset : -1;
}

void SentencePieceTokenizer::tokenize_chunk(std::string_view chunk, std::vector<int64_t>& out) const {
  std::vector<int> ids;
  sp_->Encode(chunk, &ids);
  for (int id : ids) out.push_back(id == 0 ? kUnkId : id + kFairseqOffset);
}

std::string SentencePieceTokenizer::default_config_json() const {
  nlohmann::ordered_json j;
  j["tokenizer_class"] = "XLMRobertaTokenizer";
  if (settings_.model_max_length) j["model_max_length"] = *settings_.model_max_length;
  j["bos_token"] = "<s>";
  j["cls_token"] = "<s>";
  j["eos_token"] = "</s>";
  j["sep_token"] = "</s>";
  j["pad_token"] = "<pad>";
  j["unk_token"] = "<unk>";
  j["mask_token"] = "<mask>";
  return j.dump(2) + "\n";
}

}  // namespace nertool::text
