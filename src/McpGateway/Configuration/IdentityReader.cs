using System.Collections.Frozen;
using McpGateway.Policies;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>Reads the <c>Identities</c> section: groups, roles and owner per identity.</summary>
internal static class IdentityReader
{
    private static readonly string[] KnownKeys = ["Groups", "Roles", "Owner", "Oidc"];

    public static FrozenDictionary<string, IdentityInfo> Read(IConfigurationSection section, FrozenDictionary<string, GroupOptions> groups, List<string> errors)
    {
        var raw = section.GetChildren().ToList();
        var names = raw.Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, IdentityInfo>(StringComparer.Ordinal);
        foreach (var identity in raw)
        {
            if (!IsName(identity.Key))
            {
                errors.Add($"{identity.Path}: identity names use letters, digits, '-', '_' and '.'.");
            }

            foreach (var unknown in identity.GetChildren().Where(c => !KnownKeys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                errors.Add($"{unknown.Path}: unknown setting; an identity has {string.Join(", ", KnownKeys)}.");
            }

            var memberOf = List(identity.GetSection("Groups"));
            foreach (var group in memberOf.Where(g => !groups.ContainsKey(g)))
            {
                errors.Add($"{identity.Path}:Groups: unknown group '{group}'; declare it under McpGateway:Groups.");
            }

            var roles = List(identity.GetSection("Roles"));
            foreach (var role in roles.Where(r => !Roles.All.Contains(r)))
            {
                errors.Add($"{identity.Path}:Roles: unknown role '{role}'; roles are {string.Join(", ", Roles.All.Order(StringComparer.Ordinal))}.");
            }

            if (roles.Contains(Roles.Agent) && roles.Any(r => r is Roles.Operator or Roles.Auditor))
            {
                errors.Add($"{identity.Path}:Roles: an identity that holds 'agent' may not also hold 'operator' or 'auditor' (an agent could approve or audit its own calls); give the human or service its own identity.");
            }

            var owner = identity["Owner"] is { Length: > 0 } o ? o : null;
            if (owner is not null && !names.Contains(owner))
            {
                errors.Add($"{identity.Path}:Owner: unknown identity '{owner}'; an owner must be a configured identity.");
            }
            else if (owner == identity.Key)
            {
                errors.Add($"{identity.Path}:Owner: an identity cannot own itself.");
            }

            result[identity.Key] = IdentityInfo.Create(identity.Key, memberOf, roles, owner);
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>A JSON array (children 0, 1, …) or a single value.</summary>
    internal static List<string> List(IConfigurationSection section)
    {
        if (section.Value is { Length: > 0 } single)
        {
            return [single];
        }

        return [.. section.GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0)];
    }

    internal static bool IsName(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
