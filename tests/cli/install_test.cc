// cmake --install: the installed programs run from their own folder (the front end starts the installed
// nertool-torch, the tokenizer loads the installed SentencePiece module), train, predict and eval work from there,
// and the configs come along.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_runner.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::CliResult;
using nertool::testing::run_shell;
using nertool::testing::shared_path;
using nertool::testing::source_path;
using nertool::testing::TempDir;

TEST(Install, InstalledProgramsRunFromTheirOwnFolder) {
  TempDir dir;
  const std::string prefix = dir.file("prefix");
  const std::string build = fs::path(nertool::testing::nertool_binary()).parent_path().string();
  CliResult r = run_shell("cmake --install " + build + " --prefix " + prefix + " >/dev/null", dir);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* file : {"bin/nertool", "bin/nertool-torch", "bin/libnertool_spm_bridge.so",
                           "share/nertool/configs/bilstm_cnn.json", "share/doc/nertool/architecture.md"})
    EXPECT_TRUE(fs::exists(prefix + "/" + file)) << file;

  // The dynamic loader's log names every program and module it starts.
  r = run_shell("LD_DEBUG=files " + prefix + "/bin/nertool --version", dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("process groups"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(prefix + "/bin/nertool-torch"), std::string::npos) << "the installed front end started another";

  // The main job from the installed tree: train (the installed config), predict and eval.
  const std::string bin = prefix + "/bin/nertool";
  r = run_shell(bin + " train --config " + prefix + "/share/nertool/configs/bilstm_cnn.json --data " +
                    source_path("data/sample") + " --out " + dir.file("run") +
                    " --set train.max_epochs=1 --set train.num_threads=1 --set model.bilstm_cnn.hidden_size=16",
                dir);
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_shell(bin + " predict --model " + dir.file("run") + " --input " + source_path("data/sample/test.txt") +
                    " --output " + dir.file("pred.txt"),
                dir);
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_shell(bin + " eval --gold " + source_path("data/sample/test.txt") + " --pred " + dir.file("pred.txt"), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("micro avg"), std::string::npos) << r.out;

#ifdef NERTOOL_SANITIZED
  GTEST_SKIP() << "a sanitizer build has no SentencePiece (see scripts/sanitize_tests.sh): its module check is skipped";
#endif
  if (!fs::exists(shared_path("fixtures/hf-tiny/xlm-roberta/sentencepiece.bpe.model")))
    GTEST_SKIP() << "shared fixtures not found: the SentencePiece check needs fixtures/hf-tiny/xlm-roberta";
  r = run_shell("printf 'Hello world\\n' | env -u NERTOOL_SPM_BRIDGE LD_DEBUG=files " + prefix +
                    "/bin/nertool tokenize --model " + shared_path("fixtures/hf-tiny/xlm-roberta") +
                    " --input - --format text",
                dir);
  ASSERT_EQ(r.status, 0) << r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0);
  EXPECT_NE(r.out.find("input_ids"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(prefix + "/bin/libnertool_spm_bridge.so"), std::string::npos)
      << "the installed program loaded another SentencePiece module";
}

}  // namespace
