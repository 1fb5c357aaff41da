using System.Collections.Frozen;
using System.Text.Json.Nodes;
using static McpGateway.Policies.Classifiers.Kubernetes.ManifestJson;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// The Pod Security Standards (baseline and restricted profiles), checked on one pod spec the way
/// the Pod Security admission controller checks them; the violated controls are named by that
/// controller's check ids. Values that are neither unset nor an allowed value count as
/// violations, so a value the API server would refuse anyway never passes here.
/// </summary>
internal static class PodSecurity
{
    public const string Privileged = "privileged";
    public const string Baseline = "baseline";
    public const string Restricted = "restricted";

    // Baseline controls.
    public const string HostProcess = "hostProcess";
    public const string HostNamespaces = "hostNamespaces";
    public const string PrivilegedContainers = "privileged";
    public const string CapabilitiesBaseline = "capabilities_baseline";
    public const string HostPathVolumes = "hostPathVolumes";
    public const string HostPorts = "hostPorts";
    public const string AppArmor = "appArmorProfile";
    public const string SeLinux = "seLinuxOptions";
    public const string ProcMount = "procMount";
    public const string SeccompBaseline = "seccompProfile_baseline";
    public const string Sysctls = "sysctls";

    // Restricted controls.
    public const string RestrictedVolumes = "restrictedVolumes";
    public const string PrivilegeEscalation = "allowPrivilegeEscalation";
    public const string RunAsNonRoot = "runAsNonRoot";
    public const string RunAsUser = "runAsUser";
    public const string SeccompRestricted = "seccompProfile_restricted";
    public const string CapabilitiesRestricted = "capabilities_restricted";

    private const string AppArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";

    /// <summary>Every control, baseline first, in the order facts list them.</summary>
    public static IReadOnlyList<string> Controls { get; } =
    [
        HostProcess, HostNamespaces, PrivilegedContainers, CapabilitiesBaseline, HostPathVolumes, HostPorts,
        AppArmor, SeLinux, ProcMount, SeccompBaseline, Sysctls,
        RestrictedVolumes, PrivilegeEscalation, RunAsNonRoot, RunAsUser, SeccompRestricted, CapabilitiesRestricted,
    ];

