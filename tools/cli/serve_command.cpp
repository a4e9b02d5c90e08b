// `infera serve --model-repository DIR [--port 8000] [--host 127.0.0.1]`: the KServe v2 server
// (src/serve/, docs/SERVING.md). SIGTERM or SIGINT: stop accepting, answer what is in flight,
// exit 0.
#include <csignal>

#include "cli.h"
#include "serve/inference_server.h"

namespace infera::cli {

namespace {

serve::InferenceServer* running_server = nullptr;

void stop_on_signal(int) {
  if (running_server) running_server->stop();
}

}  // namespace

Action add_serve_command(CLI::App& app) {
  struct Args {
    serve::InferenceServerOptions server;
    std::string log_level = "info";
    size_t max_request_mib = 64;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd =
      app.add_subcommand("serve", "Serve a model repository over KServe v2 (HTTP/JSON and binary)");
  cmd->add_option("--model-repository", args->server.model_repository,
                  "folder of <model>/<version>/model.onnx (+ <model>/config.json)")
      ->required();
  cmd->add_option("--port", args->server.http.port, "TCP port (0: any free one, printed at start)");
  cmd->add_option("--host", args->server.http.host, "IPv4 address to listen on");
  cmd->add_option("--poll-seconds", args->server.poll_seconds,
                  "look for new model versions every N seconds (0: never)");
  cmd->add_option("--log-level", args->log_level, "error, warn, info (access log) or debug");
  cmd->add_option("--max-request-mib", args->max_request_mib, "largest request body accepted");
  cmd->add_option("--read-timeout-ms", args->server.http.read_timeout_ms,
                  "time allowed to send one request");
  cmd->add_option("--keep-alive-timeout-ms", args->server.http.keep_alive_timeout_ms,
                  "idle time before a keep-alive connection is closed");
  return [args]() {
    serve::Logger logger(serve::parse_log_level(args->log_level));
    args->server.http.max_request_bytes = args->max_request_mib << 20;
    serve::InferenceServer server(args->server, logger);
    server.start();
    running_server = &server;
    struct sigaction action {};
    action.sa_handler = stop_on_signal;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    server.run();
    running_server = nullptr;
    return 0;
  };
}

}  // namespace infera::cli
