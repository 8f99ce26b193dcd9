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

// "un objet", "une chaîne", "un nombre entier"…: the same for the French messages the
// console shows ("attendu un nombre entier, reçu une chaîne").
template <class Json>
std::string typeInFrench(const Json& value) {
  using Type = typename Json::value_t;
  switch (value.type()) {
    case Type::null: return "null";
    case Type::object: return "un objet";
    case Type::array: return "un tableau";
    case Type::string: return "une chaîne";
    case Type::boolean: return "un booléen";
    case Type::number_integer:
    case Type::number_unsigned: return "un nombre entier";
    case Type::number_float: return "un nombre décimal";
    default: return "une valeur non prise en charge";
  }
}

}  // namespace tribune::core
