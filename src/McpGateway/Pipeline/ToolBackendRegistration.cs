using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Pipeline;

public static class ToolBackendRegistration
{
    /// <summary>Registers <typeparamref name="TBackend"/> as the backend of <paramref name="tool"/>, receiving <typeparamref name="TRequest"/>s.</summary>
    public static IServiceCollection AddToolBackend<TRequest, TBackend>(this IServiceCollection services, string tool)
        where TRequest : class
        where TBackend : class, IToolBackend<TRequest>
    {
        services.AddSingleton<TBackend>();
        services.AddSingleton<IToolExecutor>(provider => new TypedToolExecutor<TRequest>(tool, provider.GetRequiredService<TBackend>()));
        services.AddSingleton(new ToolBackendRegistered(tool));
        return services;
    }

    /// <summary>The tools whose backends <paramref name="services"/> holds.</summary>
    public static IEnumerable<string> RegisteredBackends(this IServiceCollection services) =>
        services.Select(d => d.ImplementationInstance).OfType<ToolBackendRegistered>().Select(r => r.Tool);
}

/// <summary>Marks, in the service collection, that a tool's backend was registered (checked at composition).</summary>
public sealed record ToolBackendRegistered(string Tool);
