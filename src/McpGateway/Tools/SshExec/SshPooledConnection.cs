using Renci.SshNet;

namespace McpGateway.Tools.SshExec;

/// <summary>
/// One connection of a host's pool: the task that opens it, and how many commands hold one of
/// its channels. Its counts change only under the pool's lock.
/// </summary>
internal sealed class SshPooledConnection
{
    private int _closed;

    public SshPooledConnection(Task<SshClient> ready, long now)
    {
        Ready = ready;
        LastUsed = now;

        // Callers that stopped waiting must not leave its failure unobserved.
        _ = ready.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Completes with the connected client, or fails with why it could not connect.</summary>
    public Task<SshClient> Ready { get; }

    /// <summary>Channels in use or reserved by callers waiting for <see cref="Ready"/>.</summary>
    public int InUse { get; set; }

    /// <summary>When the last command on it ended (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastUsed { get; set; }

    /// <summary>It failed to connect or its connection dropped: no new command may use it.</summary>
    public bool IsBroken => Ready.IsFaulted || Ready.IsCanceled || (Ready.IsCompletedSuccessfully && !Ready.Result.IsConnected);

    /// <summary>Connected and usable.</summary>
    public bool IsOpen => Ready.IsCompletedSuccessfully && Ready.Result.IsConnected;

    /// <summary>Out of the pool: no new command gets it, and it closes when its last command ends.</summary>
    public bool Retired { get; private set; }

    /// <summary>Takes it out of service; closes it now when no command uses it.</summary>
    public void Retire()
    {
        Retired = true;
        if (InUse == 0)
        {
            Close();
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        if (Ready.IsCompletedSuccessfully)
        {
            Ready.Result.Dispose();
        }
        else if (!Ready.IsCompleted)
        {
            // Still connecting (only at disposal): close it once it is open.
            _ = Ready.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }
}
