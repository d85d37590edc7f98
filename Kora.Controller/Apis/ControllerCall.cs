using Kora.Controller.Quorum;
using Kora.Controller.Raft;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>
/// Runs a controller operation for a request: NOT_CONTROLLER when this controller is not (or stopped
/// being) the active one, so the caller retries at the leader; REQUEST_TIMED_OUT when the change did not
/// commit within the request's timeout.
/// </summary>
internal static class ControllerCall
{
    /// <summary>Used when a request carries no timeout of its own (or a non-positive one).</summary>
    public const int DefaultTimeoutMs = 30_000;

    public static async Task<(T? Result, ErrorCode Error)> RunAsync<T>(
        ControllerRaft raft, Func<QuorumController, long, Task<T>> operation, int timeoutMs, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs);
        try
        {
            return (await raft.RunAsync(operation, timeout.Token).ConfigureAwait(false), ErrorCode.None);
        }
        catch (NotControllerException)
        {
            return (default, ErrorCode.NotController);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return (default, ErrorCode.RequestTimedOut);
        }
    }
}
