using System.Text.Json;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Evaluation;

/// <summary>
/// Decides tool calls against one immutable <see cref="PolicySnapshot"/>. Thread-safe. A reload
/// makes a new engine (the host swaps its whole runtime snapshot at once), so a call decided by
/// this engine is decided by this bundle throughout.
/// </summary>
public sealed class PolicyEngine
{
    public PolicyEngine(PolicySnapshot snapshot)
    {
        Current = snapshot ?? throw new ArgumentNullException(nameof(snapshot));
    }

    public PolicySnapshot Current { get; }

    /// <summary>Classifies and decides one call. Anything wrong with the call is a deny with a reason.</summary>
    public PolicyDecision Evaluate(string identity, string tool, JsonElement arguments)
    {
        var snapshot = Current;
        if (!snapshot.Environment.Identities.TryGetValue(identity, out var info))
        {
            return PolicyEvaluator.Refuse(snapshot.Bundle.Revision, identity, tool, null, new Refusal("unknown-identity", $"Identity '{identity}' is not configured; identities come from the configuration's 'Identities' section."));
        }

        return Evaluate(snapshot, info, tool, arguments);
    }

    /// <summary>
    /// Classifies and decides one call of <paramref name="caller"/>: a configured identity as this
    /// snapshot's configuration has it; any other as given — a pseudonymous caller its host
    /// authenticated, whose groups decide what it may do.
    /// </summary>
    public PolicyDecision Evaluate(IdentityInfo caller, string tool, JsonElement arguments)
    {
        var snapshot = Current;
        return Evaluate(snapshot, Resolve(snapshot, caller), tool, arguments);
    }

    /// <summary>The configured identity as this snapshot has it (with the caller's agent application), or the pseudonymous caller as given.</summary>
    private static IdentityInfo Resolve(PolicySnapshot snapshot, IdentityInfo caller) =>
        snapshot.Environment.Identities.TryGetValue(caller.Name, out var configured) ? configured with { Client = caller.Client } : caller;

    private static PolicyDecision Evaluate(PolicySnapshot snapshot, IdentityInfo info, string tool, JsonElement arguments)
    {
        var identity = info.Name;
        var revision = snapshot.Bundle.Revision;

        if (snapshot.Tools.Find(tool) is not { } descriptor)
        {
            var known = string.Join(", ", snapshot.Tools.Tools.Keys.Order(StringComparer.Ordinal));
            return PolicyEvaluator.Refuse(revision, identity, tool, null, new Refusal("unknown-tool", $"There is no tool '{tool}'; available tools: {known}."));
        }

        Classification classification;
        try
        {
            classification = descriptor.Classifier.Classify(arguments, snapshot.Environment);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Fail closed: a classifier fault is never an allow.
            return PolicyEvaluator.Refuse(revision, identity, tool, null, new Refusal("classifier-failed", $"The {tool} classifier failed, so the call cannot be checked and is refused."));
        }

        return DecideSafely(snapshot, info, descriptor, classification);
    }

    private static PolicyDecision DecideSafely(PolicySnapshot snapshot, IdentityInfo identity, ToolDescriptor tool, Classification classification)
    {
        try
        {
            return PolicyEvaluator.Decide(snapshot, identity, tool, classification);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Fail closed: an evaluation fault (a pattern that timed out, a bug) is never an allow.
            return PolicyEvaluator.Refuse(snapshot.Bundle.Revision, identity.Name, tool.Name, classification, new Refusal("evaluation-failed", "The policy could not be evaluated for this call, so it is refused."));
        }
    }

    /// <summary>
    /// Whether <paramref name="identity"/> could ever be allowed (possibly after approval) to use
    /// <paramref name="tool"/> on <paramref name="target"/>, whatever the call's facts.
    /// </summary>
    public bool MayEverUse(string identity, string tool, string target) => PolicyEvaluator.MayEverUse(Current, identity, tool, target);

    /// <summary>Whether <paramref name="identity"/> may ever use <paramref name="tool"/> on some configured target.</summary>
    public bool MayEverUse(string identity, string tool) => UsableTargets(identity, tool).Count > 0;

    /// <summary>
    /// The configured targets on which <paramref name="identity"/> may ever use <paramref name="tool"/>
    /// (for per-identity tool lists), all from one snapshot.
    /// </summary>
    public IReadOnlyList<string> UsableTargets(string identity, string tool)
    {
        var snapshot = Current;
        return snapshot.Environment.Identities.TryGetValue(identity, out var info) ? UsableTargets(snapshot, info, tool) : [];
    }

    /// <summary>As <see cref="UsableTargets(string, string)"/>, for a caller given whole (see <see cref="Evaluate(IdentityInfo, string, JsonElement)"/>).</summary>
    public IReadOnlyList<string> UsableTargets(IdentityInfo caller, string tool)
    {
        var snapshot = Current;
        return UsableTargets(snapshot, Resolve(snapshot, caller), tool);
    }

    private static IReadOnlyList<string> UsableTargets(PolicySnapshot snapshot, IdentityInfo info, string tool) =>
        snapshot.Tools.Find(tool) is { } descriptor
            ? [.. snapshot.Environment.TargetNames(descriptor.TargetKind).Where(t => PolicyEvaluator.MayEverUse(snapshot, info, tool, t))]
            : [];

    /// <summary>Whether some call of <paramref name="identity"/> could need approval (it is then offered <c>approval_status</c>).</summary>
    public bool MayNeedApproval(string identity) => PolicyEvaluator.MayNeedApproval(Current, identity);

    /// <summary>As <see cref="MayNeedApproval(string)"/>, for a caller given whole.</summary>
    public bool MayNeedApproval(IdentityInfo caller)
    {
        var snapshot = Current;
        return PolicyEvaluator.MayNeedApproval(snapshot, Resolve(snapshot, caller));
    }

    public string Revision => Current.Bundle.Revision;
}
