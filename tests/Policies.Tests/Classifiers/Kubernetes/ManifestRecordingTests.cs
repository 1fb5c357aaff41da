using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Policies.Masking;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>A manifest as the audit log records it: structured, so a Secret's values are masked whatever the YAML looks like.</summary>
public sealed class ManifestRecordingTests
{
    [Fact]
    public void A_Secret_in_a_yaml_manifest_is_recorded_with_its_values_masked()
    {
        const string manifest = """
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: settings }
            data: { mode: fast }
            ---
            apiVersion: v1
            kind: Secret
            metadata: { name: db }
            stringData:
              plain: |
                zebra-quartz-917
              note: ok
            data:
              encoded: c3VwZXItc2VjcmV0LXZhbHVl
            """;

        var recorded = ManifestRecording.Recordable(manifest);
        var masked = MaskingCatalog.BuiltIn.CreateMasker(null, HeldSecretRedactor.Empty).Mask(recorded)!.ToJsonString();

        masked.Should().Contain("\"mode\":\"fast\"").And.Contain("\"name\":\"db\"");
        masked.Should().NotContain("zebra-quartz-917").And.NotContain("c3VwZXItc2VjcmV0LXZhbHVl").And.NotContain("\"ok\"");
    }

    [Fact]
    public void A_manifest_that_cannot_be_read_is_not_recorded_at_all()
    {
        var recorded = ManifestRecording.Recordable("kind: Secret\nstringData: { pw: zebra-quartz-917 }\nbad: [");

        recorded.ToJsonString().Should().Contain("manifest not recorded").And.NotContain("zebra");
    }
}
