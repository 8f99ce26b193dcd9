#pragma once
// How a JSON value's type is named in the messages of the config and agenda readers.
#include <string>

namespace tribune::core {

// "an object", "a string", "an integer"…: for "expected X, got Y" messages. Works for
// nlohmann::json and nlohmann::ordered_json alike.
template <class Json>
std::string typeOf(const Json& value) {
  using Type = typename Json::value_t;
  switch (value.type()) {
    case Type::null: return "null";
    case Type::object: return "an object";
    case Type::array: return "an array";
    case Type::string: return "a string";
    case Type::boolean: return "a boolean";
    case Type::number_integer:
    case Type::number_unsigned: return "an integer";
    case Type::number_float: return "a decimal number";
    default: return "an unsupported value";
  }
}

}  // namespace tribune::core
