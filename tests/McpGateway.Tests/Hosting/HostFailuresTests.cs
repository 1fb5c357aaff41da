using McpGateway.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpGateway.Tests.Hosting;

public sealed class HostFailuresTests
{
    [Fact]
    public async Task A_host_stopped_by_a_failing_background_service_exits_non_zero_and_says_why()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHostedService<FailingService>();
        using var host = builder.Build();
        var error = new StringWriter();

        await host.StartAsync();
        await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var status = await HostFailures.ExitStatusAsync(host.Services, error, success: 0);

        status.Should().Be(3);
        error.ToString().Should().StartWith("error: the gateway stopped because its FailingService failed (InvalidOperationException: the store vanished)");
    }

    [Fact]
    public async Task A_host_stopped_normally_keeps_its_exit_status()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHostedService<QuietService>();
        using var host = builder.Build();
        var error = new StringWriter();

        await host.StartAsync();
        await host.StopAsync();
        var status = await HostFailures.ExitStatusAsync(host.Services, error, success: 0);

        status.Should().Be(0);
        error.ToString().Should().BeEmpty();
    }

    private sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the store vanished");
        }
    }

    private sealed class QuietService : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
