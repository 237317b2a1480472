#include "node.hpp"

#include "conflictlab/reports/report.hpp"

namespace conflictlab::reports::detail {

namespace {

std::string_view type_name(const nlohmann::json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::object:
            return "an object";
        case nlohmann::json::value_t::array:
            return "an array";
        case nlohmann::json::value_t::string:
            return "a string";
        case nlohmann::json::value_t::boolean:
            return "a boolean";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned:
        case nlohmann::json::value_t::number_float:
            return "a number";
        default:
            return "an unsupported value";
    }
}

}  // namespace

std::string pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

void Node::type_error(std::string_view wanted) const {
    throw ReportError((pointer_.empty() ? std::string("/") : pointer_) + ": expected " +
                      std::string(wanted) + ", got " + std::string(type_name(*value_)));
}

void Node::expect_object() const {
    if (!value_->is_object())
        type_error("an object");
}

void Node::expect_array() const {
    if (!value_->is_array())
        type_error("an array");
}

Node Node::at(std::string_view key) const {
    expect_object();
    auto it = value_->find(key);
    const std::string child = pointer_ + "/" + pointer_token(key);
    if (it == value_->end())
        throw ReportError(child + ": missing");
    return Node(*it, child);
}

std::optional<Node> Node::find(std::string_view key) const {
    expect_object();
    auto it = value_->find(key);
    if (it == value_->end() || it->is_null())
        return std::nullopt;
    return Node(*it, pointer_ + "/" + pointer_token(key));
}

std::vector<Node> Node::elements() const {
    expect_array();
    std::vector<Node> out;
    out.reserve(value_->size());
    for (std::size_t i = 0; i < value_->size(); ++i)
        out.emplace_back((*value_)[i], pointer_ + "/" + std::to_string(i));
    return out;
}

std::vector<std::pair<std::string, Node>> Node::members() const {
    expect_object();
    std::vector<std::pair<std::string, Node>> out;
    for (auto it = value_->begin(); it != value_->end(); ++it)
        out.emplace_back(it.key(), Node(it.value(), pointer_ + "/" + pointer_token(it.key())));
    return out;
}

double Node::number() const {
    if (!value_->is_number())
        type_error("a number");
    return value_->get<double>();
}

std::uint64_t Node::unsigned_integer() const {
    if (value_->is_number_unsigned())
        return value_->get<std::uint64_t>();
    if (value_->is_number_integer() && value_->get<std::int64_t>() >= 0)
        return static_cast<std::uint64_t>(value_->get<std::int64_t>());
    type_error("a non-negative integer");
}

std::string Node::string() const {
    if (!value_->is_string())
        type_error("a string");
    return value_->get<std::string>();
}

bool Node::boolean() const {
    if (!value_->is_boolean())
        type_error("a boolean");
    return value_->get<bool>();
}

std::string Node::text() const {
    if (value_->is_string())
        return value_->get<std::string>();
    if (value_->is_null())
        return "unknown";
    return value_->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

double Node::number_or(std::string_view key, double fallback) const {
    auto n = find(key);
    return n ? n->number() : fallback;
}

std::string Node::string_or(std::string_view key, std::string fallback) const {
    auto n = find(key);
    return n ? n->string() : fallback;
}

}  // namespace conflictlab::reports::detail
