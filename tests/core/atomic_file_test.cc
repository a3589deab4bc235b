#include "nertool/core/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>

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
