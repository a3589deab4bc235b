// Data-parallel pieces: settings from torchrun's environment, the step shares of the batch plan, and the gradient
// reducer, alone and between two real Gloo workers (threads of this process meeting through a FileStore).
#include "nertool/train/distributed.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "error_of.h"
#include "nertool/core/error.h"
#include "nertool/train/batching.h"
#include "nertool/train/gradient_reducer.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

using nertool::testing::TempDir;

EnvironmentLookup env(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

TEST(DistributedSettings, NoWorldSizeIsOneProcess) {
  const auto s = distributed_settings_from_environment(env({}));
  EXPECT_EQ(s.world_size, 1);
  EXPECT_EQ(s.rank, 0);
}

TEST(DistributedSettings, TorchrunVariables) {
  const auto s = distributed_settings_from_environment(
      env({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29500"}}));
  EXPECT_EQ(s.rank, 3);
  EXPECT_EQ(s.world_size, 4);
  EXPECT_EQ(s.local_rank, 1);
  EXPECT_EQ(s.master_addr, "node7");
  EXPECT_EQ(s.master_port, 29500);
}

TEST(DistributedSettings, StoreFileNeedsNoAddress) {
  const auto s = distributed_settings_from_environment(
      env({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"NERTOOL_STORE_FILE", "/tmp/job/store"}}));
  EXPECT_EQ(s.store_file, "/tmp/job/store");
}

TEST(DistributedSettings, TorchrunsAgentStoreIsJoinedUnderTheAttemptPrefix) {
  const auto s = distributed_settings_from_environment(
      env({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"},
           {"TORCHELASTIC_USE_AGENT_STORE", "True"}, {"TORCHELASTIC_RESTART_COUNT", "3"}}));
  EXPECT_EQ(s.agent_store_prefix, "/worker/attempt_3");
  EXPECT_EQ(distributed_settings_from_environment(
                env({{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}))
                .agent_store_prefix,
            "");
}

TEST(DistributedSettings, BadSettingsAreClearErrors) {
  auto error = [](std::map<std::string, std::string> vars) {
    return nertool::testing::error_of([&] { distributed_settings_from_environment(env(vars)); });
  };
  EXPECT_NE(error({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}})
                .find("RANK=2 is not below WORLD_SIZE=2"),
            std::string::npos);
  EXPECT_NE(error({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}}).find("MASTER_PORT is not set"),
            std::string::npos);
  EXPECT_NE(error({{"RANK", "0"}, {"WORLD_SIZE", "2"}}).find("MASTER_ADDR is not set"), std::string::npos);
  EXPECT_NE(error({{"WORLD_SIZE", "two"}}).find("WORLD_SIZE='two'"), std::string::npos);
  EXPECT_NE(error({{"RANK", "-1"}, {"WORLD_SIZE", "2"}}).find("RANK='-1'"), std::string::npos);
  EXPECT_NE(error({{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "70000"}}).find("MASTER_PORT='70000'"),
            std::string::npos);
}

TEST(StepShares, WorkersTakeDisjointSharesCoveringThePlan) {
  for (std::size_t batches : {1, 7, 8, 9, 23}) {
    for (int world : {1, 2, 3}) {
      for (int accumulate : {1, 2}) {
        std::multiset<std::size_t> seen;
        const int64_t steps = steps_per_epoch(batches, world, accumulate);
        for (int rank = 0; rank < world; ++rank) {
          const auto shares = share_steps(batches, world, rank, accumulate);
          ASSERT_EQ(static_cast<int64_t>(shares.size()), steps);
          int64_t global = 0;
          for (const auto& s : shares) {
            seen.insert(s.batches.begin(), s.batches.end());
            global += s.global_batches;
          }
          EXPECT_EQ(global, static_cast<int64_t>(batches));
        }
        ASSERT_EQ(seen.size(), batches) << batches << " batches, " << world << " workers";
        for (std::size_t b = 0; b < batches; ++b) EXPECT_EQ(seen.count(b), 1u);
      }
    }
  }
  // 9 batches, 2 workers: steps {0,1} {2,3} {4,5} {6,7} {8}; worker 1 has nothing in the last.
  const auto last = share_steps(9, 2, 1, 1).back();
  EXPECT_TRUE(last.batches.empty());
  EXPECT_EQ(last.global_batches, 1);
  EXPECT_EQ(share_steps(9, 2, 1, 1).front().batches, std::vector<std::size_t>{1});
  EXPECT_EQ(share_steps(9, 1, 0, 2).front().batches, (std::vector<std::size_t>{0, 1}));
}

// Parameters with summed gradients of `batches` batches: a = 1..6 times `scale`; b has none.
std::vector<torch::Tensor> parameters_with_gradients(double scale, bool with_b) {
  auto a = torch::zeros({2, 3}, torch::requires_grad());
  auto b = torch::zeros({4}, torch::requires_grad());
  a.mutable_grad() = torch::arange(1, 7, torch::kFloat).view({2, 3}) * scale;
  if (with_b) b.mutable_grad() = torch::full({4}, scale, torch::kFloat);
  return {a, b};
}

TEST(GradientReducer, OneProcessAccumulatingTakesTheMean) {
  auto single = make_single_process_communicator();
  auto params = parameters_with_gradients(3.0, false);  // the sum of 3 batches' gradients
  GradientReducer reducer(params, *single);
  const StepTotals total = reducer.reduce({6.0, 12, 30, 3});
  EXPECT_TRUE(torch::equal(params[0].grad(), torch::arange(1, 7, torch::kFloat).view({2, 3})));
  EXPECT_FALSE(params[1].grad().defined()) << "a parameter without gradient keeps none";
  EXPECT_EQ(total.batches, 3);
  EXPECT_EQ(total.tokens, 30);
  EXPECT_EQ(total.units, 12);
  EXPECT_DOUBLE_EQ(total.loss_sum, 6.0);
}

TEST(GradientReducer, OneProcessOneBatchIsUntouched) {
  auto single = make_single_process_communicator();
  auto params = parameters_with_gradients(1.0, true);
  const auto before = params[0].grad().clone();
  GradientReducer reducer(params, *single);
  reducer.reduce({1.0, 5, 5, 1});
  EXPECT_TRUE(torch::equal(params[0].grad(), before));
}

// Runs `work(rank, communicator)` in two threads joined through a FileStore in `dir`.
template <class Work>
void with_two_workers(const TempDir& dir, Work work) {
  std::vector<std::thread> threads;
  std::vector<std::string> errors(2);
  for (int rank = 0; rank < 2; ++rank)
    threads.emplace_back([&, rank] {
      try {
        DistributedSettings s;
        s.rank = rank;
        s.world_size = 2;
        s.store_file = dir.file("store");
        s.timeout = std::chrono::seconds(30);
        auto workers = connect_workers(s);
        work(rank, *workers);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(rank)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
}

TEST(GradientReducer, TwoGlooWorkersGetTheMeanOverBothShares) {
  TempDir dir;
  std::vector<std::vector<torch::Tensor>> result(2);
  std::vector<StepTotals> totals(2);
  with_two_workers(dir, [&](int rank, Communicator& workers) {
    // Worker 0 ran 2 batches, worker 1 one; only worker 1 has a gradient for b. Small buckets: several of them.
    auto params = parameters_with_gradients(rank == 0 ? 2.0 : 1.0, rank == 1);
    GradientReducer reducer(params, workers, /*bucket_bytes=*/16);
    totals[static_cast<std::size_t>(rank)] = reducer.reduce({rank == 0 ? 4.0 : 5.0, rank == 0 ? 3 : 2, rank == 0 ? 20 : 7, rank == 0 ? 2 : 1});
    result[static_cast<std::size_t>(rank)] = params;
  });
  for (int rank = 0; rank < 2; ++rank) {
    const auto& p = result[static_cast<std::size_t>(rank)];
    ASSERT_EQ(p.size(), 2u);
    EXPECT_TRUE(torch::allclose(p[0].grad(), torch::arange(1, 7, torch::kFloat).view({2, 3})))  // (2x + x) / 3
        << p[0].grad();
    ASSERT_TRUE(p[1].grad().defined()) << "defined on one worker: zero on the other";
    EXPECT_TRUE(torch::allclose(p[1].grad(), torch::full({4}, 1.0 / 3, torch::kFloat)));
    EXPECT_EQ(totals[static_cast<std::size_t>(rank)].batches, 3);
    EXPECT_EQ(totals[static_cast<std::size_t>(rank)].tokens, 27);
    EXPECT_EQ(totals[static_cast<std::size_t>(rank)].units, 5);
    EXPECT_DOUBLE_EQ(totals[static_cast<std::size_t>(rank)].loss_sum, 9.0);
  }
}

TEST(Communicator, BytesTravelBetweenGlooWorkers) {
  TempDir dir;
  std::vector<std::vector<std::string>> gathered(2);
  std::vector<std::string> received(2);
  with_two_workers(dir, [&](int rank, Communicator& workers) {
    std::string mine = rank == 0 ? std::string("writer\0bytes", 12) : std::string(100000, 'x');
    gathered[static_cast<std::size_t>(rank)] = workers.all_gather_bytes(mine);
    std::string from_writer = rank == 0 ? "checkpoint" : "";
    workers.broadcast_bytes(from_writer, 0);
    received[static_cast<std::size_t>(rank)] = from_writer;
    auto mask = rank == 0 ? torch::tensor({true, false, true}) : torch::zeros({3}, torch::kBool);
    workers.broadcast(mask, 0);
    EXPECT_TRUE(torch::equal(mask, torch::tensor({true, false, true})));
    workers.barrier();
  });
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(gathered[static_cast<std::size_t>(rank)],
              (std::vector<std::string>{std::string("writer\0bytes", 12), std::string(100000, 'x')}));
    EXPECT_EQ(received[static_cast<std::size_t>(rank)], "checkpoint");
  }
}

TEST(Communicator, AnUnreachableStoreEndsWithinTheTimeout) {
  DistributedSettings s;
  s.rank = 1;
  s.world_size = 2;
  s.master_addr = "127.0.0.1";
  s.master_port = 9;  // discard: nothing listens there
  s.timeout = std::chrono::seconds(2);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = nertool::testing::error_of([&] { connect_workers(s); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(message.find("worker 1 of 2 could not join through TCPStore 127.0.0.1:9"), std::string::npos) << message;
  EXPECT_LT(seconds, 30.0);
}

TEST(Communicator, ThisBuildHasGloo) {
  EXPECT_EQ(available_process_groups(), std::vector<std::string>{"gloo"});
}

}  // namespace
}  // namespace nertool::train
