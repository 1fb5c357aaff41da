using System.Collections.Immutable;
using System.Globalization;
using McpGateway.Policies.Model;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>How a webhook receiver wants its messages.</summary>
public enum WebhookFormat
{
    /// <summary>The gateway's own JSON event.</summary>
    Generic,

    /// <summary>A Slack incoming-webhook message (<c>text</c> plus blocks).</summary>
    Slack,
}

/// <summary>A receiver of approval notifications. Its URL is a secret (a Slack webhook URL grants posting).</summary>
public sealed record WebhookOptions(string Name, SecretReference Url, WebhookFormat Format, SecretReference SigningKey)
{
    public IEnumerable<SecretReference> Secrets => [Url, SigningKey];
}

/// <summary>
/// <c>McpGateway:Approvals</c>: the lifetimes and limits of approval requests (DESIGN.md's
/// "Approval integrity") and who is told about them.
/// </summary>
/// <param name="Expiry">A pending request expires this long after it was made.</param>
/// <param name="ExecuteWithin">An approved request must run within this long of its approval, or it expires.</param>
/// <param name="Wait">How long a call whose client sent a progress token waits for a decision.</param>
/// <param name="WaitWithoutProgress">How long a call without a progress token waits before it answers <c>pending</c>.</param>
/// <param name="MaxPendingPerIdentity">Pending requests one identity may have at once.</param>
/// <param name="RetainUnmasked">How long after an approval is final its unmasked request and stored result are kept.</param>
/// <param name="Webhooks">Receivers of new requests and decisions.</param>
public sealed record ApprovalOptions(
    TimeSpan Expiry,
    TimeSpan ExecuteWithin,
    TimeSpan Wait,
    TimeSpan WaitWithoutProgress,
    int MaxPendingPerIdentity,
    TimeSpan RetainUnmasked,
    ImmutableArray<WebhookOptions> Webhooks)
{
    public static ApprovalOptions Default { get; } = new(
        TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(15),
        TimeSpan.FromSeconds(45),
        TimeSpan.FromSeconds(2),
        10,
        TimeSpan.FromDays(7),
        []);

    public IEnumerable<SecretReference> Secrets => Webhooks.SelectMany(w => w.Secrets);

    internal static ApprovalOptions Read(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        string[] known = ["Expiry", "ExecuteWithin", "Wait", "WaitWithoutProgress", "MaxPendingPerIdentity", "RetainUnmasked", "Webhooks"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; known settings are {string.Join(", ", known)}.");
        }

        TimeSpan Duration(string key, TimeSpan fallback)
        {
            if (section[key] is not { Length: > 0 } text)
            {
                return fallback;
            }

            if (DurationText.TryParse(text, out var value) && value > TimeSpan.Zero)
            {
                return value;
            }

            errors.Add($"{section.Path}:{key}: '{text}' is not a positive duration such as 45s, 15m or 7d.");
            return fallback;
        }

        var defaults = Default;
        var maxPending = defaults.MaxPendingPerIdentity;
        if (section["MaxPendingPerIdentity"] is { Length: > 0 } pending
            && (!int.TryParse(pending, NumberStyles.None, CultureInfo.InvariantCulture, out maxPending) || maxPending < 1))
        {
            errors.Add($"{section.Path}:MaxPendingPerIdentity: '{pending}' is not a whole number of at least 1.");
        }

        var options = new ApprovalOptions(
            Duration("Expiry", defaults.Expiry),
            Duration("ExecuteWithin", defaults.ExecuteWithin),
            Duration("Wait", defaults.Wait),
            Duration("WaitWithoutProgress", defaults.WaitWithoutProgress),
            maxPending,
            Duration("RetainUnmasked", defaults.RetainUnmasked),
            ReadWebhooks(section.GetSection("Webhooks"), baseDirectory, errors));
        if (options.WaitWithoutProgress > options.Wait)
        {
            errors.Add($"{section.Path}:WaitWithoutProgress: longer than Wait; a client without progress notifications should get its answer sooner, not later.");
        }

        return options;
    }

    private static ImmutableArray<WebhookOptions> ReadWebhooks(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        string[] known = ["Url", "Format", "SigningKey"];
        var result = ImmutableArray.CreateBuilder<WebhookOptions>();
        foreach (var hook in section.GetChildren())
        {
            foreach (var unknown in hook.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                errors.Add($"{unknown.Path}: unknown setting; a webhook has {string.Join(", ", known)}.");
            }

            var url = SecretReference.Read(hook.GetSection("Url"), baseDirectory, errors, "a webhook URL is a secret: give it as {env:NAME} or {file:PATH}");
            var key = SecretReference.Read(hook.GetSection("SigningKey"), baseDirectory, errors, "receivers check the X-McpGateway-Signature header with it");

            var format = WebhookFormat.Generic;
            if (hook["Format"] is { Length: > 0 } text && !Enum.TryParse(text, ignoreCase: true, out format))
            {
                errors.Add($"{hook.Path}:Format: '{text}' is not one of generic, slack.");
            }

            if (url is not null && key is not null)
            {
                result.Add(new WebhookOptions(hook.Key, url, format, key));
            }
        }

        return result.ToImmutable();
    }
}
