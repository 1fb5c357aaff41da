using McpGateway.Diagnostics;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline;

/// <summary>Pipeline log events (ids 1000–1099). Never arguments, results or secrets.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(GatewayEventIds.CallDecided, LogLevel.Information, "Call {CallId}: {Identity} {Tool} on {Target} → {Decision}")]
    public static partial void Decided(ILogger logger, string callId, string identity, string tool, string? target, string decision);

    [LoggerMessage(GatewayEventIds.AuditAppendFailed, LogLevel.Error, "Call {CallId}: the audit log refused the {EntryType} entry; the call is refused")]
    public static partial void AuditFailed(ILogger logger, string callId, string entryType, Exception exception);

    [LoggerMessage(GatewayEventIds.BackendFailed, LogLevel.Error, "Call {CallId}: the {Tool} backend failed unexpectedly")]
    public static partial void BackendFailed(ILogger logger, string callId, string tool, Exception exception);

    [LoggerMessage(GatewayEventIds.MaskingFailed, LogLevel.Critical, "Call {CallId}: the result could not be masked; it is withheld")]
    public static partial void MaskingFailed(ILogger logger, string callId, Exception exception);

    [LoggerMessage(GatewayEventIds.PipelineFailed, LogLevel.Error, "Call {CallId}: the pipeline failed")]
    public static partial void PipelineFailed(ILogger logger, string callId, Exception exception);
}
