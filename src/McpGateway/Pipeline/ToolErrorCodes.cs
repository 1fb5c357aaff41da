namespace McpGateway.Pipeline;

/// <summary>
/// The reason codes of error results (<c>structuredContent.error.code</c>): stable names a client
/// or a model can branch on, beside the message that says what to change.
/// </summary>
public static class ToolErrorCodes
{
    /// <summary>The arguments are not a request the tool understands (the message names the field).</summary>
    public const string InvalidArguments = "invalid-arguments";

    /// <summary>The policy, or a built-in rule, refuses the call; <c>rules</c> names them.</summary>
    public const string Denied = "denied";

    /// <summary>The call needs an approval that could not be asked for or was not given.</summary>
    public const string ApprovalRequired = "approval-required";

    /// <summary>An approval was denied, cancelled or failed; the call did not run.</summary>
    public const string ApprovalClosed = "approval-closed";

    /// <summary>The approval expired before anyone decided it.</summary>
    public const string ApprovalExpired = "approval-expired";

    /// <summary>The caller's rate obligation is used up; retry later.</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>The caller already runs as many calls as its concurrency obligation allows.</summary>
    public const string ConcurrencyLimited = "concurrency-limited";

    /// <summary>The audit log could not record the call, so it did not run or its result is withheld.</summary>
    public const string AuditUnavailable = "audit-unavailable";

    /// <summary>The target refused or failed the request; the message (and <c>detail</c>) say how.</summary>
    public const string TargetError = "target-error";

    /// <summary>The call did not finish within its timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The client cancelled the call.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The result could not be masked, so it is withheld.</summary>
    public const string MaskingFailed = "masking-failed";

    /// <summary>The gateway itself failed; nothing more can be said safely.</summary>
    public const string Internal = "internal-error";
}
