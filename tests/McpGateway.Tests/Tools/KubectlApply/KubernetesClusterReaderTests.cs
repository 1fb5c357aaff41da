using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Tools.KubectlApply;

namespace McpGateway.Tests.Tools.KubectlApply;

/// <summary><c>Targets:Kubernetes</c>: one way to authenticate, secrets only by reference, kubeconfigs with static credentials only.</summary>
public sealed class KubernetesClusterReaderTests : IDisposable
{
    private const string Token = "kube-token-6b1d9e0c4a7f2e55";
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-kubeconfig-").FullName;

    public KubernetesClusterReaderTests()
    {
        File.WriteAllText(Path.Combine(_folder, "ca.pem"), CertificatePem());
        File.WriteAllText(Path.Combine(_folder, "token"), Token);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_token_cluster_loads_its_secrets_are_held_and_policies_see_its_default_namespace()
    {
        var configuration = Load("""
            "prod": { "Server": "https://10.0.0.1:6443", "CertificateAuthority": "ca.pem", "Token": "{file:token}", "DefaultNamespace": "apps" }
            """);

        var prod = configuration.Target<KubernetesClusterOptions>(TargetKinds.Kubernetes, "prod")!;
        prod.Server.Should().Be(new Uri("https://10.0.0.1:6443"));
        prod.Secrets.Select(s => s.Text).Should().Equal("{file:token}");
        configuration.SecretReferences.Select(s => s.Text).Should().Contain("{file:token}");
        ((KubernetesTargetInfo)prod.ToPolicyTarget()).DefaultNamespace.Should().Be("apps");
        prod.DescribeConfiguration().ToJsonString().Should().Contain("{file:token}").And.NotContain(Token);
    }

    [Fact]
    public void Every_mistake_is_reported_with_its_path_and_an_inline_token_is_never_echoed()
    {
        var act = () => Load("""
            "inline": { "Server": "https://10.0.0.1", "Token": "inline-token-value-99887766" },
            "plain": { "Server": "http://10.0.0.1", "Token": "{file:token}" },
            "both": { "Server": "https://10.0.0.1", "Token": "{file:token}", "Kubeconfig": "{file:kubeconfig}" },
            "none": { "Server": "https://10.0.0.1" },
            "half": { "Server": "https://10.0.0.1", "ClientCertificate": "{file:cert.pem}" },
            "ns": { "Server": "https://10.0.0.1", "Token": "{file:token}", "DefaultNamespace": "Kube_System" },
            "ca": { "Server": "https://10.0.0.1", "Token": "{file:token}", "CertificateAuthority": "token" },
            "typo": { "Server": "https://10.0.0.1", "Token": "{file:token}", "Insecure": "true" }
            """);

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Contain("Targets:Kubernetes:inline:Token: must be a reference")
            .And.Contain("Targets:Kubernetes:plain:Server: 'http://10.0.0.1' is not an https:// URL")
            .And.Contain("Targets:Kubernetes:both: give exactly one way to authenticate")
            .And.Contain("Targets:Kubernetes:none: give exactly one way to authenticate")
            .And.Contain("Targets:Kubernetes:half: ClientCertificate and ClientKey go together")
            .And.Contain("Targets:Kubernetes:ns:DefaultNamespace: 'Kube_System' is not a namespace name")
            .And.Contain("Targets:Kubernetes:ca:CertificateAuthority:")
            .And.Contain("Targets:Kubernetes:typo:Insecure: unknown setting");
        message.Should().NotContain("inline-token-value").And.NotContain(Token);
    }

    [Theory]
    [InlineData("exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /usr/bin/aws\n      args: [eks, get-token]", "authenticates with 'exec'")]
    [InlineData("auth-provider:\n      name: oidc\n      config: { id-token: zzz }", "authenticates with 'auth-provider'")]
    [InlineData("username: admin\n    password: pa55-word-value-1234", "username and password")]
    [InlineData("tokenFile: /var/run/token", "neither a static token nor a client certificate")]
    public void A_kubeconfig_whose_user_runs_a_program_or_has_no_static_credential_is_refused_at_load(string user, string expected)
    {
        WriteKubeconfig(user);

        var act = () => Load("""
            "prod": { "Kubeconfig": "{file:kubeconfig}" }
            """);

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Contain("Targets:Kubernetes:prod:Kubeconfig").And.Contain(expected);
        message.Should().NotContain("pa55-word").And.NotContain("zzz");
    }

    [Fact]
    public void A_kubeconfig_context_gives_server_ca_namespace_and_a_held_token()
    {
        WriteKubeconfig($"token: {Token}", skipTls: false, contextNamespace: "team-a");

        var configuration = Load("""
            "prod": { "Kubeconfig": "{file:kubeconfig}", "Context": "main" }
            """);

        var prod = configuration.Target<KubernetesClusterOptions>(TargetKinds.Kubernetes, "prod")!;
        prod.Server.Should().Be(new Uri("https://127.0.0.1:6443"));
        prod.CertificateAuthorityPem.Should().Contain("BEGIN CERTIFICATE");
        prod.DefaultNamespace.Should().Be("team-a");
        prod.Secrets.Select(s => s.Text).Should().Equal("{file:kubeconfig}");
        prod.DescribeConfiguration().ToJsonString().Should().NotContain(Token);
    }

    [Fact]
    public void A_kubeconfig_that_skips_tls_verification_or_names_a_missing_context_is_refused()
    {
        WriteKubeconfig($"token: {Token}", skipTls: true);

        var skip = () => Load("""
            "prod": { "Kubeconfig": "{file:kubeconfig}" }
            """);
        var missing = () => Load("""
            "prod": { "Kubeconfig": "{file:kubeconfig}", "Context": "elsewhere" }
            """);

        skip.Should().Throw<ConfigurationException>().WithMessage("*insecure-skip-tls-verify*");
        missing.Should().Throw<ConfigurationException>().WithMessage("*has no context 'elsewhere'; its contexts are main*");
    }

    [Fact]
    public void In_cluster_reads_the_mounted_service_account_and_refuses_outside_a_pod()
    {
        var account = Directory.CreateDirectory(Path.Combine(_folder, "serviceaccount")).FullName;
        File.Copy(Path.Combine(_folder, "ca.pem"), Path.Combine(account, "ca.crt"));
        File.WriteAllText(Path.Combine(account, "token"), Token);
        File.WriteAllText(Path.Combine(account, "namespace"), "gateway");
        var inPod = new KubernetesClusterReader(account, name => name switch { "KUBERNETES_SERVICE_HOST" => "10.96.0.1", "KUBERNETES_SERVICE_PORT" => "443", _ => null });
        var outside = new KubernetesClusterReader(account, _ => null);
        var section = Section("""{ "prod": { "InCluster": true } }""");

        var errors = new List<string>();
        var cluster = (KubernetesClusterOptions)inPod.Read(section, _folder, errors).Single();
        var refused = new List<string>();
        outside.Read(section, _folder, refused).Should().BeEmpty();

        errors.Should().BeEmpty();
        cluster.Server.Should().Be(new Uri("https://10.96.0.1:443/"));
        cluster.Token!.Location.Should().Be(Path.Combine(account, "token"), "the projected token is read for each request, so its rotation is followed");
        cluster.DefaultNamespace.Should().Be("gateway");
        refused.Single().Should().Contain("KUBERNETES_SERVICE_HOST");
    }

    private void WriteKubeconfig(string user, bool skipTls = false, string? contextNamespace = null)
    {
        var ca = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(CertificatePem()));
        var authority = skipTls ? "insecure-skip-tls-verify: true" : $"certificate-authority-data: {ca}";
        var scope = contextNamespace is null ? string.Empty : $", namespace: {contextNamespace}";
        File.WriteAllText(Path.Combine(_folder, "kubeconfig"), $$"""
            apiVersion: v1
            kind: Config
            current-context: main
            clusters:
            - name: c
              cluster:
                server: https://127.0.0.1:6443
                {{authority}}
            users:
            - name: u
              user:
                {{user}}
            contexts:
            - name: main
              context: { cluster: c, user: u{{scope}} }
            """);
    }

    private Microsoft.Extensions.Configuration.IConfigurationSection Section(string json)
    {
        var file = Path.Combine(_folder, "section.json");
        File.WriteAllText(file, $$"""{ "Targets": { "Kubernetes": {{json}} } }""");
        return Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(new Microsoft.Extensions.Configuration.ConfigurationBuilder(), file).Build().GetSection("Targets:Kubernetes");
    }

    private GatewayConfiguration Load(string clusters)
    {
        var file = Path.Combine(_folder, "gateway.json");
        File.WriteAllText(file, $$"""
            { "McpGateway": { "DataDirectory": "data", "Policies": "policies", "Targets": { "Kubernetes": { {{clusters}} } } } }
            """);
        Directory.CreateDirectory(Path.Combine(_folder, "policies"));
        File.WriteAllText(Path.Combine(_folder, "policies", "empty.yaml"), "rules:\n  - name: cm\n    when: { tool: kubectl_apply, facts: { k8s.kinds: ConfigMap } }\n    effect: allow\n");
        return ConfigurationLoader.LoadFile(file);
    }

    private static string CertificatePem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }
}
