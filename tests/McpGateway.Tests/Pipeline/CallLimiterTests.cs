using System.Collections.Immutable;
using McpGateway.Pipeline;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace McpGateway.Tests.Pipeline;

public sealed class CallLimiterTests
{
    [Fact]
    public void Concurrency_limits_calls_in_flight_and_frees_permits_when_calls_end()
    {
        using var limiter = new CallLimiter();
        var obligations = ImmutableDictionary<string, ObligationValue>.Empty.Add(CommonObligations.Concurrency, new ObligationValue(ObligationKind.Count, Number: 2));

        var first = limiter.TryEnter("agent", "db", obligations);
        var second = limiter.TryEnter("agent", "db", obligations);
        var third = limiter.TryEnter("agent", "db", obligations);
        var otherTarget = limiter.TryEnter("agent", "other", obligations);
        first.Permit!.Dispose();
        var fourth = limiter.TryEnter("agent", "db", obligations);

        second.Permit.Should().NotBeNull();
        third.Permit.Should().BeNull();
        third.Refusal.Should().Contain("at most 2");
        otherTarget.Permit.Should().NotBeNull("limits are per identity and target");
        fourth.Permit.Should().NotBeNull();
    }

    [Fact]
    public void A_rate_limit_refuses_with_a_retry_hint()
    {
        using var limiter = new CallLimiter();
        var obligations = ImmutableDictionary<string, ObligationValue>.Empty.Add(CommonObligations.Rate, new ObligationValue(ObligationKind.Rate, Rate: new RateLimit(2, TimeSpan.FromMinutes(1))));

        var results = Enumerable.Range(0, 3).Select(_ => limiter.TryCharge("agent", "db", obligations)).ToList();

        results.Take(2).Should().OnlyContain(r => r == null);
        results[2].Should().StartWith("Rate limit reached: at most 2/m calls by 'agent' on 'db'.");
        limiter.TryCharge("someone-else", "db", obligations).Should().BeNull();
    }
}
