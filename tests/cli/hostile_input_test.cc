// A catalog of hostile inputs across the commands and file formats: each case asserts the exit code, that the
// message names the file and what is wrong, that no output or temporary file is left, and that existing files
// are intact. Cases that need a trained model or LibTorch-side readers go through nertool-torch.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "case_catalog.h"
#include "checkpoint_files.h"
#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::case_name;
using nertool::testing::CliResult;
using nertool::testing::folder_snapshot;
using nertool::testing::run_nertool;
using nertool::testing::source_path;
using nertool::testing::TempDir;

struct HostileCase {
  std::string name;
  std::map<std::string, std::string> files;  // written into the case's folder first ({dir} is replaced)
  std::string args;                          // nertool arguments; {dir} is the case's folder
  int exit_code;
  std::vector<std::string> message;  // fragments of stderr ({dir} replaced)
};

std::string expand(std::string s, const std::string& dir) {
  for (std::size_t at = s.find("{dir}"); at != std::string::npos; at = s.find("{dir}", at + dir.size()))
    s.replace(at, 5, dir);
  return s;
}

const std::string kGold = "EU B-ORG\nrejects O\n\nPeter B-PER\n";
const std::string kKeep = "an existing output that must survive\n";
// A BiLSTM-CNN run on the bundled sample into the case's folder.
const std::string kTrain = "train --config " + source_path("configs/bilstm_cnn.json") + " --data " +
                           source_path("data/sample") + " --out {dir}/run";

// `nertool pretrain` of a tiny BERT with a WordPiece vocabulary written into the case's folder (tok/).
const std::string kVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\na\n##s\n.\n";
const std::string kPretrainConfig = R"({"model": {"encoder": "bert", "tokenizer": "{dir}/tok",
  "transformer": {"vocab_size": 9, "hidden_size": 8, "num_layers": 1, "num_heads": 2, "intermediate_size": 8,
                  "max_position_embeddings": 32, "type_vocab_size": 2, "layer_norm_eps": 1e-12}},
  "pretrain": {"train_files": ["t.txt"], "valid_file": "v.txt", "max_length": 16},
  "train": {"optimizer": "adamw", "lr": 0.001, "batch_sentences": 2, "max_epochs": 1}})";
const std::string kPretrain = "pretrain --config {dir}/c.json --data {dir} --out {dir}/run";

// Fine-tuning from a pretraining run in the case's folder (pre/), on the bundled sample.
const std::string kFineTuneConfig = R"({"model": {"encoder": "bert", "pretrained": "{dir}/pre"},
  "train": {"max_epochs": 1, "batch_sentences": 4}})";
const std::string kFineTune =
    "train --config {dir}/c.json --data " + source_path("data/sample") + " --out {dir}/run";

// A tiny BERT's config.json, for checkpoints whose weights file is the problem.
const std::string kTinyBert = R"({"model_type": "bert", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1, )"
                              R"("num_attention_heads": 1, "intermediate_size": 4})";

