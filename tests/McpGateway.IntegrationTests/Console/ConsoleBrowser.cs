using System.Net;
using System.Text.RegularExpressions;

namespace McpGateway.IntegrationTests.Console;

/// <summary>A cookie-keeping HTTP client that fills forms as a browser would: the antiforgery token from the page, then the post.</summary>
internal sealed partial class ConsoleBrowser : IDisposable
{
    private readonly HttpClient _http;

    public ConsoleBrowser(Uri baseUrl)
    {
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public CookieContainer Cookies { get; } = new();

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path.TrimStart('/'));

    public async Task<(HttpStatusCode Status, HttpResponseMessage Response)> SignInAsync(string key)
    {
        var response = await PostFormAsync("/console/sign-in", "/console/sign-in", [new("key", key)]);
        return (response.StatusCode, response);
    }

    /// <summary>Reads the antiforgery token from <paramref name="formPage"/>, then posts the form with it.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string action, string formPage, KeyValuePair<string, string>[] fields)
    {
        var page = await (await GetAsync(formPage)).Content.ReadAsStringAsync();
        var token = TokenField().Match(page);
        token.Success.Should().BeTrue("the form carries its antiforgery token: " + page);
        return await PostRawFormAsync(action, [new(token.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[2].Value)), .. fields]);
    }

    public Task<HttpResponseMessage> PostRawFormAsync(string action, KeyValuePair<string, string>[] fields) =>
        _http.PostAsync(action.TrimStart('/'), new FormUrlEncodedContent(fields));

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex TokenField();
}
