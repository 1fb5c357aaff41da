using System.Text.Json.Nodes;
using McpGateway.Policies.Classifiers.Kubernetes;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>
/// The Pod Security Standards, control by control, in every place a pod spec lives, in every
/// kind of container, with pod-level settings inherited by containers.
/// </summary>
public sealed class PodSecurityTests
{
    /// <summary>Every kind that holds a pod spec, with where it holds it.</summary>
    public static TheoryData<string> Locations { get; } =
        ["Pod", "PodTemplate", "ReplicationController", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Rollout"];

    /// <summary>A pod spec that satisfies the restricted profile.</summary>
    public static JsonObject RestrictedSpec() => new()
    {
        ["securityContext"] = new JsonObject { ["runAsNonRoot"] = true, ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" } },
        ["containers"] = new JsonArray(Container("app")),
        ["volumes"] = new JsonArray(
            new JsonObject { ["name"] = "cfg", ["configMap"] = new JsonObject { ["name"] = "settings" } },
            new JsonObject { ["name"] = "tmp", ["emptyDir"] = new JsonObject() }),
    };

    public static JsonObject Container(string name) => new()
    {
        ["name"] = name,
        ["image"] = $"registry.example.com/{name}:1",
        ["securityContext"] = new JsonObject
        {
            ["allowPrivilegeEscalation"] = false,
            ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
        },
    };

    /// <summary>A one-object manifest (JSON) of <paramref name="kind"/> holding <paramref name="spec"/>.</summary>
    public static string Wrap(string kind, JsonObject spec, JsonObject? podMetadata = null)
    {
        JsonObject Template() => new() { ["metadata"] = podMetadata?.DeepClone() ?? new JsonObject { ["labels"] = new JsonObject { ["app"] = "x" } }, ["spec"] = spec };
        var (apiVersion, body) = kind switch
        {
            "Pod" => ("v1", new JsonObject { ["spec"] = spec }),
            "PodTemplate" => ("v1", new JsonObject { ["template"] = Template() }),
            "ReplicationController" => ("v1", new JsonObject { ["spec"] = new JsonObject { ["template"] = Template() } }),
            "Job" => ("batch/v1", new JsonObject { ["spec"] = new JsonObject { ["template"] = Template() } }),
            "CronJob" => ("batch/v1", new JsonObject { ["spec"] = new JsonObject { ["schedule"] = "*/5 * * * *", ["jobTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = Template() } } } }),
            "Rollout" => ("argoproj.io/v1alpha1", new JsonObject { ["spec"] = new JsonObject { ["template"] = Template() } }),
            _ => ("apps/v1", new JsonObject { ["spec"] = new JsonObject { ["selector"] = new JsonObject(), ["template"] = Template() } }),
        };

        body["apiVersion"] = apiVersion;
        body["kind"] = kind;
        body["metadata"] = kind == "Pod" && podMetadata is not null
            ? new JsonObject { ["name"] = "thing", ["annotations"] = podMetadata["annotations"]?.DeepClone() }
            : new JsonObject { ["name"] = "thing" };
        return body.ToJsonString();
    }

    private static JsonObject First(JsonObject spec) => spec["containers"]![0]!.AsObject();

    private static JsonObject Context(JsonObject spec) => First(spec)["securityContext"]!.AsObject();

    [Theory]
    [MemberData(nameof(Locations))]
    public void A_restricted_pod_spec_passes_in_every_location(string kind)
    {
        var element = KubernetesCalls.Classify(Wrap(kind, RestrictedSpec())).Single();

        element.List(KubectlApplyTool.ObjectPodSecurity).Should().BeEmpty();
        element.Text(KubectlApplyTool.ObjectPodSecurityLevel).Should().Be(PodSecurity.Restricted);
        element.Get(KubectlApplyTool.ObjectPodSpecs)!.Number.Should().Be(1);
        element.List(KubectlApplyTool.ObjectImages).Should().Equal("registry.example.com/app:1");
        element.List(KubectlApplyTool.ObjectServiceAccounts).Should().Equal("default");
    }

    [Theory]
    [MemberData(nameof(Locations))]
    public void A_privileged_container_is_found_in_every_location(string kind)
    {
        var spec = RestrictedSpec();
        Context(spec)["privileged"] = true;

        var element = KubernetesCalls.Classify(Wrap(kind, spec)).Single();

        element.List(KubectlApplyTool.ObjectPodSecurity).Should().Contain("privileged");
        element.Text(KubectlApplyTool.ObjectPodSecurityLevel).Should().Be(PodSecurity.Privileged);
    }

    [Theory]
    [MemberData(nameof(Locations))]
    public void Init_and_ephemeral_containers_are_checked_in_every_location(string kind)
    {
        var init = RestrictedSpec();
        var hostile = Container("init");
        hostile["securityContext"]!["capabilities"]!["add"] = new JsonArray("SYS_ADMIN");
        init["initContainers"] = new JsonArray(hostile);

        var ephemeral = RestrictedSpec();
        var debug = Container("debug");
        debug["securityContext"]!["runAsUser"] = 0;
        ephemeral["ephemeralContainers"] = new JsonArray(debug);

        KubernetesCalls.Violations(Wrap(kind, init)).Should().Equal("capabilities_baseline", "capabilities_restricted");
        KubernetesCalls.Violations(Wrap(kind, ephemeral)).Should().Equal("runAsUser");
    }

    [Fact]
    public void Objects_without_pod_specs_are_restricted_with_no_pod_specs()
    {
        var element = KubernetesCalls.Classify("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n").Single();

        element.Get(KubectlApplyTool.ObjectPodSpecs)!.Number.Should().Be(0);
        element.Text(KubectlApplyTool.ObjectPodSecurityLevel).Should().Be(PodSecurity.Restricted);
        element.List(KubectlApplyTool.ObjectImages).Should().BeEmpty();
    }

    public static TheoryData<string, Action<JsonObject>, string[]> Baseline { get; } = new()
    {
        { "hostNetwork", s => s["hostNetwork"] = true, ["hostNamespaces"] },
        { "hostPID", s => s["hostPID"] = true, ["hostNamespaces"] },
        { "hostIPC", s => s["hostIPC"] = true, ["hostNamespaces"] },
        { "hostNetwork as a string", s => s["hostNetwork"] = "true", ["hostNamespaces"] },
        { "pod hostProcess", s => s["securityContext"]!["windowsOptions"] = new JsonObject { ["hostProcess"] = true }, ["hostProcess"] },
        { "container hostProcess", s => Context(s)["windowsOptions"] = new JsonObject { ["hostProcess"] = true }, ["hostProcess"] },
        { "privileged", s => Context(s)["privileged"] = true, ["privileged"] },
        { "SYS_ADMIN", s => Context(s)["capabilities"]!["add"] = new JsonArray("SYS_ADMIN"), ["capabilities_baseline", "capabilities_restricted"] },
        { "NET_RAW", s => Context(s)["capabilities"]!["add"] = new JsonArray("NET_RAW"), ["capabilities_baseline", "capabilities_restricted"] },
        { "CAP_ prefix", s => Context(s)["capabilities"]!["add"] = new JsonArray("CAP_SYS_ADMIN"), ["capabilities_baseline", "capabilities_restricted"] },
        { "hostPath volume", s => s["volumes"]!.AsArray().Add(new JsonObject { ["name"] = "root", ["hostPath"] = new JsonObject { ["path"] = "/" } }), ["hostPathVolumes", "restrictedVolumes"] },
        { "hostPort", s => First(s)["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 80, ["hostPort"] = 80 }), ["hostPorts"] },
        { "AppArmor unconfined", s => s["securityContext"]!["appArmorProfile"] = new JsonObject { ["type"] = "Unconfined" }, ["appArmorProfile"] },
        { "container AppArmor unconfined", s => Context(s)["appArmorProfile"] = new JsonObject { ["type"] = "Unconfined" }, ["appArmorProfile"] },
        { "SELinux type", s => s["securityContext"]!["seLinuxOptions"] = new JsonObject { ["type"] = "spc_t" }, ["seLinuxOptions"] },
        { "SELinux user", s => Context(s)["seLinuxOptions"] = new JsonObject { ["user"] = "system_u" }, ["seLinuxOptions"] },
        { "SELinux role", s => Context(s)["seLinuxOptions"] = new JsonObject { ["role"] = "sysadm_r" }, ["seLinuxOptions"] },
        { "procMount", s => Context(s)["procMount"] = "Unmasked", ["procMount"] },
        { "pod seccomp unconfined", s => s["securityContext"]!["seccompProfile"]!["type"] = "Unconfined", ["seccompProfile_baseline", "seccompProfile_restricted"] },
        { "container seccomp unconfined", s => Context(s)["seccompProfile"] = new JsonObject { ["type"] = "Unconfined" }, ["seccompProfile_baseline", "seccompProfile_restricted"] },
        { "unsafe sysctl", s => s["securityContext"]!["sysctls"] = new JsonArray(new JsonObject { ["name"] = "kernel.msgmax", ["value"] = "1" }), ["sysctls"] },
    };

    [Theory]
    [MemberData(nameof(Baseline))]
    public void A_baseline_violation_makes_the_pod_privileged(string change, Action<JsonObject> apply, string[] controls)
    {
        var element = KubernetesCalls.Classify(Wrap("Deployment", Mutated(apply))).Single();

        element.List(KubectlApplyTool.ObjectPodSecurity).Should().Equal(controls, change);
        element.Text(KubectlApplyTool.ObjectPodSecurityLevel).Should().Be(PodSecurity.Privileged);
    }

    public static TheoryData<string, Action<JsonObject>, string[]> RestrictedOnly { get; } = new()
    {
        { "no allowPrivilegeEscalation", s => Context(s).Remove("allowPrivilegeEscalation"), ["allowPrivilegeEscalation"] },
        { "allowPrivilegeEscalation true", s => Context(s)["allowPrivilegeEscalation"] = true, ["allowPrivilegeEscalation"] },
        { "no runAsNonRoot", s => s["securityContext"]!.AsObject().Remove("runAsNonRoot"), ["runAsNonRoot"] },
        { "pod runAsNonRoot false", s => s["securityContext"]!["runAsNonRoot"] = false, ["runAsNonRoot"] },
        { "container runAsNonRoot false", s => Context(s)["runAsNonRoot"] = false, ["runAsNonRoot"] },
        { "pod runAsUser 0", s => s["securityContext"]!["runAsUser"] = 0, ["runAsUser"] },
        { "container runAsUser 0", s => Context(s)["runAsUser"] = 0, ["runAsUser"] },
        { "runAsUser 0.0", s => Context(s)["runAsUser"] = JsonNode.Parse("0.0"), ["runAsUser"] },
        { "runAsUser as text", s => Context(s)["runAsUser"] = "1000", ["runAsUser"] },
        { "no seccomp", s => s["securityContext"]!.AsObject().Remove("seccompProfile"), ["seccompProfile_restricted"] },
        { "no drop ALL", s => Context(s)["capabilities"]!.AsObject().Remove("drop"), ["capabilities_restricted"] },
        { "drop all in lower case", s => Context(s)["capabilities"]!["drop"] = new JsonArray("all"), ["capabilities_restricted"] },
        { "no capabilities", s => Context(s).Remove("capabilities"), ["capabilities_restricted"] },
        { "a baseline capability", s => Context(s)["capabilities"]!["add"] = new JsonArray("CHOWN"), ["capabilities_restricted"] },
        { "hostPath-free but not allowed volume", s => s["volumes"]!.AsArray().Add(new JsonObject { ["name"] = "nfs", ["nfs"] = new JsonObject { ["server"] = "x", ["path"] = "/" } }), ["restrictedVolumes"] },
        { "gitRepo volume", s => s["volumes"]!.AsArray().Add(new JsonObject { ["name"] = "g", ["gitRepo"] = new JsonObject { ["repository"] = "x" } }), ["restrictedVolumes"] },
        { "volumes not a list", s => s["volumes"] = new JsonObject(), ["restrictedVolumes"] },
    };

    [Theory]
    [MemberData(nameof(RestrictedOnly))]
    public void A_restricted_violation_makes_the_pod_baseline(string change, Action<JsonObject> apply, string[] controls)
    {
        var element = KubernetesCalls.Classify(Wrap("Deployment", Mutated(apply))).Single();

        element.List(KubectlApplyTool.ObjectPodSecurity).Should().Equal(controls, change);
        element.Text(KubectlApplyTool.ObjectPodSecurityLevel).Should().Be(PodSecurity.Baseline);
    }

    public static TheoryData<string, Action<JsonObject>> Allowed { get; } = new()
    {
        { "hostNetwork false", s => s["hostNetwork"] = false },
        { "hostPort 0", s => First(s)["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 80, ["hostPort"] = 0 }) },
        { "NET_BIND_SERVICE", s => Context(s)["capabilities"]!["add"] = new JsonArray("NET_BIND_SERVICE") },
        { "privileged false", s => Context(s)["privileged"] = false },
        { "procMount Default", s => Context(s)["procMount"] = "Default" },
        { "Localhost seccomp", s => s["securityContext"]!["seccompProfile"] = new JsonObject { ["type"] = "Localhost", ["localhostProfile"] = "p.json" } },
        { "seccomp only on the container", s => { s["securityContext"]!.AsObject().Remove("seccompProfile"); Context(s)["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" }; } },
        { "runAsNonRoot only on the container", s => { s["securityContext"]!.AsObject().Remove("runAsNonRoot"); Context(s)["runAsNonRoot"] = true; } },
        { "a non-root user", s => s["securityContext"]!["runAsUser"] = 1000 },
        { "safe sysctl", s => s["securityContext"]!["sysctls"] = new JsonArray(new JsonObject { ["name"] = "net.ipv4.ip_local_port_range", ["value"] = "1024 65535" }) },
        { "container_t SELinux", s => s["securityContext"]!["seLinuxOptions"] = new JsonObject { ["type"] = "container_t", ["level"] = "s0:c1,c2" } },
        { "RuntimeDefault AppArmor", s => Context(s)["appArmorProfile"] = new JsonObject { ["type"] = "RuntimeDefault" } },
        { "allowed volume types", s => s["volumes"]!.AsArray().Add(new JsonObject { ["name"] = "p", ["projected"] = new JsonObject(), }) },
        { "pvc, secret, csi, downwardAPI, ephemeral", s => s["volumes"] = new JsonArray(
            new JsonObject { ["name"] = "a", ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = "data" } },
            new JsonObject { ["name"] = "b", ["secret"] = new JsonObject { ["secretName"] = "s" } },
            new JsonObject { ["name"] = "c", ["csi"] = new JsonObject { ["driver"] = "d" } },
            new JsonObject { ["name"] = "d", ["downwardAPI"] = new JsonObject() },
            new JsonObject { ["name"] = "e", ["ephemeral"] = new JsonObject() }) },
        { "null fields", s => { s["hostNetwork"] = null; Context(s)["privileged"] = null; } },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Allowed_values_keep_the_pod_restricted(string change, Action<JsonObject> apply)
    {
        KubernetesCalls.Violations(Wrap("Deployment", Mutated(apply))).Should().BeEmpty(change);
    }

    [Fact]
    public void Pod_level_settings_are_inherited_by_every_container()
    {
        var spec = RestrictedSpec();
        spec["initContainers"] = new JsonArray(Container("init"));
        spec["ephemeralContainers"] = new JsonArray(Container("debug"));

        KubernetesCalls.Violations(Wrap("Pod", spec)).Should().BeEmpty();
    }

    [Fact]
    public void A_container_setting_overrides_the_pod_level_one()
    {
        KubernetesCalls.Violations(Wrap("Pod", Mutated(s => Context(s)["seccompProfile"] = new JsonObject { ["type"] = "Unconfined" })))
            .Should().Contain("seccompProfile_restricted");
        KubernetesCalls.Violations(Wrap("Pod", Mutated(s => Context(s)["runAsNonRoot"] = false))).Should().Equal("runAsNonRoot");
    }

    [Fact]
    public void Every_container_must_set_what_the_pod_does_not()
    {
        var spec = Mutated(s => s["securityContext"]!.AsObject().Remove("runAsNonRoot"));
        var second = Container("sidecar");
        second["securityContext"]!["runAsNonRoot"] = true;
        spec["containers"]!.AsArray().Add(second);

        KubernetesCalls.Violations(Wrap("Pod", spec)).Should().Equal("runAsNonRoot");
    }

    [Fact]
    public void Windows_pods_are_exempt_from_the_linux_only_restricted_controls()
    {
        var spec = Mutated(s =>
        {
            s["os"] = new JsonObject { ["name"] = "windows" };
            s["securityContext"]!.AsObject().Remove("seccompProfile");
            Context(s).Remove("capabilities");
            Context(s).Remove("allowPrivilegeEscalation");
        });

        KubernetesCalls.Violations(Wrap("Pod", spec)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("unconfined", true)]
    [InlineData("runtime/default", false)]
    [InlineData("localhost/my-profile", false)]
    public void AppArmor_annotations_on_the_pod_template_are_checked(string profile, bool violates)
    {
        var metadata = new JsonObject { ["annotations"] = new JsonObject { ["container.apparmor.security.beta.kubernetes.io/app"] = profile } };

        KubernetesCalls.Violations(Wrap("Deployment", RestrictedSpec(), metadata)).Contains("appArmorProfile").Should().Be(violates);
        KubernetesCalls.Violations(Wrap("Pod", RestrictedSpec(), metadata)).Contains("appArmorProfile").Should().Be(violates);
    }

    [Fact]
    public void A_pod_template_in_any_custom_resource_is_found()
    {
        var spec = Mutated(s => s["hostPID"] = true);
        var manifest = new JsonObject
        {
            ["apiVersion"] = "cert-manager.io/v1",
            ["kind"] = "Certificate",
            ["metadata"] = new JsonObject { ["name"] = "sneaky" },
            ["spec"] = new JsonObject { ["deep"] = new JsonObject { ["runner"] = new JsonArray(new JsonObject { ["podTemplate"] = spec }) } },
        }.ToJsonString();

        var element = KubernetesCalls.Classify(manifest).Single();

        element.List(KubectlApplyTool.ObjectPodSecurity).Should().Equal("hostNamespaces");
        element.Get(KubectlApplyTool.ObjectPodSpecs)!.Number.Should().Be(1);
    }

    [Fact]
    public void A_built_in_pod_spec_without_containers_is_still_judged()
    {
        var manifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostNetwork: true}\n";

        KubernetesCalls.Violations(manifest).Should().Contain("hostNamespaces");
    }

    [Fact]
    public void Images_and_service_accounts_of_every_container_are_listed()
    {
        var spec = RestrictedSpec();
        spec["serviceAccountName"] = "builder";
        spec["initContainers"] = new JsonArray(Container("migrate"));

        var element = KubernetesCalls.Classify(Wrap("CronJob", spec)).Single();

        element.List(KubectlApplyTool.ObjectImages).Should().Equal("registry.example.com/migrate:1", "registry.example.com/app:1");
        element.List(KubectlApplyTool.ObjectServiceAccounts).Should().Equal("builder");
    }

    [Fact]
    public void The_call_level_level_is_the_weakest_of_all_objects()
    {
        var weak = Wrap("Job", Mutated(s => Context(s).Remove("allowPrivilegeEscalation")));
        var classification = KubernetesCalls.Classify(Wrap("Deployment", RestrictedSpec()) + "\n" + weak);

        classification.Facts.Get(KubectlApplyTool.PodSecurityLevel)!.Text.Should().Be(PodSecurity.Baseline);
        classification.List(KubectlApplyTool.PodSecurity).Should().Equal("allowPrivilegeEscalation");
    }

    private static JsonObject Mutated(Action<JsonObject> change)
    {
        var spec = RestrictedSpec();
        change(spec);
        return spec;
    }
}
