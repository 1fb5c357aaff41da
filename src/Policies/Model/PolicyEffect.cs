namespace McpGateway.Policies.Model;

public enum PolicyEffect
{
    Allow,
    Approval,
    Deny,
}

public static class PolicyEffectNames
{
    public static string ToName(this PolicyEffect effect) => effect switch
    {
        PolicyEffect.Allow => "allow",
        PolicyEffect.Approval => "approval",
        _ => "deny",
    };
}
