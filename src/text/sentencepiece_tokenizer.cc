#include "nertool/text/sentencepiece_tokenizer.h"

#include <nlohmann/json.hpp>
#include <sentencepiece_processor.h>

#include "nertool/core/error.h"

namespace nertool::text {
namespace {
// fairseq's dictionary puts <s> <pad> </s> <unk> first; SentencePiece's own <unk> <s> </s> are pieces 0..2.
constexpr int64_t kFairseqOffset = 1;
constexpr int64_t kUnkId = 3;
}  // namespace

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
    : options_(std::move(options)), sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
  settings_ = options_.settings;
  auto status = sp_->Load(model_path);
  if (!status.ok()) throw IoError("cannot load SentencePiece model " + model_path + ": " + status.ToString());
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
  auto status = sp_->Encode(chunk, &ids);
  if (!status.ok()) throw Error("SentencePiece failed to encode text: " + status.ToString());
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
