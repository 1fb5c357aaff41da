using System.Threading.RateLimiting;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace McpGateway.Pipeline;

/// <summary>
/// Rate and concurrency limits per identity and target, from the decision's <c>rate</c> and
/// <c>concurrency</c> obligations. Calls over a limit are refused at once, not queued. Each is a
/// partitioned limiter (System.Threading.RateLimiting): a partition per identity, target and
/// limit, dropped once it has been idle, so limiters do not pile up for identities and targets
/// that are gone.
/// </summary>
public sealed class CallLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<RateKey> _rates = PartitionedRateLimiter.Create<RateKey, RateKey>(key =>
        RateLimitPartition.GetSlidingWindowLimiter(key, static key => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = (int)Math.Min(key.Rate.Count, int.MaxValue),
            Window = key.Rate.Window,
            SegmentsPerWindow = 10,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private readonly PartitionedRateLimiter<ConcurrencyKey> _concurrency = PartitionedRateLimiter.Create<ConcurrencyKey, ConcurrencyKey>(key =>
        RateLimitPartition.GetConcurrencyLimiter(key, static key => new ConcurrencyLimiterOptions
        {
            PermitLimit = (int)Math.Min(key.Limit, int.MaxValue),
            QueueLimit = 0,
        }));

    /// <summary>Charges one call against the decision's <c>rate</c> (at admission); a refusal reason when over it.</summary>
    public string? TryCharge(string identity, string target, IReadOnlyDictionary<string, ObligationValue> obligations)
    {
        if (!obligations.TryGetValue(CommonObligations.Rate, out var rate))
        {
            return null;
        }

        using var lease = _rates.AttemptAcquire(new RateKey(identity, target, rate.Rate));
        if (lease.IsAcquired)
        {
            return null;
        }

        var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? $" Retry in about {Math.Max(1, Math.Ceiling(after.TotalSeconds))}s." : " Retry later.";
        return $"Rate limit reached: at most {rate.Rate} calls by '{identity}' on '{target}'.{retry}";
    }

    /// <summary>
    /// Takes a slot of the decision's <c>concurrency</c> (held around execution): the permit to
    /// dispose when execution ends, or a refusal reason.
    /// </summary>
    public (IDisposable? Permit, string? Refusal) TryEnter(string identity, string target, IReadOnlyDictionary<string, ObligationValue> obligations)
    {
        if (!obligations.TryGetValue(CommonObligations.Concurrency, out var concurrency))
        {
            return (NoPermit.Instance, null);
        }

        var lease = _concurrency.AttemptAcquire(new ConcurrencyKey(identity, target, concurrency.Number));
        if (lease.IsAcquired)
        {
            return (lease, null);
        }

        lease.Dispose();
        return (null, $"Too many calls at once: at most {concurrency.Number} by '{identity}' on '{target}' may run together. Wait for one to finish.");
    }

    public void Dispose()
    {
        _rates.Dispose();
        _concurrency.Dispose();
    }

    private readonly record struct RateKey(string Identity, string Target, RateLimit Rate);

    private readonly record struct ConcurrencyKey(string Identity, string Target, long Limit);

    private sealed class NoPermit : IDisposable
    {
        public static NoPermit Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
