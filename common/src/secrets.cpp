#include "conflictlab/common/secrets.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace conflictlab {

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    // Compare over the longer length so an early length mismatch does not
    // return sooner than a late byte mismatch would.
    std::size_t n = a.size() > b.size() ? a.size() : b.size();
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff = static_cast<unsigned char>(diff | (x ^ y));
    }
    return diff == 0;
}

std::string load_secret(std::string_view spec) {
    std::string value;
    if (spec.starts_with("env:")) {
        std::string name(spec.substr(4));
        const char* v = std::getenv(name.c_str());
        if (v == nullptr || *v == '\0') {
            throw std::runtime_error("secret: environment variable " + name + " is not set or empty");
        }
        value = v;
    } else {
        std::string path(spec.starts_with("file:") ? spec.substr(5) : spec);
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error("secret: cannot read file " + path);
        std::ostringstream ss;
        ss << in.rdbuf();
        value = ss.str();
        if (value.empty()) throw std::runtime_error("secret: file " + path + " is empty");
    }
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty()) throw std::runtime_error("secret: the value from the given source is empty");
    return value;
}

}  // namespace conflictlab
