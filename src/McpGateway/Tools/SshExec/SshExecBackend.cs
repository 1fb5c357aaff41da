using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Shell;
using Renci.SshNet.Common;

namespace McpGateway.Tools.SshExec;

/// <summary>
/// Runs allowed <c>ssh_exec</c> calls: exactly the command rebuilt from the parsed form
/// (<c>exec /bin/sh -c '…'</c>) on an exec channel of the host's pooled connection; stdout and
/// stderr read as they come under the <c>maxOutputBytes</c> cap; the agent's
/// <c>timeoutSeconds</c> (within the call's timeout) and cancellation send the remote command a
/// TERM signal, and a result that cannot confirm it ended says <c>mayStillBeRunning</c>.
/// </summary>
internal sealed class SshExecBackend(TimeProvider time) : IToolBackend<SshExecRequest>
{
    public const long DefaultMaxOutputBytes = 1024 * 1024;

    /// <summary>Output read beyond the cap before the command is stopped (it would otherwise run on unseen).</summary>
    private const long DrainFactor = 8;

    public async Task<ToolResult> ExecuteAsync(ExecutionRecord<SshExecRequest> record, CancellationToken cancellationToken)
    {
        var request = record.Request;
        var connections = record.Snapshot.Clients.Get<SshConnections>(TargetKinds.Ssh, request.Host)
            ?? throw new ToolCallException($"Host '{request.Host}' is no longer configured.");
        var cap = record.Obligations.TryGetValue(SshExecTool.MaxOutputBytes, out var limit) ? limit.Number : DefaultMaxOutputBytes;

        using var deadline = request.TimeoutSeconds is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
        using var lease = await connections.AcquireAsync(linked.Token).ConfigureAwait(false);
        using var command = lease.Client.CreateCommand(request.RemoteCommand, Encoding.UTF8);
        var started = time.GetTimestamp();

        var execution = command.ExecuteAsync(stop.Token);
        var stdout = ReadCappedAsync(command.OutputStream, cap, stop);
        var stderr = ReadCappedAsync(command.ExtendedOutputStream, cap, stop);
        var stopped = false;
        try
        {
            await execution.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            stopped = true;
        }
        catch (SshException ex)
        {
            throw new ToolCallException($"The command on '{request.Host}' failed at the SSH level ({ex.GetType().Name}); it may or may not have run.");
        }

        var (outText, outTruncated) = await stdout.ConfigureAwait(false);
        var (errText, errTruncated) = await stderr.ConfigureAwait(false);
        var elapsed = time.GetElapsedTime(started);
        if (stopped && cancellationToken.IsCancellationRequested && !deadline.IsCancellationRequested && !outTruncated && !errTruncated)
        {
            // The caller (client or the call's own timeout) ended it: the pipeline reports that.
            cancellationToken.ThrowIfCancellationRequested();
        }

        var timedOut = stopped && deadline.IsCancellationRequested;
        var result = new JsonObject
        {
            ["host"] = request.Host,
            ["exitCode"] = command.ExitStatus,
            ["signal"] = command.ExitSignal,
            ["stdout"] = outText,
            ["stderr"] = errText,
            ["truncated"] = outTruncated || errTruncated,
            ["timedOut"] = timedOut,
            ["mayStillBeRunning"] = stopped && command.ExitSignal is null && command.ExitStatus is null,
            ["durationMs"] = (long)elapsed.TotalMilliseconds,
        };
        return new ToolResult(result, Summarize);
    }

    /// <summary>The text form, from the masked result: how it ended, then stdout, then stderr.</summary>
    private static string Summarize(JsonObject masked)
    {
        var ended = masked["timedOut"]?.GetValue<bool>() == true ? "timed out"
            : masked["signal"] is { } signal ? $"ended by signal {signal}"
            : $"exit {masked["exitCode"]}";
        var notes = new List<string>();
        if (masked["truncated"]?.GetValue<bool>() == true)
        {
            notes.Add("output truncated");
        }

        if (masked["mayStillBeRunning"]?.GetValue<bool>() == true)
        {
            notes.Add("the host did not confirm the command ended: it may still be running");
        }

        var text = new StringBuilder($"{ended} on {masked["host"]} in {masked["durationMs"]} ms{(notes.Count > 0 ? " (" + string.Join("; ", notes) + ")" : string.Empty)}");
        if (masked["stdout"]?.GetValue<string>() is { Length: > 0 } stdout)
        {
            text.Append('\n').Append(stdout);
        }

        if (masked["stderr"]?.GetValue<string>() is { Length: > 0 } stderr)
        {
            text.Append("\n[stderr]\n").Append(stderr);
        }

        return text.ToString();
    }

    /// <summary>Reads a stream to its end keeping at most <paramref name="cap"/> bytes; far beyond the cap the command is stopped.</summary>
    private static async Task<(string Text, bool Truncated)> ReadCappedAsync(Stream stream, long cap, CancellationTokenSource stop)
    {
        var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        long total = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                var room = (int)Math.Max(0, Math.Min(read, cap - kept.Length));
                kept.Write(buffer, 0, room);
                total += read;
                if (total > cap * DrainFactor && !stop.IsCancellationRequested)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or IOException)
        {
            // The channel closed under the reader: what was read stands.
        }

        var bytes = kept.ToArray();
        var text = Encoding.UTF8.GetString(bytes);
        return (Policies.Text.TextCut.ToUtf8Bytes(text, cap), total > cap);
    }
}
