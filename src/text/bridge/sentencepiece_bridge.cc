// The only code that includes sentencepiece: a C bridge loaded at run time (see sentencepiece_bridge.h for why).
#include "sentencepiece_bridge.h"

#include <sentencepiece_processor.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {
void set_error(char* err, size_t err_size, const std::string& message) {
  if (!err || err_size == 0) return;
  std::size_t n = std::min(err_size - 1, message.size());
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}
sentencepiece::SentencePieceProcessor* processor(void* handle) {
  return static_cast<sentencepiece::SentencePieceProcessor*>(handle);
}
}  // namespace

extern "C" {

void* nertool_spm_load(const char* path, char* err, size_t err_size) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  auto status = sp->Load(path);
  if (!status.ok()) {
    set_error(err, err_size, status.ToString());
    delete sp;
    return nullptr;
  }
  return sp;
}

void nertool_spm_free(void* handle) { delete processor(handle); }

int nertool_spm_piece_size(void* handle) { return processor(handle)->GetPieceSize(); }

size_t nertool_spm_id_to_piece(void* handle, int id, char* buf, size_t buf_size) {
  const std::string& piece = processor(handle)->IdToPiece(id);
  if (buf && buf_size > 0) {
    std::size_t n = std::min(buf_size - 1, piece.size());
    std::memcpy(buf, piece.data(), n);
    buf[n] = '\0';
  }
  return piece.size();
}

int nertool_spm_piece_to_id(void* handle, const char* piece, size_t length) {
  return processor(handle)->PieceToId(std::string(piece, length));
}

int nertool_spm_encode(void* handle, const char* text, size_t length, int** ids, size_t* count, char* err,
                       size_t err_size) {
  std::vector<int> out;
  auto status = processor(handle)->Encode(std::string(text, length), &out);
  if (!status.ok()) {
    set_error(err, err_size, status.ToString());
    return -1;
  }
  *count = out.size();
  *ids = static_cast<int*>(std::malloc(sizeof(int) * (out.empty() ? 1 : out.size())));
  if (!*ids) {
    set_error(err, err_size, "out of memory");
    return -1;
  }
  std::memcpy(*ids, out.data(), sizeof(int) * out.size());
  return 0;
}

void nertool_spm_free_ids(int* ids) { std::free(ids); }
}
