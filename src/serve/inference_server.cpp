#include "serve/inference_server.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "infera/error.h"
#include "serve/kserve_codec.h"

namespace infera::serve {

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

HttpResponse method_not_allowed(const HttpRequest& request, const char* allowed) {
  HttpResponse response = error_response(
      405, request.method + " is not allowed on " + request.path + "; use " + allowed);
  response.headers.emplace_back("Allow", allowed);
  return response;
}

std::string tensor_metadata(const std::vector<TensorInfo>& tensors) {
  std::string out = "[";
  for (const TensorInfo& info : tensors) {
    if (out.size() > 1) out += ',';
    std::string datatype;
    try {
      datatype = v2_datatype(info.dtype);
    } catch (const ServeError&) {
      datatype = dtype_name(info.dtype);  // a sequence or a type v2 cannot carry
    }
    out += "{\"name\":" + json_quote(info.name) + ",\"datatype\":\"" + datatype + "\",\"shape\":[";
    for (size_t axis = 0; axis < info.shape.size(); ++axis) {
      if (axis) out += ',';
      out += std::to_string(info.shape[axis]);
    }
    out += "]}";
  }
  return out + "]";
}

std::string model_metadata(const ServedModel& model) {
  return "{\"name\":" + json_quote(model.name()) + ",\"versions\":[" + json_quote(model.version()) +
         "],\"platform\":\"onnx\",\"inputs\":" + tensor_metadata(model.session().inputs()) +
         ",\"outputs\":" + tensor_metadata(model.session().outputs()) + "}";
}

std::string duration_json(const DurationCounter& counter) {
  return "{\"count\":" + std::to_string(counter.count) + ",\"ns\":" + std::to_string(counter.ns) +
         "}";
}

// The Triton statistics extension's shape for one model.
std::string model_statistics(ServedModel& model) {
  const ModelStatsSnapshot stats = model.stats().snapshot();
  std::string batches;
  for (const auto& [rows, counter] : stats.batches)
    batches += std::string(batches.empty() ? "" : ",") + "{\"batch_size\":" + std::to_string(rows) +
               ",\"compute_infer\":" + duration_json(counter) + "}";
  return "{\"name\":" + json_quote(model.name()) + ",\"version\":" + json_quote(model.version()) +
         ",\"last_inference\":" + std::to_string(stats.last_inference_ms) +
         ",\"inference_count\":" + std::to_string(stats.inference_count) +
         ",\"execution_count\":" + std::to_string(stats.execution_count) +
         ",\"inference_stats\":{\"success\":" + duration_json(stats.success) +
         ",\"fail\":" + duration_json(stats.failure) + ",\"queue\":" + duration_json(stats.queue) +
         ",\"compute_infer\":" + duration_json(stats.compute) + "},\"batch_stats\":[" + batches +
         "]}";
}

}  // namespace

InferenceServer::InferenceServer(InferenceServerOptions options, Logger& logger)
    : options_(std::move(options)),
      logger_(logger),
      http_(
          options_.http,
          [this](HttpRequest request, Responder responder) {
            handle(std::move(request), responder);
          },
          [this](const HttpRequest& request, const HttpResponse& response, double seconds,
                 const std::string& peer) { access_log(request, response, seconds, peer); }),
      repository_(options_.model_repository, logger) {}

InferenceServer::~InferenceServer() {
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    tasks_stopping_ = true;
  }
  tasks_wake_.notify_all();
  if (repository_thread_.joinable()) repository_thread_.join();
}

void InferenceServer::start() {
  repository_.load_all();
  http_.start();
  repository_thread_ = std::thread([this] { repository_loop(); });
  ready_.store(true);
  std::printf("infera serve: listening on %s:%d\n", options_.http.host.c_str(), http_.port());
  std::fflush(stdout);
}

void InferenceServer::run() {
  http_.run();
  logger_.log(LogLevel::kInfo, "stopped: in-flight requests answered");
}

void InferenceServer::stop() {
  ready_.store(false);
  http_.stop();
}

void InferenceServer::post_repository_task(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    tasks_.push_back(std::move(task));
  }
  tasks_wake_.notify_one();
}