// A safetensors file: the header's length (8 bytes, little-endian), the JSON header, the data.
std::string safetensors(const std::string& header, const std::string& data = "") {
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

std::vector<HostileCase> catalog() {
  const std::string nul("EU B-ORG\nrej\0ects O\n", 20);
  std::string deep_json = std::string(100000, '[') + std::string(100000, ']');
  return {
      // CoNLL files given to eval
      {"conll NUL byte", {{"g.txt", nul}, {"p.txt", kGold}}, "eval --gold {dir}/g.txt --pred {dir}/p.txt", 2,
       {"{dir}/g.txt:2:", "NUL byte"}},
      {"conll invalid UTF-8", {{"g.txt", "EU B-ORG\nr\xff O\n"}, {"p.txt", kGold}},
       "eval --gold {dir}/g.txt --pred {dir}/p.txt", 2, {"{dir}/g.txt:2:", "invalid UTF-8"}},
      {"conll carriage return inside a line", {{"g.txt", "EU\rX B-ORG\n"}, {"p.txt", kGold}},
       "eval --gold {dir}/g.txt --pred {dir}/p.txt", 2, {"{dir}/g.txt:1:", "carriage return"}},
      {"conll ragged columns", {{"g.txt", "EU NNP B-ORG\nrejects O\n"}, {"p.txt", kGold}},
       "eval --gold {dir}/g.txt --pred {dir}/p.txt", 2, {"{dir}/g.txt:2:", "inconsistent column count"}},
      {"conll misaligned prediction", {{"g.txt", kGold}, {"p.txt", "EU B-ORG\n\nPeter B-PER\n"}},
       "eval --gold {dir}/g.txt --pred {dir}/p.txt", 2, {"p.txt"}},
      {"conll directory as a file", {{"sub/x", ""}, {"p.txt", kGold}}, "eval --gold {dir}/sub --pred {dir}/p.txt",
       1, {"{dir}/sub", "it is a directory"}},
      {"conll missing file", {{"p.txt", kGold}}, "eval --gold {dir}/absent.txt --pred {dir}/p.txt", 1,
       {"{dir}/absent.txt"}},
      {"conll two columns for --file", {{"f.txt", kGold}}, "eval --file {dir}/f.txt", 2,
       {"{dir}/f.txt:1:", "is the token column"}},
      {"conll strict mode foreign prefix", {{"g.txt", "EU S-ORG\n"}, {"p.txt", "EU S-ORG\n"}},
       "eval --mode strict --scheme IOB2 --gold {dir}/g.txt --pred {dir}/p.txt", 2, {"{dir}/g.txt:1:", "strict"}},
      {"eval flag out of range", {{"f.txt", "a O O\n"}}, "eval --file {dir}/f.txt --token-column 4294967296", 2,
       {"--token-column"}},
      // convert --scheme
      {"convert invalid labels keep the old output",
       {{"in.txt", "EU I-ORG\nx B-\n"}, {"out.txt", kKeep}},
       "convert --scheme IOBES --input {dir}/in.txt --output {dir}/out.txt", 2, {"{dir}/in.txt:2:"}},
      {"convert output is a directory", {{"in.txt", kGold}, {"outdir/x", ""}},
       "convert --scheme IOBES --input {dir}/in.txt --output {dir}/outdir", 1, {"{dir}/outdir", "is a directory"}},
      {"convert to a full device", {{"in.txt", kGold}},
       "convert --scheme IOBES --input {dir}/in.txt --output /dev/full", 1, {"/dev/full"}},
      // lexicon files and type maps
      {"lexicon type map invalid JSON", {{"in.txt", kGold}, {"map.json", "{\n \"map\": {,}\n}"}},
       "lexicon --input {dir}/in.txt --type-map {dir}/map.json --output {dir}/lex.tsv", 2,
       {"{dir}/map.json:2:", "invalid JSON at column"}},
      {"lexicon type map nested 100k deep", {{"in.txt", kGold}, {"map.json", deep_json}},
       "lexicon --input {dir}/in.txt --type-map {dir}/map.json --output {dir}/lex.tsv", 2,
       {"{dir}/map.json:1:", "nest deeper than 256"}},
      {"lexicon type map wrong types", {{"in.txt", kGold}, {"map.json", R"({"map": {"PER": 3}})"}},
       "lexicon --input {dir}/in.txt --type-map {dir}/map.json --output {dir}/lex.tsv", 2, {"{dir}/map.json"}},
      {"lexicon input with a NUL byte",
       {{"in.txt", nul},
        {"map.json", R"({"name": "m", "source": "s", "target": "t", "map": {"ORG": "ORG", "PER": "PER"}})"}},
       "lexicon --input {dir}/in.txt --type-map {dir}/map.json --output {dir}/lex.tsv", 2,
       {"{dir}/in.txt:2:", "NUL byte"}},
      // taxonomies
      {"taxonomy invalid JSON", {{"g.txt", kGold}, {"tax.json", "{\n\n  \"types\": [1,]\n}"}},
       "eval --gold {dir}/g.txt --pred {dir}/g.txt --taxonomy {dir}/tax.json", 2,
       {"{dir}/tax.json:3:", "invalid JSON"}},
      {"taxonomy nested 100k deep", {{"g.txt", kGold}, {"tax.json", deep_json}},
       "eval --gold {dir}/g.txt --pred {dir}/g.txt --taxonomy {dir}/tax.json", 2, {"{dir}/tax.json", "nest deeper"}},
      // tokenizer files
      {"tokenizer.json with a boolean id",
       {{"tok/tokenizer.json", R"({"model": {"type": "WordPiece", "vocab": {"[UNK]": true}}, "normalizer": )"
                               R"({"type": "BertNormalizer"}, "pre_tokenizer": {"type": "BertPreTokenizer"}})"},
        {"in.txt", kGold}},
       "tokenize --tokenizer {dir}/tok --input {dir}/in.txt", 2,
       {"{dir}/tok/tokenizer.json", "the id of token '[UNK]' is not a whole number"}},
      {"tokenizer.json with a float id of an added token",
       {{"tok/tokenizer.json", R"({"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "normalizer": )"
                               R"({"type": "BertNormalizer"}, "pre_tokenizer": {"type": "BertPreTokenizer"}, )"
                               R"("added_tokens": [{"id": 1.06667e+94, "special": true, "content": "[PAD]"}]})"},
        {"in.txt", kGold}},
       "tokenize --tokenizer {dir}/tok --input {dir}/in.txt", 2,
       {"{dir}/tok/tokenizer.json", "the id of token '[PAD]' is not a whole number"}},
      {"merges.txt with a one-field line",
       {{"tok/vocab.json", R"({"a": 0, "b": 1, "<unk>": 2})"}, {"tok/merges.txt", "#version: 0.2\na b\nc\n"},
        {"in.txt", kGold}},
       "tokenize --tokenizer {dir}/tok --input {dir}/in.txt", 2, {"{dir}/tok/merges.txt:3:", "expected a merge"}},
      {"merges.txt not UTF-8",
       {{"tok/vocab.json", R"({"a": 0, "<unk>": 1})"}, {"tok/merges.txt", "#version: 0.2\na \xff\n"},
        {"in.txt", kGold}},
       "tokenize --tokenizer {dir}/tok --input {dir}/in.txt", 2, {"{dir}/tok/merges.txt", "UTF-8"}},
      {"vocab.json invalid JSON", {{"tok/vocab.json", "{\"a\": 0,"}, {"tok/merges.txt", "#v\n"}, {"in.txt", kGold}},
       "tokenize --tokenizer {dir}/tok --input {dir}/in.txt", 2, {"{dir}/tok/vocab.json:1:", "invalid JSON"}},
      {"tokenize input is a directory", {{"sub/x", ""}}, "tokenize --tokenizer {dir}/sub --input {dir}/sub", 2,
       {"{dir}/sub"}},
      // train: configs and overrides (nertool-torch)
      {"config nested 100k deep", {{"c.json", deep_json}}, "train --config {dir}/c.json --out {dir}/run", 2,
       {"{dir}/c.json:1:", "nest deeper than 256"}},
      {"config invalid JSON", {{"c.json", "{\n  \"train\": {\"lr\": }\n}"}}, "train --config {dir}/c.json --out {dir}/run",
       2, {"{dir}/c.json:2:", "invalid JSON"}},
      {"config epochs beyond int", {}, "train --config " + source_path("configs/bilstm_cnn.json") +
                                           " --set train.max_epochs=4294967297 --out {dir}/run",
       2, {"train.max_epochs: integer 4294967297 is out of range"}},
      {"config seed beyond int64", {}, "train --config " + source_path("configs/bilstm_cnn.json") +
                                           " --seed 99999999999999999999 --out {dir}/run",
       2, {"train.seed"}},
      {"config unknown key", {}, "train --config " + source_path("configs/bilstm_cnn.json") +
                                     " --set train.patiance=3 --out {dir}/run",
       2, {"train.patiance", "did you mean"}},
      {"train data folder missing", {}, "train --config " + source_path("configs/bilstm_cnn.json") +
                                            " --data {dir}/nodata --out {dir}/run",
       1, {"data.train: cannot open {dir}/nodata/train.txt"}},
      {"word vectors header larger than the file",
       {{"v.vec", "1 2000000000\nw 1 2 3\n"}},
       "train --config " + source_path("configs/bilstm_cnn.json") + " --data " + source_path("data/sample") +
           " --set model.bilstm_cnn.embeddings={dir}/v.vec --set model.bilstm_cnn.word_dim=3 --out {dir}/run",
       2, {"{dir}/v.vec:1:", "more than the file's 21 bytes can hold"}},
      {"word vectors with NaN", {{"v.txt", "the 1 2 3\nof nan 1 2\n"}},
       "train --config " + source_path("configs/bilstm_cnn.json") + " --data " + source_path("data/sample") +
           " --set model.bilstm_cnn.embeddings={dir}/v.txt --set model.bilstm_cnn.word_dim=3 --out {dir}/run",
       2, {"{dir}/v.txt:2:", "not a finite number"}},
      {"lexicon given as a directory", {{"lex/x", ""}},
       "train --config " + source_path("configs/bilstm_cnn.json") + " --data " + source_path("data/sample") +
           " --set model.bilstm_cnn.lexicon={dir}/lex --out {dir}/run",
       1, {"model.bilstm_cnn.lexicon", "{dir}/lex", "it is a directory"}},
      {"run directory not empty", {{"run/notes.txt", kKeep}},
       "train --config " + source_path("configs/bilstm_cnn.json") + " --data " + source_path("data/sample") +
           " --out {dir}/run",
       2, {"{dir}/run already exists and is not empty"}},
      {"resume a folder that is no run", {{"run/notes.txt", kKeep}},
       "train --config " + source_path("configs/bilstm_cnn.json") + " --data " + source_path("data/sample") +
           " --out {dir}/run --resume",
       1, {"{dir}/run", "not a nertool run directory"}},
      // train: every config value and flag checked, before any work when it can be (the effective config)
      {"config section not an object", {{"c.json", R"({"train": 3})"}}, "train --config {dir}/c.json --out {dir}/run",
       2, {"{dir}/c.json: train: expected an object, got a number"}},
      {"config unknown section", {{"c.json", R"({"trian": {}})"}}, "train --config {dir}/c.json --out {dir}/run", 2,
       {"unknown section 'trian'", "did you mean 'train'"}},
      {"config lr not a number", {}, kTrain + " --set train.lr=nan", 2, {"train.lr: expected a number"}},
      {"config decoder not a name", {}, kTrain + " --set model.decoder=3", 2,
       {"model.decoder: expected a string, got a number 3"}},
      {"config betas of one number", {}, kTrain + " --set train.betas=[0.9]", 2,
       {"train.betas: must be two numbers in [0, 1)"}},
      {"config two batching modes", {}, kTrain + " --set train.batch_sentences=8", 2, {"exactly one batching mode"}},
      {"config warmup ratio of one", {}, kTrain + " --set train.warmup_ratio=1", 2, {"train.warmup_ratio: must be in [0, 1)"}},
      {"config unknown optimizer", {}, kTrain + " --set train.optimizer=adagrad", 2,
       {"train.optimizer: must be one of nadam, adam, adamw, sgd"}},
      {"config unknown precision", {}, kTrain + " --set train.precision=fp16", 2, {"train.precision: must be fp32 or bf16"}},
      {"config unknown schedule", {}, kTrain + " --set train.schedule=cosine", 2, {"train.schedule"}},
      {"config unknown device", {}, kTrain + " --set train.device=tpu", 2, {"train.device: must be auto, cpu, cuda or cuda:N"}},
      {"config accumulate zero batches", {}, kTrain + " --set train.accumulate_batches=0", 2,
       {"train.accumulate_batches: must be >= 1"}},
      {"override without a value", {}, kTrain + " --set train.lr", 2, {"--set 'train.lr': expected key.path=value"}},
      {"override into a number", {}, kTrain + " --set train.lr.x=1", 2, {"'lr' is a number, not an object"}},
      {"freeze prefix naming nothing", {}, kTrain + " --set 'train.freeze=[\"nothing.\"]'", 2,
       {"train.freeze: 'nothing.' names no parameter"}},
      {"labels of another tag scheme", {}, kTrain + " --set data.tag_scheme=IOBES", 2,
       {"train.txt:3: labels are not valid IOBES", "set data.tag_scheme"}},
      {"token column beyond the file's", {}, kTrain + " --set data.token_column=5", 2,
       {"train.txt:3: too few columns"}},
      {"unknown decoder", {}, kTrain + " --set model.decoder=nosuch", 2, {"unknown decoder 'nosuch'", "model.decoder"}},
      {"negative hidden size", {}, kTrain + " --set model.bilstm_cnn.hidden_size=-3", 2,
       {"model.bilstm_cnn.hidden_size: must be >= 1 (got -3)"}},
      {"no workers", {}, kTrain + " --nproc 0", 2, {"--nproc"}},
      {"no distributed timeout", {}, kTrain + " --dist-timeout 0", 2, {"--dist-timeout"}},
      // convert and eval flags
      {"convert to an unknown scheme", {{"in.txt", kGold}},
       "convert --scheme IOBX --input {dir}/in.txt --output {dir}/out.txt", 2, {"unknown tag scheme \"IOBX\""}},
      {"eval taxonomy missing", {{"g.txt", kGold}},
       "eval --gold {dir}/g.txt --pred {dir}/g.txt --taxonomy {dir}/nothere.json", 1, {"{dir}/nothere.json"}},
      // Hugging Face checkpoints (convert --from hf)
      {"HF config.json with a string size", {{"hf/config.json", R"({"model_type": "bert", "vocab_size": "9"})"}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/config.json", "vocab_size: expected an integer"}},
      {"HF config.json nested deep", {{"hf/config.json", deep_json}}, "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/config.json:1:", "nest deeper"}},
      {"HF config.json asking for 416 GB",
       {{"hf/config.json", R"({"model_type": "bert", "vocab_size": 16000000, "hidden_size": 6500, )"
                           R"("num_attention_heads": 1})"}},
       "convert --from hf {dir}/hf --to {dir}/model", 2, {"{dir}/hf/config.json", "million parameters"}},
      {"safetensors header past the end",
       {{"hf/config.json", R"({"model_type": "bert", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1, )"
                           R"("num_attention_heads": 1, "intermediate_size": 4})"},
        {"hf/model.safetensors", std::string("\xff\xff\x00\x00\x00\x00\x00\x00{}", 10)}},
       "convert --from hf {dir}/hf --to {dir}/model", 2, {"model.safetensors", "exceeds the file size"}},
      {"safetensors header that is no JSON",
       {{"hf/config.json", kTinyBert}, {"hf/model.safetensors", safetensors("{w: 1}")}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/model.safetensors", "header is not valid JSON", "column 2"}},
      {"safetensors tensor past the data",
       {{"hf/config.json", kTinyBert},
        {"hf/model.safetensors", safetensors(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})")}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/model.safetensors", "tensor 'w' data_offsets [0, 8] lie outside the 0 data bytes"}},
      {"safetensors unknown dtype",
       {{"hf/config.json", kTinyBert},
        {"hf/model.safetensors",
         safetensors(R"({"w": {"dtype": "F99", "shape": [1], "data_offsets": [0, 4]}})", std::string(4, '\0'))}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/model.safetensors", "tensor 'w' has unsupported dtype 'F99'"}},
      {"safetensors shape and bytes disagree",
       {{"hf/config.json", kTinyBert},
        {"hf/model.safetensors",
         safetensors(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", std::string(8, '\0'))}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/model.safetensors", "holds 8 bytes but its shape and dtype need 12"}},
      {"legacy pickle cut short",
       {{"hf/config.json", kTinyBert}, {"hf/pytorch_model.bin", std::string("\x80\x02\x8a\x0a\x6c\xfc", 6)}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/pytorch_model.bin", "pickle byte 4", "runs past the end"}},
      {"legacy pickle of 2 million nested tuples",
       {{"hf/config.json", kTinyBert}, {"hf/pytorch_model.bin", nertool::testing::legacy_checkpoint_of_nested_tuples()}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/pytorch_model.bin", "does not hold a dict of tensors"}},
      {"legacy pickle holding a list that holds itself",
       {{"hf/config.json", kTinyBert}, {"hf/pytorch_model.bin", nertool::testing::legacy_checkpoint_of_a_cycle(16)}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/pytorch_model.bin", "does not hold a dict of tensors"}},
      {"legacy pickle claiming a 4 TiB storage",
       {{"hf/config.json", kTinyBert}, {"hf/pytorch_model.bin", nertool::testing::legacy_checkpoint_of_a_huge_storage()}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/pytorch_model.bin", "storage 0 has 1099511627776 elements, more than the file holds"}},
      {"legacy pickle with an unknown opcode",
       {{"hf/config.json", kTinyBert},
        {"hf/pytorch_model.bin", nertool::testing::legacy_checkpoint(std::string("\x80\x02\xff.", 4))}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/pytorch_model.bin", "unsupported pickle opcode 0xff"}},
      {"zip checkpoint failing its CRC",
       {{"hf/config.json", kTinyBert}, {"hf/pytorch_model.bin", nertool::testing::zip_checkpoint_failing_its_crc()}},
       "convert --from hf {dir}/hf --to {dir}/model", 2,
       {"{dir}/hf/pytorch_model.bin", "record data/0 fails its CRC-32 check"}},
      {"pytorch_model.bin that is no checkpoint",
       {{"hf/config.json", R"({"model_type": "bert", "vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1, )"
                           R"("num_attention_heads": 1, "intermediate_size": 4})"},
        {"hf/pytorch_model.bin", "PK\x03\x04 not a zip"}},
       "convert --from hf {dir}/hf --to {dir}/model", 2, {"{dir}/hf/pytorch_model.bin", "cannot read PyTorch"}},
      // pretrain: text files, config keys, tokenizers and checkpoints
      {"pretrain text with invalid UTF-8",
       {{"c.json", kPretrainConfig}, {"tok/vocab.txt", kVocab}, {"t.txt", "the a\nthe \xff a\n"}, {"v.txt", "a\n"}},
       kPretrain, 2, {"{dir}/t.txt:2:", "invalid UTF-8"}},
      {"pretrain text that is all blank",
       {{"c.json", kPretrainConfig}, {"tok/vocab.txt", kVocab}, {"t.txt", "\n  \n"}, {"v.txt", "a\n"}},
       kPretrain, 2, {"{dir}/t.txt", "no text to pretrain on"}},
      {"pretrain text file that is a directory",
       {{"c.json", kPretrainConfig}, {"tok/vocab.txt", kVocab}, {"t.txt/x", ""}, {"v.txt", "a\n"}},
       kPretrain, 1, {"{dir}/t.txt", "it is a directory"}},
      {"pretrain without held-out text", {{"c.json", kPretrainConfig}, {"tok/vocab.txt", kVocab}, {"t.txt", "a\n"}},
       kPretrain + " --set pretrain.valid_file=", 2, {"pretrain.valid_file"}},
      {"pretrain sequences longer than the positions",
       {{"c.json", kPretrainConfig}, {"tok/vocab.txt", kVocab}, {"t.txt", "a\n"}, {"v.txt", "a\n"}},
       kPretrain + " --set pretrain.max_length=64", 2, {"pretrain.max_length: 64 needs 64 position embeddings"}},
      {"pretrain from a pretrained folder that is a number",
       {{"c.json", kPretrainConfig}, {"tok/vocab.txt", kVocab}, {"t.txt", "the a\n"}, {"v.txt", "the\n"}},
       kPretrain + " --set model.pretrained=3", 2, {"model.pretrained: expected a string, got a number 3"}},
      {"pretrain unknown packing",
       {{"c.json", kPretrainConfig}, {"tok/vocab.txt", kVocab}, {"t.txt", "a\n"}, {"v.txt", "a\n"}},
       kPretrain + " --set pretrain.packing=tight", 2, {"pretrain.packing: must be sentences or fill"}},
      {"pretrain tokenizer without a mask token",
       {{"c.json", kPretrainConfig}, {"tok/vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\na\n"}, {"t.txt", "a\n"},
        {"v.txt", "a\n"}},
       kPretrain, 2, {"{dir}/tok", "no mask token"}},
      {"pretrain a tagging encoder",
       {{"c.json", R"({"model": {"encoder": "bilstm_cnn"}, "pretrain": {"train_files": ["t.txt"], "valid_file": "v.txt"},
                      "train": {"batch_sentences": 2}})"},
        {"t.txt", "a\n"}, {"v.txt", "a\n"}},
       kPretrain, 2, {"model.encoder: pretraining trains a bert or roberta encoder (got \"bilstm_cnn\")"}},
      {"pretrain from a Hugging Face checkpoint and an architecture",
       {{"c.json", kPretrainConfig}, {"tok/vocab.txt", kVocab}, {"t.txt", "a\n"}, {"v.txt", "a\n"},
        {"hf/config.json", R"({"model_type": "bert"})"}, {"hf/model.safetensors", "x"}},
       kPretrain + " --set model.pretrained={dir}/hf", 2, {"model.transformer: leave it out"}},
      // damaged run directories: a pretraining run's architecture, a run's metadata and kind
      {"pretraining run with a string size in transformer.json",
       {{"c.json", kFineTuneConfig}, {"pre/transformer.json", R"({"vocab_size": "9", "hidden_size": 8})"},
        {"pre/tokenizer/vocab.txt", kVocab}},
       kFineTune, 2, {"{dir}/pre/transformer.json: vocab_size: expected an integer, got a string \"9\""}},
      {"pretraining run whose transformer.json asks for 416 GB",
       {{"c.json", kFineTuneConfig}, {"pre/tokenizer/vocab.txt", kVocab},
        {"pre/transformer.json", R"({"vocab_size": 16000000, "hidden_size": 6500, "num_heads": 1})"}},
       kFineTune, 2, {"{dir}/pre/transformer.json: architecture", "million parameters"}},
      {"pretraining run with an unknown key in transformer.json",
       {{"c.json", kFineTuneConfig}, {"pre/tokenizer/vocab.txt", kVocab},
        {"pre/transformer.json", R"({"vocab_size": 9, "hidden_sise": 8})"}},
       kFineTune, 2, {"{dir}/pre/transformer.json", "unknown key 'hidden_sise' (did you mean 'hidden_size'?)"}},
      {"run metadata.json with a string format version",
       {{"run/config.json", R"({"model": {"encoder": "bilstm_cnn"}})"}, {"run/labels.json", R"(["O", "B-PER"])"},
        {"run/model.pt", "x"}, {"run/metadata.json", R"({"format_version": "1"})"}, {"g.txt", kGold}},
       "eval --model {dir}/run --data {dir}/g.txt", 2,
       {"{dir}/run/metadata.json: format_version: expected an integer, got a string \"1\""}},
      {"eval --model given a pretraining run",
       {{"run/config.json", R"({"pretrain": {"train_files": ["t.txt"]}})"}, {"g.txt", kGold}},
       "eval --model {dir}/run --data {dir}/g.txt", 2, {"{dir}/run is a pretraining run"}},
      // predict
      {"predict from a directory", {{"sub/x", ""}}, "predict --model {dir}/sub --input {dir}/sub", 1, {"{dir}/sub"}},
      {"predict unknown output format", {{"in.txt", kGold}},
       "predict --model {dir}/none --input {dir}/in.txt --format xml", 2,
       {"--format: must be one of conll, jsonl, spans, not 'xml'"}},
      {"predict unknown device", {{"in.txt", kGold}}, "predict --model {dir}/none --input {dir}/in.txt --device tpu",
       2, {"--device: must be auto, cpu, cuda or cuda:N, not 'tpu'"}},
      {"eval unknown precision", {{"in.txt", kGold}}, "eval --model {dir}/none --data {dir}/in.txt --precision fp16",
       2, {"--precision: must be fp32 or bf16, not 'fp16'"}},
      {"eval unknown chunking mode", {{"g.txt", kGold}, {"p.txt", kGold}},
       "eval --mode lenient --gold {dir}/g.txt --pred {dir}/p.txt", 2,
       {"--mode: must be default or strict, not 'lenient'"}},
      {"predict batch size beyond range", {{"in.txt", kGold}},
       "predict --model {dir}/none --input {dir}/in.txt --batch-size 99999999999999999999", 2, {"--batch-size"}},
  };
}

void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

class HostileInput : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileInput, ClearErrorNothingLost) {
  const HostileCase& c = GetParam();
  TempDir dir;
  for (const auto& [name, content] : c.files) {
    fs::create_directories(fs::path(dir.file(name)).parent_path());
    nertool::write_file_atomic(dir.file(name), expand(content, dir.path()));
  }
  const auto files_before = folder_snapshot(dir.path(), "stderr.txt");
  CliResult r = run_nertool(expand(c.args, dir.path()), dir);
  EXPECT_EQ(r.status, c.exit_code) << c.name << "\n" << r.err;
  EXPECT_NE(r.err.find("error"), std::string::npos) << c.name << ": " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << c.name << ": " << r.err;
  for (const auto& fragment : c.message)
    EXPECT_NE(r.err.find(expand(fragment, dir.path())), std::string::npos) << c.name << ": " << r.err;
  // Nothing written, nothing lost: the folder holds exactly what it held, byte for byte.
  EXPECT_EQ(folder_snapshot(dir.path(), "stderr.txt"), files_before) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Catalog, HostileInput, ::testing::ValuesIn(catalog()), case_name<HostileCase>);

}  // namespace
