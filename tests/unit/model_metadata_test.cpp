// Embedding a pipeline spec in a model's metadata_props with our own wire writer: the other
// bytes are kept as they are, the entry is replaced rather than duplicated, and
// Pipeline::load finds the embedded spec when no file sits beside the model.
#include "onnx/model_metadata.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "infera/pipeline.h"
#include "onnx/onnx_reader.h"
#include "onnx/wire_writer.h"

namespace infera {
namespace {

namespace fs = std::filesystem;
const std::string kModel = INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.onnx";
const std::string kSpec = INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.pipeline.json";

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::pair<std::string, std::string>> metadata_of(const std::string& bytes) {
  auto model = read_onnx_model_from_memory(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           bytes.size(), nullptr, "");
  return model->metadata;
}

TEST(WireWriter, VarintsAsProtobufWritesThem) {
  // Values and encodings from the protobuf encoding guide.
  std::string out;
  wire::WireWriter::append_varint(out, 150);
  EXPECT_EQ(out, "\x96\x01");
  wire::WireWriter w;
  w.varint_field(1, 150);
  w.bytes_field(2, "testing");
  EXPECT_EQ(w.bytes(), std::string("\x08\x96\x01\x12\x07testing"));
}

TEST(ModelMetadata, AppendsTheEntryAndKeepsEveryOtherByte) {
  const std::string original = file_bytes(kModel);
  const std::string once = set_model_metadata(original, "m", "infera.pipeline", "{\"a\": 1}");
  // The model had no metadata: the original is an exact prefix, then one field-14 record.
  ASSERT_GT(once.size(), original.size());
  EXPECT_EQ(once.substr(0, original.size()), original);
  EXPECT_EQ(once[original.size()], '\x72');  // field 14, length-delimited
  const std::string with_other = set_model_metadata(once, "m", "author", "someone");
  const std::string twice = set_model_metadata(with_other, "m", "infera.pipeline", "{\"b\": 2}");
  const auto metadata = metadata_of(twice);
  ASSERT_EQ(metadata.size(), 2u);
  EXPECT_EQ(metadata[0], (std::pair<std::string, std::string>{"author", "someone"}));
  EXPECT_EQ(metadata[1], (std::pair<std::string, std::string>{"infera.pipeline", "{\"b\": 2}"}));
  EXPECT_EQ(twice.substr(0, original.size()), original);
}

TEST(ModelMetadata, CorruptModelIsRefusedNamingIt) {
  const std::string truncated = file_bytes(kModel).substr(0, 5000);
  try {
    set_model_metadata(truncated, "cut.onnx", "k", "v");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("cut.onnx: "), std::string::npos) << e.what();
  }
}

TEST(ModelMetadata, PipelineLoadUsesTheEmbeddedSpec) {
  const fs::path dir = fs::temp_directory_path() / "infera_model_metadata_test";
  fs::create_directories(dir);
  const std::string embedded = (dir / "embedded.onnx").string();
  const PipelineSpec spec = load_pipeline_spec(kSpec);
  write_model_with_metadata(kModel, embedded, "infera.pipeline", pipeline_spec_to_json(spec));
  Pipeline pipeline = Pipeline::load(embedded);
  EXPECT_EQ(pipeline.spec().source, embedded + " metadata 'infera.pipeline'");
  EXPECT_EQ(pipeline.spec().labels, spec.labels);
  EXPECT_EQ(pipeline.spec().top_k, 3);
  // A file beside the model still wins over the embedded spec.
  std::ofstream(dir / "embedded.pipeline.json")
      << R"({"version": 1, "preset": "mnist", "top_k": 5})";
  EXPECT_EQ(Pipeline::load(embedded).spec().top_k, 5);
  fs::remove_all(dir);
}

TEST(PipelineSpecJson, ReadsBackToTheSameSpec) {
  for (const std::string& name : {std::string("torchvision-imagenet"), std::string("keras-tf"),
                                  std::string("keras-caffe"), std::string("mnist"), kSpec}) {
    SCOPED_TRACE(name);
    const PipelineSpec spec = load_pipeline_spec(name);
    const std::string text = pipeline_spec_to_json(spec);
    const PipelineSpec back = parse_pipeline_spec(text, "", "round trip");
    EXPECT_EQ(pipeline_spec_to_json(back), text);
    EXPECT_EQ(back.preprocess.mean, spec.preprocess.mean);
    EXPECT_EQ(back.preprocess.std, spec.preprocess.std);
    EXPECT_EQ(back.labels, spec.labels);
  }
  const std::string imagenet = pipeline_spec_to_json(load_pipeline_spec("torchvision-imagenet"));
  EXPECT_NE(imagenet.find("\"mean\":[0.485,0.456,0.406]"), std::string::npos) << imagenet;
  EXPECT_NE(
      imagenet.find("\"resize\":{\"size\":256,\"filter\":\"bilinear\"},\"center_crop\":[224,224]"),
      std::string::npos)
      << imagenet;
}

}  // namespace
}  // namespace infera
