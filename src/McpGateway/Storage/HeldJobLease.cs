namespace McpGateway.Storage;

/// <summary>
/// A job lease a long-running job of this process keeps: taken when free, renewed when half of
/// it is used up (so a store round trip is not made on every look), and asked for again at once
/// after <see cref="Lost"/>.
/// </summary>
internal sealed class HeldJobLease(IJobLeases jobs, string job, string holder, TimeSpan leaseFor)
{
    private DateTimeOffset _renewAt = DateTimeOffset.MinValue;

    /// <summary>Whether this process holds the lease now, taking or renewing it when due.</summary>
    public async Task<bool> HoldAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (now < _renewAt)
        {
            return true;
        }

        if (await jobs.TryAcquireAsync(job, holder, now, now + leaseFor, cancellationToken).ConfigureAwait(false))
        {
            _renewAt = now + (leaseFor / 2);
            return true;
        }

        _renewAt = DateTimeOffset.MinValue;
        return false;
    }

    /// <summary>Another holder took the lease: the next <see cref="HoldAsync"/> asks the store.</summary>
    public void Lost() => _renewAt = DateTimeOffset.MinValue;
}
