// Batch prediction: shard parsing, the output lines and reading them back for --resume (a line
// cut short is dropped, a file of another shard refused), and predict_dataset's answers against
// Pipeline::predict_images on the same Fashion-MNIST images, in record order, sharded, resumed,
// with a bad record in the stream.
#include "pipeline/batch_prediction.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/concatenated_dataset.h"
#include "pipeline/prediction_output.h"

namespace infera {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() /
          ("infera_batch_prediction_" + std::to_string(getpid()) + "_" + name))
      .string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ParseShard, IndexOverCountAndFromTheJobIndex) {
  const Shard shard = parse_shard("1/4");
  EXPECT_EQ(shard.index, 1);
  EXPECT_EQ(shard.count, 4);
  EXPECT_TRUE(shard.takes(5));
  EXPECT_FALSE(shard.takes(6));
  for (const char* bad : {"4/4", "1/0", "x/2", "1", "-1/2", "1/2/3", "/2"})
    EXPECT_THROW(parse_shard(bad), Error) << bad;
  setenv("JOB_COMPLETION_INDEX", "2", 1);
  EXPECT_EQ(parse_shard("env/3").index, 2);
  EXPECT_THROW(parse_shard("env/2"), Error);
  unsetenv("JOB_COMPLETION_INDEX");
  EXPECT_THROW(parse_shard("env/3"), Error);
}

RecordAnswer answer(int64_t record, const std::string& location) {
  RecordAnswer a;
  a.record = record;
  a.location = location;
  a.target_class = 3;
  a.prediction.label = "Dress";
  a.prediction.index = 3;
  a.prediction.confidence = 0.75f;
  a.prediction.top_k = {{"Dress", 3, 0.75f}, {"Coat", 4, 0.25f}};
  return a;
}

TEST(PredictionOutput, JsonAndCsvLines) {
  EXPECT_EQ(answer_line(answer(7, "a.png"), OutputFormat::kJsonLines),
            R"({"record":7,"source":"a.png","label":"Dress","index":3,"confidence":0.75,)"
            R"("top_k":[{"label":"Dress","index":3,"probability":0.75},)"
            R"({"label":"Coat","index":4,"probability":0.25}],"target":3})");
  EXPECT_EQ(answer_line(answer(7, "a,b.png"), OutputFormat::kCsv),
            "7,\"a,b.png\",Dress,3,0.75,3:0.75 4:0.25,,,3,");
  RecordAnswer failed;
  failed.record = 9;
  failed.location = "x.png";
  failed.prediction.error = "x.png: bad\nPNG \"header\"";
  EXPECT_EQ(answer_line(failed, OutputFormat::kCsv),
            "9,x.png,,,,,,,,\"x.png: bad PNG \"\"header\"\"\"");
  EXPECT_EQ(answer_line(failed, OutputFormat::kJsonLines),
            R"({"record":9,"source":"x.png","error":"x.png: bad\nPNG \"header\""})");
  EXPECT_EQ(output_format_for("out.csv"), OutputFormat::kCsv);
  EXPECT_THROW(output_format_for("out.txt"), Error);
}

TEST(PredictionOutput, ResumeDropsACutLineAndRefusesAnotherShard) {
  const std::string path = temp_path("resume.jsonl");
  {
    PredictionWriter writer(path, OutputFormat::kJsonLines, false);
    writer.write({answer(1, "a"), answer(4, "b"), answer(7, "c")});
  }
  const std::string whole = read_text(path);
  std::ofstream(path, std::ios::app) << R"({"record":10,"sou)";
  EXPECT_EQ(resume_point(path, OutputFormat::kJsonLines, Shard{1, 3}), 7);
  EXPECT_EQ(read_text(path), whole);  // the cut line is gone, the whole ones stay
  EXPECT_THROW(resume_point(path, OutputFormat::kJsonLines, Shard{0, 3}), Error);
  EXPECT_THROW(resume_point(path, OutputFormat::kJsonLines, Shard{1, 2}), Error);
  fs::remove(path);
  EXPECT_EQ(resume_point(path, OutputFormat::kJsonLines, Shard{}), -1);

  const std::string csv = temp_path("resume.csv");
  {
    PredictionWriter writer(csv, OutputFormat::kCsv, false);
    writer.write({answer(0, "a"), answer(1, "b")});
  }
  {
    PredictionWriter appending(csv, OutputFormat::kCsv, true);  // no second header
    appending.write({answer(2, "c")});
  }
  EXPECT_EQ(resume_point(csv, OutputFormat::kCsv, Shard{}), 2);
  EXPECT_EQ(read_text(csv).rfind(csv_header(), 0), 0u);
  EXPECT_EQ(read_text(csv).find(csv_header(), 1), std::string::npos);
  fs::remove(csv);
}

