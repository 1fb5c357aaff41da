using System.Security.Cryptography.X509Certificates;
using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Kubernetes;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// Reads <c>Targets:Kubernetes</c>. A cluster authenticates in exactly one way: <c>Token</c>,
/// <c>ClientCertificate</c> with <c>ClientKey</c> (both with <c>Server</c> and, usually,
/// <c>CertificateAuthority</c>), <c>Kubeconfig</c> (with an optional <c>Context</c>; server and CA
/// come from it), or <c>InCluster: true</c> (the pod's service account). A kubeconfig is read at
/// load, and one whose user runs <c>exec</c> or an <c>auth-provider</c> is refused there. Makes one
/// <see cref="KubernetesConnection"/> per cluster, without connecting.
/// </summary>
internal sealed class KubernetesClusterReader(string serviceAccountDirectory, Func<string, string?> environment) : ITargetKind
{
    /// <summary>Where Kubernetes mounts a pod's service account (token, ca.crt, namespace).</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    private static readonly string[] Ways = ["Token", "ClientCertificate", "Kubeconfig"];
    private static readonly string[] ServerSettings = ["Server", "CertificateAuthority", "ClientKey"];

    private static readonly string[] KnownKeys =
        ["Server", "CertificateAuthority", "Token", "ClientCertificate", "ClientKey", "Kubeconfig", "Context", "InCluster", "DefaultNamespace"];

    public KubernetesClusterReader()
        : this(ServiceAccountDirectory, Environment.GetEnvironmentVariable)
    {
    }

    public string Kind => TargetKinds.Kubernetes;

    public object? CreateClient(ConfiguredTarget target, HeldSecrets secrets) => CreateClient(target, secrets, null);

    public object? CreateClient(ConfiguredTarget target, HeldSecrets secrets, object? previous) =>
        target is KubernetesClusterOptions cluster ? new KubernetesConnection(cluster, secrets, previous as KubernetesConnection) : null;

    /// <summary>The cluster with the kinds its discovery lists, as far as the connection has read them.</summary>
    public TargetInfo? ToPolicyTarget(ConfiguredTarget target, object? client) =>
        target is KubernetesClusterOptions cluster && client is KubernetesConnection connection
            ? new KubernetesTargetInfo(cluster.Name, cluster.DefaultNamespace, connection.Discovery.Current)
            : null;

    public IEnumerable<ConfiguredTarget> Read(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        var result = new List<ConfiguredTarget>();
        foreach (var cluster in section.GetChildren())
        {
            var before = errors.Count;
            if (!IdentityReader.IsName(cluster.Key))
            {
                errors.Add($"{cluster.Path}: cluster names use letters, digits, '-', '_' and '.'.");
            }

            foreach (var unknown in cluster.GetChildren().Where(c => !KnownKeys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                errors.Add($"{unknown.Path}: unknown setting; a Kubernetes cluster has {string.Join(", ", KnownKeys)}.");
            }

            if (ReadCluster(cluster, baseDirectory, errors) is { } options && errors.Count == before)
            {
                result.Add(options);
            }
        }

        return result;
    }

    private KubernetesClusterOptions? ReadCluster(IConfigurationSection cluster, string baseDirectory, List<string> errors)
    {
        var path = cluster.Path;
        var inCluster = false;
        if (cluster["InCluster"] is { Length: > 0 } flag && !bool.TryParse(flag, out inCluster))
        {
            errors.Add($"{path}:InCluster: '{flag}' is not true or false.");
        }

        var given = Ways.Where(k => Has(cluster, k)).Concat(inCluster ? ["InCluster"] : []).ToList();
        if (given.Count != 1)
        {
            errors.Add($"{path}: give exactly one way to authenticate — Token, ClientCertificate with ClientKey, Kubeconfig (with an optional Context), or InCluster: true{(given.Count > 1 ? $"; it gives {string.Join(", ", given)}" : string.Empty)}.");
            return null;
        }

        if (Has(cluster, "ClientKey") != Has(cluster, "ClientCertificate"))
        {
            errors.Add($"{path}: ClientCertificate and ClientKey go together; give both, as {{file:PATH}} references to PEM files.");
        }

        if (Has(cluster, "Context") && !Has(cluster, "Kubeconfig"))
        {
            errors.Add($"{path}:Context: only with Kubeconfig.");
        }

        var defaultNamespace = cluster["DefaultNamespace"];
        if (defaultNamespace is { Length: > 0 } && !KubernetesNames.IsNamespace(defaultNamespace))
        {
            errors.Add($"{path}:DefaultNamespace: '{defaultNamespace}' is not a namespace name (lower-case letters, digits and '-', at most 63 characters).");
        }

        return given[0] switch
        {
            "Kubeconfig" => FromKubeconfig(cluster, baseDirectory, defaultNamespace, errors),
            "InCluster" => FromServiceAccount(cluster, defaultNamespace, errors),
            _ => FromSettings(cluster, baseDirectory, defaultNamespace, errors),
        };
    }

    private static KubernetesClusterOptions? FromSettings(IConfigurationSection cluster, string baseDirectory, string? defaultNamespace, List<string> errors)
    {
        var server = Server(cluster, errors);
        var ca = Has(cluster, "CertificateAuthority") ? CertificateAuthority(cluster.GetSection("CertificateAuthority"), baseDirectory, errors) : null;
        var token = Secret(cluster, "Token", baseDirectory, errors);
        var certificate = Secret(cluster, "ClientCertificate", baseDirectory, errors);
        var key = Secret(cluster, "ClientKey", baseDirectory, errors);
        return server is null
            ? null
            : new KubernetesClusterOptions(cluster.Key, server, ca?.Pem, ca?.Source, token, certificate, key, null, null, false, Namespace(defaultNamespace, null), []);
    }

    private static KubernetesClusterOptions? FromKubeconfig(IConfigurationSection cluster, string baseDirectory, string? defaultNamespace, List<string> errors)
    {
        foreach (var key in ServerSettings.Where(k => Has(cluster, k)))
        {
            errors.Add($"{cluster.Path}:{key}: not with Kubeconfig; the kubeconfig's context gives the server, its CA and the credential.");
        }

        if (SecretReference.Read(cluster.GetSection("Kubeconfig"), baseDirectory, errors, "a kubeconfig file, as {file:PATH}") is not { } reference)
        {
            return null;
        }

        string text;
        try
        {
            text = reference.Resolve();
        }
        catch (SecretUnavailableException ex)
        {
            errors.Add($"{cluster.Path}:Kubeconfig: {ex.Message}");
            return null;
        }

        var folder = reference.Source == SecretSource.File ? Path.GetDirectoryName(reference.Location)! : baseDirectory;
        var context = cluster["Context"] is { Length: > 0 } name ? name : null;
        if (KubeconfigFile.Read(text, folder, context, $"{cluster.Path}:Kubeconfig", errors) is not { } read)
        {
            return null;
        }

        if (read.CertificateAuthorityPem is { } pem && !IsCertificates(pem))
        {
            errors.Add($"{cluster.Path}:Kubeconfig: the cluster's certificate authority is not a PEM certificate.");
        }

        return new KubernetesClusterOptions(cluster.Key, read.Server, read.CertificateAuthorityPem, reference.Text, null, null, null, reference, context, false, Namespace(defaultNamespace, read.Namespace), read.CredentialFiles);
    }

    private KubernetesClusterOptions? FromServiceAccount(IConfigurationSection cluster, string? defaultNamespace, List<string> errors)
    {
        foreach (var key in ServerSettings.Where(k => Has(cluster, k)))
        {
            errors.Add($"{cluster.Path}:{key}: not with InCluster; the pod's service account gives the server, its CA and the token.");
        }

        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            errors.Add($"{cluster.Path}:InCluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set, so the gateway does not run in a pod; configure Server and a credential instead.");
            return null;
        }

        var tokenFile = Path.Combine(serviceAccountDirectory, "token");
        var caFile = Path.Combine(serviceAccountDirectory, "ca.crt");
        if (!File.Exists(tokenFile) || !File.Exists(caFile))
        {
            errors.Add($"{cluster.Path}:InCluster: the service account is not mounted ({tokenFile} and {caFile} must exist); set automountServiceAccountToken on the pod.");
            return null;
        }

        var ca = CertificateFile(caFile, $"{cluster.Path}:InCluster", errors);
        var token = SecretReference.TryParse("{file:" + tokenFile + "}", serviceAccountDirectory, out _);
        var podNamespace = File.Exists(Path.Combine(serviceAccountDirectory, "namespace")) ? File.ReadAllText(Path.Combine(serviceAccountDirectory, "namespace")).Trim() : null;
        var server = new Uri($"https://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}/");
        return ca is null ? null : new KubernetesClusterOptions(cluster.Key, server, ca, caFile, token, null, null, null, null, true, Namespace(defaultNamespace, podNamespace), []);
    }

