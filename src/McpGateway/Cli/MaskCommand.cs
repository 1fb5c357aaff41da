using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Masking;
using McpGateway.Runtime;

namespace McpGateway.Cli;

/// <summary>
/// <c>mask --profile NAME [--explain]</c>: masks standard input to standard output exactly as the
/// gateway masks results — JSON as a tree (its path rules apply), anything else as text — with the
/// profile (built-in or the bundle's) and the held secrets. <c>--explain</c> lists on standard
/// error what matched where, never the values.
/// </summary>
internal static class MaskCommand
{
    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var profile = new Option<string>("--profile") { Description = "Masking profile: default (every detector), secrets (held secrets only), or one the policy bundle defines.", Required = true };
        var explain = new Option<bool>("--explain") { Description = "Also list on standard error what was masked: detector or rule, strategy, where and the offset — never the value." };
        var command = new Command("mask", "Mask standard input (text or JSON) to standard output with a masking profile.") { profile, explain };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(GatewayCli.ConfigOption), parseResult.GetValue(profile)!, parseResult.GetValue(explain), input, output, error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, string profile, bool explain, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        GatewayConfiguration configuration;
        MaskingCatalog catalog;
        var secrets = new HeldSecrets(TimeProvider.System);
        try
        {
            configuration = ConfigurationLoader.Load(configPath);
            foreach (var unreadable in secrets.Refresh(configuration.SecretReferences))
            {
                await error.WriteLineAsync($"warning: secret {unreadable} cannot be read, so it cannot be masked.").ConfigureAwait(false);
            }

            // The built-in profiles need no bundle; any other is the bundle's, so the bundle is loaded (and must load).
            catalog = profile is MaskingProfile.DefaultName or MaskingProfile.SecretsName
                ? MaskingCatalog.BuiltIn
                : GatewayPolicies.CreateMasking(configuration, GatewayPolicies.LoadSnapshot(configuration), secrets);
        }
        catch (Exception ex) when (ex is ConfigurationException or PolicyBundleException)
        {
            await CliErrors.ReportAsync(error, ex, configPath).ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        if (!catalog.Contains(profile))
        {
            await error.WriteLineAsync($"error: unknown masking profile '{profile}'; known profiles: {string.Join(", ", catalog.ProfileNames)}.").ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        var text = await input.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        var report = new MaskingReport(explain);
        try
        {
            var masker = catalog.CreateMasker([profile], secrets.Current);
            await output.WriteAsync(AsJson(text) is { } json ? masker.Mask(json, report)!.ToJsonString() + Environment.NewLine : masker.MaskText(text, report)).ConfigureAwait(false);
        }
        catch (MaskingException ex)
        {
            await error.WriteLineAsync($"error: the input could not be masked, so nothing is printed: {ex.Message}").ConfigureAwait(false);
            return GatewayCli.CheckFailed;
        }

        if (explain)
        {
            foreach (var finding in report.Findings)
            {
                await error.WriteLineAsync($"{finding.Rule}\t{finding.Strategy.ToString().ToLowerInvariant()}\t{finding.Location}\toffset {finding.Offset}\tlength {finding.Length}").ConfigureAwait(false);
            }

            await error.WriteLineAsync($"{report.Total} masked{(report.Total == 0 ? string.Empty : ": " + report)}").ConfigureAwait(false);
        }

        return GatewayCli.Success;
    }

    /// <summary>The input as a JSON object or array, when it is one; otherwise it is masked as text.</summary>
    private static JsonNode? AsJson(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length == 0 || (trimmed[0] != '{' && trimmed[0] != '['))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
