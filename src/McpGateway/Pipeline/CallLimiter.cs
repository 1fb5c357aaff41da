using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace McpGateway.Pipeline;

/// <summary>
/// Rate and concurrency limits per identity and target, from the decision's <c>rate</c> and
/// <c>concurrency</c> obligations. Calls over a limit are refused at once, not queued.
/// </summary>
public sealed class CallLimiter : IDisposable
{
    private readonly ConcurrentDictionary<(string Identity, string Target, RateLimit Rate), RateLimiter> _rates = new();
    private readonly ConcurrentDictionary<(string Identity, string Target, long Limit), RateLimiter> _concurrency = new();

    /// <summary>Takes a permit; returns the permit to hold for the call's duration, or a refusal reason.</summary>
    public (IDisposable? Permit, string? Refusal) TryAcquire(string identity, string target, IReadOnlyDictionary<string, ObligationValue> obligations)
    {
        var leases = new List<RateLimitLease>();
        if (obligations.TryGetValue(CommonObligations.Rate, out var rate))
        {
            var limiter = _rates.GetOrAdd((identity, target, rate.Rate), key => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = (int)Math.Min(key.Rate.Count, int.MaxValue),
                Window = key.Rate.Window,
                SegmentsPerWindow = 10,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
            var lease = limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? $" Retry in about {Math.Max(1, Math.Ceiling(after.TotalSeconds))}s." : " Retry later.";
                lease.Dispose();
                return (null, $"Rate limit reached: at most {rate.Rate} calls by '{identity}' on '{target}'.{retry}");
            }

            leases.Add(lease);
        }

        if (obligations.TryGetValue(CommonObligations.Concurrency, out var concurrency))
        {
            var limiter = _concurrency.GetOrAdd((identity, target, concurrency.Number), key => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = (int)Math.Min(key.Limit, int.MaxValue),
                QueueLimit = 0,
            }));
            var lease = limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                leases.ForEach(l => l.Dispose());
                return (null, $"Too many calls at once: at most {concurrency.Number} by '{identity}' on '{target}' may run together. Wait for one to finish.");
            }

            leases.Add(lease);
        }

        return (new Permit(leases), null);
    }

    public void Dispose()
    {
        foreach (var limiter in _rates.Values.Concat(_concurrency.Values))
        {
            limiter.Dispose();
        }
    }

    private sealed class Permit(List<RateLimitLease> leases) : IDisposable
    {
        public void Dispose() => leases.ForEach(l => l.Dispose());
    }
}
