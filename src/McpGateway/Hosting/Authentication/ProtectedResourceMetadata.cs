using McpGateway.Configuration;
using McpGateway.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Hosting.Authentication;

/// <summary>
/// RFC 9728 protected-resource metadata: what an OAuth client (an MCP client with OAuth support)
/// reads, from the <c>resource_metadata</c> of a 401, to learn which authorization servers issue
/// tokens for this gateway and which scopes it knows. Served at
/// <c>/.well-known/oauth-protected-resource</c> and, as RFC 9728 places it for a resource with a
/// path, at <c>/.well-known/oauth-protected-resource/&lt;path&gt;</c> (for <c>…/mcp</c>:
/// <c>/.well-known/oauth-protected-resource/mcp</c>); 404 when no identity provider is configured.
/// </summary>
internal static class ProtectedResourceMetadata
{
    public const string WellKnown = "/.well-known/oauth-protected-resource";

    private static readonly string[] BearerMethods = ["header"];

    /// <summary>Where the metadata of <paramref name="oidc"/>'s resource is, by RFC 9728 §3.1: the well-known segment between host and path.</summary>
    public static string MetadataUrl(OidcOptions oidc) =>
        $"{oidc.Resource.GetLeftPart(UriPartial.Authority)}{WellKnown}{oidc.Resource.AbsolutePath.TrimEnd('/')}";

    public static void MapProtectedResourceMetadata(this IEndpointRouteBuilder app)
    {
        app.MapGet(WellKnown, Serve).AllowAnonymous();
        app.MapGet(WellKnown + "/{**path}", Serve).AllowAnonymous();
    }

    private static IResult Serve(GatewayRuntime runtime)
    {
        if (runtime.Configuration.Oidc is not { } oidc)
        {
            return Results.NotFound();
        }

        return Results.Json(new Dictionary<string, object>
        {
            ["resource"] = oidc.Resource.ToString(),
            ["authorization_servers"] = oidc.Issuers.Values.Select(i => i.IssuerText).Order(StringComparer.Ordinal).ToArray(),
            ["scopes_supported"] = new[] { oidc.OperatorScope, oidc.AuditorScope },
            ["bearer_methods_supported"] = BearerMethods,
            ["resource_name"] = "McpGateway",
        });
    }
}
