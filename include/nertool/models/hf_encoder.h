#pragma once
// Transformer encoders for BERT- and RoBERTa-family checkpoints ("bert", "roberta" in model.encoder).
//
// The encoder featurizes sentences itself: each word is tokenized on its own (Hugging Face's
// is_split_into_words), the subwords are laid out in windows of at most max_seq_length tokens (specials
// included), the transformer runs over the windows, and each word takes the vector of its first subword. No word
// is ever dropped: a sentence longer than a window is split into overlapping windows (advancing by `stride`
// subwords) and each word takes its vector from the window where it is most central. With document context,
// a sentence that fits leaves its spare room to the neighbouring sentences of its -DOCSTART- document (left and
// right, about equally), which the transformer sees but nothing is predicted for.
//
// Model section keys: "encoder": "bert" | "roberta"; "transformer": {architecture, see TransformerConfig} or
// "pretrained": a converted model directory or a `nertool pretrain` run (architecture, tokenizer and weights come
// from there);
// "max_seq_length" (128), "stride" (window advance in subwords; 0: half a window), "document_context" (false).
// The run directory keeps transformer.json (the architecture) and tokenizer/.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nertool/core/config_keys.h"
#include "nertool/layers/transformer.h"
#include "nertool/models/encoder.h"
#include "nertool/models/tagger.h"

namespace nertool::text {
class SubwordTokenizer;
}

namespace nertool::models {

struct WindowOptions {
  int64_t max_seq_length = 128;  // subwords per window, special tokens included
  int64_t stride = 0;            // window advance in subwords; 0: half the window's content
  bool document_context = false;
};

// The transformers' window keys, read directly under `model` (core/config_keys.h).
const std::vector<config::Key<WindowOptions>>& window_keys();

// Where each word of one sentence is read from: window w (index into the sentence's windows), position p.
struct WindowPlan {
  struct Window {
    std::vector<int64_t> ids;  // full window: [CLS] context... sentence words... context... [SEP]
  };
  std::vector<Window> windows;
  std::vector<int64_t> word_window;    // per word
  std::vector<int64_t> word_position;  // per word: index of its first subword in its window
};

// Special token ids wrapped around every window.
struct SpecialIds {
  int64_t cls = 0, sep = 0, pad = 0, unk = 0;
};

// Lays out one sentence. `pieces`: subword ids of each word (a word with none gets [UNK], so it still gets a
// vector); `left`/`right`: subword ids of the context before/after the sentence, nearest last/first (used only
// when the sentence fits one window).
WindowPlan plan_windows(const std::vector<std::vector<int64_t>>& pieces, const SpecialIds& specials,
                        const WindowOptions& options, const std::vector<int64_t>& left = {},
                        const std::vector<int64_t>& right = {});

class HfTransformerEncoder : public Encoder {
 public:
  using WordSplitter = std::function<std::vector<std::vector<int64_t>>(const std::vector<std::string>&)>;

  HfTransformerEncoder(const layers::TransformerConfig& config, const WindowOptions& windows, SpecialIds specials,
                       WordSplitter splitter);

  void featurize(Batch& batch) const override;
  torch::Tensor forward(const Batch& batch) override;
  int64_t output_dim() const override { return config_.hidden_size; }
  // Subwords plus the two special tokens (a word with no subwords counts as its [UNK]).
  int64_t compute_length(const data::Sentence& sentence) const override;

  // Last hidden states [N, S, H] of subword sequences input_ids [N, S] with attention_mask [N, S].
  torch::Tensor hidden_states(const torch::Tensor& input_ids, const torch::Tensor& attention_mask);

  const layers::TransformerConfig& config() const { return config_; }
  const WindowOptions& window_options() const { return windows_; }
  void set_window_options(const WindowOptions& w) { windows_ = w; }

  layers::TransformerEmbeddings embeddings{nullptr};
  layers::TransformerStack encoder{nullptr};

 private:
  layers::TransformerConfig config_;
  WindowOptions windows_;
  SpecialIds specials_;
  WordSplitter splitter_;
};

// The splitter of a subword tokenizer: each word's subword ids as encode_words gives them.
HfTransformerEncoder::WordSplitter word_splitter(std::shared_ptr<const text::SubwordTokenizer> tokenizer);

// Where a model section's architecture comes from: a saved model's transformer.json; else model.transformer; else
// the pretrained directory's transformer.json.
layers::TransformerConfig transformer_config_of(const BuildContext& context);
// Where its tokenizer comes from: the saved model's tokenizer/; else the pretrained directory's; else
// model.tokenizer.
std::string tokenizer_dir_of(const BuildContext& context);
// The tokenizer's special ids, checked against the architecture (pad id, vocabulary size); errors name the folder.
SpecialIds checked_special_ids(const text::SubwordTokenizer& tokenizer, const layers::TransformerConfig& config,
                               const std::string& tokenizer_dir);

// Builds the encoder from a model section (see the top of this file). Registered as "bert" and "roberta".
std::shared_ptr<HfTransformerEncoder> build_hf_encoder(const BuildContext& context);
void register_hf_encoders();

}  // namespace nertool::models
