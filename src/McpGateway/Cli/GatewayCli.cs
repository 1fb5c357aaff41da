using System.CommandLine;

namespace McpGateway.Cli;

/// <summary>
/// The <c>mcp-gateway</c> command line. Exit codes: 0 success, 1 a check failed
/// (for example a <c>policy test</c> mismatch), 2 misuse (bad options, a configuration or bundle
/// that does not load), 3 an unexpected failure (said in one <c>error:</c> line, never a stack
/// trace; also a <c>serve</c> stopped by a failing background service).
/// </summary>
public sealed class GatewayCli
{
    public const int Success = 0;
    public const int CheckFailed = 1;
    public const int Misuse = 2;
    public const int Failed = 3;

    private readonly TextReader _in;
    private readonly TextWriter _out;
    private readonly TextWriter _error;

    public GatewayCli(TextWriter output, TextWriter error)
        : this(TextReader.Null, output, error)
    {
    }

    public GatewayCli(TextReader input, TextWriter output, TextWriter error)
    {
        _in = input;
        _out = output;
        _error = error;
    }

    /// <summary>The <c>--config</c> option every verb accepts.</summary>
    internal static Option<string?> ConfigOption { get; } = new("--config")
    {
        Description = "Configuration file (default: $MCPGW_CONFIG, else appsettings.json beside the app).",
        Recursive = true,
    };

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var root = new RootCommand("McpGateway: governed MCP tools for LLM agents — no credential ever reaches the agent.");
        root.Options.Add(ConfigOption);
        root.Subcommands.Add(ServeCommand.Create(_error));
        root.Subcommands.Add(PolicyCommands.Create(_out, _error));
        root.Subcommands.Add(KeyCommands.Create(_out, _error));
        root.Subcommands.Add(AuditCommands.Create(_out, _error));
        root.Subcommands.Add(MaskCommand.Create(_in, _out, _error));
        root.Subcommands.Add(ApprovalCommands.Create(_out, _error));
        root.Subcommands.Add(StoreCommands.Create(_out, _error));

        var parseResult = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = _out, Error = _error, EnableDefaultExceptionHandler = false };
        if (parseResult.Errors.Count > 0 && !WantsHelp(args))
        {
            foreach (var error in parseResult.Errors)
            {
                await _error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            var path = CommandPath(parseResult);
            if (CommandSuggestions.For(parseResult, path) is { } suggestion)
            {
                await _error.WriteLineAsync($"Did you mean '{suggestion}'?").ConfigureAwait(false);
            }

            await _error.WriteLineAsync($"Run '{path} --help' for usage.").ConfigureAwait(false);
            return Misuse;
        }

        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Success;
        }
        catch (Exception ex)
        {
            // Verbs report what they expect themselves; anything else still gets one line, not a stack trace.
            await _error.WriteLineAsync($"error: {CommandPath(parseResult)} failed unexpectedly: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return Failed;
        }
    }

    private static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? "mcp-gateway" : result.Command.Name);
        }

        return string.Join(' ', names);
    }
}
