using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpGateway.IntegrationTests.Tools.Kubernetes;

/// <summary>
/// A loopback stand-in for a Kubernetes API server (none can be installed here), speaking the
/// real wire format over real TLS. What it models:
/// <list type="bullet">
/// <item>HTTPS on 127.0.0.1 (Kestrel) with a server certificate signed by a CA generated for the test run;</item>
/// <item>authentication by bearer token or by an x509 client certificate that chains to the test
///   CA (as the API server's x509 authenticator): any other token, a certificate from another CA,
///   or nothing is 401 with a Status body;</item>
/// <item>discovery: <c>/api</c> (APIVersions), <c>/apis</c> (APIGroupList), <c>/api/v1</c> and
///   <c>/apis/&lt;group&gt;/&lt;version&gt;</c> (APIResourceList with <c>namespaced</c>, subresources
///   included), with or without a trailing slash; custom kinds can be added while it runs, and a
///   group version can be made to fail (503), as an aggregated API that is down;</item>
/// <item><c>GET</c> of objects on their core (<c>/api/v1/…</c>) and group (<c>/apis/…</c>) paths, namespaced or not; 404 NotFound as a Status;</item>
/// <item>server-side apply: <c>PATCH</c> with <c>application/apply-patch+yaml</c> (415 otherwise), a
///   JSON body, <c>fieldManager</c> required, <c>force</c>, <c>dryRun=All</c> (never stores); field
///   ownership per manager at top-level fields and their direct children (see <see cref="StandInStore"/>);
///   409 Conflict Status with reason Conflict and FieldManagerConflict causes; 201 on create, 200 otherwise;
///   resourceVersion, generation, uid, creationTimestamp and managedFields as a server sets them;</item>
/// <item>Status errors: 404 NotFound, 403 Forbidden (namespaces made forbidden), 422 Invalid with causes
///   (Secret data that is not Base64 — its message quotes the value, as the API server's does — and
///   workloads without spec.selector), 400 for a body whose kind or name does not match its path.</item>
/// </list>
/// Not modelled: YAML request bodies, strategic merge and JSON patches, list/watch, field ownership
/// below the second level and list-map keys, defaulting, admission webhooks, namespaces that must
/// exist, RBAC beyond the forbidden namespaces, HTTP/2 specifics, API priority and fairness.
/// </summary>
internal sealed class KubeApiStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, StandInResource> _custom = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<StandInRequest> _requests = new();
    private volatile string _token;

    private KubeApiStandIn(WebApplication app, StandInCertificates certificates, string token)
    {
        _app = app;
        Certificates = certificates;
        _token = token;
    }

    /// <summary>The built-in kinds it serves.</summary>
    public static IReadOnlyList<StandInResource> BuiltIn { get; } =
    [
        new(string.Empty, "v1", "ConfigMap", "configmaps", true),
        new(string.Empty, "v1", "Secret", "secrets", true),
        new(string.Empty, "v1", "Service", "services", true),
        new(string.Empty, "v1", "Pod", "pods", true),
        new(string.Empty, "v1", "Namespace", "namespaces", false),
        new("apps", "v1", "Deployment", "deployments", true),
        new("apps", "v1", "StatefulSet", "statefulsets", true),
        new("apps", "v1", "DaemonSet", "daemonsets", true),
        new("batch", "v1", "Job", "jobs", true),
        new("batch", "v1", "CronJob", "cronjobs", true),
        new("networking.k8s.io", "v1", "Ingress", "ingresses", true),
        new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
    ];

    public StandInCertificates Certificates { get; }

    public Uri BaseUrl { get; private set; } = null!;

    public StandInStore Store { get; } = new();

    /// <summary>The only bearer token it accepts; change it to model a rotated credential.</summary>
    public string Token
    {
        get => _token;
        set => _token = value;
    }

    /// <summary>Group versions whose resource list answers 503.</summary>
    public ConcurrentDictionary<string, bool> FailingGroupVersions { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request that reached it, in order.</summary>
    public IReadOnlyList<StandInRequest> Requests => [.. _requests];

    public static async Task<KubeApiStandIn> StartAsync(string token, StandInCertificates? certificates = null)
    {
        certificates ??= StandInCertificates.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
            options.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificates.Server,

                // Client certificates are asked for and judged per request (as the API server's x509
                // authenticator does): signed by this CA, or the request is anonymous.
                ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate,
                ClientCertificateValidation = (_, _, _) => true,
            })));
        var app = builder.Build();
        var standIn = new KubeApiStandIn(app, certificates, token);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.BaseUrl = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return standIn;
    }

    /// <summary>Serves a custom kind from now on (as a CRD that was just installed).</summary>
    public void AddCustomKind(StandInResource resource) => _custom[$"{resource.GroupVersion}/{resource.Kind}"] = resource;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificates.Dispose();
    }

    /// <summary>Whether <paramref name="client"/> chains to this stand-in's CA (and to nothing else).</summary>
    private bool SignedByAuthority(System.Security.Cryptography.X509Certificates.X509Certificate2 client)
    {
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificates.Authority);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        return chain.Build(client);
    }

    private IEnumerable<StandInResource> Resources => BuiltIn.Concat(_custom.Values);

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var auth = context.Request.Headers.Authorization.ToString();
        var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        var client = context.Connection.ClientCertificate;
        var certified = client is not null && SignedByAuthority(client);
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        _requests.Enqueue(new StandInRequest(context.Request.Method, target, token, context.Request.ContentType, body));
        StandInReply reply;
        try
        {
            reply = token != _token && !(token is null && certified)
                ? StandInStore.Status(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized")
                : Route(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.Query, context.Request.ContentType, body);
        }
        catch (Exception ex)
        {
            reply = StandInStore.Status(HttpStatusCode.InternalServerError, "InternalError", $"stand-in fault: {ex.GetType().Name}: {ex.Message}");
        }

        context.Response.StatusCode = (int)reply.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(reply.Body.ToJsonString());
    }

    private StandInReply Route(string method, string path, IQueryCollection query, string? contentType, string body)
    {
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (method == "GET" && parts is ["api"])
        {
            return Ok(new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1"), ["serverAddressByClientCIDRs"] = new JsonArray() });
        }

        if (method == "GET" && parts is ["apis"])
        {
            var groups = Resources.Where(r => r.Group.Length > 0).GroupBy(r => r.Group).Select(g => (JsonNode?)new JsonObject
            {
                ["name"] = g.Key,
                ["versions"] = new JsonArray([.. g.Select(r => r.Version).Distinct().Select(v => (JsonNode?)new JsonObject { ["groupVersion"] = $"{g.Key}/{v}", ["version"] = v })]),
                ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{g.Key}/{g.First().Version}", ["version"] = g.First().Version },
            });
            return Ok(new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = new JsonArray([.. groups]) });
        }

        if (method == "GET" && (parts is ["api", var coreVersion] || parts is ["apis", _, _]))
        {
            var groupVersion = parts.Length == 2 ? parts[1] : $"{parts[1]}/{parts[2]}";
            if (FailingGroupVersions.ContainsKey(groupVersion))
            {
                return StandInStore.Status(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", $"the server is currently unable to handle the request ({groupVersion})");
            }

            var listed = Resources.Where(r => r.GroupVersion == groupVersion).ToList();
            if (listed.Count == 0)
            {
                return StandInStore.Status(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");
            }

            var resources = new JsonArray();
            foreach (var r in listed)
            {
                resources.Add(new JsonObject { ["name"] = r.Plural, ["singularName"] = r.Kind.ToLowerInvariant(), ["namespaced"] = r.Namespaced, ["kind"] = r.Kind, ["verbs"] = new JsonArray("get", "list", "patch", "create", "update", "delete") });
                resources.Add(new JsonObject { ["name"] = r.Plural + "/status", ["singularName"] = string.Empty, ["namespaced"] = r.Namespaced, ["kind"] = r.Kind, ["verbs"] = new JsonArray("get", "patch") });
            }

            return Ok(new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = resources });
        }

        if (!TryObject(parts, out var resource, out var ns, out var name))
        {
            return StandInStore.Status(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");
        }

        var key = "/" + string.Join('/', parts);
        if (method == "GET")
        {
            return Store.Get(key, resource, name);
        }

        if (method != "PATCH")
        {
            return StandInStore.Status(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", $"{method} is not modelled by the stand-in");
        }

        if (contentType?.Split(';')[0].Trim() != "application/apply-patch+yaml")
        {
            return StandInStore.Status(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        if (query["fieldManager"].ToString() is not { Length: > 0 } manager)
        {
            return StandInStore.Status(HttpStatusCode.UnprocessableEntity, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        JsonObject? applied;
        try
        {
            applied = JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            applied = null;
        }

        if (applied is null || applied["kind"]?.ToString() != resource.Kind || applied["apiVersion"]?.ToString() != resource.GroupVersion
            || applied["metadata"]?["name"]?.ToString() != name || (ns is not null && applied["metadata"]?["namespace"] is { } given && given.ToString() != ns))
        {
            return StandInStore.Status(HttpStatusCode.BadRequest, "BadRequest", "the body's apiVersion, kind, name or namespace does not match the request path");
        }

        var dryRun = query["dryRun"].ToString() == "All";
        var force = query["force"].ToString() == "true";
        return Store.Apply(key, resource, ns, name, applied, manager, force, dryRun);
    }

    private bool TryObject(string[] parts, out StandInResource resource, out string? ns, out string name)
    {
        resource = null!;
        ns = null;
        name = string.Empty;
        string groupVersion;
        string[] rest;
        if (parts.Length >= 2 && parts[0] == "api")
        {
            (groupVersion, rest) = (parts[1], parts[2..]);
        }
        else if (parts.Length >= 3 && parts[0] == "apis")
        {
            (groupVersion, rest) = ($"{parts[1]}/{parts[2]}", parts[3..]);
        }
        else
        {
            return false;
        }

        string plural;
        if (rest is ["namespaces", var n, var p, var o])
        {
            (ns, plural, name) = (n, p, o);
        }
        else if (rest is [var p2, var o2])
        {
            (plural, name) = (p2, o2);
        }
        else
        {
            return false;
        }

        var found = Resources.FirstOrDefault(r => r.GroupVersion == groupVersion && r.Plural == plural);
        if (found is null || found.Namespaced != (ns is not null))
        {
            return false;
        }

        resource = found;
        return true;
    }

    private static StandInReply Ok(JsonObject body) => new(HttpStatusCode.OK, body);
}

/// <summary>A request as the stand-in received it (the token as sent, to check which credential was used).</summary>
internal sealed record StandInRequest(string Method, string Target, string? Token, string? ContentType, string Body)
{
    public bool IsDryRun => Target.Contains("dryRun=All", StringComparison.Ordinal);
}
