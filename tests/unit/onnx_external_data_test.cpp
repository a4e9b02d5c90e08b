// External tensor data: read from beside the model, and never from outside its folder.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "infera/error.h"
#include "onnx/onnx_reader.h"
#include "proto_writer.h"

namespace infera {
namespace {

namespace fs = std::filesystem;
using namespace testing::onnx_field;
using testing::model_around;
using testing::ProtoWriter;

// A fresh folder per test, removed afterwards; `root/model` holds the model.
class ExternalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "infera_external_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    folder_ = root_ / "model";
    fs::create_directories(folder_);
    // 4 bytes of padding, then the floats 1..4: offset 4, length 16.
    const float values[4] = {1, 2, 3, 4};
    write(folder_ / "weights.bin", std::string(4, '\0') +
                                       std::string(reinterpret_cast<const char*>(values), 16));
  }
  void TearDown() override { fs::remove_all(root_); }

  static void write(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }

  // Writes a model whose initializer "w" (float32 [4]) lives in `location`.
  std::string write_model(const std::string& location, const std::string& offset = "4",
                          const std::string& length = "16") {
    ProtoWriter t;
    t.packed_varints(kTensorDims, {4}).varint(kTensorDataType, 1).bytes(kTensorName, "w");
    auto entry = [&](const char* key, const std::string& value) {
      t.message(kTensorExternalData, ProtoWriter().bytes(kEntryKey, key).bytes(kEntryValue, value));
    };
    entry("location", location);
    if (!offset.empty()) entry("offset", offset);
    if (!length.empty()) entry("length", length);
    t.varint(kTensorDataLocation, 1);
    model_bytes_ = model_around(ProtoWriter().message(kGraphInitializer, t));
    const fs::path path = folder_ / "model.onnx";
    write(path, model_bytes_);
    return path.string();
  }

  std::string error_of(const std::string& model_path, ErrorKind kind = ErrorKind::kInvalidModel) {
    try {
      read_onnx_model(model_path);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "model with bad external data decoded";
    return "";
  }

  fs::path root_, folder_;
  std::string model_bytes_;
};

TEST_F(ExternalDataTest, RelativePathInsideFolder) {
  auto model = read_onnx_model(write_model("weights.bin"));
  const Tensor& w = model->graph->initializers.at(0).tensor;
  EXPECT_EQ(w.shape(), (Shape{4}));
  EXPECT_EQ(w.data<float>()[0], 1.0f);
  EXPECT_EQ(w.data<float>()[3], 4.0f);
  EXPECT_NE(w.keep_alive(), nullptr);  // viewed in place in the weights file's mapping
  EXPECT_NE(w.keep_alive(), model->backing);
}

TEST_F(ExternalDataTest, SubfolderAndMissingLength) {
  fs::create_directories(folder_ / "data");
  fs::copy_file(folder_ / "weights.bin", folder_ / "data" / "weights.bin");
  auto model = read_onnx_model(write_model("data/weights.bin", "4", ""));  // rest of file
  EXPECT_EQ(model->graph->initializers.at(0).tensor.data<float>()[2], 3.0f);
}

TEST_F(ExternalDataTest, ParentEscapeRefused) {
  fs::copy_file(folder_ / "weights.bin", root_ / "weights.bin");
  EXPECT_NE(error_of(write_model("../weights.bin")).find("'..' leaves the model folder"),
            std::string::npos);
  EXPECT_NE(error_of(write_model("data/../../weights.bin")).find("'..'"), std::string::npos);
}

TEST_F(ExternalDataTest, AbsolutePathRefused) {
  const std::string message = error_of(write_model((folder_ / "weights.bin").string()));
  EXPECT_NE(message.find("absolute path"), std::string::npos);
  EXPECT_NE(message.find("graph.initializer 'w'"), std::string::npos);
}

TEST_F(ExternalDataTest, SymlinkLeavingFolderRefused) {
  fs::copy_file(folder_ / "weights.bin", root_ / "outside.bin");
  fs::create_symlink(root_ / "outside.bin", folder_ / "link.bin");
  EXPECT_NE(error_of(write_model("link.bin")).find("outside the model folder"), std::string::npos);
}

TEST_F(ExternalDataTest, RangesOutsideTheFileRefused) {
  EXPECT_NE(error_of(write_model("weights.bin", "8", "16")).find("runs past the end"),
            std::string::npos);
  EXPECT_NE(error_of(write_model("weights.bin", "100", "")).find("past the end"), std::string::npos);
  EXPECT_NE(error_of(write_model("weights.bin", "18446744073709551615", "16")).find("past the end"),
            std::string::npos);
  EXPECT_NE(error_of(write_model("weights.bin", "-4", "16")).find("not a number"), std::string::npos);
  EXPECT_NE(error_of(write_model("weights.bin", "4", "12")).find("external data holds 12 bytes"),
            std::string::npos);
}

TEST_F(ExternalDataTest, MissingFileIsAnIoError) {
  EXPECT_NE(error_of(write_model("nope.bin"), ErrorKind::kIo).find("nope.bin"), std::string::npos);
}

TEST_F(ExternalDataTest, FromMemoryNeedsABaseFolder) {
  write_model("weights.bin");
  const auto* data = reinterpret_cast<const uint8_t*>(model_bytes_.data());
  EXPECT_THROW(read_onnx_model_from_memory(data, model_bytes_.size(), nullptr, ""), Error);
  auto model = read_onnx_model_from_memory(data, model_bytes_.size(), nullptr, folder_.string());
  EXPECT_EQ(model->graph->initializers.at(0).tensor.data<float>()[1], 2.0f);
}

}  // namespace
}  // namespace infera
