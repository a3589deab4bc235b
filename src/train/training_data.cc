#include "nertool/train/training_data.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "nertool/core/error.h"
#include "nertool/train/run_dir.h"

namespace nertool::train {

namespace fs = std::filesystem;

nlohmann::json TrainingData::hashes() const {
  nlohmann::json h = nlohmann::json::object();
  for (const auto& f : files) h[f.key] = f.sha256;
  return h;
}

std::vector<DataFile> locate_data_files(const DataConfig& data, const std::string& data_dir) {
  std::vector<DataFile> files;
  auto add_file = [&](const std::string& key, const std::string& name) {
    fs::path p(name);
    if (p.is_relative()) p = fs::path(data_dir) / p;
    if (!fs::is_regular_file(p))
      throw IoError(key + ": cannot open " + p.string() + ": no such file" +
                    (fs::is_directory(data_dir) ? "" : " (the data directory " + data_dir + " does not exist)"));
    files.push_back(DataFile{key, p.string(), sha256_file(p.string()), {}});
  };
  add_file("data.train", data.train);
  add_file("data.valid", data.valid);
  if (!data.test.empty()) add_file("data.test", data.test);
  return files;
}

namespace {

data::TagScheme resolve_scheme(const DataFile& train, const std::string& configured) {
  if (configured != "auto") return data::parse_tag_scheme(configured);
  auto detected = data::detect_tag_scheme(data::label_sequences(train.corpus));
  if (!detected) throw InputError(train.path, 0, "labels fit no tag scheme (IOB1, IOB2, IOE, IOBES, BILOU)");
  spdlog::info("tag scheme detected from {}: {}", train.path, data::tag_scheme_name(*detected));
  return *detected;
}

void validate_labels(const DataFile& f, data::TagScheme scheme) {
  for (const auto& s : f.corpus.sentences) {
    if (s.labels.size() != s.tokens.size()) throw InputError(f.path, s.first_line, "sentence has no label column");
    std::string problem = data::validate_tags(s.labels, scheme);
    if (!problem.empty())
      throw InputError(f.path, s.first_line,
                       "labels are not valid " + data::tag_scheme_name(scheme) + " (" + problem +
                           "); set data.tag_scheme to the file's scheme");
  }
}

}  // namespace

TrainingData read_training_data(std::vector<DataFile> files, const DataConfig& data) {
  data::ReadOptions ro;
  ro.token_column = data.token_column;
  ro.label_column = data.label_column;
  for (auto& f : files) {
    f.corpus = data::read_conll(f.path, ro);
    if (f.corpus.sentences.empty()) throw InputError(f.path, 0, "no sentences in " + f.key);
  }
  TrainingData out;
  out.files = std::move(files);
  out.scheme = resolve_scheme(out.train(), data.tag_scheme);
  for (const auto& f : out.files) validate_labels(f, out.scheme);
  return out;
}

}  // namespace nertool::train
