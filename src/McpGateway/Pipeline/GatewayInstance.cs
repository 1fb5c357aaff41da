using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Tools;

namespace McpGateway.Pipeline;

/// <summary>This running gateway process: its id in <c>call.started</c> leases.</summary>
public sealed class GatewayInstance
{
    public string Id { get; } = "gw-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>How long a start vouches for its call: its timeout plus <paramref name="margin"/> (<c>Timings:LeaseMargin</c>).</summary>
    public static TimeSpan LeaseFor(PolicyDecision decision, TimeSpan margin) =>
        (decision.Obligations.TryGetValue(CommonObligations.Timeout, out var timeout) ? timeout.Duration : CommonObligations.DefaultTimeout) + margin;
}
