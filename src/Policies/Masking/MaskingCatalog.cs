using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Model;

namespace McpGateway.Policies.Masking;

/// <summary>
/// Every masking profile a gateway can apply — the built-in <c>default</c> and <c>secrets</c> and the configured
/// ones — and the token key. Built once per configuration snapshot with <see cref="Create"/>, which reports
/// every configuration error at once; then hands out maskers for the profiles a call names.
/// </summary>
public sealed class MaskingCatalog
{
    /// <summary>The configuration key of the deterministic-token key (a secret reference).</summary>
    public const string TokenKeyName = "McpGateway:Masking:TokenKey";

    /// <summary>The detector name that selects every detector.</summary>
    public const string AllDetectors = "all";

    private const int MaxPathSteps = 64;

    private readonly FrozenDictionary<string, MaskingProfile> _profiles;
    private readonly ReadOnlyMemory<byte> _tokenKey;
    private readonly ConcurrentDictionary<string, MaskingProfile> _unions = new(StringComparer.Ordinal);

    private MaskingCatalog(FrozenDictionary<string, MaskingProfile> profiles, ReadOnlyMemory<byte> tokenKey)
    {
        _profiles = profiles;
        _tokenKey = tokenKey;
    }

    /// <summary>A catalog of the built-in profiles only.</summary>
    public static MaskingCatalog BuiltIn { get; } = Create(null);

    /// <summary>Every profile name, built-in ones included.</summary>
    public IEnumerable<string> ProfileNames => _profiles.Keys.Order(StringComparer.Ordinal);

    /// <summary>Whether a profile of that name exists.</summary>
    public bool Contains(string name) => _profiles.ContainsKey(name);

    /// <summary>
    /// Every error in <paramref name="options"/>, each with the location of the part it is about: unknown
    /// detector or strategy, a rule without name or column, a bad path, a redefined built-in profile, and a
    /// profile that uses tokens when <paramref name="hasTokenKey"/> is false. Empty when all is well.
    /// </summary>
    public static ImmutableArray<PolicyError> Validate(MaskingOptions? options, bool hasTokenKey)
    {
        var errors = ImmutableArray.CreateBuilder<PolicyError>();
        foreach (var (name, profile) in options?.Profiles ?? new Dictionary<string, MaskingProfileOptions>())
        {
            _ = Compile(name, profile, hasTokenKey, errors);
        }

        return errors.ToImmutable();
    }

    /// <summary>
    /// Validates and compiles <paramref name="options"/>; <paramref name="tokenKey"/> is the resolved value of
    /// <see cref="TokenKeyName"/> (empty when not configured; at least sixteen bytes when given). Throws
    /// <see cref="PolicyBundleException"/> listing every error.
    /// </summary>
    public static MaskingCatalog Create(MaskingOptions? options, ReadOnlyMemory<byte> tokenKey = default)
    {
        var errors = ImmutableArray.CreateBuilder<PolicyError>();
        if (tokenKey.Length is > 0 and < MaskingToken.MinimumKeyBytes)
        {
            errors.Add(new PolicyError(null, $"{TokenKeyName} has {tokenKey.Length} bytes; a token key has at least {MaskingToken.MinimumKeyBytes}."));
        }

        var profiles = new Dictionary<string, MaskingProfile>(StringComparer.Ordinal)
        {
            [MaskingProfile.DefaultName] = MaskingProfile.Default,
            [MaskingProfile.SecretsName] = MaskingProfile.Secrets,
        };
        foreach (var (name, profile) in options?.Profiles ?? new Dictionary<string, MaskingProfileOptions>())
        {
            if (Compile(name, profile, tokenKey.Length >= MaskingToken.MinimumKeyBytes, errors) is { } compiled)
            {
                profiles[name] = compiled;
            }
        }

        if (errors.Count > 0)
        {
            throw new PolicyBundleException(errors.ToImmutable());
        }

        return new MaskingCatalog(profiles.ToFrozenDictionary(StringComparer.Ordinal), tokenKey.ToArray());
    }

    /// <summary>
    /// The union of the named profiles (<c>default</c> when none is named; see <see cref="MaskingProfile.Union"/>).
    /// An unknown name throws <see cref="MaskingException"/>: the call's result must then be withheld.
    /// </summary>
    public MaskingProfile Resolve(IEnumerable<string>? names)
    {
        var wanted = (names ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            return MaskingProfile.Default;
        }

        return _unions.GetOrAdd(string.Join('\n', wanted), _ => MaskingProfile.Union(wanted.Select(name =>
            _profiles.TryGetValue(name, out var profile) ? profile : throw new MaskingException($"Masking profile '{name}' does not exist here, so the result is withheld."))));
    }

