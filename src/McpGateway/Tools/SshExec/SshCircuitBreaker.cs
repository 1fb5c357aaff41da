using System.Globalization;
using McpGateway.Pipeline;
using McpGateway.Policies.Model;
using Polly;
using Polly.CircuitBreaker;
using Renci.SshNet;

namespace McpGateway.Tools.SshExec;

/// <summary>
/// The circuit breaker around opening connections to one host (Polly's, with
/// <see cref="SshCircuitBreakerOptions"/>): only <see cref="SshConnectFailure"/> counts, so a
/// command that fails on the host never does. While it is open, a connection attempt fails at
/// once with a message saying which host, why, for how long and when the gateway tries again;
/// after the break one trial connection closes it or opens it again. Held by
/// <see cref="SshConnections"/>, so a reload that changes the host starts with a closed breaker.
/// </summary>
internal sealed class SshCircuitBreaker
{
    private readonly SshHostOptions _host;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;
    private Opened? _opened;

    public SshCircuitBreaker(SshHostOptions host, TimeProvider time)
    {
        _host = host;
        _time = time;
        var options = host.CircuitBreaker;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 1.0,
                MinimumThroughput = options.Failures,
                SamplingDuration = options.Window,
                BreakDuration = options.Break,
                ShouldHandle = new PredicateBuilder().Handle<SshConnectFailure>(),
                OnOpened = args =>
                {
                    var reason = (args.Outcome.Exception as SshConnectFailure)?.Reason ?? "failed";
                    Volatile.Write(ref _opened, new Opened(_time.GetUtcNow() + args.BreakDuration, reason));
                    return default;
                },
                OnClosed = _ =>
                {
                    Volatile.Write(ref _opened, null);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>
    /// Runs <paramref name="connect"/> through the breaker. Its failures and the open breaker
    /// become <see cref="ToolCallException"/>s the agent can act on.
    /// </summary>
    public async Task<SshClient> ConnectAsync(Func<CancellationToken, ValueTask<SshClient>> connect, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(connect, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw new ToolCallException(DescribeOpen(), ex);
        }
        catch (SshConnectFailure ex)
        {
            throw new ToolCallException(ex.Message, ex);
        }
    }

    private string DescribeOpen()
    {
        var options = _host.CircuitBreaker;
        var opened = Volatile.Read(ref _opened);
        var now = _time.GetUtcNow();
        var why = $"after {options.Failures} connection attempts within {DurationText.Format(options.Window)} all failed (the last: {opened?.LastFailure ?? "failed"}), the gateway stopped connecting to it for {DurationText.Format(options.Break)}";
        var when = opened is { } o && o.Until > now
            ? $"It will try again at {o.Until.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC (in {Math.Ceiling((o.Until - now).TotalSeconds).ToString(CultureInfo.InvariantCulture)} s); retry after that."
            : "A trial connection is under way; retry in a few seconds.";
        return $"Host '{_host.Name}' was not contacted: {why}. {when} If it keeps failing, an operator must check the host or Targets:Ssh:{_host.Name}.";
    }

    private sealed record Opened(DateTimeOffset Until, string LastFailure);
}
