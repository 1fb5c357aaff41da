using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>Where the gateway keeps keys, approvals and the audit chain.</summary>
public enum StoreKind
{
    /// <summary>The embedded default: one SQLite file in the data folder.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, shared by every replica.</summary>
    Postgres,
}

/// <summary>
/// <c>McpGateway:Store</c>: <c>{ "Kind": "Sqlite" }</c> (the default, in the data folder) or
/// <c>{ "Kind": "Postgres", "ConnectionString": "{env:NAME}" }</c>. The connection string is a
/// secret reference, held by the redactor.
/// </summary>
public sealed record StoreOptions(StoreKind Kind, SecretReference? ConnectionString)
{
    public static readonly StoreOptions Default = new(StoreKind.Sqlite, null);

    public IEnumerable<SecretReference> Secrets => ConnectionString is { } reference ? [reference] : [];

    internal static StoreOptions Read(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        if (!section.Exists())
        {
            return Default;
        }

        string[] known = ["Kind", "ConnectionString"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; the store has {string.Join(", ", known)}.");
        }

        var kind = StoreKind.Sqlite;
        if (section["Kind"] is { Length: > 0 } text && (!text.All(char.IsAsciiLetter) || !Enum.TryParse(text, ignoreCase: true, out kind)))
        {
            errors.Add($"{section.Path}:Kind: '{text}' is not one of Sqlite, Postgres.");
            return Default;
        }

        if (kind == StoreKind.Sqlite)
        {
            if (section["ConnectionString"] is { Length: > 0 })
            {
                errors.Add($"{section.Path}:ConnectionString: the SQLite store lives in McpGateway:DataDirectory and takes no connection string; set Kind to Postgres to use one.");
            }

            return Default;
        }

        var connection = SecretReference.Read(
            section.GetSection("ConnectionString"),
            baseDirectory,
            errors,
            "the PostgreSQL store's Npgsql connection string holds its password: give it as {env:NAME} or {file:PATH}");
        return new StoreOptions(kind, connection);
    }

    /// <summary>What the PostgreSQL store needs beside it: every replica must sign checkpoints and key request hashes alike.</summary>
    internal void Validate(string section, AuditOptions? audit, AuditPayloadOptions payloads, List<string> errors)
    {
        if (Kind != StoreKind.Postgres)
        {
            return;
        }

        if (audit?.SigningKey is null)
        {
            errors.Add($"{section}:Audit:SigningKey: required with the PostgreSQL store, so every replica signs checkpoints with the same key; give it as {{env:NAME}} or {{file:PATH}} (PEM PKCS#8, ECDSA P-256; `mcp-gateway audit pubkey` prints its public key).");
        }

        if (payloads.RequestHashKey is null)
        {
            errors.Add($"{section}:Audit:RequestHashKey: required with the PostgreSQL store, so every replica keys request hashes alike (approvals match requests across replicas); give it as {{env:NAME}} or {{file:PATH}}, 32 random bytes or more.");
        }
    }
}
