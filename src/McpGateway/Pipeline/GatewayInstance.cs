using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Tools;

namespace McpGateway.Pipeline;

/// <summary>This running gateway process: its id in <c>call.started</c> leases.</summary>
public sealed class GatewayInstance
{
    /// <summary>Margin added to a call's timeout for its lease.</summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromMinutes(1);

    public string Id { get; } = "gw-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>How long a start vouches for its call: its timeout plus a margin.</summary>
    public static TimeSpan LeaseFor(PolicyDecision decision) =>
        (decision.Obligations.TryGetValue(CommonObligations.Timeout, out var timeout) ? timeout.Duration : CommonObligations.DefaultTimeout) + LeaseMargin;
}
