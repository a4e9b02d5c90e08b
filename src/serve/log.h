// Structured log lines: one JSON object per line on stderr, filtered by --log-level.
#pragma once

#include <mutex>
#include <string>

namespace infera::serve {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

// "error", "warn", "info", "debug"; throws infera::Error on anything else.
LogLevel parse_log_level(const std::string& name);

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::kInfo) : level_(level) {}
  bool enabled(LogLevel level) const { return level <= level_; }
  // {"time":"...","level":"info","message":"..."} plus `fields`, a JSON object's members
  // without braces (e.g. "\"model\":\"mnist\"").
  void log(LogLevel level, const std::string& message, const std::string& fields = "");

 private:
  LogLevel level_;
  std::mutex mutex_;
};

// `text` as a JSON string literal, quotes included.
std::string json_quote(const std::string& text);

}  // namespace infera::serve
