using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>
/// Classifies an <c>http_call</c>: validates its arguments, refuses what no policy may allow
/// (unknown services, TRACE and CONNECT, URLs that leave the service, credential and routing
/// headers, header injection) and reduces the call to the normalised request that is both
/// matched and sent.
/// </summary>
internal sealed class HttpCallClassifier : IToolClassifier
{
    internal const string ServiceArgument = "service";
    internal const string MethodArgument = "method";
    internal const string PathArgument = "path";
    internal const string HeadersArgument = "headers";
    internal const string BodyArgument = "body";
    private const string Example = "{\"service\": \"billing\", \"method\": \"GET\", \"path\": \"/api/items\"}";
    private const string MethodHelp = "give an HTTP method such as GET or POST";
    private const string Override = "_method";
    private const int MaxPathLength = 8192;

    public Classification Classify(JsonElement arguments, PolicyEnvironment environment)
    {
        var refusals = new List<Refusal>();
        if (ToolArguments.Read(HttpCallTool.Name, arguments, HttpCallTool.Arguments, Example, refusals) is not { } fields)
        {
            return Classification.Refused(HttpCallTool.Name, null, refusals[0]);
        }

        var unparsed = new List<string>();
        var facts = new FactSetBuilder();
        var service = fields.RequiredString(ServiceArgument, () => ServiceHelp(environment));
        var target = CheckService(service, environment, facts, refusals);
        var method = CheckMethod(fields.RequiredString(MethodArgument, MethodHelp), facts, refusals);

        HttpTarget? path = null;
        if (fields.RequiredString(PathArgument, HttpPathNormalizer.RelativePathFix) is { } rawPath
            && CheckLength(rawPath, refusals))
        {
            path = HttpPathNormalizer.Normalize(rawPath, unparsed, refusals);
            if (path.Path is not null)
            {
                facts.Set(HttpCallTool.Path, path.Path);
            }

            facts.Set(HttpCallTool.Query, path.Query ?? string.Empty);
            facts.Set(HttpCallTool.QueryKeys, path.QueryKeys);
        }

        var headers = ReadHeaders(fields[HeadersArgument], target, facts, refusals);
        var body = ReadBody(fields[BodyArgument], facts, refusals);
        CheckBodyAllowed(method, body, target, refusals);
        CheckMethodOverride(path, body, refusals);

        facts.Set(CommonFacts.Unparsed, unparsed.Count > 0);
        facts.Set(CommonFacts.Complex, false);

        var request = refusals.Count == 0 && unparsed.Count == 0 && service is not null && method is not null && path?.Path is not null
            ? new HttpRequestSpec(service, method, path.Path, path.Query, headers, body)
            : null;

        // The target is the service as written, even when it is empty and so refused.
        var targetName = service ?? (fields[ServiceArgument] is { ValueKind: JsonValueKind.String } serviceElement && JsonText.TryGetString(serviceElement, out var name)
            ? name
            : null);

        return new Classification(HttpCallTool.Name, targetName, facts.Build(), [.. unparsed], [.. refusals], request);
    }

    /// <summary>
    /// Paths and queries longer than servers accept (8 KiB is the common limit) are refused before
    /// anything is parsed or matched, so no rule's work grows with an agent's input.
    /// </summary>
    private static bool CheckLength(string path, List<Refusal> refusals)
    {
        if (path.Length <= MaxPathLength)
        {
            return true;
        }

        refusals.Add(new Refusal(HttpRefusalCodes.Arguments, $"Argument 'path' is {path.Length:N0} characters long; the gateway sends at most {MaxPathLength:N0} (path and query together), as most servers accept no more. Shorten it, or send the data in a POST body."));
        return false;
    }

    private static string ServiceHelp(PolicyEnvironment environment)
    {
        var names = string.Join(", ", environment.TargetNames(TargetKinds.Http));
        return names.Length == 0
            ? "give the name of a configured HTTP service (none are configured)"
            : $"give the name of a configured HTTP service ({names})";
    }

    private static HttpTargetInfo? CheckService(string? service, PolicyEnvironment environment, FactSetBuilder facts, List<Refusal> refusals)
    {
        if (service is null)
        {
            return null;
        }

        facts.Set(HttpCallTool.Service, service);
        var target = environment.FindTarget(TargetKinds.Http, service);
        if (target is not null)
        {
            return target as HttpTargetInfo ?? new HttpTargetInfo(target.Name, FrozenSet<string>.Empty);
        }

        var names = string.Join(", ", environment.TargetNames(TargetKinds.Http));
        refusals.Add(new Refusal(
            HttpRefusalCodes.UnknownTarget,
            names.Length == 0
                ? $"Service '{JsonText.Display(service)}' is not configured, and this gateway has no HTTP services configured, so http_call cannot be used."
                : $"Service '{JsonText.Display(service)}' is not configured: use one of the configured HTTP services: {names}."));
        return null;
    }

