using McpGateway.Policies.Evaluation;
using McpGateway.Runtime;

namespace McpGateway.Pipeline;

/// <summary>
/// Told of every decision, after it is made, with the snapshot it was made on: how a tool learns
/// that its picture of a target is out of date (a Kubernetes kind its discovery does not list) and
/// asks for it to be read again. It must return at once and never throw; it changes nothing about
/// the decision.
/// </summary>
internal interface IDecisionObserver
{
    void Decided(string tool, PolicyDecision decision, RuntimeSnapshot snapshot);
}
