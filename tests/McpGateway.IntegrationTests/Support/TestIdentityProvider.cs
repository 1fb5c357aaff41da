using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// An OpenID Connect issuer on loopback, inside the tests: a real discovery document and JSON Web
/// Key Set over HTTP, and tokens signed with real RSA and EC keys (or forged, for the attacks).
/// It counts key-set requests, and can rotate its keys.
/// </summary>
internal sealed class TestIdentityProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private List<SigningKey> _published = [];
    private int _jwksRequests;
    private int _stopped;

    private TestIdentityProvider(WebApplication app, Uri issuer)
    {
        _app = app;
        Issuer = issuer.ToString().TrimEnd('/');
    }

    /// <summary>The issuer, exactly as its tokens and discovery document say it (no trailing slash).</summary>
    public string Issuer { get; }

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>The key tokens are signed with by default: the newest RSA key.</summary>
    public SigningKey Current
    {
        get
        {
            lock (_gate)
            {
                return _published.Last(k => k.Algorithm == "RS256");
            }
        }
    }

    public SigningKey Ec
    {
        get
        {
            lock (_gate)
            {
                return _published.Last(k => k.Algorithm == "ES256");
            }
        }
    }

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        TestIdentityProvider? provider = null;
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new { issuer = provider!.Issuer, jwks_uri = provider.Issuer + "/jwks", id_token_signing_alg_values_supported = new[] { "RS256", "ES256" } }));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref provider!._jwksRequests);
            lock (provider._gate)
            {
                return Results.Text(new JsonObject { ["keys"] = new JsonArray([.. provider._published.Select(k => (JsonNode)k.PublicJwk())]) }.ToJsonString(), "application/json");
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider = new TestIdentityProvider(app, new Uri(address));
        provider._published = [SigningKey.Rsa(), SigningKey.Ec()];
        return provider;
    }

    /// <summary>Publishes a new RSA key and withdraws the old one; tokens are signed with the new key from now on.</summary>
    public SigningKey Rotate()
    {
        var next = SigningKey.Rsa();
        lock (_gate)
        {
            _published = [.. _published.Where(k => k.Algorithm != "RS256"), next];
        }

        return next;
    }

    /// <summary>
    /// A signed token: issuer, subject, audience and a lifetime of ten minutes from now unless
    /// <paramref name="claims"/> sets them otherwise (a null value removes a claim).
    /// </summary>
    public string Token(string subject, string audience, IDictionary<string, object?>? claims = null, SigningKey? key = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new Dictionary<string, object?> { ["iss"] = Issuer, ["sub"] = subject, ["aud"] = audience, ["iat"] = now, ["nbf"] = now, ["exp"] = now + 600 };
        foreach (var (name, value) in claims ?? new Dictionary<string, object?>())
        {
            payload[name] = value;
        }

        return (key ?? Current).Sign(payload.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>Stops the provider (as an outage would); disposing again does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.DisposeAsync();
        }
    }

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static string Encode(object value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));

    /// <summary>A signing key of this provider (or of nobody, for forgeries).</summary>
    internal sealed class SigningKey
    {
        private readonly RSA? _rsa;
        private readonly ECDsa? _ec;

        private SigningKey(string algorithm, RSA? rsa, ECDsa? ec)
        {
            Algorithm = algorithm;
            _rsa = rsa;
            _ec = ec;
            KeyId = "k-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        }

        public string Algorithm { get; }

        public string KeyId { get; init; }

        public static SigningKey Rsa() => new("RS256", RSA.Create(2048), null);

        public static SigningKey Ec() => new("ES256", null, ECDsa.Create(ECCurve.NamedCurves.nistP256));

        public JsonObject PublicJwk()
        {
            if (_rsa is not null)
            {
                var p = _rsa.ExportParameters(false);
                return new JsonObject { ["kty"] = "RSA", ["kid"] = KeyId, ["use"] = "sig", ["alg"] = Algorithm, ["n"] = Base64Url(p.Modulus!), ["e"] = Base64Url(p.Exponent!) };
            }

            var q = _ec!.ExportParameters(false);
            return new JsonObject { ["kty"] = "EC", ["kid"] = KeyId, ["use"] = "sig", ["alg"] = Algorithm, ["crv"] = "P-256", ["x"] = Base64Url(q.Q.X!), ["y"] = Base64Url(q.Q.Y!) };
        }

        /// <summary>The public key's bytes as an attacker would use them for an HMAC key (its SubjectPublicKeyInfo).</summary>
        public byte[] PublicKeyBytes => _rsa?.ExportSubjectPublicKeyInfo() ?? _ec!.ExportSubjectPublicKeyInfo();

        public string Sign(IDictionary<string, object?> payload, string? keyId = null)
        {
            var signingInput = $"{Encode(new Dictionary<string, string> { ["alg"] = Algorithm, ["typ"] = "JWT", ["kid"] = keyId ?? KeyId })}.{Encode(payload)}";
            var data = Encoding.ASCII.GetBytes(signingInput);
            var signature = _rsa is not null
                ? _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : _ec!.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return $"{signingInput}.{Base64Url(signature)}";
        }
    }
}
