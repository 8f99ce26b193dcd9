#pragma once
// Who is asking: each connection says hello and gets a role, and the command table says
// which roles may send which command (core/command_table.h).
#include <array>
#include <optional>
#include <string_view>

namespace tribune::core {

enum class Role { Viewer, Technician, Moderator, Mayor };
inline constexpr std::array<Role, 4> kAllRoles{Role::Viewer, Role::Technician, Role::Moderator, Role::Mayor};

// On the wire: "viewer", "technician", "moderator", "mayor".
std::string_view toString(Role role);
std::optional<Role> roleFromString(std::string_view name);
// In messages: "spectateur", "technicien", "modérateur", "maire".
std::string_view frenchLabel(Role role);

}  // namespace tribune::core