    private static string? CheckMethod(string? method, FactSetBuilder facts, List<Refusal> refusals)
    {
        if (method is null)
        {
            return null;
        }

        if (!HttpSyntax.IsToken(method))
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.Arguments,
                $"Argument 'method' ('{JsonText.Display(method)}') is not a valid HTTP method: {MethodHelp}, without spaces or other separators."));
            return null;
        }

        var upper = method.ToUpperInvariant();
        facts.Set(HttpCallTool.Method, upper);
        var forbidden = upper switch
        {
            "TRACE" or "TRACK" => $"Method {upper} is not allowed: the server would echo the request back, including the credentials the gateway adds. Use GET to read a resource.",
            "CONNECT" => "Method CONNECT is not allowed: it opens a tunnel out of the service. Call the service's own endpoints with GET, POST, PUT, PATCH or DELETE.",
            _ => null,
        };
        if (forbidden is not null)
        {
            refusals.Add(new Refusal(HttpRefusalCodes.ForbiddenMethod, forbidden));
        }

        return upper;
    }

    private static ImmutableArray<KeyValuePair<string, string>> ReadHeaders(JsonElement? element, HttpTargetInfo? target, FactSetBuilder facts, List<Refusal> refusals)
    {
        if (element is not { } headers || headers.ValueKind == JsonValueKind.Null)
        {
            facts.Set(HttpCallTool.Headers, ImmutableArray<string>.Empty);
            return [];
        }

        if (headers.ValueKind != JsonValueKind.Object)
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.Arguments,
                $"Argument 'headers' must be an object of header names to string values, like {{\"accept\": \"application/json\"}}, not {JsonText.KindOf(headers)}; or leave it out."));
            return [];
        }

        var result = HttpHeaderRules.Read(headers, target, refusals);
        facts.Set(HttpCallTool.Headers, result.Names);
        return result.Headers;
    }

    /// <summary>
    /// A body goes only with methods whose body every server reads: POST, PUT and PATCH, and
    /// DELETE where the service says it reads one. A server that does not read the body of a GET
    /// (or HEAD, OPTIONS, an unknown method) on a kept-alive connection takes the body as the next
    /// request, which would then run with the gateway's credentials without being checked.
    /// </summary>
    private static void CheckBodyAllowed(string? method, string? body, HttpTargetInfo? target, List<Refusal> refusals)
    {
        if (body is null || method is null or "POST" or "PUT" or "PATCH")
        {
            return;
        }

        if (method == "DELETE")
        {
            if (target is { AllowDeleteBody: false })
            {
                refusals.Add(new Refusal(
                    HttpRefusalCodes.ForbiddenBody,
                    $"A DELETE to service '{target.Name}' may not carry a body: not every server reads one, and an unread body would be taken as a second request. Remove 'body' (put what identifies the resource in the path or query); an operator can set AllowDeleteBody for a service that reads DELETE bodies."));
            }

            return;
        }

        refusals.Add(new Refusal(
            HttpRefusalCodes.ForbiddenBody,
            $"A {method} request may not carry a body: servers need not read it, and an unread body would be taken as a second request. Remove 'body' (put parameters in the query), or use POST, PUT or PATCH to send content."));
    }

    /// <summary>
    /// A '_method' query parameter, form field or JSON member makes several frameworks (Laravel,
    /// Symfony, Rails, ASP.NET Core's override middleware) treat the request as another method
    /// than the one that was checked. Names are read the ways servers decode them, and the body
    /// in every way a server might read it, whatever content type it claims.
    /// </summary>
    private static void CheckMethodOverride(HttpTarget? path, string? body, List<Refusal> refusals)
    {
        // Query names are parsed exactly (split on '&' and ';', every server reading of each name),
        // so values such as 'sort=+method' stay values.
        if (path?.QueryKeys.Any(IsOverride) == true)
        {
            refusals.Add(new Refusal(HttpRefusalCodes.ForbiddenMethod, "Query parameter '_method' (however it is encoded or spelled) overrides the HTTP method on many servers, so it is refused: put the method you mean in 'method' instead."));
        }

        // A body that parses as a JSON object has its names listed exactly; any other body is
        // also scanned, as no parser of ours may read it as the backend does.
        if (body is not null && (HttpParameterNames.OfBody(body).Any(IsOverride) || (!HttpParameterNames.IsJsonObject(body) && HttpParameterNames.Mentions(body, Override))))
        {
            refusals.Add(new Refusal(HttpRefusalCodes.ForbiddenMethod, "The body names '_method' (as a form field, multipart part or JSON member, however it is encoded or spelled), which overrides the HTTP method on many servers, so it is refused: put the method you mean in 'method' instead, and do not mention '_method' in the body."));
        }

        static bool IsOverride(string name) => name.Trim().Equals(Override, StringComparison.OrdinalIgnoreCase);
    }

    private static string? ReadBody(JsonElement? element, FactSetBuilder facts, List<Refusal> refusals)
    {
        string? body = null;
        if (element is { ValueKind: not JsonValueKind.Null } value)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                refusals.Add(new Refusal(
                    HttpRefusalCodes.Arguments,
                    $"Argument 'body' must be a string, not {JsonText.KindOf(value)}: send JSON content as text, like \"{{\\\"name\\\": \\\"x\\\"}}\", or leave it out."));
                return null;
            }

            if (!JsonText.TryGetString(value, out var text))
            {
                refusals.Add(new Refusal(HttpRefusalCodes.Arguments, "Argument 'body' has an invalid \\u escape (an unpaired surrogate): remove it, or encode binary content as text (for example base64)."));
                return null;
            }

            body = text;
        }

        facts.Set(HttpCallTool.HasBody, body is not null);
        facts.Set(HttpCallTool.BodyBytes, body is null ? 0L : Encoding.UTF8.GetByteCount(body));
        return body;
    }
}
