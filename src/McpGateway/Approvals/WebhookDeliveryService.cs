using McpGateway.Configuration;
using McpGateway.Delivery;
using McpGateway.Diagnostics;
using McpGateway.Pipeline;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Approvals;

/// <summary>
/// Delivers the outbox to the configured webhooks from whichever replica holds the delivery
/// lease, so each message is sent by one process. Every message is signed and carries
/// <c>X-McpGateway-Delivery</c> (<see cref="SignedDelivery"/>); failures are retried with
/// exponential backoff and given up after <see cref="MaxAttempts"/>. Redirects are not followed.
/// </summary>
internal sealed partial class WebhookDeliveryService(IGatewayStore store, Runtime.GatewayRuntime runtime, GatewayInstance instance, IHttpClientFactory clients, TimeProvider time, ILogger<WebhookDeliveryService> logger) : BackgroundService
{
    public const string JobName = "webhooks";
    public const int MaxAttempts = 8;

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Poll, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await DeliverDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Failed(logger, "(outbox)", 0, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    internal async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = await store.Outbox.DueAsync(now, 50, cancellationToken).ConfigureAwait(false);
        if (due.Count == 0 || !await store.Jobs.TryAcquireAsync(JobName, instance.Id, now, now + TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var snapshot = runtime.Current;
        foreach (var message in due)
        {
            var hook = snapshot.Configuration.Approvals.Webhooks.FirstOrDefault(w => w.Name == message.Webhook);
            if (hook is null)
            {
                await store.Outbox.MarkFailedAsync(message.Id, "the webhook is no longer configured", null, cancellationToken).ConfigureAwait(false);
                GaveUp(logger, message.Webhook, message.Id);
                continue;
            }

            var problem = await SendAsync(hook, message, snapshot.Secrets, cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                await store.Outbox.MarkDeliveredAsync(message.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                Delivered(logger, hook.Name, message.Id);
            }
            else if (message.Attempts + 1 >= MaxAttempts)
            {
                await store.Outbox.MarkFailedAsync(message.Id, problem, null, cancellationToken).ConfigureAwait(false);
                GaveUp(logger, hook.Name, message.Id);
            }
            else
            {
                await store.Outbox.MarkFailedAsync(message.Id, problem, time.GetUtcNow() + SignedDelivery.Backoff(message.Attempts), cancellationToken).ConfigureAwait(false);
                Failed(logger, hook.Name, message.Attempts + 1, problem);
            }
        }
    }

    /// <summary>Sends one message; null when the receiver took it (2xx), else why not (never a secret: the URL is not named).</summary>
    private Task<string?> SendAsync(WebhookOptions hook, OutboxMessage message, HeldSecrets secrets, CancellationToken cancellationToken) =>
        SignedDelivery.SendAsync(clients.CreateClient(SignedDelivery.ClientName), hook.Url, hook.SigningKey, secrets, httpsOnly: false, message.Body, "application/json", message.Id, time.GetUtcNow(), Timeout, cancellationToken);

    [LoggerMessage(GatewayEventIds.WebhookDelivered, LogLevel.Debug, "Delivered {Delivery} to webhook {Webhook}")]
    private static partial void Delivered(ILogger logger, string webhook, string delivery);

    [LoggerMessage(GatewayEventIds.WebhookFailed, LogLevel.Warning, "Webhook {Webhook}: attempt {Attempt} failed: {Problem}; retrying with backoff")]
    private static partial void Failed(ILogger logger, string webhook, int attempt, string problem);

    [LoggerMessage(GatewayEventIds.WebhookGaveUp, LogLevel.Error, "Webhook {Webhook}: gave up delivering {Delivery}")]
    private static partial void GaveUp(ILogger logger, string webhook, string delivery);
}
