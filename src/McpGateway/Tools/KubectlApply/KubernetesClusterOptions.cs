using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Policies;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// A registered Kubernetes cluster (<c>Targets:Kubernetes:&lt;name&gt;</c>): its API server, the
/// certificate authority its TLS certificate must chain to, and one way to authenticate — a
/// bearer token, a client certificate, a kubeconfig context with one of those, or the pod's own
/// service account. Every credential is a secret reference, read for each request (a rotated
/// token file is used by the next one) and held by the redactor.
/// </summary>
/// <param name="Name">The cluster's name as agents and policies give it.</param>
/// <param name="Server">The API server's HTTPS URL.</param>
/// <param name="CertificateAuthorityPem">The certificates the server's must chain to, as PEM; null to use the system's trusted roots.</param>
/// <param name="CertificateAuthoritySource">Where <paramref name="CertificateAuthorityPem"/> was read from (a path, the kubeconfig, the service account), for messages.</param>
/// <param name="Token">A bearer token, by reference (also the service account's token file when <paramref name="InCluster"/>).</param>
/// <param name="ClientCertificate">A client certificate (PEM), by reference.</param>
/// <param name="ClientKey">The client certificate's private key (PEM), by reference.</param>
/// <param name="Kubeconfig">A kubeconfig file, by reference; its context gives the credential (static token or client certificate only).</param>
/// <param name="Context">The kubeconfig context; null for its current context.</param>
/// <param name="InCluster">The gateway runs in the cluster and authenticates as its pod's service account.</param>
/// <param name="DefaultNamespace">The namespace of namespaced objects that name none.</param>
/// <param name="KubeconfigFiles">Credential files the kubeconfig names (client-certificate, client-key), held and watched like the kubeconfig.</param>
public sealed record KubernetesClusterOptions(
    string Name,
    Uri Server,
    string? CertificateAuthorityPem,
    string? CertificateAuthoritySource,
    SecretReference? Token,
    SecretReference? ClientCertificate,
    SecretReference? ClientKey,
    SecretReference? Kubeconfig,
    string? Context,
    bool InCluster,
    string DefaultNamespace,
    IReadOnlyList<SecretReference> KubeconfigFiles) : ConfiguredTarget(Name)
{
    public override IEnumerable<SecretReference> Secrets =>
        new[] { Token, ClientCertificate, ClientKey, Kubeconfig }.OfType<SecretReference>().Concat(KubeconfigFiles);

    public override TargetInfo ToPolicyTarget() => new KubernetesTargetInfo(Name, DefaultNamespace, Policies.Classifiers.Kubernetes.KubernetesDiscovery.Empty);

    public override JsonObject DescribeConfiguration() => new()
    {
        ["server"] = Server.AbsoluteUri,
        ["certificateAuthoritySha256"] = CertificateAuthorityPem is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CertificateAuthorityPem))),
        ["token"] = Token?.Text,
        ["clientCertificate"] = ClientCertificate?.Text,
        ["clientKey"] = ClientKey?.Text,
        ["kubeconfig"] = Kubeconfig?.Text,
        ["context"] = Context,
        ["inCluster"] = InCluster,
        ["defaultNamespace"] = DefaultNamespace,
    };

    /// <summary>Where an operator fixes this cluster's settings, for messages.</summary>
    public string SettingsPath => $"Targets:Kubernetes:{Name}";
}
