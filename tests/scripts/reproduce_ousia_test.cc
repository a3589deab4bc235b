// scripts/reproduce_ousia.sh end to end on a source/target pair it was not written for: the bundled sample relabelled
// into a three-type taxonomy (people_places) as the source, the sample in the CoNLL-2003 taxonomy as the target, as
// docs/taxonomy.md's worked example sets it up. One epoch per stage, so the numbers mean nothing; every row, size and
// seed must run and be reported, and a second run must keep the finished runs.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::CliResult;
using nertool::testing::nertool_binary;
using nertool::testing::run_shell;
using nertool::testing::source_path;
using nertool::testing::TempDir;

// The worked example's files in `dir`: people/ (the sample's train and valid files relabelled), the source taxonomy,
// the type map and the experiment file.
void write_worked_example(const TempDir& dir) {
  fs::create_directories(dir.file("people"));
  for (const std::string f : {"train.txt", "valid.txt"}) {
    const std::string relabel =
        "sed -E 's/([BI])-PER$/\\1-PERSON/; s/([BI])-LOC$/\\1-PLACE/; s/([BI])-(ORG|MISC)$/\\1-OTHER/' ";
    CliResult r = run_shell(relabel + source_path("data/sample/" + f) + " > " + dir.file("people/" + f), dir);
    ASSERT_EQ(r.status, 0) << r.err;
  }
  nertool::write_file_atomic(dir.file("people_places.json"), R"({"name": "people_places",
    "types": [{"name": "ENTITY"}, {"name": "PERSON", "parent": "ENTITY"}, {"name": "PLACE", "parent": "ENTITY"},
              {"name": "OTHER", "parent": "ENTITY"}]})");
  nertool::write_file_atomic(dir.file("people_places_to_conll2003.json"),
                             R"({"name": "people_places_to_conll2003", "source": "people_places", "target": "conll2003",
    "map": {"ENTITY": "O", "PERSON": "PER", "PLACE": "LOC", "OTHER": "MISC"}})");
  const nlohmann::json experiment = {
      {"name", "people_to_conll"},
      {"source", {{"data", dir.file("people")}, {"train", "train.txt"}, {"valid", "valid.txt"},
                  {"taxonomy", "people_places.json"}}},
      {"target", {{"data", source_path("data/sample")}, {"train", "train.txt"}, {"valid", "valid.txt"},
                  {"test", "test.txt"}, {"taxonomy", source_path("configs/taxonomies/conll2003.json")}}},
      {"type_map", "people_places_to_conll2003.json"},
      {"source_config", source_path("configs/multitask_pretrain.json")},
      {"finetune_config", source_path("configs/multitask_finetune.json")}};
  nertool::write_file_atomic(dir.file("experiment.json"), experiment.dump(1));
}

// reproduce_ousia.sh ARGS, run in `dir`.
CliResult reproduce(const TempDir& dir, const std::string& args) {
  return run_shell("cd " + dir.path() + " && NERTOOL=" + nertool_binary() + " bash " +
                       source_path("scripts/reproduce_ousia.sh") + " " + args,
                   dir);
}

const std::string kSmall =
    " --out runs --results results --threads 1 --pretrain-epochs 1 --finetune-epochs 1"
    " --set model.bilstm_cnn.hidden_size=16 --set model.bilstm_cnn.word_dim=16";

