using System.Text;
using McpGateway.Policies.Classifiers.Http;

namespace Policies.Tests.Classifiers.Http;

public sealed class HttpCallRobustnessTests
{
    private static readonly string[] Pieces =
    [
        "/", "/", "/", ".", "..", "a", "api", "%2e", "%2E", "%2f", "%5C", "%25", "%00", "%41", "%7e", "%c3%a9",
        "%", "%4", "%zz", "?", "#", "&", "=", ";", "\\", " ", "\r", "\n", "@", ":", "http:", "//", "+", "~", "\u00e9", "\ud83d\ude00",
    ];

    [Fact]
    public void Random_paths_never_throw_and_every_sent_path_is_a_fixed_point()
    {
        var random = new Random(20240611);
        var accepted = 0;
        for (var round = 0; round < 5000; round++)
        {
            var builder = new StringBuilder(random.Next(2) == 0 ? "/" : string.Empty);
            var count = random.Next(1, 12);
            for (var i = 0; i < count; i++)
            {
                builder.Append(Pieces[random.Next(Pieces.Length)]);
            }

            var path = builder.ToString();
            var result = HttpCalls.Path(path);
            if (result.Spec() is not { } spec)
            {
                (result.Refusals.Length + result.UnparsedReasons.Length).Should().BePositive(path);
                continue;
            }

            accepted++;
            spec.Path.Should().StartWith("/", path).And.NotStartWith("//", path);
            spec.Path.Split('/').Should().NotContain(s => s == "." || s == "..", path);
            spec.Path.Should().NotContainAny(["%2F", "%2E", "%5C", "%25", "%00", "%3F", "%23", "#", "?", "\\", ";"]);

            var again = HttpCalls.Path(spec.RelativeTarget).Spec();
            again.Should().NotBeNull(path);
            again!.Path.Should().Be(spec.Path, path);
            again.Query.Should().Be(spec.Query, path);
        }

        accepted.Should().BeGreaterThan(100);
    }

    [Theory]
    [InlineData("""{"service": null, "method": null, "path": null, "headers": null, "body": null}""")]
    [InlineData("""{"service": [], "method": {}, "path": 1.5, "headers": true, "body": false}""")]
    [InlineData("""{"service": "billing", "method": "GET", "path": "/", "headers": {"a": null, "b": [], "c": {}}}""")]
    [InlineData("""{"service": "", "method": "", "path": ""}""")]
    [InlineData("""{"service": "billing", "method": "GET", "path": "?#"}""")]
    [InlineData("""{"service": "billing", "method": "GET", "path": "/%"}""")]
    [InlineData("""{"service": "billing", "method": "GET", "path": "/a%e"}""")]
    [InlineData("""{"service": "billing", "method": "GET", "path": "/\ud83d"}""")]
    public void Odd_arguments_are_refused_without_throwing(string json)
    {
        var classify = () => HttpCalls.Classify(json);

        classify.Should().NotThrow().Which.Request.Should().BeNull();
    }
}
