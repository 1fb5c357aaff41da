namespace McpGateway.Policies.Classifiers.Http;

/// <summary>The codes of the built-in refusals of <c>http_call</c> (reported as <c>builtin:&lt;code&gt;</c>).</summary>
internal static class HttpRefusalCodes
{
    /// <summary>The arguments are missing, of the wrong type, or malformed.</summary>
    public const string Arguments = "arguments";

    /// <summary>The service is not configured.</summary>
    public const string UnknownTarget = "unknown-target";

    /// <summary>TRACE or CONNECT (and the like).</summary>
    public const string ForbiddenMethod = "forbidden-method";

    /// <summary>The path names another host or climbs above the service's root.</summary>
    public const string LeavesService = "leaves-service";

    /// <summary>A header the gateway sets itself: credentials, routing, method overrides, framing.</summary>
    public const string ForbiddenHeader = "forbidden-header";

    /// <summary>A body on a method whose body not every server reads (GET, HEAD, DELETE unless allowed, …).</summary>
    public const string ForbiddenBody = "forbidden-body";

    /// <summary>A line break or other control character in a header.</summary>
    public const string HeaderInjection = "header-injection";
}
