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
        return services;
    }
}
