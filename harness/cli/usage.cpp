#include "usage.hpp"

#include <fstream>
#include <sstream>

namespace conflictlab::cli {

namespace {

// Config, rule, policy and trigger files are shallow; the bound keeps a file
// nested 100000 deep from overflowing the stack in whatever walks it next
// (copies, dumps and validators recurse once per level).
constexpr int kFileDepthMax = 64;

}  // namespace

nlohmann::json read_json_file(const std::string& path, std::string_view flag) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError(std::string(flag) + " " + path + ": cannot read the file");
    std::ostringstream text;
    text << in.rdbuf();
    const std::string where = std::string(flag) + " " + path;
    const nlohmann::json::parser_callback_t bounded =
        [&where](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            if ((event == nlohmann::json::parse_event_t::object_start ||
                 event == nlohmann::json::parse_event_t::array_start) &&
                depth >= kFileDepthMax) {
                throw UsageError(where + ": nested more than " + std::to_string(kFileDepthMax) +
                                 " levels deep");
            }
            return true;
        };
    try {
        // Comments are allowed in config, rule and policy files (docs/scenarios.md).
        return nlohmann::json::parse(text.str(), bounded, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
        throw UsageError(std::string(flag) + " " + path + ": not valid JSON: " + e.what());
    }
}

void write_text_file(const std::string& path, const std::string& text, std::string_view flag) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out)
        throw std::runtime_error(std::string(flag) + " " + path + ": cannot write the file");
}

}  // namespace conflictlab::cli
