using System.Net;
using System.Security.Cryptography.X509Certificates;
using McpGateway.Hosting.Authentication;
using McpGateway.Hosting.Authentication.Oidc;
using McpGateway.Hosting.Mcp;
using McpGateway.Runtime;
using McpGateway.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.AspNetCore;

namespace McpGateway.Hosting.Http;

/// <summary>
/// <c>serve --http URL</c>: Streamable HTTP at <c>/mcp</c> with bearer API keys, <c>/healthz</c>,
/// DNS-rebinding protection. Loopback by default; another address needs TLS or <c>--insecure-bind</c>.
/// </summary>
internal static class HttpGatewayHost
{
    /// <summary>Largest MCP request body accepted over HTTP.</summary>
    public const long MaxRequestBytes = 4 * 1024 * 1024;

    /// <summary>The authorization policy of <c>/mcp</c>: only identities with the agent role.</summary>
    public const string AgentPolicy = "mcp-agent";

    public static async Task<int> RunAsync(GatewayRuntime runtime, IGatewayStore store, Audit.Checkpoints.AuditSigningKey signingKey, Uri url, bool insecureBind, TextWriter error, CancellationToken cancellationToken)
    {
        if (Validate(url, insecureBind, runtime) is { } problem)
        {
            await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            return McpGateway.Cli.GatewayCli.Misuse;
        }

        var options = runtime.Configuration.Http;
        var binding = new HttpBinding(url, options.AllowedHosts);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.AddGatewayLogging();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // A tool call is a few kilobytes; nothing legitimate needs Kestrel's 30 MB default.
            kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;
            var address = url.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(url.Host.Trim('[', ']'));
            kestrel.Listen(address, url.Port, listen =>
            {
                if (url.Scheme == Uri.UriSchemeHttps)
                {
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(options.CertificatePath!, options.CertificateKeyPath));
                }
            });
        });

        builder.Services.AddGatewayCore(runtime, store, signingKey);
        builder.Services.AddSingleton(binding);
        builder.Services.AddSingleton<SecurityLog>();
        // One authenticator for the process: its key caches are what rate-limits fetches from the providers.
        builder.Services.AddSingleton(services => new OidcAuthenticator(
            new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) },
            TimeProvider.System,
            services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OidcAuthenticator>>()));
        builder.Services.AddSingleton<ICallerResolver, HttpCallerResolver>();
        builder.Services.AddAuthentication(GatewayClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(GatewayClaims.Scheme, _ => { })
            .AddScheme<AuthenticationSchemeOptions, Console.ConsoleAuthenticationHandler>(Console.ConsoleSessionService.Scheme, _ => { });
        builder.Services.AddSingleton<Console.ConsoleSessionService>();

        // The console's cookies and antiforgery tokens are protected with a key ring kept in the
        // store, so replicas and restarts agree on them.
        Microsoft.AspNetCore.DataProtection.DataProtectionBuilderExtensions.SetApplicationName(builder.Services.AddDataProtection(), "mcp-gateway");
        builder.Services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(options => options.XmlRepository = new Console.StoreXmlRepository(store.Console, TimeProvider.System));
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "mcpgw-antiforgery";
            options.Cookie.Path = "/console";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddAuthorization(authorization =>
        {
            authorization.AddPolicy(AgentPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Policies.Roles.Agent));
            // A role's rights on /api; a caller authenticated by a token also needs the role's scope in it.
            authorization.AddPolicy(AuditEndpoints.ReaderPolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(c =>
                GatewayClaims.HasRight(c.User, Policies.Roles.Auditor, runtime.Configuration.Oidc) || GatewayClaims.HasRight(c.User, Policies.Roles.Operator, runtime.Configuration.Oidc)));
            authorization.AddPolicy(ApprovalEndpoints.OperatorPolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(c => GatewayClaims.HasRight(c.User, Policies.Roles.Operator, runtime.Configuration.Oidc)));
            // The console: its own cookie, never a bearer credential, for operators and auditors.
            authorization.AddPolicy(Console.ConsolePages.Policy, policy => policy.AddAuthenticationSchemes(Console.ConsoleSessionService.Scheme).RequireAuthenticatedUser().RequireRole(Policies.Roles.Operator, Policies.Roles.Auditor));
            authorization.AddPolicy(Console.ConsolePages.OperatorPolicy, policy => policy.AddAuthenticationSchemes(Console.ConsoleSessionService.Scheme).RequireAuthenticatedUser().RequireRole(Policies.Roles.Operator));
            authorization.AddPolicy(AuditPurgeEndpoints.AuditorPolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(c => GatewayClaims.HasRight(c.User, Policies.Roles.Auditor, runtime.Configuration.Oidc)));
        });
        builder.Services.AddProblemDetails();
        var quota = new SessionQuota(options.MaxSessionsPerIdentity, TimeProvider.System);
        builder.Services.AddSingleton(quota);
        builder.Services.AddGatewayMcpServer().WithHttpTransport(transport =>
        {
            transport.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
#pragma warning disable MCPEXP002 // The only hook that sees a session end, to give back its quota slot.
            transport.RunSessionHandler = async (context, server, cancellationToken) =>
            {
                var session = server.SessionId;
                try
                {
                    await server.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (session is not null)
                    {
                        quota.Ended(session);
                    }
                }
            };
#pragma warning restore MCPEXP002
        });

        await using var app = builder.Build();
        app.UseMiddleware<HostGuardMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseWhen(McpEndpointMetadata.Applies, mcp => mcp.UseMiddleware<JsonContentTypeMiddleware>().UseMiddleware<SessionQuotaMiddleware>());
        app.MapGet("/healthz", (GatewayRuntime state, Audit.Checkpoints.AuditCheckpointWriter checkpoints) =>
            Results.Json(new { status = checkpoints.Failure is null ? "ok" : "degraded", revision = state.Engine.Revision })).AllowAnonymous();

        // The details, for operators and auditors only. Forwarding lag is reported, not a health
        // failure: a SIEM outage does not make the gateway unhealthy.
        app.MapGet("/api/status", (GatewayRuntime state, Audit.Checkpoints.AuditCheckpointWriter checkpoints, Audit.Forwarding.ForwardingState forwarding) =>
            Results.Json(new
            {
                status = checkpoints.Failure is null ? "ok" : "degraded",
                revision = state.Engine.Revision,
                checkpoints = checkpoints.Failure is { } failure ? new { lastError = failure } : null,
                forwarding = forwarding.Current,
            })).RequireAuthorization(AuditEndpoints.ReaderPolicy);
        app.MapMcp("/mcp").RequireAuthorization(AgentPolicy).WithMetadata(McpEndpointMetadata.Instance);
        app.MapApprovalEndpoints();
        app.MapAuditEndpoints();
        app.MapAuditPurgeEndpoints();
        app.MapProtectedResourceMetadata();
        Console.ConsolePages.MapConsole(app);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        if (AnonymousNotice(runtime.Configuration.Anonymous, binding) is { } notice)
        {
            await error.WriteLineAsync(notice).ConfigureAwait(false);
        }

        var listening = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? url.ToString();
        await error.WriteLineAsync($"mcp-gateway listening on {listening.TrimEnd('/')}/mcp (policy revision {runtime.Engine.Revision[..12]})").ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return await HostFailures.ExitStatusAsync(app.Services, error, McpGateway.Cli.GatewayCli.Success).ConfigureAwait(false);
    }

    /// <summary>
    /// Anonymous access lets anyone who can reach the port act as an identity: say so at start,
    /// and say when it is configured but does not apply because the bind is not loopback.
    /// </summary>
    internal static string? AnonymousNotice(Configuration.AnonymousOptions anonymous, HttpBinding binding) => anonymous switch
    {
        { Enabled: true, Identity: { } name } when binding.IsLoopback =>
            $"warning: anonymous access is on: requests without a credential act as '{name}' (only because this bind is loopback; a bad or revoked key is still refused with 401).",
        { Enabled: true, Identity: { } name } =>
            $"warning: anonymous access is configured (as '{name}') but off: {binding.Url.Host} is not a loopback address, so every request needs an API key.",
        _ => null,
    };

    private static string? Validate(Uri url, bool insecureBind, GatewayRuntime runtime)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            return $"--http needs an http:// or https:// URL such as http://127.0.0.1:8080, not '{url}'.";
        }

        if (!url.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(url.Host.Trim('[', ']'), out _))
        {
            return $"--http binds to an IP address (such as 127.0.0.1 or 0.0.0.0) or localhost, not the name '{url.Host}'.";
        }

        if (url.AbsolutePath != "/")
        {
            return "--http takes a scheme, address and port only; MCP is served at /mcp.";
        }

        var options = runtime.Configuration.Http;
        if (url.Scheme == Uri.UriSchemeHttps && options.CertificatePath is null)
        {
            return "https needs a certificate: set McpGateway:Http:Certificate:Path and :KeyPath (PEM files).";
        }

        if (!HttpBinding.IsLoopbackHost(url.Host) && url.Scheme != Uri.UriSchemeHttps && !insecureBind)
        {
            return $"Binding to {url.Host} without TLS would expose API keys on the network. Use https with a certificate, or pass --insecure-bind if a TLS-terminating proxy sits in front.";
        }

        return null;
    }
}
