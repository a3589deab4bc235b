// scripts/bench_predict_memory.sh on a 2 MB file: it trains its default model, tags every line (the 10,000th holds
// 3,000 tokens and is tagged in pieces, still one record), samples RSS and prints throughput and the RSS summary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "test_paths.h"

namespace {

using nertool::testing::CliResult;
using nertool::testing::nertool_binary;
using nertool::testing::run_shell;
using nertool::testing::source_path;
using nertool::testing::TempDir;

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(BenchPredictMemory, TagsEveryLineAndReportsRssAndThroughput) {
  TempDir dir;
  CliResult r = run_shell("NERTOOL=" + nertool_binary() + " bash " + source_path("scripts/bench_predict_memory.sh") +
                              " --size-mb 2 --long-line-tokens 3000 --out " + dir.file("bench"),
                          dir);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto input = read_lines(dir.file("bench/input-2mb.txt"));
  const auto output = read_lines(dir.file("bench/output.jsonl"));
  ASSERT_GT(input.size(), 10000u);
  ASSERT_EQ(output.size(), input.size());
  EXPECT_NE(r.out.find("tagged " + std::to_string(input.size()) + " lines (2 MiB)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("RSS peak: whole run "), std::string::npos) << r.out;
  // The long line: 3,000 tokens, more than one window, comes back whole with its own text.
  const std::string& long_line = input[9999];
  EXPECT_GT(long_line.size(), 3000u * 2);
  EXPECT_EQ(nlohmann::json::parse(output[9999])["text"], long_line);
  const auto rss = read_lines(dir.file("bench/rss.tsv"));
  ASSERT_GE(rss.size(), 2u);  // header and at least one sample
  EXPECT_EQ(rss[0], "seconds\trss_mib\toutput_mib");
  EXPECT_GT(std::stod(rss[1].substr(rss[1].find('\t') + 1)), 0.0);
}

}  // namespace
