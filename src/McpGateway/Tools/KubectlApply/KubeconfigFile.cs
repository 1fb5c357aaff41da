using System.Text;
using k8s;
using k8s.KubeConfigModels;
using McpGateway.Configuration;

namespace McpGateway.Tools.KubectlApply;

/// <summary>What the gateway takes from one kubeconfig context: where the cluster is, its CA, and a static credential.</summary>
/// <param name="Server">The cluster's server URL.</param>
/// <param name="CertificateAuthorityPem">The cluster's CA (certificate-authority-data or the file certificate-authority names), or null.</param>
/// <param name="Token">The user's static token, or null.</param>
/// <param name="ClientCertificatePem">The user's client certificate, or null.</param>
/// <param name="ClientKeyPem">The client certificate's key, or null.</param>
/// <param name="Namespace">The context's namespace, or null.</param>
/// <param name="CredentialFiles">The files the user's entry names (client-certificate, client-key), as references.</param>
internal sealed record KubeconfigContext(Uri Server, string? CertificateAuthorityPem, string? Token, string? ClientCertificatePem, string? ClientKeyPem, string? Namespace, IReadOnlyList<SecretReference> CredentialFiles);

/// <summary>
/// Reads one context of a kubeconfig, with the client library's kubeconfig model. Only static
/// credentials are accepted: a user entry with <c>exec</c> or <c>auth-provider</c> (which would
/// run a program or call an identity provider from the gateway), a username and password,
/// impersonation, or <c>insecure-skip-tls-verify</c> is refused. Messages name the entry, never a value.
/// </summary>
internal static class KubeconfigFile
{
    public static KubeconfigContext? Read(string text, string folder, string? contextName, string where, List<string> errors)
    {
        K8SConfiguration config;
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
            config = KubernetesClientConfiguration.LoadKubeConfig(stream);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The parser's message may quote the file: it is not repeated.
            errors.Add($"{where}: is not a readable kubeconfig (YAML with clusters, users and contexts).");
            return null;
        }

        var name = contextName ?? config.CurrentContext;
        if (string.IsNullOrEmpty(name))
        {
            errors.Add($"{where}: the kubeconfig has no current-context; set Context to one of its contexts ({Names(config.Contexts?.Select(c => c.Name))}).");
            return null;
        }

        var context = config.Contexts?.FirstOrDefault(c => c.Name == name)?.ContextDetails;
        if (context is null)
        {
            errors.Add($"{where}: the kubeconfig has no context '{name}'; its contexts are {Names(config.Contexts?.Select(c => c.Name))}.");
            return null;
        }

        var cluster = config.Clusters?.FirstOrDefault(c => c.Name == context.Cluster)?.ClusterEndpoint;
        var user = config.Users?.FirstOrDefault(u => u.Name == context.User)?.UserCredentials;
        if (cluster is null || user is null)
        {
            errors.Add($"{where}: context '{name}' names {(cluster is null ? $"cluster '{context.Cluster}'" : $"user '{context.User}'")}, which the kubeconfig does not define.");
            return null;
        }

        var before = errors.Count;
        if (!Uri.TryCreate(cluster.Server, UriKind.Absolute, out var server) || server.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add($"{where}: cluster '{context.Cluster}' has server '{cluster.Server}', which is not an https:// URL; the gateway sends its credential only over TLS.");
        }

        if (cluster.SkipTlsVerify)
        {
            errors.Add($"{where}: cluster '{context.Cluster}' sets insecure-skip-tls-verify; the gateway always verifies the server's certificate. Give certificate-authority-data instead.");
        }

        var ca = cluster.CertificateAuthorityData is { Length: > 0 } caData ? Decode(caData, $"cluster '{context.Cluster}' certificate-authority-data", where, errors)
            : cluster.CertificateAuthority is { Length: > 0 } caFile ? ReadFile(caFile, folder, $"cluster '{context.Cluster}' certificate-authority", where, errors)
            : null;

        var who = $"user '{context.User}'";
        if (user.ExternalExecution is not null)
        {
            errors.Add($"{where}: {who} authenticates with 'exec', which would run a program from the gateway; only a static token or client certificate is accepted. Give the cluster a token (Token) or client certificate instead.");
        }

        if (user.AuthProvider is not null)
        {
            errors.Add($"{where}: {who} authenticates with 'auth-provider', which the gateway does not run; only a static token or client certificate is accepted.");
        }

        if (!string.IsNullOrEmpty(user.UserName) || !string.IsNullOrEmpty(user.Password))
        {
            errors.Add($"{where}: {who} has a username and password; only a static token or client certificate is accepted.");
        }

        if (!string.IsNullOrEmpty(user.Impersonate) || user.ImpersonateGroups?.Any() == true)
        {
            errors.Add($"{where}: {who} impersonates another user, which the gateway does not do; give the credential of the account to act as.");
        }

        var files = new List<SecretReference>();
        var certificate = user.ClientCertificateData is { Length: > 0 } certData ? Decode(certData, $"{who} client-certificate-data", where, errors)
            : user.ClientCertificate is { Length: > 0 } certFile ? ReadFile(certFile, folder, $"{who} client-certificate", where, errors, files)
            : null;
        var key = user.ClientKeyData is { Length: > 0 } keyData ? Decode(keyData, $"{who} client-key-data", where, errors)
            : user.ClientKey is { Length: > 0 } keyFile ? ReadFile(keyFile, folder, $"{who} client-key", where, errors, files)
            : null;
        var token = string.IsNullOrEmpty(user.Token) ? null : user.Token;
        if ((certificate is null) != (key is null))
        {
            errors.Add($"{where}: {who} has a client certificate without its key, or a key without its certificate; give both.");
        }

        if (token is null && certificate is null && errors.Count == before)
        {
            errors.Add($"{where}: {who} has neither a static token nor a client certificate (tokenFile is not read from a kubeconfig: give the file as Token, {{file:PATH}}, instead).");
        }

        return errors.Count > before || server is null
            ? null
            : new KubeconfigContext(server, ca, token, certificate, key, string.IsNullOrEmpty(context.Namespace) ? null : context.Namespace, files);
    }

    private static string? Decode(string base64, string what, string where, List<string> errors)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            errors.Add($"{where}: {what} is not Base64.");
            return null;
        }
    }

    private static string? ReadFile(string path, string folder, string what, string where, List<string> errors, List<SecretReference>? files = null)
    {
        var full = Path.GetFullPath(path, folder);
        try
        {
            var text = File.ReadAllText(full);
            if (files is not null && SecretReference.TryParse("{file:" + full + "}", folder, out _) is { } reference)
            {
                files.Add(reference);
            }

            return text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{where}: {what} names the file '{full}', which cannot be read ({ex.GetType().Name}).");
            return null;
        }
    }

    private static string Names(IEnumerable<string>? names) =>
        names?.ToList() is { Count: > 0 } list ? string.Join(", ", list) : "none";
}
