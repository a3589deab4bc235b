#pragma once
// The BiLSTM-CNN encoder of Chiu & Nichols (2016): per word, a word embedding (optionally initialised from a
// pretrained vector file), a casing embedding and a character-CNN vector, concatenated and run through a stack of
// bidirectional LSTMs. Features are [forward half, backward half] (num_directions() == 2), so the paper's
// two-softmax output ("bidir_softmax") and any other decoder can sit on top.
//
// Config: model.encoder = "bilstm_cnn"; options in the model section's "bilstm_cnn" object (see
// BiLstmCnnOptions; unknown keys are ConfigErrors).
#include <nlohmann/json.hpp>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/rnn.h>

#include <memory>
#include <string>
#include <vector>

#include "nertool/core/config_keys.h"
#include "nertool/text/lexicon.h"
#include "nertool/io/word_vectors.h"
#include "nertool/layers/char_cnn.h"
#include "nertool/layers/vocabulary.h"
#include "nertool/models/encoder.h"
#include "nertool/models/tagger.h"

namespace nertool::models {

struct BiLstmCnnOptions {
  // Words. The vocabulary is the training words (min count) plus, with a vector file, the file's first max_vocab
  // words; a training word whose exact or lower-cased form has a pretrained vector shares that vector.
  int64_t word_dim = 100;            // with a vector file, training takes the file's dimension (completed_model_config)
  std::string embeddings;            // pretrained vector file ("" = random initialisation)
  std::string embeddings_format = "auto";  // auto | glove | word2vec | word2vec_binary
  int64_t max_vocab = 100000;        // cap on words taken from the vector file (0 = all)
  int64_t word_min_count = 1;        // training words seen fewer times are unknown (unless in the file)
  bool lowercase_words = false;      // look words up lower-cased (casing still reaches the model via casing)
  bool normalize_digits = false;     // every digit becomes 0 for word lookup
  double unk_replace = 0.0;          // training: chance that a word seen once in training is fed as <unk>
  // Casing feature (Chiu & Nichols' lookup of capitalisation classes); 0 disables.
  int64_t casing_dim = 10;
  // Characters.
  int64_t char_dim = 25;
  int64_t char_type_dim = 4;         // 0 disables the character-type feature
  int64_t char_filters = 53;
  int64_t char_width = 3;
  double char_dropout = 0.0;         // on the pooled character vector
  int64_t max_word_length = 50;      // characters beyond this are ignored (bounds memory on URLs and the like)
  // Stacked bidirectional LSTM: num_layers single-layer BiLSTMs, dropout on each one's output.
  int64_t hidden_size = 275;         // per direction
  int64_t num_layers = 2;
  double dropout = 0.5;
  double embedding_dropout = 0.5;    // on the concatenated word representation, before the first LSTM
  // Lexicon features (Chiu & Nichols §2.4): a lexicon file (text/lexicon.h; "" = none). Per category, a token's
  // BIOES position in a matched phrase joins the word representation as 4 binary features, after the embedding
  // dropout. The file is copied into the model directory, so a run directory stays self-contained.
  std::string lexicon;

  static BiLstmCnnOptions from_json(const nlohmann::json& j);  // throws ConfigError (unknown key, bad value)
  nlohmann::json to_json() const;
};

// The model.bilstm_cnn keys (core/config_keys.h).
const std::vector<config::Key<BiLstmCnnOptions>>& bilstm_cnn_keys();

class BiLstmCnnEncoder : public Encoder {
 public:
  // `vectors` (may be null) initialises the rows of words it holds; the vocabularies fix the embedding sizes.
  BiLstmCnnEncoder(BiLstmCnnOptions options, layers::Vocabulary words, layers::Vocabulary chars,
                   const io::WordVectors* vectors, const std::vector<int64_t>& singleton_ids,
                   std::shared_ptr<const text::Lexicon> lexicon = nullptr);

  // New model: vocabularies from `context.train` (+ vector file), saved into context.model_dir. Loading (train
  // null): vocabularies read from context.model_dir.
  static std::shared_ptr<BiLstmCnnEncoder> build(const BuildContext& context);
  static constexpr const char* kVocabularyFile = "bilstm_cnn_vocab.json";
  static constexpr const char* kLexiconFile = "bilstm_cnn_lexicon.tsv";

  // inputs: words, casing [B,T]; chars, char_types [B,T,C]; with a lexicon, lexicon [B,T,4K] (float 0/1)
  void featurize(Batch& batch) const override;
  torch::Tensor forward(const Batch& batch) override;
  int64_t output_dim() const override { return 2 * options_.hidden_size; }
  int64_t num_directions() const override { return 2; }

  const BiLstmCnnOptions& options() const { return options_; }
  const layers::Vocabulary& words() const { return words_; }
  const layers::Vocabulary& chars() const { return chars_; }
  const text::Lexicon* lexicon() const { return lexicon_.get(); }
  int64_t word_id(const std::string& token) const;  // with the lookup rules (folding, lower-case fallback)
  std::string word_key(const std::string& token) const;  // token after lowercase_words / normalize_digits
  torch::Tensor word_embedding_weight() const { return word_embedding_->weight; }
  void save_vocabularies(const std::string& dir) const;

 private:
  BiLstmCnnOptions options_;
  layers::Vocabulary words_;
  layers::Vocabulary chars_;
  torch::nn::Embedding word_embedding_{nullptr};
  torch::nn::Embedding casing_embedding_{nullptr};
  layers::CharCnn char_cnn_{nullptr};
  torch::nn::Dropout embedding_dropout_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  std::vector<torch::nn::LSTM> lstms_;
  std::shared_ptr<const text::Lexicon> lexicon_;
  torch::Tensor singleton_;  // [V] bool buffer: training-only words seen once (for unk_replace)
};

void register_bilstm_cnn_encoder();

}  // namespace nertool::models
