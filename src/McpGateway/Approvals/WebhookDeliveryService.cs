using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using McpGateway.Configuration;
using McpGateway.Diagnostics;
using McpGateway.Pipeline;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Approvals;

/// <summary>
/// Delivers the outbox to the configured webhooks from whichever replica holds the delivery
/// lease, so each message is sent by one process. Every message is signed
/// (<c>X-McpGateway-Signature: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(key, t + "." + body)&gt;</c>) and
/// carries <c>X-McpGateway-Delivery</c>; failures are retried with exponential backoff and given
/// up after <see cref="MaxAttempts"/>. Redirects are not followed.
/// </summary>
internal sealed partial class WebhookDeliveryService(IGatewayStore store, Runtime.GatewayRuntime runtime, GatewayInstance instance, IHttpClientFactory clients, TimeProvider time, ILogger<WebhookDeliveryService> logger) : BackgroundService
{
    public const string JobName = "webhooks";
    public const string ClientName = "mcpgw-webhooks";
    public const int MaxAttempts = 8;

    /// <summary>The first retry waits this long; each next one twice as long, up to <see cref="MaxBackoff"/>.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>The signature header's value for <paramref name="body"/> sent at <paramref name="at"/>.</summary>
    public static string Sign(string key, DateTimeOffset at, string body)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks * (1L << Math.Clamp(attempts, 0, 20))));

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
                await store.Outbox.MarkFailedAsync(message.Id, problem, time.GetUtcNow() + Backoff(message.Attempts), cancellationToken).ConfigureAwait(false);
                Failed(logger, hook.Name, message.Attempts + 1, problem);
            }
        }
    }

    /// <summary>Sends one message; null when the receiver took it (2xx), else why not (never a secret: the URL is not named).</summary>
    private async Task<string?> SendAsync(WebhookOptions hook, OutboxMessage message, HeldSecrets secrets, CancellationToken cancellationToken)
    {
        string url;
        string key;
        try
        {
            url = secrets.Use(hook.Url);
            key = secrets.Use(hook.SigningKey);
        }
        catch (SecretUnavailableException ex)
        {
            return ex.Message;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp))
        {
            return $"the URL in {hook.Url.Text} is not an absolute http(s) URL";
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(message.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-McpGateway-Signature", Sign(key, time.GetUtcNow(), message.Body));
        request.Headers.Add("X-McpGateway-Delivery", message.Id);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"the receiver answered {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return $"the receiver could not be reached ({ex.HttpRequestError})";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "the receiver did not answer within 10 s";
        }
    }

    [LoggerMessage(GatewayEventIds.WebhookDelivered, LogLevel.Debug, "Delivered {Delivery} to webhook {Webhook}")]
    private static partial void Delivered(ILogger logger, string webhook, string delivery);

    [LoggerMessage(GatewayEventIds.WebhookFailed, LogLevel.Warning, "Webhook {Webhook}: attempt {Attempt} failed: {Problem}; retrying with backoff")]
    private static partial void Failed(ILogger logger, string webhook, int attempt, string problem);

    [LoggerMessage(GatewayEventIds.WebhookGaveUp, LogLevel.Error, "Webhook {Webhook}: gave up delivering {Delivery}")]
    private static partial void GaveUp(ILogger logger, string webhook, string delivery);
}
