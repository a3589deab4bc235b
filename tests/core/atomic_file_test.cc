#include "nertool/core/atomic_file.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "nertool/core/error.h"
#include "test_paths.h"

namespace nertool {

TEST(AtomicFile, WritesAndRenames) {
  testing::TempDir dir;
  write_file_atomic(dir.file("a.txt"), std::string("hello\n"));
  EXPECT_EQ(read_file(dir.file("a.txt")), "hello\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(AtomicFile, NoPartialFileWhenFillThrows) {
  testing::TempDir dir;
  EXPECT_THROW(write_file_atomic(dir.file("b.txt"),
                                 [](std::ostream& out) {
                                   out << "partial";
                                   throw InputError("x.conll", 3, "bad");
                                 }),
               InputError);
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.txt")));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 0);
}

// A FIFO (like a device node) is written in place: renaming onto it would replace the node with a regular file.
TEST(AtomicFile, WritesIntoAFifoWithoutReplacingIt) {
  testing::TempDir dir;
  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);
    received.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  write_file_atomic(fifo, std::string("through the pipe\n"));
  reader.join();
  EXPECT_EQ(received, "through the pipe\n");
  EXPECT_EQ(std::filesystem::status(fifo).type(), std::filesystem::file_type::fifo);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);  // no temp file beside it
}

// Every failed write reads "cannot write TARGET: REASON" (core/write_error.h), the reason being the system's.
TEST(AtomicFile, WriteErrorsNameTheFileAndTheReason) {
  testing::TempDir dir;
  auto message_of = [](const std::string& path) {
    try {
      write_file_atomic(path, std::string("x"));
    } catch (const IoError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message_of(dir.file("no/such/x.txt")), "cannot write " + dir.file("no/such/x.txt") +
                                                       ": No such file or directory");
  if (std::filesystem::exists("/dev/full")) {  // written in place, fails at the flush with ENOSPC
    EXPECT_EQ(message_of("/dev/full"), "cannot write /dev/full: No space left on device");
    EXPECT_EQ(std::filesystem::status("/dev/full").type(), std::filesystem::file_type::character);
  }
}

TEST(AtomicFile, DirectoriesAreRefusedForWritingAndReading) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.file("sub"));
  try {
    write_file_atomic(dir.file("sub"), std::string("x"));
    FAIL() << "wrote over a directory";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("sub") + ": it is a directory"), std::string::npos) << e.what();
  }
  try {
    read_file(dir.file("sub"));
    FAIL() << "read a directory as an empty file";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("it is a directory, not a file"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_directory(dir.file("sub")));
}

TEST(InputErrorTest, NamesFileLineAndProblem) {
  InputError e("data/x.txt", 12, "empty token");
  EXPECT_STREQ(e.what(), "data/x.txt:12: empty token");
  EXPECT_EQ(e.line(), 12u);
}

TEST(ReadFile, MissingFileNamesPath) {
  try {
    read_file("/nonexistent/file.txt");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/file.txt"), std::string::npos);
  }
}

}  // namespace nertool
