using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// The <c>kubectl_apply</c> tool as the policy layer sees it: one element per object the manifest
/// holds (<c>List</c> kinds expanded), with its identity, scope, Pod Security level, RBAC
/// escalation and Secret facts, plus call-level aggregates.
/// </summary>
public static class KubectlApplyTool
{
    public const string Name = "kubectl_apply";

    /// <summary>Longest manifest accepted, in characters; a longer one is refused before it is read.</summary>
    public const int MaxManifestLength = 1024 * 1024;

    /// <summary>Most objects one call applies, after <c>List</c> kinds are expanded; more make the call unparsed.</summary>
    public const int MaxObjects = 500;

    public const string Cluster = "k8s.cluster";
    public const string ObjectCount = "k8s.objectCount";
    public const string Kinds = "k8s.kinds";
    public const string Namespaces = "k8s.namespaces";
    public const string ClusterScoped = "k8s.clusterScoped";
    public const string PodSecurity = "k8s.podSecurity";
    public const string PodSecurityLevel = "k8s.podSecurityLevel";
    public const string RbacEscalation = "k8s.rbacEscalation";
    public const string Secrets = "k8s.secrets";
    public const string Admission = "k8s.admission";
    public const string Crds = "k8s.crds";
    public const string UnknownKinds = "k8s.unknownKinds";

    /// <summary>The element list of objects: one element per object applied.</summary>
    public const string Objects = "k8s.objects";
    public const string ObjectKind = "k8s.objects.kind";
    public const string ObjectApiVersion = "k8s.objects.apiVersion";
    public const string ObjectGroup = "k8s.objects.group";
    public const string ObjectNamespace = "k8s.objects.namespace";
    public const string ObjectName = "k8s.objects.name";
    public const string ObjectClusterScoped = "k8s.objects.clusterScoped";
    public const string ObjectPodSpecs = "k8s.objects.podSpecs";
    public const string ObjectPodSecurity = "k8s.objects.podSecurity";
    public const string ObjectPodSecurityLevel = "k8s.objects.podSecurityLevel";
    public const string ObjectImages = "k8s.objects.images";
    public const string ObjectServiceAccounts = "k8s.objects.serviceAccounts";
    public const string ObjectRbacEscalation = "k8s.objects.rbacEscalation";
    public const string ObjectSecret = "k8s.objects.secret";
    public const string ObjectSecretType = "k8s.objects.secretType";
    public const string ObjectSecretKeys = "k8s.objects.secretKeys";
    public const string ObjectAdmission = "k8s.objects.admission";
    public const string ObjectCrd = "k8s.objects.crd";

    /// <summary>Apply with <c>force=true</c>: take over fields another field manager owns instead of failing on the conflict.</summary>
    public const string ForceConflicts = "forceConflicts";

    private const string Levels = "privileged (a baseline control is violated), baseline (only restricted controls are) or restricted (none is)";

