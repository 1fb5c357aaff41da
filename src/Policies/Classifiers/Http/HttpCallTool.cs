using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>The <c>http_call</c> tool as the policy layer sees it.</summary>
public static class HttpCallTool
{
    public const string Name = "http_call";

    public const string Service = "http.service";
    public const string Method = "http.method";
    public const string Path = "http.path";
    public const string Query = "http.query";
    public const string QueryKeys = "http.queryKeys";
    public const string Headers = "http.headers";
    public const string HasBody = "http.hasBody";
    public const string BodyBytes = "http.bodyBytes";

    public const string MaxResponseBytes = "maxResponseBytes";

    public static IReadOnlyList<FactDescriptor> Facts { get; } =
    [
        new(Service, FactType.Text, "The registered service the call goes to."),
        new(Method, FactType.Text, "The HTTP method, upper case."),
        new(Path, FactType.Text, "The request path relative to the service, in RFC 3986 normal form (no query).", Matching: FactMatching.Path),
        new(Query, FactType.Text, "The normalised query string without the leading '?'; empty when there is none.", Matching: FactMatching.Name),
        new(QueryKeys, FactType.TextList, "The names of the query parameters, decoded.", Matching: FactMatching.Name),
        new(Headers, FactType.TextList, "The names of the headers the agent sent, lower case.", Matching: FactMatching.Name),
        new(HasBody, FactType.Flag, "Whether the call sends a body."),
        new(BodyBytes, FactType.Number, "The size of the body in UTF-8 bytes."),
    ];

    public static IReadOnlyList<ObligationDescriptor> Obligations { get; } =
    [
        new(MaxResponseBytes, ObligationKind.Size, "Largest response body returned to the agent; the rest is cut and the result marked truncated."),
    ];

    /// <summary>The arguments <c>http_call</c> accepts; the classifier refuses any other.</summary>
    public static IReadOnlyList<string> Arguments { get; } = [HttpCallClassifier.ServiceArgument, HttpCallClassifier.MethodArgument, HttpCallClassifier.PathArgument, HttpCallClassifier.HeadersArgument, HttpCallClassifier.BodyArgument];

    public static ToolDescriptor Create() => new(Name, TargetKinds.Http, Facts, [], Obligations, new HttpCallClassifier(), Arguments);
}
