using System.CommandLine;
using McpGateway.Configuration;

namespace McpGateway.Cli;

/// <summary><c>mask --profile NAME</c>: masks standard input to standard output, as the gateway masks results.</summary>
internal static class MaskCommand
{
    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var profile = new Option<string>("--profile") { Description = "Masking profile (in this version: default, which redacts every secret the configuration references).", Required = true };
        var command = new Command("mask", "Mask standard input to standard output with a masking profile.") { profile };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            GatewayConfiguration configuration;
            try
            {
                configuration = ConfigurationLoader.Load(parseResult.GetValue(GatewayCli.ConfigOption));
            }
            catch (ConfigurationException ex)
            {
                await CliErrors.ReportAsync(error, ex, parseResult.GetValue(GatewayCli.ConfigOption)).ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            var name = parseResult.GetValue(profile)!;
            if (!configuration.MaskingProfiles.Contains(name))
            {
                await error.WriteLineAsync($"error: unknown masking profile '{name}'; known profiles: {string.Join(", ", configuration.MaskingProfiles)}.").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            var secrets = new HeldSecrets(TimeProvider.System);
            foreach (var unreadable in secrets.Refresh(configuration.SecretReferences))
            {
                await error.WriteLineAsync($"warning: secret {unreadable} cannot be read, so it cannot be masked.").ConfigureAwait(false);
            }

            var text = await input.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(secrets.Current.Redact(text)).ConfigureAwait(false);
            return GatewayCli.Success;
        });
        return command;
    }
}