// The first `count` records of a dataset, and a bad record in place of record `bad_at`.
class FirstRecords : public Dataset {
 public:
  FirstRecords(std::unique_ptr<Dataset> data, int64_t count, int64_t bad_at)
      : data_(std::move(data)), count_(count), bad_at_(bad_at) {}
  bool next(DataRecord& record) override {
    if (read_ == count_ || !data_->next(record)) return false;
    if (read_++ == bad_at_) throw BadRecord(record.location, "made bad for the test");
    return true;
  }

 private:
  std::unique_ptr<Dataset> data_;
  int64_t count_, bad_at_, read_ = 0;
};

class PredictDataset : public ::testing::Test {
 protected:
  static constexpr int64_t kCount = 150, kBadAt = 37;
  void SetUp() override {
    pipeline_ = std::make_unique<Pipeline>(Pipeline::load(
        std::string(INFERA_SOURCE_DIR) + "/models/fashion_mnist/fashion_mnist_cnn.onnx"));
    // The reference: every image, one call, no threads, no batches of ours.
    auto data = open_dataset("idx:/usr/share/datasets/fashion-mnist/t10k");
    std::vector<Image> images;
    DataRecord record;
    for (int64_t i = 0; i < kCount && data->next(record); ++i) images.push_back(record.image);
    reference_ = pipeline_->predict_images(images, 1);
  }

  std::vector<RecordAnswer> run(const BatchPredictionOptions& options) {
    std::vector<std::unique_ptr<Dataset>> parts;
    parts.push_back(open_dataset("idx:/usr/share/datasets/fashion-mnist/t10k"));
    FirstRecords data(concatenate_datasets(std::move(parts)), kCount, kBadAt);
    std::vector<RecordAnswer> all;
    predict_dataset(*pipeline_, data, options, [&](const std::vector<RecordAnswer>& batch) {
      EXPECT_LE(batch.size(), static_cast<size_t>(options.batch_size));
      all.insert(all.end(), batch.begin(), batch.end());
    });
    return all;
  }

  void expect_answers(const std::vector<RecordAnswer>& got, const Shard& shard, int64_t after) {
    std::vector<int64_t> want;
    for (int64_t i = after + 1; i < kCount; ++i)
      if (shard.takes(i)) want.push_back(i);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      const RecordAnswer& a = got[i];
      ASSERT_EQ(a.record, want[i]);
      EXPECT_EQ(a.location, "t10k-images-idx3-ubyte.gz[" + std::to_string(a.record) + "]");
      if (a.record == kBadAt) {
        EXPECT_NE(a.prediction.error.find("made bad for the test"), std::string::npos);
        continue;
      }
      const Prediction& want_p = reference_[static_cast<size_t>(a.record)];
      EXPECT_EQ(a.prediction.index, want_p.index) << a.record;
      EXPECT_NEAR(a.prediction.confidence, want_p.confidence, 1e-5) << a.record;
      EXPECT_GE(a.target_class, 0);
    }
  }

  std::unique_ptr<Pipeline> pipeline_;
  std::vector<Prediction> reference_;
};

TEST_F(PredictDataset, EveryRecordInOrderWithTheBadOneAsAnError) {
  BatchPredictionOptions options;
  options.batch_size = 16;
  options.queued_batches = 1;
  int reported = 0;
  options.on_bad_record = [&](const BadRecord&) { ++reported; };
  expect_answers(run(options), Shard{}, -1);
  EXPECT_EQ(reported, 1);
}

TEST_F(PredictDataset, ShardedAndResumed) {
  BatchPredictionOptions options;
  options.batch_size = 7;
  options.shard = Shard{2, 3};
  expect_answers(run(options), options.shard, -1);
  options.done_through = 95;
  expect_answers(run(options), options.shard, 95);
}

TEST_F(PredictDataset, StrictStopsAtTheBadRecordAfterAnsweringTheOnesBefore) {
  BatchPredictionOptions options;
  options.batch_size = 10;
  options.strict = true;
  std::vector<RecordAnswer> before;
  std::vector<std::unique_ptr<Dataset>> parts;
  parts.push_back(open_dataset("idx:/usr/share/datasets/fashion-mnist/t10k"));
  FirstRecords data(concatenate_datasets(std::move(parts)), kCount, kBadAt);
  EXPECT_THROW(predict_dataset(*pipeline_, data, options,
                               [&](const std::vector<RecordAnswer>& batch) {
                                 before.insert(before.end(), batch.begin(), batch.end());
                               }),
               BadRecord);
  EXPECT_EQ(before.size(), static_cast<size_t>(kBadAt));
}

}  // namespace
}  // namespace infera
