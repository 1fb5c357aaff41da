namespace McpGateway.Configuration;

/// <summary>
/// A reference to a secret held outside the configuration: <c>{env:NAME}</c> or <c>{file:PATH}</c>.
/// Secrets are never written inline; the value is read when needed, so a rotated secret is picked up.
/// </summary>
public sealed record SecretReference
{
    private SecretReference(SecretSource source, string location, string text)
    {
        Source = source;
        Location = location;
        Text = text;
    }

    public SecretSource Source { get; }

    /// <summary>The environment variable name, or the absolute file path.</summary>
    public string Location { get; }

    /// <summary>The reference as written, safe to show.</summary>
    public string Text { get; }

    /// <summary>
    /// Reads the configuration <paramref name="setting"/> as a reference; when it is not one, adds
    /// an error naming the setting's path (and <paramref name="hint"/>, when given) and returns null.
    /// </summary>
    public static SecretReference? Read(Microsoft.Extensions.Configuration.IConfigurationSection setting, string baseDirectory, List<string> errors, string? hint = null)
    {
        var reference = TryParse(setting.Value, baseDirectory, out var error);
        if (reference is null)
        {
            errors.Add($"{setting.Path}: {error}{(hint is null ? string.Empty : $" ({hint})")}.");
        }

        return reference;
    }

    /// <summary>
    /// Parses a reference; relative file paths resolve against <paramref name="baseDirectory"/>.
    /// Returns an error message for anything that is not a reference (an inline secret included).
    /// </summary>
    public static SecretReference? TryParse(string? text, string baseDirectory, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; give a reference such as {env:NAME} or {file:PATH}";
            return null;
        }

        if (text.StartsWith("{env:", StringComparison.Ordinal) && text.EndsWith('}'))
        {
            var name = text[5..^1];
            if (name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return new SecretReference(SecretSource.Environment, name, text);
            }

            error = "names an invalid environment variable; use letters, digits and '_' as in {env:BILLING_TOKEN}";
            return null;
        }

        if (text.StartsWith("{file:", StringComparison.Ordinal) && text.EndsWith('}') && text.Length > 7)
        {
            var path = Path.GetFullPath(text[6..^1], baseDirectory);
            return new SecretReference(SecretSource.File, path, text);
        }

        // Never echo the value: it may be a secret written inline by mistake.
        error = "must be a reference, {env:NAME} or {file:PATH}; secrets are never written inline in the configuration";
        return null;
    }

    /// <summary>Reads the secret now. Throws <see cref="SecretUnavailableException"/> naming the reference, never the value.</summary>
    public string Resolve()
    {
        string? value;
        if (Source == SecretSource.Environment)
        {
            value = System.Environment.GetEnvironmentVariable(Location);
        }
        else
        {
            try
            {
                value = File.ReadAllText(Location).TrimEnd('\r', '\n');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SecretUnavailableException($"Secret {Text} cannot be read: {ex.GetType().Name}.");
            }
        }

        return string.IsNullOrEmpty(value)
            ? throw new SecretUnavailableException($"Secret {Text} is not set or empty.")
            : value;
    }

    public override string ToString() => Text;
}

public enum SecretSource
{
    Environment,
    File,
}

/// <summary>A referenced secret could not be read. The message names the reference only.</summary>
public sealed class SecretUnavailableException : Exception
{
    public SecretUnavailableException()
    {
    }

    public SecretUnavailableException(string message)
        : base(message)
    {
    }

    public SecretUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
