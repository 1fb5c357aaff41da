using System.Data.Common;
using static McpGateway.Storage.Relational.StoreSql;

namespace McpGateway.Storage.Relational;

/// <summary>Policy revisions: <c>policy_revisions</c>, <c>policy_revision_files</c> and the content-addressed <c>policy_file_contents</c>.</summary>
internal sealed class RelationalPolicyRevisionStore(RelationalGatewayStore store) : IPolicyRevisionStore
{
    public Task<bool> SaveAsync(PolicyRevision revision, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                await using (var exists = Command(connection, transaction, "SELECT 1 FROM policy_revisions WHERE revision = @revision;", ("@revision", revision.Revision)))
                {
                    if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                    {
                        return false;
                    }
                }

                await using (var insert = Command(connection, transaction, "INSERT INTO policy_revisions (revision, first_loaded_at) VALUES (@revision, @at);", ("@revision", revision.Revision), ("@at", Time(revision.FirstLoadedAt))))
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                foreach (var file in revision.Files)
                {
                    await using (var content = Command(connection, transaction, "INSERT INTO policy_file_contents (sha256, content) VALUES (@sha, @content) ON CONFLICT (sha256) DO NOTHING;", ("@sha", file.Sha256), ("@content", file.Content)))
                    {
                        await content.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await using var link = Command(connection, transaction, "INSERT INTO policy_revision_files (revision, path, sha256) VALUES (@revision, @path, @sha);", ("@revision", revision.Revision), ("@path", file.Path), ("@sha", file.Sha256));
                    await link.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken);

    public async Task<PolicyRevision?> FindAsync(string revisionOrPrefix, CancellationToken cancellationToken)
    {
        var prefix = revisionOrPrefix.Trim().ToLowerInvariant();
        if (prefix.Length is < 6 or > 64 || !prefix.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            var matches = new List<(string Revision, DateTimeOffset At)>();
            await using (var query = Command(connection, null, "SELECT revision, first_loaded_at FROM policy_revisions WHERE substr(revision, 1, @length) = @prefix ORDER BY revision LIMIT 50;", ("@length", prefix.Length), ("@prefix", prefix)))
            await using (var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    matches.Add((reader.GetString(0), ReadTime(reader, 1)));
                }
            }

            if (matches.Count > 1)
            {
                throw new AmbiguousRevisionException(prefix, [.. matches.Select(m => m.Revision)]);
            }

            if (matches.Count == 0)
            {
                return null;
            }

            var files = new List<PolicyRevisionFile>();
            await using (var query = Command(connection, null, "SELECT f.path, f.sha256, c.content FROM policy_revision_files f JOIN policy_file_contents c ON c.sha256 = f.sha256 WHERE f.revision = @revision ORDER BY f.path;", ("@revision", matches[0].Revision)))
            await using (var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    files.Add(new PolicyRevisionFile(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2)));
                }
            }

            return new PolicyRevision(matches[0].Revision, matches[0].At, [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)]);
        }
    }
}
