using System.CommandLine;
using System.Text.Json;
using McpGateway.Audit;
using McpGateway.Configuration;
using McpGateway.Hosting.Authentication;
using McpGateway.Hosting;
using McpGateway.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Cli;

/// <summary><c>keys create|list|revoke|rotate</c>: API keys for configured identities.</summary>
internal static class KeyCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var keys = new Command("keys", "Issue, list, rotate and revoke API keys of configured identities.");
        keys.Subcommands.Add(CreateCreate(output, error));
        keys.Subcommands.Add(CreateList(output, error));
        keys.Subcommands.Add(CreateRevoke(output, error));
        keys.Subcommands.Add(CreateRotate(output, error));
        return keys;
    }

    private static Option<string?> ExpiresOption() => new("--expires")
    {
        Description = "When the key stops working: a duration from now (90d, 12h) or a date (2027-01-31, 2027-01-31T12:00:00Z). Default: never.",
    };

    private static Command CreateCreate(TextWriter output, TextWriter error)
    {
        var identity = new Option<string>("--identity") { Description = "The configured identity the key authenticates as.", Required = true };
        var expires = ExpiresOption();
        var description = new Option<string?>("--description") { Description = "A note for operators, such as where the key is used." };
        var command = new Command("create", "Issue a key. The key is printed once on standard output and never stored.") { identity, expires, description };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, error, (service, now) =>
            IssueAsync(service, parseResult.GetValue(identity)!, parseResult.GetValue(expires), parseResult.GetValue(description), now, output, error, cancellationToken), cancellationToken));
        return command;
    }

    private static Command CreateList(TextWriter output, TextWriter error)
    {
        var identity = new Option<string?>("--identity") { Description = "Only this identity's keys." };
        var json = new Option<bool>("--json") { Description = "One JSON object per line instead of a table." };
        var command = new Command("list", "List keys (never their secrets).") { identity, json };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, error, (service, _) =>
            ListAsync(service, parseResult.GetValue(identity), parseResult.GetValue(json), output, cancellationToken), cancellationToken));
        return command;
    }

    private static Command CreateRevoke(TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("KEY_ID") { Description = "The key's id, as shown by 'keys list'." };
        var command = new Command("revoke", "Revoke a key at once.") { id };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, error, (service, _) =>
            RevokeAsync(service, parseResult.GetValue(id)!, output, cancellationToken), cancellationToken));
        return command;
    }

    private static Command CreateRotate(TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("KEY_ID") { Description = "The key to replace." };
        var expires = ExpiresOption();
        var grace = new Option<string>("--grace")
        {
            Description = "How long the old key keeps working (for example 1h) while clients switch. Default: it stops at once.",
            DefaultValueFactory = _ => "0s",
        };
        var command = new Command("rotate", "Issue a replacement key for the same identity and retire the old one.") { id, expires, grace };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, error, (service, now) =>
            RotateAsync(service, parseResult.GetValue(id)!, parseResult.GetValue(expires), parseResult.GetValue(grace)!, now, output, error, cancellationToken), cancellationToken));
        return command;
    }

    private static async Task<int> IssueAsync(ApiKeyService service, string identity, string? expires, string? description, DateTimeOffset now, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var expiry = CliTime.Parse(expires, now, +1, "--expires", out var problem);
        if (problem is not null)
        {
            await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        var issued = await service.CreateAsync(identity, expiry, description, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(issued.Key).ConfigureAwait(false);
        await error.WriteLineAsync($"Created key {issued.Info.Id} for '{issued.Info.Identity}', expires {CliTime.Format(issued.Info.ExpiresAt)}. This is the only time the key is shown: store it now.").ConfigureAwait(false);
        return GatewayCli.Success;
    }

    private static async Task<int> ListAsync(ApiKeyService service, string? identity, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        var rows = new List<ApiKeyInfo>();
        await foreach (var key in service.ListAsync(identity, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(key);
        }

        if (!json)
        {
            await output.WriteLineAsync(Table(rows)).ConfigureAwait(false);
            return GatewayCli.Success;
        }

        foreach (var key in rows)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(key, PolicyCommands.CompactJson)).ConfigureAwait(false);
        }

        return GatewayCli.Success;
    }

    private static async Task<int> RevokeAsync(ApiKeyService service, string id, TextWriter output, CancellationToken cancellationToken)
    {
        var revoked = await service.RevokeAsync(id, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Revoked key {revoked.Id} of '{revoked.Identity}'.").ConfigureAwait(false);
        return GatewayCli.Success;
    }

    private static async Task<int> RotateAsync(ApiKeyService service, string id, string? expires, string grace, DateTimeOffset now, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var expiry = CliTime.Parse(expires, now, +1, "--expires", out var problem);
        if (problem is not null || !Policies.Model.DurationText.TryParse(grace, out var graceSpan))
        {
            await error.WriteLineAsync($"error: {problem ?? "--grace must be a duration such as 0s, 15m or 24h."}").ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        var issued = await service.RotateAsync(id, expiry, graceSpan, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(issued.Key).ConfigureAwait(false);
        await error.WriteLineAsync($"Created key {issued.Info.Id} replacing {issued.Info.RotatedFrom} for '{issued.Info.Identity}'; the old key {(issued.ReplacedValidUntil is { } until ? $"works until {CliTime.Format(until)}" : "is revoked")}. This is the only time the new key is shown.").ConfigureAwait(false);
        return GatewayCli.Success;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, TextWriter error, Func<ApiKeyService, DateTimeOffset, Task<int>> action, CancellationToken cancellationToken)
    {
        if (await StoreAccess.OpenAsync(parseResult.GetValue(GatewayCli.ConfigOption), error, cancellationToken).ConfigureAwait(false) is not var (configuration, store))
        {
            return GatewayCli.Misuse;
        }

        await using (store)
        {
            var secrets = new HeldSecrets(TimeProvider.System);
            secrets.Refresh(configuration.SecretReferences);
            await using var services = new ServiceCollection()
                .AddGatewayKeys(store, secrets, new ConfigurationIdentityDirectory(configuration))
                .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
            var service = services.GetRequiredService<ApiKeyService>();
            try
            {
                return await action(service, TimeProvider.System.GetUtcNow()).ConfigureAwait(false);
            }
            catch (ApiKeyException ex)
            {
                await CliErrors.ReportAsync(error, ex, parseResult.GetValue(GatewayCli.ConfigOption)).ConfigureAwait(false);

                return GatewayCli.CheckFailed;
            }
            catch (StoreUnavailableException ex)
            {
                await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return GatewayCli.CheckFailed;
            }
        }
    }

    private static string Table(List<ApiKeyInfo> rows)
    {
        string[] header = ["ID", "IDENTITY", "STATUS", "CREATED", "EXPIRES", "LAST USED", "DESCRIPTION"];
        var cells = rows.Select(k => new[] { k.Id, k.Identity, StatusText(k), CliTime.Format(k.CreatedAt), CliTime.Format(k.ExpiresAt), CliTime.Format(k.LastUsedAt), k.Description ?? string.Empty }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Select(c => c[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var lines = new[] { header }.Concat(cells).Select(row => string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        return rows.Count == 0 ? "No keys." : string.Join(Environment.NewLine, lines);
    }

    private static string StatusText(ApiKeyInfo key) =>
        key.Status == "rotated" ? $"rotated (valid until {CliTime.Format(key.ExpiresAt)})" : key.Status;
}
