#pragma once
// C interface of the SentencePiece bridge module (libnertool_spm_bridge.so). Debian's libsentencepiece embeds and
// exports an old protobuf-lite; in a process that also holds LibTorch's libprotobuf, either library's code can bind
// to the other's protobuf and abort. nertool therefore never links sentencepiece into its binaries: it loads this
// module with dlopen(RTLD_LOCAL | RTLD_DEEPBIND) after loading libsentencepiece the same way, so sentencepiece's
// calls resolve inside sentencepiece first.
#include <stddef.h>

extern "C" {
// Returns a processor handle, or null with a message in err.
void* nertool_spm_load(const char* path, char* err, size_t err_size);
void nertool_spm_free(void* handle);
int nertool_spm_piece_size(void* handle);
// Copies the piece into buf (truncated to buf_size - 1, NUL-terminated); returns the piece's full length.
size_t nertool_spm_id_to_piece(void* handle, int id, char* buf, size_t buf_size);
int nertool_spm_piece_to_id(void* handle, const char* piece, size_t length);
// Encodes text into ids (malloc'ed; release with nertool_spm_free_ids). Returns 0 on success, else -1 and err.
int nertool_spm_encode(void* handle, const char* text, size_t length, int** ids, size_t* count, char* err,
                       size_t err_size);
void nertool_spm_free_ids(int* ids);
}
