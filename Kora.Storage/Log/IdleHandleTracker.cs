namespace Kora.Storage.Log;

/// <summary>
/// Decides when an open descriptor has been idle long enough to close. Uses only mark a flag (cheap on the
/// fetch path); the periodic sweep turns an unmarked flag into an idle period measured on its own clock. A handle
/// is closed only after a whole <c>idleMs</c> without any use, so a read that took it before then (a fetch
/// result's file region) has had as long to finish as a deleted segment's grace period gives it.
/// The owner calls both members under its own lock.
/// </summary>
internal struct IdleHandleTracker
{
    private bool _used;
    private long _idleSinceMs;

    /// <summary>The handle was handed out or opened.</summary>
    public void Touch() => _used = true;

    /// <summary>True once no use was seen for <paramref name="idleMs"/>; the first sweep after a use only starts the count.</summary>
    public bool IsIdle(long nowMs, long idleMs)
    {
        if (_used)
        {
            _used = false;
            _idleSinceMs = nowMs;
            return false;
        }
        return nowMs - _idleSinceMs >= idleMs;
    }
}
