// `infera ops [--markdown]`: the operator registry, the source of docs/SUPPORTED_OPS.md.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli.h"
#include "ops/op.h"

namespace infera::cli {
namespace {

std::string opset_range(const OpRegistration& r) {
  if (r.until_version >= 1000) return std::to_string(r.since_version) + "+";
  if (r.since_version == r.until_version) return std::to_string(r.since_version);
  return std::to_string(r.since_version) + "-" + std::to_string(r.until_version);
}

}  // namespace

Action add_ops_command(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("ops", "List the supported operators");
  cmd->add_flag("--markdown", *markdown, "print docs/SUPPORTED_OPS.md");
  return [markdown]() {
    std::map<std::string, std::map<std::string, std::vector<std::string>>> by_domain;
    for (const OpRegistration& r : registered_ops())
      if (r.priority == 0)
        by_domain[r.domain.empty() ? "ai.onnx" : r.domain][r.op_type].push_back(opset_range(r));
    size_t total = 0;
    for (const auto& [domain, ops] : by_domain) total += ops.size();
    if (*markdown) {
      std::printf(
          "# Supported operators\n\nGenerated from the operator registry by "
          "`build/infera ops --markdown > docs/SUPPORTED_OPS.md`;\na test fails when "
          "this page and the registry disagree. %zu operators.\n\nEach has a reference "
          "kernel (plain C++, `src/ops/<op>.cpp`) with its shape inference.\n",
          total);
      for (const auto& [domain, ops] : by_domain) {
        std::printf("\n## %s\n\n| operator | opsets |\n|---|---|\n", domain.c_str());
        for (const auto& [op, ranges] : ops) {
          std::string joined;
          for (const std::string& r : ranges) joined += (joined.empty() ? "" : ", ") + r;
          std::printf("| %s | %s |\n", op.c_str(), joined.c_str());
        }
      }
      return 0;
    }
    for (const auto& [domain, ops] : by_domain)
      for (const auto& [op, ranges] : ops) {
        std::string joined;
        for (const std::string& r : ranges) joined += (joined.empty() ? "" : ", ") + r;
        std::printf("%s %s (opsets %s)\n", domain.c_str(), op.c_str(), joined.c_str());
      }
    std::printf("%zu operators\n", total);
    return 0;
  };
}

}  // namespace infera::cli
