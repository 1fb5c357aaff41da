using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>
/// The normalised <c>ssh_exec</c> call: exactly what runs if the call is allowed.
/// </summary>
/// <param name="Host">The configured SSH host.</param>
/// <param name="Script">The command as parsed (with <c>sh -c</c> and <c>eval</c> scripts in their rebuilt form).</param>
/// <param name="Command">
/// The command rebuilt from <paramref name="Script"/> with every literal word single-quoted: parsing
/// it again gives the same script, and no shell reads it differently.
/// </param>
/// <param name="Stages">Every program it runs, as classified (the approval preview's argv per stage).</param>
/// <param name="TimeoutSeconds">The caller's timeout, when it gave one.</param>
public sealed record SshExecRequest(string Host, ShellScript Script, string Command, ImmutableArray<ShellStage> Stages, int? TimeoutSeconds)
{
    /// <summary>
    /// What goes on the SSH exec channel: <see cref="Command"/> run by <c>/bin/sh</c> whatever the
    /// account's login shell, which only has to read one single-quoted word.
    /// </summary>
    public string RemoteCommand => "exec /bin/sh -c " + ShellWriter.Quote(Command);
}