TEST(ReproduceOusia, AnyExperimentFileRunsEveryRowSizeAndSeed) {
  TempDir dir;
  write_worked_example(dir);
  const std::string args =
      "--experiment experiment.json --sizes '20 all' --seeds '1 2' --seeds-for all 3 --rows-for all 'soft scratch'" +
      kSmall + " --set-for 20 'train.batch_sentences=4 train.max_epochs=2'";
  // Two runs at once: the scratch rows beside the source model, then the transfer rows two at a time.
  CliResult r = reproduce(dir, args + " --jobs 2");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto result = nlohmann::json::parse(nertool::read_file(dir.file("results/people_to_conll.json")));
  EXPECT_TRUE(result["direct"]["f1"].is_number()) << result.dump();
  // The recorded command re-runs: an argument holding spaces keeps its quotes.
  EXPECT_NE(result["command"].get<std::string>().find("--sizes '20 all' --seeds '1 2' "), std::string::npos)
      << result["command"];
  // The source detector's untyped scores on the target test file: recall is found / target mentions.
  const auto& detection = result["source_detection"];
  ASSERT_TRUE(detection["recall"].is_number()) << result.dump();
  EXPECT_DOUBLE_EQ(detection["recall"].get<double>(),
                   detection["correct"].get<double>() / detection["support"].get<double>());
  // Its breakdown (scripts/detection_recall.py) counts the same mentions as eval --untyped.
  const auto& breakdown = result["source_detection_breakdown"]["recall"]["all"];
  EXPECT_EQ(breakdown["found"], detection["correct"]) << result.dump();
  EXPECT_EQ(breakdown["mentions"], detection["support"]) << result.dump();
  // (soft, hard, soft with the detector, scratch) for 2 seeds of size 20; soft and scratch for the one seed of "all".
  ASSERT_EQ(result["runs"].size(), 2u * 4u + 1u * 2u);
  ASSERT_EQ(result["summary"].size(), 4u + 2u);
  EXPECT_EQ(result["summary"][0]["sentences"], 20);
  EXPECT_EQ(result["summary"][0]["seeds"], 2);
  EXPECT_GT(result["summary"][4]["sentences"].get<int>(), 20);  // "all": the whole target training file
  EXPECT_EQ(result["summary"][4]["seeds"], 1);
  EXPECT_EQ(result["summary"][4]["row"], "finetune-soft");
  EXPECT_EQ(result["summary"][5]["row"], "scratch");
  EXPECT_TRUE(fs::exists(dir.file("runs/nall-seed3/scratch/model.pt")));
  EXPECT_FALSE(fs::exists(dir.file("runs/nall-seed3/finetune-hard")));
  EXPECT_FALSE(fs::exists(dir.file("runs/nall-seed1")));
  for (const auto& run : result["runs"]) {
    EXPECT_GE(run["f1"].get<double>(), 0.0);
    EXPECT_LE(run["partial_f1"].get<double>(), 1.0);
  }
  const std::string table = nertool::read_file(dir.file("results/people_to_conll.md"));
  EXPECT_NE(table.find("| - | Direct (source model + type map) | "), std::string::npos) << table;
  EXPECT_NE(table.find("| 20 | Fine-tuned, hierarchical soft loss | "), std::string::npos) << table;
  EXPECT_NE(table.find(" ± "), std::string::npos) << table;  // mean and standard deviation over the two seeds
  EXPECT_NE(table.find("Source model's mention detection on the target test file"), std::string::npos) << table;
  EXPECT_NE(table.find("Its recall by gold type and by kind of sentence"), std::string::npos) << table;
  EXPECT_NE(table.find("(20: 1, 2; all: 3)"), std::string::npos) << table;
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0)
    EXPECT_TRUE(fs::exists(dir.file("results/plots/people_to_conll_learning_curve.png")));
  // The source model uses the first seed; a second run keeps every finished run.
  const auto source = nlohmann::json::parse(nertool::read_file(dir.file("runs/source/config.json")));
  EXPECT_EQ(source["train"]["seed"], 1);
  // The detector row trains the detection CRF, the others keep it frozen.
  const auto detector =
      nlohmann::json::parse(nertool::read_file(dir.file("runs/n20-seed1/finetune-soft-detector/config.json")));
  EXPECT_EQ(detector["model"]["multitask"]["stage2_detection_weight"], 1);
  EXPECT_EQ(detector["train"]["freeze"], nlohmann::json::array({"encoder."}));
  const auto soft = nlohmann::json::parse(nertool::read_file(dir.file("runs/n20-seed1/finetune-soft/config.json")));
  EXPECT_EQ(soft["train"]["freeze"], nlohmann::json::array({"encoder.", "decoder.detection."}));
  EXPECT_TRUE(fs::exists(dir.file("runs/n20-seed1/finetune-soft.log")));  // with --jobs, each run logs to its own file
  // --set-for: the target runs of that size only, over --set and --finetune-epochs.
  for (const std::string run : {"n20-seed2/scratch", "n20-seed1/finetune-soft"}) {
    const auto train = nlohmann::json::parse(nertool::read_file(dir.file("runs/" + run + "/config.json")))["train"];
    EXPECT_EQ(train["batch_sentences"], 4) << run;
    EXPECT_EQ(train["max_epochs"], 2) << run;
  }
  for (const std::string run : {"nall-seed3/scratch", "source"}) {
    const auto train = nlohmann::json::parse(nertool::read_file(dir.file("runs/" + run + "/config.json")))["train"];
    EXPECT_EQ(train["batch_sentences"], 32) << run;
    EXPECT_EQ(train["max_epochs"], 1) << run;
  }
  CliResult again = reproduce(dir, args);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("runs/n20-seed2/scratch done, kept"), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("+ nertool train"), std::string::npos) << again.err;
}

TEST(ReproduceOusia, AFailedRunInTheBackgroundFailsTheScript) {
  TempDir dir;
  write_worked_example(dir);
  CliResult r = reproduce(dir, "--experiment experiment.json --sizes 20 --jobs 2" + kSmall +
                                   " --set model.bilstm_cnn.hidden_size=wide");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("background step(s) failed"), std::string::npos) << r.err;
  EXPECT_NE(nertool::read_file(dir.file("runs/source.log")).find("hidden_size"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.file("results/people_to_conll.json")));
}

TEST(ReproduceOusia, AnIncompleteExperimentFileNamesWhatIsMissing) {
  TempDir dir;
  write_worked_example(dir);
  auto experiment = nlohmann::json::parse(nertool::read_file(dir.file("experiment.json")));
  experiment.erase("type_map");
  nertool::write_file_atomic(dir.file("no_map.json"), experiment.dump());
  CliResult r = reproduce(dir, "--experiment no_map.json" + kSmall);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no_map.json: type_map: missing"), std::string::npos) << r.err;
  experiment["type_map"] = "nowhere.json";
  nertool::write_file_atomic(dir.file("bad_map.json"), experiment.dump());
  r = reproduce(dir, "--experiment bad_map.json" + kSmall);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("type_map: " + dir.file("nowhere.json") + " is not a file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("runs/source")));
  r = reproduce(dir, "--experiment experiment.json --rows 'soft sof'" + kSmall);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown row 'sof'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("runs/source")));
}

}  // namespace
