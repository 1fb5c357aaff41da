using System.Globalization;
using McpGateway.Policies.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace McpGateway.Hosting;

/// <summary>
/// One line per log event, with every non-printable character of the rendered message and
/// exception escaped (see <see cref="PrintableText"/>). Libraries log text that agents and peers
/// control (an MCP client's name, a tool name) as it came; escaping the whole line here means no
/// log event, ours or a library's, can forge a line, move the cursor or recolour a terminal.
/// </summary>
internal sealed class EscapingConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "mcpgw";

    // Long enough for an exception with its stack; anything longer is cut, on a character boundary.
    private const int MaxLineLength = 32 * 1024;

    public EscapingConsoleFormatter()
        : base(FormatterName)
    {
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var line = logEntry.Exception is null ? message : $"{message} {logEntry.Exception}";
        textWriter.Write(TimeProvider.System.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ ", CultureInfo.InvariantCulture));
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(PrintableText.Escape(logEntry.Category, 200));
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
        textWriter.Write("] ");
        textWriter.WriteLine(PrintableText.Escape(line, MaxLineLength));
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
