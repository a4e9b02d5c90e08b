// Expected values for the real Fashion-MNIST files were computed with numpy:
//   np.frombuffer(gzip.open(path).read(), np.uint8, offset=8 or 16)
#include "data/idx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "infera/error.h"
#include "infera/tensor.h"

namespace infera {
namespace {

namespace fs = std::filesystem;

const std::string kFashion = "/usr/share/datasets/fashion-mnist/";

bool have_fashion_mnist() {
  return fs::exists(kFashion + "t10k-labels-idx1-ubyte.gz");
}

uint64_t sum_bytes(const Tensor& t) {
  const auto* p = t.data<uint8_t>();
  return std::accumulate(p, p + t.numel(), uint64_t{0});
}

// A temporary folder for hand-made files, removed with the fixture.
class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("infera_idx_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_plain(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string write_gzip(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
    return path;
  }

  fs::path dir_;
};

// An IDX header: 0, 0, type code, dims, then each dim big-endian.
std::string idx_header(uint8_t type_code, const std::vector<uint32_t>& dims) {
  std::string out = {'\0', '\0', static_cast<char>(type_code), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(d >> shift);
  }
  return out;
}

// A 3-record file of 2x2 uint8 images holding bytes 0..11.
std::string small_images() {
  std::string data(12, '\0');
  std::iota(data.begin(), data.end(), 0);
  return idx_header(0x08, {3, 2, 2}) + data;
}

void expect_error(const std::string& path, const std::string& needle, bool stream_all = true) {
  try {
    if (stream_all) {
      read_idx(path);
    } else {
      IdxReader reader(path);
    }
    ADD_FAILURE() << path << " was accepted; expected: " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(IdxFashionMnist, TestSplitMatchesNumpy) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const Tensor labels = read_idx(kFashion + "t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(labels.dtype(), DType::kUInt8);
  ASSERT_EQ(labels.shape(), Shape{10000});
  const std::vector<uint8_t> first(labels.data<uint8_t>(), labels.data<uint8_t>() + 10);
  EXPECT_EQ(first, (std::vector<uint8_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  std::vector<int> per_class(10);
  for (int64_t i = 0; i < labels.numel(); ++i) per_class.at(labels.data<uint8_t>()[i])++;
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));

  const Tensor images = read_idx(kFashion + "t10k-images-idx3-ubyte.gz");
  ASSERT_EQ(images.shape(), (Shape{10000, 28, 28}));
  EXPECT_EQ(sum_bytes(images), 573469082u);
}

TEST(IdxFashionMnist, StreamsTrainingImagesInBatches) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  IdxReader reader(kFashion + "train-images-idx3-ubyte.gz");
  EXPECT_TRUE(reader.compressed());
  EXPECT_EQ(reader.shape(), (Shape{60000, 28, 28}));
  EXPECT_EQ(reader.record_shape(), (Shape{28, 28}));
  Tensor batch;
  int batches = 0;
  uint64_t total = 0, first_image = 0, last_image = 0;
  while (reader.next_batch(7000, batch)) {  // 7000 does not divide 60000: last batch is short
    ++batches;
    EXPECT_EQ(batch.dim(0), batches < 9 ? 7000 : 4000);
    if (batches == 1) first_image = sum_bytes(Tensor(DType::kUInt8, {784}, batch.raw()));
    last_image =
        sum_bytes(Tensor(DType::kUInt8, {784}, batch.data<uint8_t>() + (batch.dim(0) - 1) * 784));
    total += sum_bytes(batch);
  }
  EXPECT_EQ(batches, 9);
  EXPECT_EQ(reader.records_read(), 60000);
  EXPECT_EQ(first_image, 76247u);
  EXPECT_EQ(last_image, 16684u);
  EXPECT_EQ(total, 3431114169u);
  EXPECT_FALSE(reader.next_batch(1, batch)) << "stays at the end";

  const Tensor labels = read_idx(kFashion + "train-labels-idx1-ubyte.gz");
  ASSERT_EQ(labels.shape(), Shape{60000});
  const std::vector<uint8_t> first(labels.data<uint8_t>(), labels.data<uint8_t>() + 10);
  EXPECT_EQ(first, (std::vector<uint8_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
}

TEST_F(IdxFiles, ReadsPlainAndGzippedAlike) {
  for (const std::string& path :
       {write_plain("a.idx", small_images()), write_gzip("a.idx.gz", small_images())}) {
    const Tensor t = read_idx(path);
    ASSERT_EQ(t.shape(), (Shape{3, 2, 2})) << path;
    for (int i = 0; i < 12; ++i) EXPECT_EQ(t.data<uint8_t>()[i], i);
  }
  EXPECT_FALSE(IdxReader(write_plain("b.idx", small_images())).compressed());
}

TEST_F(IdxFiles, ConvertsBigEndianElements) {
  const std::string int32_data = {'\x00', '\x00', '\x01', '\x02', '\xff', '\xff', '\xff', '\xfe'};
  const Tensor ints = read_idx(write_plain("i.idx", idx_header(0x0C, {2}) + int32_data));
  ASSERT_EQ(ints.dtype(), DType::kInt32);
  EXPECT_EQ(ints.data<int32_t>()[0], 0x102);
  EXPECT_EQ(ints.data<int32_t>()[1], -2);
  const std::string float_data = {'\x3f', '\xc0', '\x00', '\x00'};  // 1.5f
  const Tensor floats = read_idx(write_gzip("f.idx.gz", idx_header(0x0D, {1, 1}) + float_data));
  EXPECT_EQ(floats.shape(), (Shape{1, 1}));
  EXPECT_EQ(floats.data<float>()[0], 1.5f);
}

TEST_F(IdxFiles, ReadsZeroRecords) {
  const Tensor t = read_idx(write_gzip("empty.gz", idx_header(0x08, {0, 28, 28})));
  EXPECT_EQ(t.shape(), (Shape{0, 28, 28}));
}

TEST_F(IdxFiles, RefusesBadHeaders) {
  std::string bad_magic = small_images();
  bad_magic[0] = 1;
  expect_error(write_plain("magic.idx", bad_magic), "bad magic 01 00 08 03", false);
  std::string bad_type = small_images();
  bad_type[2] = 0x0A;
  expect_error(write_gzip("type.gz", bad_type), "bad magic 00 00 0a 03", false);
  expect_error(write_plain("nodims.idx", idx_header(0x08, {})), "bad magic", false);
  expect_error(write_plain("short.idx", std::string("\0\0", 2)), "too short", false);
  expect_error(write_gzip("dims.gz", small_images().substr(0, 9)), "inside the dimensions", false);
  expect_error(write_plain("huge.idx", idx_header(0x0E, {0xffffffff, 0xffffffff, 0xffffffff})),
               "absurdly large", false);
}

TEST_F(IdxFiles, RefusesWrongDataLength) {
  const std::string good = small_images();
  expect_error(write_plain("cut.idx", good.substr(0, good.size() - 1)), "truncated", false);
  expect_error(write_plain("long.idx", good + "x"), "trailing bytes", false);
  expect_error(write_gzip("cut.gz", good.substr(0, good.size() - 5)), "data ends after 1");
  expect_error(write_gzip("long.gz", good + "x"), "bytes after the 3 records");
}

TEST_F(IdxFiles, RefusesTruncatedGzipStream) {
  std::string large = idx_header(0x08, {1000, 100});
  for (int i = 0; i < 100000; ++i) large += static_cast<char>((i * 7919) % 251);
  const std::string path = write_gzip("big.gz", large);
  fs::resize_file(path, fs::file_size(path) / 2);
  try {
    read_idx(path);
    FAIL() << "a half gzip file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST_F(IdxFiles, MissingFileIsAnIoError) {
  try {
    IdxReader reader((dir_ / "absent.gz").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find("absent.gz"), std::string::npos);
  }
}

}  // namespace
}  // namespace infera
