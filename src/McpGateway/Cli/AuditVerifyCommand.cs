using System.CommandLine;
using McpGateway.Audit;
using McpGateway.Audit.Checkpoints;
using McpGateway.Storage;

namespace McpGateway.Cli;

/// <summary>
/// <c>audit verify</c>: the store's chain, its signed checkpoints and its end against the anchor
/// (the checkpoint log, or <c>--anchor FILE</c>); or, with <c>--export FILE --pubkey FILE</c>, an
/// exported range offline, without the store or a configuration.
/// </summary>
internal static class AuditVerifyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var anchor = new Option<string?>("--anchor") { Description = "A checkpoint log to check the chain's end against, instead of the configured McpGateway:Audit:CheckpointLog (a copy kept elsewhere, say)." };
        var pubkey = new Option<string[]>("--pubkey") { Description = "Trust only this public key (PEM, from 'audit pubkey'); repeat for keys used before a rotation. Without it, the gateway's own signing key is used.", AllowMultipleArgumentsPerToken = false };
        var export = new Option<string?>("--export") { Description = "Verify this file from 'audit export --format jsonl' offline instead of the store: an unfiltered range starting at entry 1 or at a checkpoint. Needs --pubkey." };
        var command = new Command("verify", "Check every entry's hashes and links, the signed checkpoints, and that the chain reaches the newest anchored checkpoint; exits 1 and names the first bad entry when the chain was tampered with.") { anchor, pubkey, export };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var pubkeys = parseResult.GetValue(pubkey) ?? [];
            var anchorPath = parseResult.GetValue(anchor);
            if (parseResult.GetValue(export) is { } exportPath && pubkeys.Length == 0)
            {
                await error.WriteLineAsync("error: --export is verified offline, so it needs --pubkey FILE: the gateway's public key from 'mcp-gateway audit pubkey'.").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            using var keys = new CheckpointKeys();
            CheckpointAnchorFile? anchorFile = null;
            try
            {
                foreach (var file in pubkeys)
                {
                    keys.Add(CheckpointPublicKey.FromPem(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), $"--pubkey {file}"));
                }

                if (anchorPath is not null)
                {
                    anchorFile = CheckpointLog.Read(Path.GetFullPath(anchorPath));
                    if (!anchorFile.Exists)
                    {
                        await error.WriteLineAsync($"error: --anchor {anchorPath} does not exist.").ConfigureAwait(false);
                        return GatewayCli.Misuse;
                    }
                }
            }
            catch (Exception ex) when (ex is AuditSigningKeyException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            var exported = parseResult.GetValue(export);
            return exported is not null
                ? await VerifyExportAsync(exported, keys, anchorFile, output, error, cancellationToken).ConfigureAwait(false)
                : await VerifyStoreAsync(parseResult.GetValue(GatewayCli.ConfigOption), keys, anchorFile, output, error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> VerifyExportAsync(string path, CheckpointKeys keys, CheckpointAnchorFile? anchor, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: --export {path} cannot be read: {ex.Message}").ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        using (reader)
        {
            var result = await AuditVerifier.VerifyAsync(ExportedRange.ReadAsync(reader, cancellationToken), new AuditVerifyOptions(keys, anchor, ExportedRange: true), cancellationToken).ConfigureAwait(false);
            return await AuditVerifyReport.WriteAsync(result, exported: true, output).ConfigureAwait(false);
        }
    }

    private static async Task<int> VerifyStoreAsync(string? configPath, CheckpointKeys keys, CheckpointAnchorFile? anchor, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (await StoreAccess.OpenAsync(configPath, error, cancellationToken).ConfigureAwait(false) is not var (configuration, store))
        {
            return GatewayCli.Misuse;
        }

        await using (store)
        {
            var options = configuration.AuditOrDefault;
            try
            {
                if (keys.Count == 0 && SigningKeySource.TryOpen(options, configuration.DataDirectory, store) is { } own)
                {
                    using (own)
                    {
                        keys.Add(CheckpointPublicKey.FromPem(own.PublicKey.Pem, own.Source));
                    }
                }

                anchor ??= CheckpointLog.Read(options.CheckpointLog) is { Exists: true } log ? log : null;
            }
            catch (Exception ex) when (ex is AuditSigningKeyException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return GatewayCli.CheckFailed;
            }

            AuditVerification result;
            try
            {
                result = await AuditVerifier.VerifyAsync(store.Audit, new AuditVerifyOptions(keys, anchor), cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return GatewayCli.CheckFailed;
            }

            return await AuditVerifyReport.WriteAsync(result, exported: false, output).ConfigureAwait(false);
        }
    }
}
