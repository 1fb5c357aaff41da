using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Evaluation;

/// <summary>
/// Everything a decision depends on, immutable: the validated bundle, the configuration it was
/// validated against, and the tools. Reloads build a new snapshot and swap it in whole.
/// </summary>
public sealed record PolicySnapshot(PolicyBundle Bundle, PolicyEnvironment Environment, ToolCatalog Tools);