void InferenceServer::repository_loop() {
  auto next_poll = std::chrono::steady_clock::now() + std::chrono::seconds(options_.poll_seconds);
  std::unique_lock<std::mutex> lock(tasks_mutex_);
  for (;;) {
    if (options_.poll_seconds > 0)
      tasks_wake_.wait_until(lock, next_poll,
                             [this] { return tasks_stopping_ || !tasks_.empty(); });
    else
      tasks_wake_.wait(lock, [this] { return tasks_stopping_ || !tasks_.empty(); });
    if (tasks_stopping_) return;
    std::deque<std::function<void()>> tasks;
    tasks.swap(tasks_);
    lock.unlock();
    for (auto& task : tasks) task();
    if (options_.poll_seconds > 0 && std::chrono::steady_clock::now() >= next_poll) {
      repository_.poll();
      next_poll = std::chrono::steady_clock::now() + std::chrono::seconds(options_.poll_seconds);
    }
    repository_.reap_retired();
    lock.lock();
  }
}

void InferenceServer::handle(HttpRequest request, Responder responder) {
  const std::vector<std::string> parts = split_path(request.path);
  const bool get = request.method == "GET";
  if (request.path == "/metrics") {
    if (!get) return responder.send(method_not_allowed(request, "GET"));
    return responder.send(HttpResponse::text(200, metrics_text(), "text/plain; version=0.0.4"));
  }
  if (parts.empty() || parts[0] != "v2")
    return responder.send(error_response(404, "no route for " + request.path));
  if (parts.size() == 1) {
    if (!get) return responder.send(method_not_allowed(request, "GET"));
    return responder.send(HttpResponse::json(
        200,
        "{\"name\":\"infera\",\"version\":\"0.1.0\",\"extensions\":[\"binary_tensor_data\","
        "\"classification\",\"model_repository\",\"statistics\"]}"));
  }
  if (parts[1] == "health" && parts.size() == 3 && (parts[2] == "live" || parts[2] == "ready")) {
    if (!get) return responder.send(method_not_allowed(request, "GET"));
    if (parts[2] == "live") return responder.send(HttpResponse::json(200, "{\"live\":true}"));
    const bool ready = ready_.load();
    return responder.send(
        HttpResponse::json(ready ? 200 : 503, ready ? "{\"ready\":true}" : "{\"ready\":false}"));
  }
  if (parts[1] == "models" && parts.size() == 3 && parts[2] == "stats") {
    if (!get) return responder.send(method_not_allowed(request, "GET"));
    std::string all;
    for (const auto& model : repository_.loaded())
      all += (all.empty() ? "" : ",") + model_statistics(*model);
    return responder.send(HttpResponse::json(200, "{\"model_stats\":[" + all + "]}"));
  }
  if (parts[1] == "models" && parts.size() >= 3)
    return handle_model_route(parts, request, responder);
  if (parts[1] == "repository") return handle_repository(parts, request, responder);
  responder.send(error_response(404, "no route for " + request.path));
}

void InferenceServer::handle_model_route(const std::vector<std::string>& parts,
                                         HttpRequest& request, Responder& responder) {
  std::shared_ptr<ServedModel> model = repository_.find(parts[2]);
  if (!model) return responder.send(error_response(404, "unknown model '" + parts[2] + "'"));
  size_t next = 3;
  if (parts.size() > next && parts[next] == "versions") {
    if (parts.size() == next + 1)
      return responder.send(error_response(404, "no route for " + request.path));
    if (parts[next + 1] != model->version())
      return responder.send(error_response(404, "model '" + model->name() + "' has no version '" +
                                                    parts[next + 1] + "'; version " +
                                                    model->version() + " is served"));
    next += 2;
  }
  const std::string action = parts.size() > next ? parts[next] : "";
  if (parts.size() > next + 1)
    return responder.send(error_response(404, "no route for " + request.path));
  if (action == "infer") {
    if (request.method != "POST") return responder.send(method_not_allowed(request, "POST"));
    return handle_infer(model, request, responder);
  }
  if (request.method != "GET") return responder.send(method_not_allowed(request, "GET"));
  if (action.empty()) return responder.send(HttpResponse::json(200, model_metadata(*model)));
  if (action == "ready")
    return responder.send(HttpResponse::json(
        200, "{\"name\":" + json_quote(model->name()) +
                 ",\"version\":" + json_quote(model->version()) + ",\"ready\":true}"));
  if (action == "stats")
    return responder.send(
        HttpResponse::json(200, "{\"model_stats\":[" + model_statistics(*model) + "]}"));
  responder.send(error_response(404, "no route for " + request.path));
}

