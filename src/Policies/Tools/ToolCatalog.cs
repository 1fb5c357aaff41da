using System.Collections.Frozen;

namespace McpGateway.Policies.Tools;

/// <summary>The tools the gateway offers, by name.</summary>
public sealed class ToolCatalog
{
    public ToolCatalog(IEnumerable<ToolDescriptor> tools)
    {
        Tools = tools.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public FrozenDictionary<string, ToolDescriptor> Tools { get; }

    public ToolDescriptor? Find(string name) => Tools.GetValueOrDefault(name);
}
