#include "usage.hpp"

#include <fstream>
#include <sstream>

namespace conflictlab::cli {

nlohmann::json read_json_file(const std::string& path, std::string_view flag) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError(std::string(flag) + " " + path + ": cannot read the file");
    std::ostringstream text;
    text << in.rdbuf();
    try {
        // Comments are allowed in config, rule and policy files (docs/scenarios.md).
        return nlohmann::json::parse(text.str(), nullptr, true, /*ignore_comments=*/true);
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
