#pragma once
// The data of a training run: the train, valid and optional test files named in the config's data section, read,
// hashed (a resumed run must see the same bytes) and checked against one tag scheme.
#include <string>
#include <vector>

#include "nertool/data/conll.h"
#include "nertool/data/tag_scheme.h"
#include "nertool/train/config.h"

namespace nertool::train {

struct DataFile {
  std::string key;  // data.train / data.valid / data.test
  std::string path;
  std::string sha256;
  data::Corpus corpus;
};

struct TrainingData {
  std::vector<DataFile> files;  // train, valid, then test when configured
  data::TagScheme scheme = data::TagScheme::IOB2;

  const DataFile& train() const { return files.at(0); }
  const DataFile& valid() const { return files.at(1); }
  const DataFile* test() const { return files.size() > 2 ? &files[2] : nullptr; }
  // {"data.train": sha256, ...}: what a checkpoint records.
  nlohmann::json hashes() const;
};

// Finds and hashes the files (relative names are under `data_dir`) without reading them: the cheap check made
// before anything is written. Throws IoError naming the config key and path of a missing file.
std::vector<DataFile> locate_data_files(const DataConfig& data, const std::string& data_dir);

// Reads located files, resolves data.tag_scheme ("auto": detected from the training file) and checks every
// file's labels against it. Throws InputError naming file and line.
TrainingData read_training_data(std::vector<DataFile> files, const DataConfig& data);

}  // namespace nertool::train
