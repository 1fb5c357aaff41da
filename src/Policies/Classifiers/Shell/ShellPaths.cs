namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>File paths in arguments and redirections, normalised as the kernel resolves their text (symbolic links aside).</summary>
internal static class ShellPaths
{
    /// <summary>
    /// The normal form of an absolute path: empty and '.' segments dropped, '..' resolved, no
    /// trailing slash. False when a '..' climbs above '/'.
    /// </summary>
    public static bool TryNormalize(string path, out string normal)
    {
        normal = path;
        if (!path.StartsWith('/'))
        {
            return false;
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return false;
                }

                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        normal = "/" + string.Join('/', segments);
        return true;
    }

    /// <summary>Whether a relative path has a '..' segment (it may climb anywhere from the working folder).</summary>
    public static bool ClimbsRelative(string text) =>
        !text.StartsWith('/') && text.Split('/').Contains("..", StringComparer.Ordinal);
}
