using System.Collections.Immutable;
using System.Globalization;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Policies.Loading;

/// <summary>Parses a rule's <c>obligations</c> against what its tools understand.</summary>
internal sealed class ObligationParser
{
    private readonly PolicyEnvironment _environment;
    private readonly YamlReader _reader;

    public ObligationParser(PolicyEnvironment environment, YamlReader reader)
    {
        _environment = environment;
        _reader = reader;
    }

    public ImmutableDictionary<string, ObligationValue> Parse(YamlNode node, IReadOnlyList<ToolDescriptor> tools, PolicyEffect? effect, string? rule)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ObligationValue>(StringComparer.Ordinal);
        if (effect == PolicyEffect.Deny)
        {
            _reader.Error(node, $"Rule '{rule}' denies, so its obligations would never apply; remove them.");
            return result.ToImmutable();
        }

        if (_reader.Mapping(node, "'obligations'") is not { } mapping)
        {
            return result.ToImmutable();
        }

        foreach (var (name, keyNode, value) in _reader.Entries(mapping, "'obligations'", null))
        {
            var descriptors = tools.Select(t => (Tool: t, Obligation: t.Obligations.GetValueOrDefault(name))).ToList();
            var descriptor = descriptors.Select(d => d.Obligation).FirstOrDefault(d => d is not null);
            var notUnderstood = descriptors.Where(d => d.Obligation is null).Select(d => d.Tool.Name).ToList();
            if (descriptor is null || notUnderstood.Count > 0)
            {
                var known = tools.SelectMany(t => t.Obligations.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
                var message = descriptor is null
                    ? $"Unknown obligation '{name}'; the rule's tools understand: {string.Join(", ", known)}."
                    : $"Obligation '{name}' is not understood by tool {string.Join(", ", notUnderstood)}; name only tools that understand it under 'when.tool'.";
                _reader.Error(keyNode, message);
                continue;
            }

            if (ParseValue(descriptor, value) is { } parsed)
            {
                result[name] = parsed;
            }
        }

        return result.ToImmutable();
    }

    private ObligationValue? ParseValue(ObligationDescriptor descriptor, YamlNode node)
    {
        if (descriptor.Kind == ObligationKind.Profiles)
        {
            if (_reader.ScalarOrList(node, $"Obligation '{descriptor.Name}'") is not { } profiles)
            {
                return null;
            }

            var unknown = profiles.Where(p => !_environment.MaskingProfiles.Contains(p.Value)).ToList();
            foreach (var (profile, at) in unknown)
            {
                _reader.Error(at, $"Unknown masking profile '{profile}'; known profiles: {string.Join(", ", _environment.MaskingProfiles.Order(StringComparer.Ordinal))}.");
            }

            return unknown.Count == 0
                ? new ObligationValue(ObligationKind.Profiles, Profiles: [.. profiles.Select(p => p.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)])
                : null;
        }

        if (_reader.Scalar(node, $"Obligation '{descriptor.Name}'") is not { } text)
        {
            return null;
        }

        ObligationValue? value = descriptor.Kind switch
        {
            ObligationKind.Duration when DurationText.TryParse(text, out var duration) && duration > TimeSpan.Zero
                => new ObligationValue(ObligationKind.Duration, Duration: duration),
            ObligationKind.Count when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
                => new ObligationValue(ObligationKind.Count, Number: count),
            ObligationKind.Size when SizeText.TryParse(text, out var size) && size > 0
                => new ObligationValue(ObligationKind.Size, Number: size),
            ObligationKind.Flag or ObligationKind.Grant when text is "true" or "false"
                => new ObligationValue(descriptor.Kind, Flag: text == "true"),
            ObligationKind.Rate when RateText.TryParse(text, out var rate)
                => new ObligationValue(ObligationKind.Rate, Rate: rate),
            _ => null,
        };
        if (value is null)
        {
            var expected = descriptor.Kind switch
            {
                ObligationKind.Duration => "a positive duration such as 500ms, 30s, 5m or 1h30m",
                ObligationKind.Count => "a positive whole number",
                ObligationKind.Size => "a positive size such as 65536, 64KiB or 1MB",
                ObligationKind.Flag or ObligationKind.Grant => "true or false",
                _ => "a rate such as 60/m, 10/s or 100/1h",
            };
            _reader.Error(node, $"Obligation '{descriptor.Name}' is '{text}'; expected {expected}.");
        }

        return value;
    }
}
