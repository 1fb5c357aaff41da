using System.CommandLine;
using McpGateway.Audit.Checkpoints;

namespace McpGateway.Cli;

/// <summary><c>audit pubkey</c>: the checkpoint signing key's public half (PEM SubjectPublicKeyInfo) and key id.</summary>
internal static class AuditPubkeyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("pubkey", "Print the public key that checks audit checkpoints (PEM) on standard output and its key id on standard error; give it to auditors for 'audit verify --pubkey'.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (await StoreAccess.OpenAsync(parseResult.GetValue(GatewayCli.ConfigOption), error, cancellationToken).ConfigureAwait(false) is not var (configuration, store))
            {
                return GatewayCli.Misuse;
            }

            await using (store)
            {
                AuditSigningKey key;
                try
                {
                    key = SigningKeySource.OpenOrCreate(configuration.AuditOrDefault, configuration.DataDirectory, store);
                }
                catch (AuditSigningKeyException ex)
                {
                    await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                    return GatewayCli.Misuse;
                }

                using (key)
                {
                    if (key.Created)
                    {
                        await error.WriteLineAsync($"warning: no McpGateway:Audit:SigningKey is configured, so a checkpoint signing key was created in {key.Source} (mode 0600).").ConfigureAwait(false);
                    }

                    await output.WriteAsync(key.PublicKey.Pem + "\n").ConfigureAwait(false);
                    await error.WriteLineAsync($"key id {key.KeyId} ({key.Source})").ConfigureAwait(false);
                    return GatewayCli.Success;
                }
            }
        });
        return command;
    }
}
