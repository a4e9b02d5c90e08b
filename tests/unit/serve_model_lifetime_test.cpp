// Who drops the last reference to a served model. A request's callback holds its model, so when
// the repository lets go of a model while a request is still queued, the batcher thread that
// answers it would drop the last reference, destroy the model and with it the batcher, and join
// itself (std::terminate: seen at SIGTERM under load). The repository stops every batcher first.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "serve/engine_threads.h"
#include "serve/model_repository.h"
#include "serve/served_model.h"

namespace infera::serve {
namespace {

namespace fs = std::filesystem;

TEST(ServeModelLifetime, RepositoryAnswersQueuedRequestsBeforeLettingGoOfItsModels) {
  const fs::path root = fs::temp_directory_path() / "infera_model_lifetime_test";
  fs::remove_all(root);
  fs::create_directories(root / "fashion" / "1");
  fs::copy_file(INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.onnx",
                root / "fashion" / "1" / "model.onnx");
  // A batch of 8 waited for up to 30 s: the one request stays queued until the batcher stops.
  std::ofstream(root / "fashion" / "config.json")
      << R"({"max_batch_size": 8, "max_queue_delay_us": 30000000, "warmup": false})";

  Logger logger(LogLevel::kError);
  std::atomic<int> status{0};
  std::atomic<bool> answered_on_another_thread{false};
  const auto test_thread = std::this_thread::get_id();
  {
    ModelRepository repository(root.string(), logger);
    repository.load_all();
    std::shared_ptr<ServedModel> model = repository.find("fashion");
    ASSERT_TRUE(model);
    InferenceJob job;
    job.inputs.push_back(Tensor::empty(DType::kFloat32, {1, 1, 28, 28}));
    job.enqueued = SteadyClock::now();
    job.deadline = job.enqueued + std::chrono::seconds(60);
    job.done = [model, &status, &answered_on_another_thread, test_thread](InferenceResult r) {
      answered_on_another_thread = std::this_thread::get_id() != test_thread;
      status = r.status;
    };
    ASSERT_TRUE(model->batcher().submit(job));
    model.reset();  // the queued job's callback now holds the model beside the repository
  }  // without the batchers stopped first, the batcher thread ends up destroying itself here
  EXPECT_EQ(status.load(), 200);  // answered, by the time the repository is gone
  EXPECT_TRUE(answered_on_another_thread.load());
  fs::remove_all(root);
}

TEST(ServeEngineThreads, RunsWorkOnItsThreadsAndPassesErrorsBack) {
  EngineThreads engine;
  engine.ensure(2);
  EXPECT_EQ(engine.count(), 2);
  std::thread::id ran_on;
  engine.run([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_THROW(engine.run([] { throw std::runtime_error("failed"); }), std::runtime_error);
  // Callers from several threads at once: each returns after its own work.
  std::atomic<int> done{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 4; ++i)
    callers.emplace_back([&] {
      for (int k = 0; k < 50; ++k) engine.run([&] { ++done; });
    });
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(done.load(), 200);
  EXPECT_EQ(engine.count(), 2);
}

}  // namespace
}  // namespace infera::serve
