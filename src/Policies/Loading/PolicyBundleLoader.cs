using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Policies.Loading;

/// <summary>
/// Loads a bundle (one YAML file, or a folder of <c>*.yaml</c>/<c>*.yml</c> files read recursively
/// in ordinal order of their relative paths) and validates it against the tools and the
/// configuration, reporting every error with file and line.
/// </summary>
public sealed class PolicyBundleLoader
{
    private static readonly string[] TopLevelKeys = ["rules", "masking", "description"];

    private readonly ToolCatalog _catalog;
    private readonly PolicyEnvironment _environment;

    public PolicyBundleLoader(ToolCatalog catalog, PolicyEnvironment environment)
    {
        _catalog = catalog;
        _environment = environment;
    }

    /// <summary>Reads the bundle's files. Throws <see cref="PolicyBundleException"/> when none can be read.</summary>
    public static IReadOnlyList<PolicySource> ReadSources(string path)
    {
        try
        {
            return ReadFiles(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new PolicyBundleException($"Policy bundle '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private static List<PolicySource> ReadFiles(string path)
    {
        if (File.Exists(path))
        {
            return [new PolicySource(Path.GetFileName(path), BoundedYaml.ReadFile(path, YamlLimits.Policies))];
        }

        if (!Directory.Exists(path))
        {
            throw new PolicyBundleException($"Policy bundle '{path}' does not exist; point 'Policies' at a YAML file or a folder of them.");
        }

        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Select(f => (Name: Path.GetRelativePath(path, f).Replace('\\', '/'), Full: f))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => new PolicySource(f.Name, BoundedYaml.ReadFile(f.Full, YamlLimits.Policies)))
            .ToList();
        return files.Count > 0
            ? files
            : throw new PolicyBundleException($"Policy bundle folder '{path}' holds no .yaml or .yml files.");
    }

    /// <summary>Loads and validates; throws <see cref="PolicyBundleException"/> with every error.</summary>
    public PolicyBundle Load(string path) => Load(ReadSources(path));

    public PolicyBundle Load(IReadOnlyList<PolicySource> sources)
    {
        var ordered = sources.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var errors = new List<PolicyError>();
        var rules = new List<PolicyRule>();
        var budget = YamlLimits.Policies.MaxNodes;
        var files = new List<(PolicySource Source, YamlStream Stream)>();
        foreach (var source in ordered)
        {
            try
            {
                files.Add((source, BoundedYaml.Load(source.Name, source.Content, YamlLimits.Policies, ref budget)));
            }
            catch (YamlInputException ex)
            {
                errors.Add(new PolicyError(ex.Location, ex.Message));
            }
        }

        // Masking profiles first, from every file, so a rule may name a profile defined in another.
        var masking = new Masking.MaskingOptions();
        foreach (var (source, stream) in files)
        {
            var reader = new YamlReader(source.Name, errors);
            foreach (var section in Sections(stream, "masking"))
            {
                new MaskingSectionParser(reader).Parse(section, masking);
            }
        }

        errors.AddRange(Masking.MaskingCatalog.Validate(masking, _environment.HasMaskingTokenKey));
        var environment = _environment.WithMaskingProfiles(masking.Profiles.Keys);
        foreach (var (source, stream) in files)
        {
            LoadRules(source, stream, environment, rules, errors);
        }

        var seen = new Dictionary<string, PolicyRule>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!seen.TryAdd(rule.Name, rule))
            {
                errors.Add(new PolicyError(rule.Location, $"Rule name '{rule.Name}' is already used at {seen[rule.Name].Location}; rule names must be unique."));
            }
        }

        if (errors.Count == 0 && rules.Count == 0)
        {
            errors.Add(new PolicyError(null, "The bundle has no rules, so every call would be denied; add rules under 'rules:'."));
        }

        if (errors.Count > 0)
        {
            throw new PolicyBundleException((IReadOnlyList<PolicyError>)errors);
        }

        return new PolicyBundle([.. rules], ComputeRevision(ordered), [.. ordered.Select(s => s.Name)]) { Masking = masking, Sources = [.. ordered] };
    }

    /// <summary>
    /// SHA-256 over, for each file in ordinal order of its relative path, the SHA-256 of the
    /// path (UTF-8) followed by the SHA-256 of its bytes. Lower-case hex.
    /// </summary>
    public static string ComputeRevision(IEnumerable<PolicySource> sources)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in sources.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            hash.AppendData(SHA256.HashData(Encoding.UTF8.GetBytes(source.Name)));
            hash.AppendData(SHA256.HashData(source.Content));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The values of top-level <paramref name="key"/> in every document that is a mapping.</summary>
    private static IEnumerable<YamlNode> Sections(YamlStream stream, string key) =>
        stream.Documents
            .Select(d => d.RootNode)
            .OfType<YamlMappingNode>()
            .SelectMany(root => root.Children.Where(c => c.Key is YamlScalarNode { Value: var name } && name == key).Select(c => c.Value));

    private void LoadRules(PolicySource source, YamlStream stream, PolicyEnvironment environment, List<PolicyRule> rules, List<PolicyError> errors)
    {
        var reader = new YamlReader(source.Name, errors);
        var parser = new RuleParser(_catalog, environment, reader);
        foreach (var document in stream.Documents)
        {
            if (YamlReader.IsNull(document.RootNode))
            {
                continue;
            }

            if (reader.Mapping(document.RootNode, "A policy file") is not { } root)
            {
                continue;
            }

            YamlNode? ruleList = null;
            var hasMasking = false;
            foreach (var (key, _, value) in reader.Entries(root, "a policy file", TopLevelKeys))
            {
                if (key == "rules")
                {
                    ruleList = value;
                }

                hasMasking |= key == "masking";
            }

            if (ruleList is null)
            {
                if (!hasMasking)
                {
                    reader.Error(root, "A policy file needs a 'rules:' list (or a 'masking:' section).");
                }

                continue;
            }

            if (ruleList is not YamlSequenceNode sequence)
            {
                reader.Error(ruleList, $"'rules' must be a list of rules, not {YamlReader.Describe(ruleList)}.");
                continue;
            }

            foreach (var item in sequence.Children)
            {
                if (parser.Parse(item) is { } rule)
                {
                    rules.Add(rule);
                }
            }
        }
    }
}