void InferenceServer::handle_infer(const std::shared_ptr<ServedModel>& model, HttpRequest& request,
                                   Responder& responder) {
  auto decoded = std::make_shared<InferRequest>();
  try {
    *decoded = decode_infer_request(request, *model);
  } catch (const ServeError& e) {
    return responder.send(error_response(e.status(), e.what()));
  } catch (const Error& e) {
    return responder.send(error_response(e.kind() == ErrorKind::kInternal ? 500 : 400, e.what()));
  }
  InferenceJob job;
  job.inputs = std::move(decoded->inputs);
  job.rows = decoded->rows;
  job.enqueued = SteadyClock::now();
  job.deadline =
      job.enqueued + (decoded->timeout_us > 0
                          ? std::chrono::microseconds(decoded->timeout_us)
                          : std::chrono::microseconds(model->config().timeout_ms * 1000));
  job.cancelled = request.cancelled;
  // The callback keeps the model version alive until the answer is encoded.
  job.done = [model, decoded, responder](InferenceResult result) {
    if (!result.error.empty()) return responder.send(error_response(result.status, result.error));
    try {
      responder.send(encode_infer_response(*decoded, *model, result.outputs));
    } catch (const ServeError& e) {
      responder.send(error_response(e.status(), e.what()));
    } catch (const std::exception& e) {
      responder.send(error_response(500, e.what()));
    }
  };
  if (!model->batcher().submit(job))
    responder.send(error_response(503, "model '" + model->name() +
                                           "' is not accepting requests: its queue of " +
                                           std::to_string(model->config().batching.max_queue_size) +
                                           " is full or it is shutting down"));
}

void InferenceServer::handle_repository(const std::vector<std::string>& parts, HttpRequest& request,
                                        Responder& responder) {
  if (request.method != "POST") return responder.send(method_not_allowed(request, "POST"));
  if (parts.size() == 3 && parts[2] == "index") {
    std::string out = "[";
    for (const RepositoryEntry& entry : repository_.index()) {
      if (out.size() > 1) out += ',';
      out += "{\"name\":" + json_quote(entry.name) + ",\"version\":" + json_quote(entry.version) +
             ",\"state\":" + json_quote(entry.state) + ",\"reason\":" + json_quote(entry.reason) +
             "}";
    }
    return responder.send(HttpResponse::json(200, out + "]"));
  }
  if (parts.size() != 5 || parts[2] != "models" || (parts[4] != "load" && parts[4] != "unload"))
    return responder.send(error_response(404, "no route for " + request.path));
  const std::string name = parts[3];
  if (!std::filesystem::is_directory(std::filesystem::path(options_.model_repository) / name))
    return responder.send(error_response(404, "no model folder '" + name + "' in the repository"));
  const bool load = parts[4] == "load";
  // Loading reads and warms a model (seconds): never on the I/O thread.
  post_repository_task([this, name, load, responder] {
    try {
      if (load) {
        repository_.load(name);
      } else if (!repository_.unload(name)) {
        return responder.send(error_response(400, "model '" + name + "' is not loaded"));
      }
      responder.send(HttpResponse::json(200, "{}"));
    } catch (const Error& e) {
      responder.send(error_response(400, "failed to load '" + name + "': " + e.what()));
    }
  });
}

void InferenceServer::access_log(const HttpRequest& request, const HttpResponse& response,
                                 double seconds, const std::string& peer) {
  {
    std::lock_guard<std::mutex> lock(responses_mutex_);
    ++responses_by_status_[response.status];
  }
  if (!logger_.enabled(LogLevel::kInfo)) return;
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.3f", seconds * 1000.0);
  logger_.log(LogLevel::kInfo, "access",
              "\"method\":" + json_quote(request.method) + ",\"path\":" + json_quote(request.path) +
                  ",\"status\":" + std::to_string(response.status) +
                  ",\"response_bytes\":" + std::to_string(response.body.size()) +
                  ",\"duration_ms\":" + duration + ",\"peer\":" + json_quote(peer));
}

}  // namespace infera::serve
