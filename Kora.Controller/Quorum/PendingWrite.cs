namespace Kora.Controller.Quorum;

/// <summary>An answer held until the metadata log commits through <see cref="LastOffset"/>.</summary>
internal sealed record PendingWrite(long LastOffset, Action Complete, Action<Exception> Fail);
