using System.CommandLine;
using System.Text;
using McpGateway.Storage;

namespace McpGateway.Cli;

/// <summary>
/// <c>policy show --revision R</c>: the files of a policy revision as a gateway loaded them, from
/// the store (every revision a gateway served is kept there, content-addressed) — what was in force
/// when an entry recorded that revision.
/// </summary>
internal static class PolicyShowCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var revision = new Option<string>("--revision") { Description = "The revision (as decisions and audit entries record it), or its first 12 or more hex characters.", Required = true };
        var command = new Command("show", "Print the files of a policy revision that a gateway loaded, each with its SHA-256.") { revision };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var wanted = parseResult.GetValue(revision)!.Trim();
            if (wanted.Length is < 6 or > 64 || !wanted.All(char.IsAsciiHexDigit))
            {
                await error.WriteLineAsync($"error: --revision '{wanted}' is not a revision: give the hex revision (64 characters) or at least its first 6.").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            if (await StoreAccess.OpenAsync(parseResult.GetValue(GatewayCli.ConfigOption), error, cancellationToken).ConfigureAwait(false) is not var (_, store))
            {
                return GatewayCli.Misuse;
            }

            await using (store)
            {
                PolicyRevision? found;
                try
                {
                    found = await store.PolicyRevisions.FindAsync(wanted, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is StoreUnavailableException or AmbiguousRevisionException)
                {
                    await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                    return GatewayCli.CheckFailed;
                }

                if (found is null)
                {
                    await error.WriteLineAsync($"error: no stored policy revision starts with '{wanted.ToLowerInvariant()}'; revisions are stored when a gateway serving on this store loads them.").ConfigureAwait(false);
                    return GatewayCli.CheckFailed;
                }

                await output.WriteLineAsync($"revision {found.Revision} (first loaded {CliTime.Format(found.FirstLoadedAt)}), {found.Files.Count} file(s)").ConfigureAwait(false);
                foreach (var file in found.Files)
                {
                    await output.WriteLineAsync().ConfigureAwait(false);
                    await output.WriteLineAsync($"--- {file.Path} sha256:{file.Sha256}").ConfigureAwait(false);
                    var text = Encoding.UTF8.GetString(file.Content);
                    await output.WriteAsync(text).ConfigureAwait(false);
                    if (!text.EndsWith('\n'))
                    {
                        await output.WriteLineAsync().ConfigureAwait(false);
                    }
                }

                return GatewayCli.Success;
            }
        });
        return command;
    }
}
