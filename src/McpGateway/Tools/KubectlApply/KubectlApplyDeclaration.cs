using System.Text.Json;
using McpGateway.Policies.Classifiers.Kubernetes;

namespace McpGateway.Tools.KubectlApply;

/// <summary>How <c>kubectl_apply</c> presents itself to MCP clients.</summary>
internal static class KubectlApplyDeclaration
{
    private static readonly JsonElement Input = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "cluster": { "type": "string", "description": "Name of a registered Kubernetes cluster." },
            "manifest": { "type": "string", "description": "The objects to apply, as YAML (documents separated by '---') or JSON; a kind: List is expanded. Every object needs apiVersion, kind and metadata.name; namespaced objects without metadata.namespace go to the cluster's default namespace." }
          },
          "required": ["cluster", "manifest"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    private static readonly JsonElement Output = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "callId": { "type": "string" },
            "cluster": { "type": "string" },
            "applied": { "type": "boolean", "description": "Every object was applied." },
            "error": { "type": ["string", "null"], "description": "Why the apply stopped, when it did." },
            "objects": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "kind": { "type": "string" },
                  "apiVersion": { "type": "string" },
                  "name": { "type": "string" },
                  "namespace": { "type": ["string", "null"] },
                  "action": { "type": "string", "enum": ["created", "configured", "unchanged", "failed", "not attempted"] },
                  "reason": { "type": ["string", "null"], "description": "The API server's reason for a failure (Conflict, Invalid, Forbidden…)." },
                  "message": { "type": ["string", "null"], "description": "What went wrong and what to change." }
                },
                "required": ["kind", "name", "action"]
              }
            }
          },
          "required": ["callId", "cluster", "applied", "objects"]
        }
        """).RootElement.Clone();

    public static ToolDeclaration Describe(IReadOnlyList<string> usableTargets) => new(
        KubectlApplyTool.Name,
        "Apply Kubernetes objects to a registered cluster",
        $"""
        Apply Kubernetes objects (YAML or JSON, several documents allowed) to a registered cluster with server-side apply, as the gateway's own account and field manager 'mcp-gateway'. Clusters you may use: {string.Join(", ", usableTargets)}.
        Every object is checked against policy first (kind, namespace, Pod Security of every pod spec, RBAC escalation, Secrets); then the whole manifest is dry-run on the server, and only if every object passes are they applied, in order, stopping at the first failure.
        The result lists each object with its action: created, configured, unchanged, failed (with the server's reason and what to change) or not attempted. A field another manager owns is a conflict, returned as such, never taken over. A call may be refused with a reason, or need an operator's approval (who sees the diff against the live objects).
        """,
        Input,
        Output,
        ReadOnly: false,
        Destructive: true,
        Idempotent: true,
        OpenWorld: false);
}
