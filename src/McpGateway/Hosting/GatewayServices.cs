using McpGateway.Audit;
using McpGateway.Audit.Checkpoints;
using McpGateway.Configuration;
using McpGateway.Hosting.Authentication;
using McpGateway.Hosting.Mcp;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Storage;
using McpGateway.Tools.HttpCall;
using McpGateway.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace McpGateway.Hosting;

public static class GatewayServices
{
    /// <summary>
    /// Everything both transports share: runtime state, store, audit, keys, pipeline and tools.
    /// <paramref name="signingKey"/> signs audit checkpoints; when null it is opened (or, on the
    /// embedded store, created) from the configuration when first needed.
    /// </summary>
    public static IServiceCollection AddGatewayCore(this IServiceCollection services, GatewayRuntime runtime, IGatewayStore store, AuditSigningKey? signingKey = null)
    {
        services.AddSingleton(runtime);
        if (signingKey is not null)
        {
            services.AddSingleton(signingKey);
        }
        else
        {
            services.AddSingleton(_ => SigningKeySource.OpenOrCreate(runtime.Configuration.AuditOrDefault, runtime.Configuration.DataDirectory, store));
        }

        services.AddSingleton(provider => new AuditCheckpointWriter(
            provider.GetRequiredService<IAuditStore>(),
            provider.GetRequiredService<AuditSigningKey>(),
            runtime.Configuration.AuditOrDefault,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<AuditCheckpointWriter>>()));
        services.AddGatewayKeys(store, runtime.Secrets, new RuntimeIdentityDirectory(runtime));
        services.AddSingleton<CallLimiter>();
        services.AddSingleton<GatewayInstance>();
        services.AddSingleton<Pipeline.Stages.DecideStage>();
        services.AddSingleton<Pipeline.Stages.RecordStartStage>();
        services.AddSingleton<Pipeline.Stages.ExecuteStage>();
        services.AddSingleton<Pipeline.Stages.MaskStage>();
        services.AddSingleton<Approvals.ApprovalNotifier>();
        services.AddHttpClient(Delivery.SignedDelivery.ClientName).ConfigurePrimaryHttpMessageHandler(Delivery.SignedDelivery.CreateHandler);
        services.AddSingleton<Approvals.ApprovalService>();
        services.AddSingleton<Audit.Purge.AuditPurgeService>();
        services.AddSingleton<Audit.Changes.ConfigurationHistory>();
        services.AddSingleton<Audit.Forwarding.ForwardingState>();
        services.AddSingleton<Audit.Forwarding.AuditForwarder>();
        services.AddSingleton(provider => new ToolCallPipeline(
            provider.GetRequiredService<GatewayRuntime>(),
            provider.GetRequiredService<AuditRecorder>(),
            provider.GetRequiredService<CallLimiter>(),
            provider.GetRequiredService<Pipeline.Stages.DecideStage>(),
            provider.GetRequiredService<Pipeline.Stages.RecordStartStage>(),
            provider.GetRequiredService<Pipeline.Stages.ExecuteStage>(),
            provider.GetRequiredService<Pipeline.Stages.MaskStage>(),
            provider.GetRequiredService<Approvals.ApprovalService>(),
            provider.GetServices<IGatewayToolModule>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ToolCallPipeline>>()));
        services.AddSingleton<ApprovalStatusTool>();
        foreach (var tool in GatewayTools.All)
        {
            services.AddSingleton(tool);
            tool.AddBackend(services);
        }

        // Start-up refuses a tool without a backend, rather than its first call.
        var backends = services.RegisteredBackends().ToHashSet(StringComparer.Ordinal);
        if (GatewayTools.All.FirstOrDefault(t => !backends.Contains(t.Policy.Name)) is { } missing)
        {
            throw new InvalidOperationException($"Tool '{missing.Policy.Name}' registers no backend: its module's AddBackend must call AddToolBackend.");
        }

        services.AddHostedService<AuditCheckpointService>();
        services.AddHostedService<ReloadService>();
        services.AddHostedService<AbandonedCallService>();
        services.AddHostedService<Approvals.ApprovalSweepService>();
        services.AddHostedService<Audit.Purge.AuditRetentionService>();
        services.AddHostedService<Approvals.WebhookDeliveryService>();
        services.AddHostedService<Audit.Forwarding.AuditForwardingService>();
        return services;
    }

    /// <summary>
    /// The store, the audit recorder and the API keys: what every verb that works on the store
    /// uses, composed once. <paramref name="identities"/> is where keys' identities are looked up
    /// (the serving runtime, or the configuration a verb loaded).
    /// </summary>
    public static IServiceCollection AddGatewayKeys(this IServiceCollection services, IGatewayStore store, HeldSecrets secrets, IIdentityDirectory identities)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton(store.Audit);
        services.AddSingleton(secrets);
        services.AddSingleton(provider => new AuditRecorder(provider.GetRequiredService<IAuditStore>(), secrets, provider.GetService<GatewayRuntime>()));
        services.AddSingleton(identities);
        services.AddSingleton<ApiKeyService>();
        return services;
    }

    /// <summary>Every log line goes to standard error (on stdio, standard output is the protocol).</summary>
    public static ILoggingBuilder AddGatewayLogging(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddConsole(options => options.FormatterName = EscapingConsoleFormatter.FormatterName)
            .AddConsoleFormatter<EscapingConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
        return logging;
    }
}
