// `infera serve`: the KServe v2 HTTP front end over a model repository. Routes requests
// (health, metadata, infer, statistics, repository control, /metrics), queues inference on
// each model's dynamic batcher, polls the repository for new versions, writes access logs.
//
//   InferenceServer server(options, logger);
//   server.start();   // loads and warms every model, then listens; ready turns true
//   server.run();     // until stop() (SIGTERM): stops accepting, finishes in-flight requests
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "serve/http_server.h"
#include "serve/log.h"
#include "serve/model_repository.h"

namespace infera::serve {

struct InferenceServerOptions {
  std::string model_repository;
  HttpServerOptions http;
  int poll_seconds = 0;  // 0: no polling; load/unload only on request
};

class InferenceServer {
 public:
  InferenceServer(InferenceServerOptions options, Logger& logger);
  ~InferenceServer();

  void start();
  int port() const { return http_.port(); }
  void run();
  void stop();  // async-signal-safe

 private:
  void handle(HttpRequest request, Responder responder);
  void handle_model_route(const std::vector<std::string>& parts, HttpRequest& request,
                          Responder& responder);
  void handle_infer(const std::shared_ptr<ServedModel>& model, HttpRequest& request,
                    Responder& responder);
  void handle_repository(const std::vector<std::string>& parts, HttpRequest& request,
                         Responder& responder);
  std::string metrics_text() const;
  void access_log(const HttpRequest& request, const HttpResponse& response, double seconds,
                  const std::string& peer);
  // The repository thread: load/unload requests and polling, off the I/O thread.
  void repository_loop();
  void post_repository_task(std::function<void()> task);

  InferenceServerOptions options_;
  Logger& logger_;
  HttpServer http_;  // before the repository: batchers draining at exit still post answers
  ModelRepository repository_;
  std::atomic<bool> ready_{false};
  mutable std::mutex responses_mutex_;
  std::map<int, uint64_t> responses_by_status_;
  std::mutex tasks_mutex_;
  std::condition_variable tasks_wake_;
  std::deque<std::function<void()>> tasks_;
  bool tasks_stopping_ = false;
  std::thread repository_thread_;
};

}  // namespace infera::serve
