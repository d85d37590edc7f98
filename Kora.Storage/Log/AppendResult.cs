namespace Kora.Storage.Log;

/// <summary>Where an append landed. <paramref name="LogAppendTime"/> is -1 unless the topic uses LogAppendTime.</summary>
public readonly record struct AppendResult(long BaseOffset, long LastOffset, long LogAppendTime, long LogStartOffset);
