// Dataset readers on small hand-made files: CSV quoting, bad rows reported by file:line and
// skipped, NPY read in chunks equal to the whole array, data spec errors.
#include "data/dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/csv_reader.h"
#include "io/npy.h"

namespace infera {
namespace {

namespace fs = std::filesystem;

class DatasetFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("infera_dataset_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  fs::path dir_;
};

TEST(CsvReader, QuotesCommasLineBreaksAndCrlf) {
  std::istringstream in("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\n\"two\nlines\",,x\n");
  CsvReader csv(in, "t.csv");
  std::vector<std::string> fields;
  ASSERT_TRUE(csv.next_row(fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "b, c", "say \"hi\""}));
  EXPECT_EQ(csv.row_line(), 1);
  ASSERT_TRUE(csv.next_row(fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"two\nlines", "", "x"}));
  EXPECT_EQ(csv.row_line(), 3);  // line 2 is blank
  EXPECT_FALSE(csv.next_row(fields));
}

TEST(CsvReader, UnclosedQuoteNamesItsLine) {
  std::istringstream in("a,b\n\"open,c\n");
  CsvReader csv(in, "t.csv");
  std::vector<std::string> fields;
  ASSERT_TRUE(csv.next_row(fields));
  try {
    csv.next_row(fields);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:2"), std::string::npos) << e.what();
  }
}

TEST_F(DatasetFiles, CsvTableSelectsFeaturesAndSkipsBadRows) {
  const std::string file = write("t.csv", "z,a,label,b\n9,1.5,2,-3\n9,x,1,0\n9,0.25,cat,4\n9,1\n");
  std::unique_ptr<Dataset> data = open_dataset("csv:" + file + "?target=label&features=b,a");
  EXPECT_EQ(data->size(), 4);
  DataRecord r;
  ASSERT_TRUE(data->next(r));
  EXPECT_EQ(r.tensor, (std::vector<float>{-3.0f, 1.5f}));
  EXPECT_EQ(r.target_class, 2);
  EXPECT_EQ(r.location, file + ":2");
  EXPECT_THROW(data->next(r), BadRecord);  // "x" is not a number
  ASSERT_TRUE(data->next(r));              // goes on after it
  EXPECT_EQ(r.target_name, "cat");
  try {
    data->next(r);
    FAIL() << "short row accepted";
  } catch (const BadRecord& bad) {
    EXPECT_EQ(bad.location(), file + ":5");
  }
  EXPECT_FALSE(data->next(r));
}

TEST_F(DatasetFiles, NpyChunksEqualTheWholeArray) {
  Tensor inputs = Tensor::empty(DType::kFloat64, {300, 2});
  Tensor targets = Tensor::empty(DType::kInt32, {300});
  for (int i = 0; i < 600; ++i) inputs.data<double>()[i] = i * 0.5;
  for (int i = 0; i < 300; ++i) targets.data<int32_t>()[i] = i % 7;
  write_npy((dir_ / "x.npy").string(), inputs);
  write_npy((dir_ / "y.npy").string(), targets);
  std::unique_ptr<Dataset> data =
      open_dataset("npy:" + (dir_ / "x.npy").string() + "," + (dir_ / "y.npy").string());
  DataRecord r;
  int count = 0;
  while (data->next(r)) {
    ASSERT_EQ(r.tensor, (std::vector<float>{count * 1.0f, count * 1.0f + 0.5f})) << count;
    ASSERT_EQ(r.target_class, count % 7);
    ++count;
  }
  EXPECT_EQ(count, 300);  // more than one 256-record chunk
}

TEST(DataSpec, UnknownKindAndMissingTargetAreNamed) {
  EXPECT_THROW(open_dataset("tar:x"), Error);
  EXPECT_THROW(open_dataset("csv:x.csv"), Error);
  EXPECT_THROW(open_dataset("npy:only_one.npy"), Error);
  EXPECT_THROW(open_dataset("no-colon"), Error);
}

}  // namespace
}  // namespace infera
