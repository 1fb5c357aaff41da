using System.Xml.Linq;
using McpGateway.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace McpGateway.Hosting.Console;

/// <summary>
/// The Data Protection key ring in the gateway's store, so every replica and every restart
/// protects and unprotects the console's cookies and antiforgery tokens with the same keys. The
/// key ring's repository interface is synchronous; it is called when the ring is first needed and
/// when a key is added (about every 90 days), never per request.
/// </summary>
public sealed class StoreXmlRepository(IConsoleStore store, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. store.DataProtectionKeysAsync(CancellationToken.None).GetAwaiter().GetResult().Select(xml => XElement.Parse(xml))];

    public void StoreElement(XElement element, string friendlyName) =>
        store.StoreDataProtectionKeyAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult();
}