    public static IReadOnlyList<FactDescriptor> Facts { get; } =
    [
        new(Cluster, FactType.Text, "The configured cluster the manifest is applied to."),
        new(ObjectCount, FactType.Number, "How many objects are applied (the elements of k8s.objects)."),
        new(Kinds, FactType.TextList, "The kinds applied, each once (as k8s.objects.kind names them)."),
        new(Namespaces, FactType.TextList, "The namespaces namespaced objects are applied in (defaulted from the cluster), each once."),
        new(ClusterScoped, FactType.Flag, "Some object is cluster-scoped."),
        new(PodSecurity, FactType.TextList, "Every Pod Security control some pod spec violates (see k8s.objects.podSecurity)."),
        new(PodSecurityLevel, FactType.Text, $"The strictest Pod Security level every pod spec of the manifest satisfies: {Levels}; restricted when there is no pod spec."),
        new(RbacEscalation, FactType.TextList, "Every RBAC escalation reason of any object (see k8s.objects.rbacEscalation)."),
        new(Secrets, FactType.Flag, "Some object is a Secret."),
        new(Admission, FactType.Flag, "Some object configures admission control (webhook configurations, admission policies and their bindings)."),
        new(Crds, FactType.Flag, "Some object is a CustomResourceDefinition."),
        new(UnknownKinds, FactType.TextList, "Every kind of the manifest that is neither built in nor served by the cluster as far as its discovery is known, as 'apiVersion/Kind' (cert-manager.io/v1/Certificate); such a call is unparsed. The gateway reads the cluster's discovery again when it sees one (rate-limited)."),

        new(ObjectKind, FactType.Text, "The kind: as written for the API server's own groups (Deployment, Secret, ClusterRole); 'Kind.group' for any other group (Certificate.cert-manager.io), so a custom kind never matches a built-in name.", Objects),
        new(ObjectApiVersion, FactType.Text, "The apiVersion as written: v1, apps/v1, cert-manager.io/v1.", Objects),
        new(ObjectGroup, FactType.Text, "The API group; empty for the core group (v1).", Objects),
        new(ObjectNamespace, FactType.Text, "The namespace the object is applied in: metadata.namespace, else the cluster's default namespace; empty for a cluster-scoped object.", Objects),
        new(ObjectName, FactType.Text, "metadata.name.", Objects),
        new(ObjectClusterScoped, FactType.Flag, "The kind is cluster-scoped (built-in table, else the cluster's discovery).", Objects),
        new(ObjectPodSpecs, FactType.Number, "How many pod specs the object holds (a Pod's spec, a workload's pod template, a CronJob's job template, any mapping with a containers list).", Objects),
        new(ObjectPodSecurity, FactType.TextList, "The Pod Security Standards controls its pod specs violate, by the Pod Security admission check ids: baseline hostProcess, hostNamespaces, privileged, capabilities_baseline, hostPathVolumes, hostPorts, appArmorProfile, seLinuxOptions, procMount, seccompProfile_baseline, sysctls; restricted restrictedVolumes, allowPrivilegeEscalation, runAsNonRoot, runAsUser, seccompProfile_restricted, capabilities_restricted. Init and ephemeral containers included; pod-level securityContext applies where a container sets nothing.", Objects),
        new(ObjectPodSecurityLevel, FactType.Text, $"The strictest Pod Security level all its pod specs satisfy: {Levels}; restricted for an object without pod specs.", Objects),
        new(ObjectImages, FactType.TextList, "The images of every container of its pod specs (init and ephemeral included), as written.", Objects),
        new(ObjectServiceAccounts, FactType.TextList, "The service accounts its pod specs run as (serviceAccountName, 'default' when unset).", Objects),
        new(ObjectRbacEscalation, FactType.TextList, "Why the object escalates rights: wildcardVerbs, wildcardResources, wildcardApiGroups, wildcardNonResourceURLs, bind, escalate, impersonate, secrets, serviceAccountTokens, nodeProxy, csrApproval, persistentVolumes, admissionControl, workloads (a Role or ClusterRole granting them); clusterAdmin, clusterRole, clusterWide, broadSubjects (a binding to cluster-admin, to any ClusterRole, a ClusterRoleBinding, a binding of everyone or all service accounts; a binding also carries the reasons of a role the same manifest defines); aggregationRule, aggregatesToBuiltIn (ClusterRole aggregation); serviceAccountTokenSecret (a Secret that mints a service-account token). Empty when none.", Objects),
        new(ObjectSecret, FactType.Flag, "The object is a Secret.", Objects),
        new(ObjectSecretType, FactType.Text, "For a Secret, its type (Opaque when unset); empty otherwise.", Objects),
        new(ObjectSecretKeys, FactType.TextList, "For a Secret, the keys of data and stringData (never their values).", Objects),
        new(ObjectAdmission, FactType.Flag, "The object configures admission control: a Validating or Mutating WebhookConfiguration, or an admission policy or binding.", Objects),
        new(ObjectCrd, FactType.Flag, "The object is a CustomResourceDefinition.", Objects),
    ];

    public static IReadOnlyList<ElementListDescriptor> ElementLists { get; } =
    [
        new(Objects, ObjectKind, "The objects the manifest applies, List kinds expanded, each with its own facts; as a list, their kinds."),
    ];

    public static IReadOnlyList<ObligationDescriptor> Obligations { get; } =
    [
        new(ForceConflicts, ObligationKind.Grant, "Apply with force: take over fields another field manager owns instead of failing on the conflict (only when every rule that allows the call grants it)."),
    ];

    /// <summary>The arguments <c>kubectl_apply</c>'s classifier accepts (the pipeline removes <c>justification</c> before classification).</summary>
    public static IReadOnlyList<string> Arguments { get; } = [KubectlApplyClassifier.ClusterArgument, KubectlApplyClassifier.ManifestArgument];

    public static ToolDescriptor Create() => new(Name, TargetKinds.Kubernetes, Facts, ElementLists, Obligations, new KubectlApplyClassifier(), Arguments);
}