    private static Uri? Server(IConfigurationSection cluster, List<string> errors)
    {
        var text = cluster["Server"];
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add($"{cluster.Path}:Server: required; the API server's URL, such as https://10.0.0.1:6443.");
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var server) || server.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(server.UserInfo) || server.Query.Length > 0 || server.Fragment.Length > 0)
        {
            errors.Add($"{cluster.Path}:Server: '{text}' is not an https:// URL without user, query or fragment; the gateway sends its credential only over TLS.");
            return null;
        }

        return server;
    }

    private static (string Pem, string Source)? CertificateAuthority(IConfigurationSection setting, string baseDirectory, List<string> errors)
    {
        var text = setting.Value!;
        var path = text.StartsWith("{file:", StringComparison.Ordinal) && text.EndsWith('}') ? text[6..^1] : text;
        if (text.StartsWith('{'))
        {
            if (!text.StartsWith("{file:", StringComparison.Ordinal))
            {
                errors.Add($"{setting.Path}: give the PEM file of the cluster's certificate authority, as a path or {{file:PATH}}.");
                return null;
            }
        }

        var full = Path.GetFullPath(path, baseDirectory);
        return CertificateFile(full, setting.Path, errors) is { } pem ? (pem, full) : null;
    }

    private static string? CertificateFile(string file, string where, List<string> errors)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{where}: the certificate authority file '{file}' cannot be read ({ex.GetType().Name}).");
            return null;
        }

        if (!IsCertificates(pem))
        {
            errors.Add($"{where}: '{file}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
            return null;
        }

        return pem;
    }

    private static bool IsCertificates(string pem)
    {
        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(pem);
            var any = collection.Count > 0;
            foreach (var certificate in collection)
            {
                certificate.Dispose();
            }

            return any;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static SecretReference? Secret(IConfigurationSection cluster, string key, string baseDirectory, List<string> errors) =>
        Has(cluster, key) ? SecretReference.Read(cluster.GetSection(key), baseDirectory, errors) : null;

    private static bool Has(IConfigurationSection cluster, string key) => cluster[key] is { Length: > 0 };

    private static string Namespace(string? configured, string? fallback) =>
        configured is { Length: > 0 } ? configured
        : fallback is { Length: > 0 } && KubernetesNames.IsNamespace(fallback) ? fallback
        : KubernetesTargetInfo.FallbackNamespace;
}