    /// <summary>A masker for the union of <paramref name="profiles"/> that also redacts <paramref name="heldSecrets"/>.</summary>
    public Masker CreateMasker(IEnumerable<string>? profiles, HeldSecretRedactor heldSecrets) => new(Resolve(profiles), heldSecrets, _tokenKey);

    public override string ToString() => $"{nameof(MaskingCatalog)} ({string.Join(", ", ProfileNames)})";

    private static MaskingProfile? Compile(string name, MaskingProfileOptions? options, bool hasTokenKey, ImmutableArray<PolicyError>.Builder errors)
    {
        var before = errors.Count;
        var at = options?.Location;
        if (name is MaskingProfile.DefaultName or MaskingProfile.SecretsName)
        {
            errors.Add(new PolicyError(at, $"masking profile '{name}' is built in and cannot be redefined; give this profile another name."));
            return null;
        }

        if (string.IsNullOrWhiteSpace(name) || options is null)
        {
            errors.Add(new PolicyError(at, "a masking profile needs a name and a body (detectors, columns or paths)."));
            return null;
        }

        var detectors = new MaskStrategy?[MaskDetectors.Count];
        foreach (var entry in options.Detectors)
        {
            var strategy = Strategy(entry.Strategy, entry.Location ?? at, name, errors);
            if (entry.Detector == AllDetectors)
            {
                for (var d = 0; d < detectors.Length; d++)
                {
                    detectors[d] = Stricter(detectors[d], strategy);
                }
            }
            else if (MaskDetectors.TryParse(entry.Detector, out var detector))
            {
                detectors[(int)detector] = Stricter(detectors[(int)detector], strategy);
            }
            else
            {
                errors.Add(new PolicyError(entry.Location ?? at, $"masking profile '{name}': unknown detector '{entry.Detector}'; known: {AllDetectors}, {string.Join(", ", MaskDetectors.Names)}."));
            }
        }

        var columns = ImmutableArray.CreateBuilder<ColumnRule>();
        foreach (var rule in options.Columns)
        {
            var strategy = Strategy(rule.Strategy, rule.Location ?? at, name, errors);
            if (string.IsNullOrWhiteSpace(rule.Name) && string.IsNullOrWhiteSpace(rule.Column))
            {
                errors.Add(new PolicyError(rule.Location ?? at, $"masking profile '{name}': a column rule needs 'name' (a column name pattern) or 'column' (table.column)."));
            }
            else if (rule.Column is { } column && column.Split('.') is var parts && (parts.Length > 3 || parts.Any(string.IsNullOrWhiteSpace)))
            {
                errors.Add(new PolicyError(rule.Location ?? at, $"masking profile '{name}': column '{column}' is not column, table.column or schema.table.column."));
            }
            else
            {
                columns.Add(new ColumnRule(rule.Name, rule.Column, strategy ?? MaskStrategy.Redact));
            }
        }

        var paths = ImmutableArray.CreateBuilder<PathRule>();
        foreach (var rule in options.Paths)
        {
            var strategy = Strategy(rule.Strategy, rule.Location ?? at, name, errors);
            var path = JsonPathPattern.TryParse(rule.Path, out var problem);
            if (path is null || path.Steps.Length is 0 or > MaxPathSteps)
            {
                problem ??= path is null || path.Steps.Length == 0 ? "a path names something below the root ('$.field')" : $"a path has at most {MaxPathSteps} steps";
                errors.Add(new PolicyError(rule.Location ?? at, $"masking profile '{name}': path '{rule.Path}' is not valid: {problem}."));
            }
            else
            {
                paths.Add(new PathRule(path, strategy ?? MaskStrategy.Redact));
            }
        }

        var profile = new MaskingProfile(name, detectors, columns.ToImmutable(), paths.ToImmutable());
        if (profile.UsesTokens && !hasTokenKey)
        {
            errors.Add(new PolicyError(at, $"masking profile '{name}' uses the token strategy, and no token key is configured; set {TokenKeyName} to a secret reference (at least {MaskingToken.MinimumKeyBytes} bytes)."));
        }

        return errors.Count == before ? profile : null;
    }

    private static MaskStrategy? Strategy(string? name, SourceLocation? at, string profile, ImmutableArray<PolicyError>.Builder errors)
    {
        if (name is null)
        {
            return MaskStrategy.Redact;
        }

        if (MaskStrategies.TryParse(name, out var strategy))
        {
            return strategy;
        }

        errors.Add(new PolicyError(at, $"masking profile '{profile}': unknown strategy '{name}'; known: {string.Join(", ", MaskStrategies.Names)}."));
        return null;
    }

    private static MaskStrategy? Stricter(MaskStrategy? current, MaskStrategy? strategy) =>
        strategy is not { } s ? current : current is { } c ? MaskStrategies.Strictest(c, s) : s;
}
