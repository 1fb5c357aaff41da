namespace McpGateway.Audit;

/// <summary>
/// A key file the gateway makes for itself on the embedded store (the checkpoint signing key, the
/// request-hash key): in a folder of its own (0700), mode 0600, written to a temporary file and
/// moved in place so processes racing to make it end with one key.
/// </summary>
internal static class OwnerOnlyKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The file's mode in octal when others than its owner may use it; null when only the owner may (or on Windows).</summary>
    public static string? TooOpen(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & ~OwnerOnly & ~UnixFileMode.UserExecute) != 0 ? Convert.ToString((int)mode, 8) : null;
    }

    /// <summary>
    /// Creates <paramref name="path"/> holding <paramref name="content"/>; false when another
    /// process made it first (that one is kept). Throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when it cannot, leaving no temporary file behind.
    /// </summary>
    public static bool TryCreate(string path, string content)
    {
        var folder = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}");
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made it first: use that one.
                File.Delete(temporary);
                return false;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a temporary file that was never used.
        }
    }
}