    private static readonly FrozenSet<string> BaselineControls =
        new[] { HostProcess, HostNamespaces, PrivilegedContainers, CapabilitiesBaseline, HostPathVolumes, HostPorts, AppArmor, SeLinux, ProcMount, SeccompBaseline, Sysctls }
            .ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> BaselineCapabilities = new[]
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> SafeSysctls = new[]
    {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> SeLinuxTypes =
        new[] { string.Empty, "container_t", "container_init_t", "container_kvm_t", "container_engine_t" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> RestrictedVolumeTypes = new[]
    {
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly string[] ContainerLists = ["initContainers", "containers", "ephemeralContainers"];

    /// <summary>The strictest level a pod spec with these violations satisfies.</summary>
    public static string Level(IReadOnlyCollection<string> violations) =>
        violations.Any(BaselineControls.Contains) ? Privileged
        : violations.Count > 0 ? Baseline
        : Restricted;

    /// <summary>The weaker of two levels.</summary>
    public static string Weaker(string a, string b) => Rank(a) <= Rank(b) ? a : b;

    /// <summary>The containers of a pod spec: init, regular and ephemeral.</summary>
    public static IEnumerable<JsonObject> Containers(JsonObject spec) =>
        ContainerLists.SelectMany(list => Objects(Array(spec, list)));

    /// <summary>Adds the controls <paramref name="spec"/> violates to <paramref name="violations"/>.</summary>
    /// <param name="spec">The pod spec.</param>
    /// <param name="metadata">The pod's (or pod template's) metadata, for AppArmor annotations.</param>
    /// <param name="violations">Where violated control ids are added.</param>
    public static void Check(JsonObject spec, JsonObject? metadata, ISet<string> violations)
    {
        var pod = Object(spec, "securityContext");
        var windows = String(Object(spec, "os"), "name") == "windows";
        var containers = Containers(spec).ToList();

        // Baseline.
        Flag(violations, HostProcess, !UnsetOrFalse(Get(Object(pod, "windowsOptions"), "hostProcess")));
        Flag(violations, HostNamespaces, !UnsetOrFalse(Get(spec, "hostNetwork")) || !UnsetOrFalse(Get(spec, "hostPID")) || !UnsetOrFalse(Get(spec, "hostIPC")));
        Flag(violations, AppArmor, !AppArmorAllowed(pod) || !AppArmorAnnotationsAllowed(metadata));
        Flag(violations, SeLinux, !SeLinuxAllowed(pod));
        Flag(violations, SeccompBaseline, !SeccompAllowed(Get(pod, "seccompProfile")));
        Flag(violations, Sysctls, Get(pod, "sysctls") is { } sysctls && (sysctls is not JsonArray list || list.Any(s => String(s, "name") is not { } name || !SafeSysctls.Contains(name))));

        var volumes = Get(spec, "volumes");
        var volumeList = volumes as JsonArray;
        Flag(violations, HostPathVolumes, Objects(volumeList).Any(v => !IsUnset(Get(v, "hostPath"))));
        Flag(violations, RestrictedVolumes, (volumes is not null && volumeList is null) || (volumeList is not null && volumeList.Any(v => !RestrictedVolume(v))));

        // Restricted, pod level.
        var podNonRoot = Get(pod, "runAsNonRoot");
        Flag(violations, RunAsNonRoot, !IsUnset(podNonRoot) && !IsTrue(podNonRoot));
        Flag(violations, RunAsUser, RootUser(Get(pod, "runAsUser")));

        foreach (var container in containers)
        {
            var context = Object(container, "securityContext");
            var capabilities = Object(context, "capabilities");

            Flag(violations, HostProcess, !UnsetOrFalse(Get(Object(context, "windowsOptions"), "hostProcess")));
            Flag(violations, PrivilegedContainers, !UnsetOrFalse(Get(context, "privileged")));
            Flag(violations, CapabilitiesBaseline, Strings(Array(capabilities, "add")).Any(c => !BaselineCapabilities.Contains(c)) || NotAList(capabilities, "add"));
            Flag(violations, HostPorts, Objects(Array(container, "ports")).Any(p => Get(p, "hostPort") is { } port && !IsZero(port)));
            Flag(violations, AppArmor, !AppArmorAllowed(context));
            Flag(violations, SeLinux, !SeLinuxAllowed(context));
            Flag(violations, ProcMount, Get(context, "procMount") is { } proc && AsString(proc) != "Default");
            Flag(violations, SeccompBaseline, !SeccompAllowed(Get(context, "seccompProfile")));

            var nonRoot = Get(context, "runAsNonRoot");
            Flag(violations, RunAsNonRoot, IsUnset(nonRoot) ? !IsTrue(podNonRoot) : !IsTrue(nonRoot));
            Flag(violations, RunAsUser, RootUser(Get(context, "runAsUser")));

            if (!windows)
            {
                Flag(violations, PrivilegeEscalation, !IsFalse(Get(context, "allowPrivilegeEscalation")));
                var seccomp = Get(context, "seccompProfile") ?? Get(pod, "seccompProfile");
                Flag(violations, SeccompRestricted, IsUnset(seccomp) || !SeccompAllowed(seccomp));
                Flag(violations, CapabilitiesRestricted, !Strings(Array(capabilities, "drop")).Contains("ALL", StringComparer.Ordinal) || Strings(Array(capabilities, "add")).Any(c => c != "NET_BIND_SERVICE") || NotAList(capabilities, "add"));
            }
        }

        // A pod spec with no containers at all runs nothing as root; its pod-level settings are still judged.
        if (containers.Count == 0 && !windows)
        {
            Flag(violations, SeccompRestricted, IsUnset(Get(pod, "seccompProfile")) || !SeccompAllowed(Get(pod, "seccompProfile")));
        }
    }

    private static int Rank(string level) => level switch
    {
        Restricted => 2,
        Baseline => 1,
        _ => 0,
    };

    private static void Flag(ISet<string> violations, string control, bool violated)
    {
        if (violated)
        {
            violations.Add(control);
        }
    }

    private static bool UnsetOrFalse(JsonNode? node) => IsUnset(node) || IsFalse(node);

    private static bool NotAList(JsonObject? parent, string key) => Get(parent, key) is { } value && value is not JsonArray;

    private static bool RootUser(JsonNode? user) => !IsUnset(user) && (IsZero(user) || user is not JsonValue || user.GetValueKind() != System.Text.Json.JsonValueKind.Number);

    private static bool SeccompAllowed(JsonNode? profile) =>
        IsUnset(profile) || String(profile, "type") is "RuntimeDefault" or "Localhost";

    private static bool AppArmorAllowed(JsonObject? context) =>
        Get(context, "appArmorProfile") is not { } profile || String(profile, "type") is "RuntimeDefault" or "Localhost";

    private static bool AppArmorAnnotationsAllowed(JsonObject? metadata)
    {
        if (Object(metadata, "annotations") is not { } annotations)
        {
            return true;
        }

        foreach (var (key, value) in annotations)
        {
            if (key.StartsWith(AppArmorAnnotationPrefix, StringComparison.Ordinal)
                && !(AsString(value) is { } profile && (profile == "runtime/default" || profile.StartsWith("localhost/", StringComparison.Ordinal))))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SeLinuxAllowed(JsonObject? context)
    {
        if (Get(context, "seLinuxOptions") is not { } options)
        {
            return true;
        }

        return options is JsonObject
            && (IsUnset(Get(options, "type")) || (String(options, "type") is { } type && SeLinuxTypes.Contains(type)))
            && EmptyText(Get(options, "user"))
            && EmptyText(Get(options, "role"));
    }

    private static bool EmptyText(JsonNode? node) => IsUnset(node) || AsString(node) == string.Empty;

    private static bool RestrictedVolume(JsonNode? volume) =>
        volume is JsonObject fields && fields.All(f => f.Key == "name" || IsUnset(f.Value) || RestrictedVolumeTypes.Contains(f.Key));
}
