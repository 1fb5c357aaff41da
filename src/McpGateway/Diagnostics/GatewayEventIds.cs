namespace McpGateway.Diagnostics;

/// <summary>
/// Every log event id the gateway writes, in one table: a range per area, so an operator can
/// filter or alert on an id without reading the code. Ids never change meaning.
/// </summary>
internal static class GatewayEventIds
{
    // 1000–1099: the tool-call pipeline.
    public const int CallDecided = 1000;
    public const int AuditAppendFailed = 1001;
    public const int BackendFailed = 1002;
    public const int MaskingFailed = 1003;
    public const int PipelineFailed = 1004;

    // 1100–1199: the MCP surface.
    public const int McpRequestFailed = 1100;

    // 2000–2099: the security log (refusals before an identity is known).
    public const int Refused = 2000;
    public const int RefusalsSuppressed = 2001;

    // 3000–3099: configuration and policy reload.
    public const int Reloaded = 3000;
    public const int ReloadFailed = 3001;
    public const int AnonymousAccessOn = 3002;
    public const int AnonymousAccessOff = 3003;
    public const int ReloadNotRecorded = 3004;

    // 4000–4099: background jobs on the audit chain.
    public const int CallsMarkedAbandoned = 4000;
    public const int AbandonedSweepFailed = 4001;
    public const int CheckpointTaken = 4010;
    public const int CheckpointFailed = 4011;
    public const int CheckpointLogFailed = 4012;
    public const int CheckpointChainBehindLog = 4013;
    public const int CheckpointNotLogged = 4014;
    public const int SigningKeyCreated = 4015;
    public const int PayloadsPurged = 4020;
    public const int RetentionFailed = 4021;
    public const int PayloadsErased = 4022;
    public const int ForwardingDelivered = 4030;
    public const int ForwardingFailed = 4031;
    public const int ForwardingLeaseLost = 4032;
    public const int ForwardingStepFailed = 4033;

    // 5000–5099: approvals and their notifications.
    public const int ApprovalsSwept = 5000;
    public const int ApprovalSweepFailed = 5001;
    public const int WebhookDelivered = 5002;
    public const int WebhookFailed = 5003;
    public const int WebhookGaveUp = 5004;

    // 5100–5199: identity providers.
    public const int OidcKeysUnavailable = 5100;
    public const int OidcKeysRefreshFailed = 5101;

    // 6000–6099: tools' own background work.
    public const int KubernetesDiscoveryRead = 6000;
    public const int KubernetesDiscoveryFailed = 6001;
}
